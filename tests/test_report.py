"""`hw3 report` end to end on two tiny generators (markdown, HTML, PDF), and the pieces it draws with."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from hw3.cli import main
from hw3.models import Generator, GeneratorConfig
from hw3.errors import InputError
from hw3.report.comparison import best_conditional, budget_table, comparison_table
from hw3.report.pdf import equation_png, equations, figure_paths, pdf_images, write_pdf
from hw3.report.section_models import EQUATIONS, loss_terms, models_section
from hw3.report.strips import _spherical_mix, latent_strips, strip_figure, tag_strips
from hw3.report.study_curves import evaluation_records, study_curves_figure
from hw3.report.word_vectors import conditioning_table
from hw3.images import draw_noise
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


@pytest.mark.slow  # two report builds, about 30 s on 2 cores
def test_report_writes_markdown_html_pdf_and_every_figure(report_inputs, tmp_path):
    data_root, weights = report_inputs
    out = tmp_path / "report"
    arguments = ["report", "--weights", str(weights), "--data", str(data_root), "--out", str(out),
                 "--tags", str(REPO / "testing_tags.txt"), "--evaluator", str(REPO / "weights" / "evaluator.safetensors"),
                 "--num-samples", "264"]
    assert main(arguments) == 0
    markdown = (out / "report.md").read_text()
    for figure in ("side_by_side.png", "dcgan_curves.png", "acgan_curves.png", "latent_interpolation.png",
                   "tag_interpolation.png", "acgan/tag_accuracy.png", "dcgan/nearest_training_images.png",
                   "colour_words.png", "data_colour_counts.png", "data_faces_per_hair_colour.png"):
        assert (out / "figures" / figure).is_file(), figure
        assert f"figures/{figure}" in markdown, figure
    for section in ("## The data set", "## The models", "## Training tips", "## The variants compared",
                    "## Interpolation", "## Memorisation", "## Word vectors", "## What the numbers mean",
                    "## Conclusions", "## References"):
        assert section in markdown, section
    # Sample sizes are the ones the evaluation used, and FID is named for its feature space.
    record = json.loads((out / "results" / "acgan.json").read_text())
    assert f"{record['num_compared']:,} generated faces" in markdown and "on 264 generated faces" in markdown
    assert "| FID |" not in markdown and "FID (evaluator features)" in markdown
    # The tiny runs' exported sidecars carry the budget the loop recorded.
    # (steps 2, images through D 2 x batch 16, generator steps 2)
    assert "| dcgan | 2 | 32 | 2 | " in markdown and "| acgan | 2 | 32 | 2 | " in markdown
    assert "images through D" in markdown
    comparison_rows = [line for line in markdown.splitlines()
                       if line.startswith(("| dcgan | ", "| acgan | ")) and "%" in line]
    assert len(comparison_rows) == 2
    assert "side_by_side.png" in (out / "report.html").read_text()
    _assert_pdf_holds_every_figure(out)
    # A second build reuses the measurements of unchanged weights instead of re-evaluating.
    (out / "results" / "acgan.json").write_text(json.dumps({**record, "fid": 123.456}))
    assert main(arguments) == 0
    assert "123.46" in (out / "report.md").read_text()


def _assert_pdf_holds_every_figure(report_dir: Path) -> None:
    """report.pdf opens with PyMuPDF and embeds one image per figure the markdown names (each at its
    own pixel size) plus one per display equation."""
    markdown = (report_dir / "report.md").read_text()
    figures = figure_paths(markdown)
    missing = [name for name in figures if not (report_dir / name).is_file()]
    assert not missing, f"the report names figures that do not exist: {missing}"
    embedded = pdf_images(report_dir / "report.pdf")
    assert len(embedded) == len(figures) + len(equations(markdown))
    sizes = Counter(embedded)
    for name in figures:
        with Image.open(report_dir / name) as image:
            assert sizes[image.size] > 0, f"{name} ({image.size}) is not in report.pdf"
            sizes[image.size] -= 1


def test_committed_report_names_only_existing_figures_and_its_pdf_holds_them():
    _assert_pdf_holds_every_figure(REPO / "report")


def test_pdf_refuses_a_markdown_that_names_a_missing_figure(tmp_path):
    Image.new("RGB", (40, 20), "red").save(tmp_path / "present.png")
    markdown = "# t\n\n![a](present.png)\n\n$$x^2$$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    write_pdf(markdown, tmp_path, tmp_path / "ok.pdf")
    assert sorted(pdf_images(tmp_path / "ok.pdf")) != [] and (40, 20) in pdf_images(tmp_path / "ok.pdf")
    assert len(pdf_images(tmp_path / "ok.pdf")) == 2  # the figure and the equation
    with pytest.raises(InputError, match="missing.png"):
        write_pdf(markdown + "\n![b](figures/missing.png)\n", tmp_path, tmp_path / "bad.pdf")
    assert not (tmp_path / "bad.pdf").exists()


def test_every_loss_equation_is_drawn_without_tex():
    for text, latex in EQUATIONS.values():
        png, width = equation_png(latex)
        assert png.startswith(b"\x89PNG") and 20 < width < 1000, text


def test_models_section_follows_the_config():
    config = {"generator": {"ngf": 32, "condition": "onehot", "conditional_batch_norm": True},
              "discriminator": {"ndf": 32, "conditioning": "projection", "norm": "none", "spectral_norm": True},
              "loss": {"objective": "wasserstein", "gradient_penalty_weight": 10.0, "n_critic": 5,
                       "weight_clip": 0.01, "clip_schedule": "none"},
              "optimizer": {"lr_generator": 1e-4, "lr_discriminator": 3e-4, "betas": [0.0, 0.9]}}
    assert loss_terms(config) == ["wasserstein", "weight_clipping", "gradient_penalty", "projection",
                                  "spectral_norm"]
    text = "\n".join(models_section({"toy": {"training_config": config}}, {"toy": 1234}))
    assert "1,234 parameters" in text and "gradient penalty λ = 10" in text and "5 D steps per G step" in text
    assert "clipped to ±0.01" in text
    assert "`clip_schedule = none`" in text  # a field without words is listed, not dropped
    assert "0.0003 (D)" in text and text.count("$$") == 2 * 5
    relativistic = {"loss": {"objective": "relativistic", "r1_weight": 0.1, "r2_weight": 0.1}}
    assert loss_terms(relativistic) == ["relativistic"]
    assert loss_terms({"loss": {"objective": "hinge", "r1_weight": 1.0}}) == ["hinge", "zero_centred"]


def test_budget_columns_appear_only_when_recorded():
    sidecars = {"a": {"step": 100}, "b": {"step": 50, "budget": {"images_through_d": 400000, "device": "cpu"}}}
    assert budget_table({"a": {"step": 100}}, {"a": {}}) is None
    table = budget_table(sidecars, {"a": {"wall_clock_seconds": 600.0}}).splitlines()
    assert table[0] == "| variant | steps | images through D | wall-clock | device |"
    assert table[2] == "| a | 100 | — | 10 min | — |"
    assert table[3] == "| b | 50 | 400,000 | — | cpu |"
    sidecars["b"]["stopping"] = {"reason": "plateau", "step": 50, "images_through_d": 1_600_000}
    table = budget_table(sidecars, {"a": {"wall_clock_seconds": 600.0}}).splitlines()
    assert table[0] == "| variant | steps | images through D | wall-clock | device | stopped | why |"
    assert table[2] == "| a | 100 | — | 10 min | — | — | — (trained before the stopping rule) |"
    assert table[3] == ("| b | 50 | 400,000 | — | cpu | 1,600,000 | plateau: the last quarter improved less than "
                        "the rule asks |")


def test_strip_rows_are_labelled():
    pixels = np.zeros((2 * 66 + 2, 8 * 66 + 2, 3), np.uint8)
    figure = strip_figure(pixels, "walks", ["blue hair, red eyes", "pink hair, aqua eyes (held out)"])
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels == ["blue hair, red eyes", "pink hair, aqua eyes (held out)"]


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
    # More of the shipped bars met beats higher accuracy: only acgan's recall reaches 85 %.
    results["wgan_gp"] = _results(0.995, 0.97, False)
    results["acgan"] = {**_results(0.99, 0.95, False), "fid": 0.9, "recall": 0.86}
    assert best_conditional(results, conditional) == "acgan"
    results["acgan"]["recall"] = 0.5
    assert best_conditional(results, conditional) == "wgan_gp"
    results["acgan"] = _results(0.90, 0.80, False)
    results["wgan_gp"] = _results(0.80, 0.85, False)
    table = comparison_table(results, conditional)
    assert "| acgan | 90.0 % | 80.0 % |" in table
    # Two floors: test half against test half for the conditional rows, training halves for dcgan's.
    assert table.splitlines()[-2].startswith("| real test images | 99.0 % |")  # cgan's record, the first conditional
    assert table.splitlines()[-1].startswith("| real training images | — | — | — | — | 0.10 |")
    assert "| dcgan | — | — | — | — | 1.00 (train) |" in table


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


def test_evaluation_during_training_figure_reads_only_runs_that_evaluated(tmp_path):
    logs = {}
    for name, evaluates in (("wgan_clip", True), ("dcgan", False)):
        logs[name] = tmp_path / f"{name}.log.jsonl"
        records = [{"step": step, "d_loss": 1.0, "images_through_d": 320 * step, "wall_seconds": 2.0 * step}
                   for step in (1, 2, 3)]
        if evaluates:
            records[1].update(eval_fid=12.5, eval_both_seen=0.4, eval_both_held_out=0.1)
            records[2].update(eval_fid=6.0, eval_both_seen=0.7, eval_both_held_out=0.2)
        logs[name].write_text("".join(json.dumps(record) + "\n" for record in records))
    found = evaluation_records({**logs, "missing": tmp_path / "missing.log.jsonl"})
    assert list(found) == ["wgan_clip"] and [r["step"] for r in found["wgan_clip"]] == [2, 3]
    figure = study_curves_figure(found)
    assert len(figure.axes) == 2 * 3
    line = figure.axes[0].get_lines()[0]  # FID against images through D
    assert list(line.get_xdata()) == [640, 960] and list(line.get_ydata()) == [12.5, 6.0]


def test_each_run_keeps_its_colour_in_every_panel_of_the_curves():
    # Two unconditional runs first: they have no tag-accuracy points, so a per-panel colour cycle
    # would hand their colours to the conditional runs in the accuracy panels.
    def records(fid: float, seen: float | None) -> list[dict]:
        out = []
        for step in (1, 2):
            record = {"step": step, "images_through_d": 64 * step, "wall_seconds": float(step), "eval_fid": fid / step}
            if seen is not None:
                record.update(eval_both_seen=seen * step / 2, eval_both_held_out=seen * step / 4)
            out.append(record)
        return out

    found = {"dcgan": records(80.0, None), "dcgan_sn": records(60.0, None),
             "cgan": records(40.0, 0.4), "acgan": records(20.0, 0.9)}
    figure = study_curves_figure(found)
    colours: dict[str, set] = {}
    for axis in figure.axes:
        legend_labels = [text.get_text() for text in axis.get_legend().get_texts()]
        drawn = [line.get_label() for line in axis.get_lines()]
        assert legend_labels == drawn
        for line in axis.get_lines():
            colours.setdefault(line.get_label(), set()).add(line.get_color())
    assert set(colours) == set(found)
    assert all(len(seen) == 1 for seen in colours.values()), colours
    assert len({next(iter(seen)) for seen in colours.values()}) == len(found)
    accuracy_panel = figure.axes[1]
    assert [line.get_label() for line in accuracy_panel.get_lines()] == ["cgan", "acgan"]


def test_real_faces_for_a_pair_the_set_lacks_is_a_grey_square():
    from types import SimpleNamespace

    import torch

    from hw3.report.side_by_side import real_faces_for
    from hw3.tags import NUM_EYES, pair_from_index

    dataset = SimpleNamespace(images=torch.full((2, 3, 64, 64), 255, dtype=torch.uint8),
                              hair=torch.tensor([0, 0]), eyes=torch.tensor([0, 0]))
    pair_present, pair_absent = pair_from_index(0), pair_from_index(NUM_EYES + 1)
    faces = real_faces_for([pair_present, pair_absent], dataset, seed=0)
    assert faces.shape == (2, 3, 64, 64)
    assert torch.all(faces[0] == 1.0) and torch.all(faces[1] == 0.0)


def test_study_section_names_runs_below_the_budget_and_quotes_the_rest():
    from hw3.report.section_study import STUDY_BUDGET, study_section

    acgan_config = {"num_steps": 6250, "batch_size": 64, "loss": {"n_critic": 1}}
    sidecars = {"acgan": {"step": 6000, "training_config": acgan_config,
                          "budget": {"images_through_d": 384000, "generator_steps": 6000, "world_size": 1}},
                "wgan_gp": {"step": 200, "training_config": {"num_steps": 200, "batch_size": 64,
                                                             "loss": {"n_critic": 5}}}}
    assert 6250 * 64 >= STUDY_BUDGET
    results = {"acgan": {"fid": 2.5, "num_compared": 2640, "num_generated": 10000, "num_reference": 2640, "tag_accuracy": {"seen": {"both": 0.98}, "held_out": {"both": 0.8}}},
               "wgan_gp": {"fid": 118.0}}
    text = "\n".join(study_section(results, sidecars, {"acgan": True, "wgan_gp": True}))
    assert "before the rule existed, so their verdicts are on that budget, not on the method: acgan." in text
    assert "not yet retrained at the common budget: wgan_gp" in text
    assert "- **acgan**: best step 6,000 of 6,250" in text and "98.0 % of seen-pair and 80.0 %" in text
    assert "FID (evaluator features) 2.50 (2,640 of 10,000 faces against 2,640 real)" in text
    assert "- **wgan_gp**" not in text


def test_study_section_groups_the_runs_by_how_they_ended():
    from hw3.report.section_study import study_section

    config = {"num_steps": 50000, "batch_size": 64, "stopping": {"plateau": True}}
    budget = {"images_through_d": 640000, "world_size": 1}
    sidecars = {"cgan": {"step": 21500, "training_config": config, "budget": budget,
                         "stopping": {"reason": "plateau", "images_through_d": 1728000}},
                "acgan": {"step": 14500, "training_config": config, "budget": budget,
                          "stopping": {"reason": "time limit", "images_through_d": 970240}},
                "dcgan_sn": {"step": 15500, "training_config": config, "budget": budget},
                "dcgan": {"step": 6250, "training_config": {"num_steps": 6250, "batch_size": 64}, "budget": budget},
                "odd": {"step": 9, "training_config": config, "budget": budget,
                        "stopping": {"reason": "rank 0 stopped", "images_through_d": 576}}}
    text = "\n".join(study_section({}, sidecars, {}))
    assert "Stopped by the rule: cgan. Stopped by a time limit before the rule applied: acgan. " in text
    assert "Exported mid-run, the run going on to the rule: dcgan_sn." in text
    assert "not on the method: dcgan. Stopped (rank 0 stopped): odd." in text


def test_the_shipped_bars_hold_the_cascade_counts_of_make_course_check(tmp_path):
    from hw3.report.section_shipped import read_course_check, shipped_section

    found = tmp_path / "course_check.txt"
    found.write_text("".join(f"runs/course_check/gan_seed{s}.png {n}\n" for s, n in enumerate([20, 22, 24])) +
                     "".join(f"runs/course_check/cgan_testing_tags_seed{s}.png {n}\n" for s, n in enumerate([23, 22])) +
                     "".join(f"runs/course_check/real_gan_seed{s}.png {n}\n" for s, n in enumerate([25, 21, 23, 20])) +
                     "runs/course_check/real_other_seed0.png 3\n")
    counts = read_course_check(found)
    assert counts == {"gan": [20, 22, 24], "cgan_testing_tags": [23, 22], "real_gan": [25, 21, 23, 20]}
    assert read_course_check(tmp_path / "absent.txt") == {}
    accuracy = {"seen": {"both": 0.995}, "held_out": {"both": 0.951}}
    results = {"acgan": {"tag_accuracy": accuracy, "fid": 0.9, "fid_real_floor": 0.07, "diversity_ratio": 1.1,
                         "recall": 0.86, "precision": 0.7},
               "dcgan_sn": {"fid": 9.0, "fid_real_floor": 0.5, "recall": 0.8, "precision": 0.3}}
    markdown = "\n".join(shipped_section(results, {"acgan": True, "dcgan_sn": False}, "acgan", counts))
    assert "| faces the course's cascade finds in `run_cgan.sh testing_tags.txt`'s figure, seeds 0–1 | 23, 22 " \
           "| ≥ 22 of 25 on each | yes |" in markdown
    assert "`run_gan.sh`'s figure, seeds 0–2 | 20, 22, 24 | ≥ 22 of 25 on each | no |" in markdown
    assert "| the same figure drawn with real faces (`hw3 data figure`), seeds 0–3 | mean 22.2, 20 to 25; " \
           "2 of 4 reach 22 | — | — |" in markdown
    assert markdown.count("drawn with real faces") == 1  # no real figures of run_cgan.sh in the file
    assert "| both tags, held-out pairs | 95.1% | ≥ 95% | yes |" in markdown and "| ≤ 5.0 | no |" in markdown
