"""The stopping rule on synthetic evaluation logs: plateau, still improving, capped."""

from __future__ import annotations

import json

import pytest

from hw3.errors import InputError
from hw3.train.checkpoint import best_checkpoint_dir, latest_checkpoint
from hw3.train.stopping import StoppingConfig, plateau_reached

RULE = StoppingConfig(plateau=True, min_images=400_000)


def log(fids, seen=None, held_out=None, every=100_000):
    records = []
    for index, fid in enumerate(fids):
        record = {"images_through_d": (index + 1) * every, "eval_fid": fid}
        if seen is not None:
            record.update(eval_both_seen=seen[index], eval_both_held_out=held_out[index])
        records.append(record)
    return records


def test_a_flat_fid_is_a_plateau_with_its_evidence():
    evidence = plateau_reached(log([50, 30, 20, 20.0, 19.5, 19.4, 19.3, 19.2]), RULE)
    assert evidence is not None
    # 800,000 images: the last quarter starts after 600,000; best before 19.4, since 19.2.
    assert evidence["split_at_images"] == 600_000
    assert evidence["best_fid_before"] == 19.4 and evidence["best_fid_recent"] == 19.2


def test_a_fid_still_falling_five_percent_keeps_going():
    # best before 600k: 20.0; since: 18.9 is 5.5 % lower.
    assert plateau_reached(log([50, 30, 25, 22, 21, 20.0, 19.5, 18.9]), RULE) is None


def test_exactly_five_percent_counts_as_improving():
    assert plateau_reached(log([50, 30, 25, 22, 21, 20.0, 19.5, 19.0 - 1e-9]), RULE) is None


def test_rising_accuracy_keeps_a_conditional_run_going_even_with_a_flat_fid():
    fids = [9, 8, 8, 8, 8, 8, 8, 8]
    seen = [0.5, 0.7, 0.8, 0.9, 0.92, 0.93, 0.935, 0.95]  # +1.5 points in the last quarter
    flat = [0.8] * 8
    assert plateau_reached(log(fids, seen, flat), RULE) is None
    assert plateau_reached(log(fids, flat, seen), RULE) is None, "held-out accuracy counts too"
    assert plateau_reached(log(fids, flat, flat), RULE) is not None


def test_half_a_point_of_accuracy_is_a_plateau():
    seen = [0.5, 0.7, 0.8, 0.9, 0.92, 0.93, 0.932, 0.935]
    evidence = plateau_reached(log([9, 8, 8, 8, 8, 8, 8, 8], seen, seen), RULE)
    assert evidence["best_eval_both_seen_before"] == 0.93 and evidence["best_eval_both_seen_recent"] == 0.935


def test_one_noisy_evaluation_does_not_stop_a_run():
    # The last value is worse than everything before, but an earlier one in the window improved.
    assert plateau_reached(log([50, 30, 25, 22, 21, 20.0, 18.0, 25.0]), RULE) is None


def test_never_before_min_images_and_never_when_off():
    flat = log([20.0] * 3)
    assert plateau_reached(flat, RULE) is None  # 300,000 < 400,000
    assert plateau_reached(log([20.0] * 8), StoppingConfig(plateau=False)) is None
    assert plateau_reached([], RULE) is None


@pytest.mark.parametrize("field, value", [("window", 0.0), ("window", 1.0), ("min_fid_drop", -0.1),
                                          ("max_images", -1)])
def test_bad_rules_are_refused(field, value):
    with pytest.raises(InputError, match=f"stopping"):
        StoppingConfig(**{field: value})


def _tiny(data_root, out_dir, steps, extra=()):
    from tests.test_fast_path import tiny
    return tiny(data_root, out_dir, steps, "dcgan", extra)


def test_a_run_stops_at_the_image_cap_and_records_why(tiny_data_root, tmp_path):
    from hw3.train.loop import train

    # 8 images a step: the cap of 40 images is reached at step 5 of 20.
    result = train(_tiny(tiny_data_root, tmp_path / "run", 20, ("stopping.max_images=40",)), progress=False)
    assert result.step == 5 and result.stop_reason == "cap"
    meta = json.loads((latest_checkpoint(tmp_path / "run") / "meta.json").read_text())
    assert meta["stopping"]["reason"] == "cap" and meta["stopping"]["images_through_d"] == 40
    again = train(_tiny(tiny_data_root, tmp_path / "run", 20, ("stopping.max_images=40",)), resume=True,
                  progress=False)
    assert again.step == 5, "a capped run stays stopped when resumed"


def test_a_run_that_ends_its_steps_records_num_steps(tiny_data_root, tmp_path):
    from hw3.train.loop import train

    result = train(_tiny(tiny_data_root, tmp_path / "run", 3), progress=False)
    assert result.stop_reason == "num_steps"
    meta = json.loads((latest_checkpoint(tmp_path / "run") / "meta.json").read_text())
    assert meta["stopping"]["reason"] == "num_steps" and meta["stopping"]["step"] == 3
    assert not best_checkpoint_dir(tmp_path / "run").exists()


def test_a_plateau_rule_without_evaluations_warns_and_runs_its_steps(tiny_data_root, tmp_path, capsys):
    from hw3.train.loop import train

    # The study configs set stopping.plateau; a quick run that turns evaluations off still trains.
    result = train(_tiny(tiny_data_root, tmp_path / "run", 3, ("stopping.plateau=true",)), progress=False)
    assert result.step == 3 and result.stop_reason == "num_steps"
    assert "stopping.plateau is on but evaluation.every = 0" in capsys.readouterr().err
