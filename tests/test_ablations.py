"""Ablations of the study (configs/ablations/ablations.toml, `hw3 ablate`) and the report's tables of them,
and the report's style-transfer section."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hw3.cli import main
from hw3.errors import InputError
from hw3.report.section_ablations import ablations_section
from hw3.report.section_style import GRID_TARGETS, grid_faces, style_section
from hw3.train.ablations import Ablation, ablation_config, ablation_results, find_ablation, read_ablations

REPO = Path(__file__).resolve().parents[1]


def test_every_listed_ablation_builds_a_config_that_differs_from_its_variant_as_stated(tmp_path):
    from hw3.train.config import config_to_dict, flatten_config, load_config

    ablations = read_ablations()
    assert ablations and len({a.name for a in ablations}) == len(ablations)
    for ablation in ablations:
        config = ablation_config(ablation, tmp_path / "data", tmp_path / "run")
        base = load_config(REPO / "configs" / f"{ablation.variant}.toml")
        changed = {key for key, value in flatten_config(config_to_dict(config)).items()
                   if flatten_config(config_to_dict(base))[key] != value}
        stated = {override.split("=")[0] for override in ablation.set}
        assert changed == stated | {"name", "num_steps", "data.root", "out_dir"} - (
            {"num_steps"} if ablation.num_steps == base.num_steps else set())
        assert config.name == ablation.name and ablation.num_steps < base.num_steps


def test_a_bad_ablations_file_is_one_line(tmp_path):
    path = tmp_path / "ablations.toml"
    path.write_text('[[ablation]]\nname = "x"\nvariant = "cgan"\n')
    with pytest.raises(InputError, match="ablation 1: .*missing"):
        read_ablations(path)
    with pytest.raises(InputError, match="no ablation named 'nope'"):
        find_ablation("nope")


def test_ablate_needs_a_name_or_a_variant(capsys):
    assert main(["ablate"]) == 2
    assert "expected exactly one" in capsys.readouterr().err
    assert main(["ablate", "--list"]) == 0
    assert capsys.readouterr().out.split() == [a.name for a in read_ablations()]


def test_an_ablation_run_records_its_evaluations(tiny_data_root, tmp_path):
    from hw3.train.loop import train

    ablation = Ablation(name="tiny", variant="acgan", tried="no mode seeking", num_steps=4,
                        set=["loss.mode_seeking_weight=0.0", "generator.ngf=8", "discriminator.ndf=8", "batch_size=8",
                             "checkpoint_every=2", "evaluation.every=2", "evaluation.num_samples=24",
                             "evaluation.num_reference=20"])
    config = ablation_config(ablation, tiny_data_root, tmp_path / "run", device="cpu")
    assert config.loss.mode_seeking_weight == 0.0 and config.num_steps == 4
    train(config, progress=False)
    results = ablation_results(ablation, tmp_path / "run")
    assert [r["images_through_d"] for r in results["evaluations"]] == [16, 32]
    assert results["budget"]["images_through_d"] == 32 and results["tried"] == "no mode seeking"
    # The moving-average ablation re-measures the chosen step on the same sample: its EMA half
    # must reproduce the evaluation that chose it, and the raw generator is another network.
    from hw3.train.ablations import without_ema_results

    measured = without_ema_results(tmp_path / "run", tiny_data_root)
    chosen = next(r for r in results["evaluations"] if r["best"] and r["step"] == measured["step"])
    assert measured["ema"]["eval_fid"] == pytest.approx(chosen["eval_fid"], rel=1e-6)
    assert measured["raw"]["eval_fid"] != pytest.approx(chosen["eval_fid"], rel=1e-6)


def _record(images, fid, seen=None, held_out=None):
    record = {"images_through_d": images, "eval_fid": fid}
    if seen is not None:
        record.update(eval_both_seen=seen, eval_both_held_out=held_out)
    return record


def test_ablations_section_sets_each_row_beside_the_study_run_at_the_same_images(tmp_path):
    (tmp_path / "cgan_mismatch_any.json").write_text(json.dumps({
        "name": "cgan_mismatch_any", "variant": "cgan", "tried": "wrong tags from any pair",
        "evaluations": [_record(96_000, 50.0, 0.1, 0.0), _record(192_000, 40.0, 0.2, 0.05)]}))
    (tmp_path / "cgan_without_ema.json").write_text(json.dumps({
        "variant": "cgan", "step": 6250, "ema": _record(None, 30.0, 0.5, 0.2), "raw": _record(None, 35.5, 0.4, 0.1)}))
    records = {"cgan": [_record(192_000, 33.0, 0.45, 0.15), _record(400_000, 30.0, 0.5, 0.2)],
               "cgan_course": [_record(400_000, 60.0, 0.3, 0.0)], "dcgan": [_record(400_000, 70.0)]}
    sidecars = {"cgan": {"step": 6250, "evaluation": _record(400_000, 30.0, 0.5, 0.2)}, "cgan_course": {}, "dcgan": {}}
    text = "\n".join(ablations_section(records, sidecars, {"cgan": True, "cgan_course": True, "dcgan": False},
                                       tmp_path))
    assert "| **cgan** as configured, chosen step | 400,000 | 30.00 | 50.0 % | 20.0 % |" in text
    assert "| the same step without the moving average of G (raw G) | 400,000 | 35.50 | 40.0 % | 10.0 % |" in text
    assert "| cgan as configured, at the ablation's budget | 192,000 | 33.00 | 45.0 % | 15.0 % |" in text
    assert "| wrong tags from any pair (`cgan_mismatch_any`) | 192,000 | 40.00 | 20.0 % | 5.0 % |" in text
    assert "(cgan_course) | 400,000 | 60.00 | 30.0 % | 0.0 % |" in text
    assert "#### dcgan" not in text  # one row only: nothing to compare
    sidecars["cgan"]["step"] = 15500  # a later export: the raw-G record measured another step
    text = "\n".join(ablations_section(records, sidecars, {"cgan": True, "cgan_course": True, "dcgan": False},
                                       tmp_path))
    assert "raw G" not in text and "| **cgan** as configured, chosen step |" in text


def test_style_grid_faces_avoid_the_target_pairs():
    pairs = np.repeat(np.arange(132), 40)
    chosen = grid_faces(pairs)
    assert len(chosen) == 8 and len(set(chosen)) == 8
    assert not {int(pairs[i]) for i in chosen} & {p.pair_index for p in GRID_TARGETS}


def test_style_section_puts_the_methods_side_by_side():
    def results(both, seconds):
        return {"faces": 200, "targets_per_face": 5, "both_tags": both, "both_tags_seen": both, "both_tags_held_out": both,
                "identity_kept": 0.5, "identity_kept_masked": 0.5, "identity_kept_pixels": 0.5,
                "change_vs_input_levels": 3.0, "reconstruction_l1_levels": 4.0, "seconds_per_face_median": seconds}

    text = "\n".join(style_section({"style_grid": "style_transfer.png"},
                                   {"inversion": results(0.9, 2.7), "translator": results(0.95, 0.01)}))
    assert "| measure | inversion | translator | goal |" in text
    assert "| both target tags read, all pairs | 90.0 % | 95.0 % | ≥ 90 % |" in text
    assert "| seconds per face (1 thread), median | 2.70 | 0.01 | < 60 |" in text
    assert "![style transfer grid](figures/style_transfer.png)" in text
