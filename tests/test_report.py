"""`hw3 report` end to end on two tiny generators, and the pieces it draws with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from hw3.cli import main
from hw3.models import Generator, GeneratorConfig
from hw3.report.comparison import best_conditional, comparison_table
from hw3.report.strips import _spherical_mix, latent_strips, tag_strips
from hw3.report.word_vectors import conditioning_table
from hw3.sampling.images import draw_noise
from hw3.tags import HairEyeTags
from hw3.train.loop import train
from hw3.train.recipes import smoke_data_root, variant_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report_inputs(tmp_path_factory):
    """A weights folder with a one-step DCGAN and ACGAN (and their logs), and tiny data."""
    data_root = smoke_data_root(seed=0, num_train=64, num_test_per_pair=2)
    weights = tmp_path_factory.mktemp("weights")
    for variant in ("dcgan", "acgan"):
        run_dir = tmp_path_factory.mktemp(variant)
        config = variant_config(REPO / "configs" / f"{variant}.toml", data_root, run_dir, device="cpu",
                                num_steps=2, smoke=True)
        config.log_every = 1
        train(config, progress=False)
        assert main(["export", "--run", str(run_dir), "--out", str(weights / f"{variant}.safetensors")]) == 0
    return data_root, weights


def test_report_writes_markdown_html_and_every_figure(report_inputs, tmp_path):
    data_root, weights = report_inputs
    out = tmp_path / "report"
    arguments = ["report", "--weights", str(weights), "--data", str(data_root), "--out", str(out),
                 "--tags", str(REPO / "testing_tags.txt"), "--evaluator", str(REPO / "weights" / "evaluator.safetensors"),
                 "--num_samples", "264"]
    assert main(arguments) == 0
    markdown = (out / "report.md").read_text()
    for figure in ("side_by_side.png", "dcgan_curves.png", "acgan_curves.png", "latent_interpolation.png",
                   "tag_interpolation.png", "acgan/tag_accuracy.png", "dcgan/nearest_training_images.png",
                   "colour_words.png"):
        assert (out / "figures" / figure).is_file(), figure
        assert f"figures/{figure}" in markdown, figure
    table_rows = [line for line in markdown.splitlines() if line.startswith("| dcgan |") or line.startswith("| acgan |")
                  or line.startswith("| real test images |")]
    assert len(table_rows) == 3 + 2  # comparison table rows, and the provenance table's two
    assert "side_by_side.png" in (out / "report.html").read_text()
    # A second build reuses the measurements of unchanged weights instead of re-evaluating.
    record = json.loads((out / "results" / "acgan.json").read_text())
    (out / "results" / "acgan.json").write_text(json.dumps({**record, "fid": 123.456}))
    assert main(arguments) == 0
    assert "123.46" in (out / "report.md").read_text()


def test_conditioning_table_keeps_the_latest_record_per_encoder(tmp_path):
    results = tmp_path / "results.jsonl"
    records = [("onehot-step500", 0.5), ("fasttext-step500", 0.25), ("onehot-step500", 0.75)]
    results.write_text("".join(json.dumps({**_results(seen, seen / 2, False), "label": label}) + "\n"
                               for label, seen in records))
    table = conditioning_table(results).splitlines()
    assert len(table) == 2 + 2
    assert table[2].startswith("| fasttext | 500 | 25.0% | 12.5% |")
    assert table[3].startswith("| onehot | 500 | 75.0% | 37.5% |")
    assert conditioning_table(tmp_path / "missing.jsonl") is None


def test_report_without_generators_is_a_clear_error(tmp_path, capsys):
    assert main(["report", "--weights", str(tmp_path), "--out", str(tmp_path / "report")]) == 2
    assert "no shipped generators" in capsys.readouterr().err


def _results(seen: float, held_out: float, collapse: bool) -> dict:
    accuracy = {"hair": 1.0, "eyes": 1.0, "both": seen, "seen": {"both": seen}, "held_out": {"both": held_out}}
    return {"tag_accuracy": accuracy, "real_tag_accuracy": accuracy, "mode_collapse": collapse, "fid": 1.0,
            "kid": 0.0, "precision": 0.5, "recall": 0.5, "diversity_ratio": 0.9, "evaluator_score": 10.0,
            "memorisation_distance_ratio": 1.0, "fid_real_floor": 0.1, "kid_real_floor": 0.0,
            "precision_real_floor": 0.9, "recall_real_floor": 0.9, "evaluator_score_real": 100.0}


def test_best_conditional_skips_collapsed_generators_and_unconditional_ones():
    results = {"dcgan": _results(0.0, 0.0, False), "cgan": _results(0.99, 0.99, True),
               "acgan": _results(0.90, 0.80, False), "wgan_gp": _results(0.80, 0.85, False)}
    conditional = {"dcgan": False, "cgan": True, "acgan": True, "wgan_gp": True}
    assert best_conditional(results, conditional) == "acgan"
    table = comparison_table(results, conditional)
    assert "| dcgan | — | — | — | — |" in table
    assert "| acgan | 90.0 % | 80.0 % |" in table
    assert table.splitlines()[-1].startswith("| real test images |")


def test_spherical_walk_keeps_the_noise_norm_and_ends_at_both_draws():
    start, end = torch.randn(2, 100, generator=torch.Generator().manual_seed(0))
    walk = _spherical_mix(start, end, 9)
    assert torch.allclose(walk[0], start, atol=1e-5) and torch.allclose(walk[-1], end, atol=1e-5)
    straight = 0.5 * (start + end)
    assert walk[4].norm() > 1.2 * straight.norm()  # the straight midpoint falls inside the shell


def test_tag_walk_ends_are_the_tags_own_faces():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8, condition="embedding")).eval()
    start, end = HairEyeTags("blue", "red"), HairEyeTags("pink", "green")
    strip = tag_strips(generator, [(start, end)], steps=5, seed=3)
    assert strip.shape == (5, 3, 64, 64)
    noise = draw_noise(1, 100, seed=3).expand(2, -1)  # the row's noise
    with torch.no_grad():
        own = generator(noise, torch.tensor([start.hair_index, end.hair_index]),
                        torch.tensor([start.eye_index, end.eye_index]))
    assert torch.allclose(strip[0], own[0], atol=1e-5) and torch.allclose(strip[-1], own[1], atol=1e-5)
    assert not torch.allclose(strip[2], strip[0], atol=1e-3)


def test_latent_walk_rows_hold_their_tags():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8, condition="embedding")).eval()
    strips = latent_strips(generator, [HairEyeTags("blue", "red"), HairEyeTags("pink", "green")], steps=4, seed=0)
    assert strips.shape == (8, 3, 64, 64)
    noise = draw_noise(4, 100, seed=0)
    with torch.no_grad():
        first = generator(noise[2:3], torch.tensor([HairEyeTags("pink", "green").hair_index]),
                          torch.tensor([HairEyeTags("pink", "green").eye_index]))
    assert torch.allclose(strips[4], first[0], atol=1e-5)  # row 2 starts at its own first draw
