"""`hw3 collect`: each run's evaluation at one budget, one row per run; --append adds to a file."""

import json
from pathlib import Path

from tests.cli_run import assert_one_line_exit_2, run


def _fake_run(root: Path, name: str, seed: int, fid: float, autocast: str | None) -> Path:
    run_dir = root / name
    step = run_dir / "checkpoints" / "step_0000010"
    step.mkdir(parents=True)
    meta = {"config": {"name": "acgan"}, "seed": seed, "device": "cpu: test, 1 threads",
            **({"fast_path": {"autocast": autocast}} if autocast else {})}
    (step / "meta.json").write_text(json.dumps(meta))
    records = [{"step": 5, "images_through_d": 320, "eval_fid": fid + 1, "wall_seconds": 1.0},
               {"step": 10, "images_through_d": 640, "eval_fid": fid, "eval_both_seen": 0.5,
                "eval_both_held_out": 0.25, "wall_seconds": 2.0}]
    (run_dir / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return run_dir


def test_collect_reads_the_evaluation_at_the_budget_and_append_replaces_a_run_it_already_has(tmp_path):
    fast = _fake_run(tmp_path, "acgan_fast", 0, 3.0, "bfloat16")
    exact = _fake_run(tmp_path, "acgan_s1", 1, 4.0, None)
    out = tmp_path / "quality.json"
    status, stderr = run(["collect", str(fast), "--at-images", "640", "--out", str(out)])
    assert status == 0, stderr
    rows = json.loads(out.read_text())["runs"]
    assert [(r["run"], r["autocast"], r["eval_fid"], r["step"]) for r in rows] == [("acgan_fast", "bfloat16", 3.0, 10)]
    status, stderr = run(["collect", str(exact), str(fast), "--at-images", "640", "--out", str(out), "--append"])
    assert status == 0, stderr
    rows = json.loads(out.read_text())["runs"]
    assert [(r["run"], r["autocast"], r["seed"]) for r in rows] == [("acgan_s1", "off (float32)", 1),
                                                                     ("acgan_fast", "bfloat16", 0)]
    status, stderr = run(["collect", str(exact), "--at-images", "320", "--out", str(out), "--append"])
    assert_one_line_exit_2(status, stderr, f"{out}: its rows are at 640 images through D (expected 320")
    status, stderr = run(["collect", str(exact), "--at-images", "999", "--out", str(tmp_path / "new.json")])
    assert_one_line_exit_2(status, stderr, "no evaluation at 999 images through D (the run has reached 640")
