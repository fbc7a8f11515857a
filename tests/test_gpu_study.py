"""`hw3 study-gpu` end to end in miniature on CPU: parallel runs, exports, a summary, and weights
that replay byte-identically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hw3.cli import main
from hw3.train.gpu_study import GpuStudyPlan, train_command

REPO = Path(__file__).resolve().parents[1]
TINY = ["generator.ngf=8", "discriminator.ndf=8", "evaluation.every=0"]


def test_every_run_gets_the_same_images_through_d_and_a_time_cap(tmp_path):
    plan = GpuStudyPlan(tmp_path, tmp_path / "data", scale=10.0, batch_size=256, configs=REPO / "configs")
    one_critic, five_critics = train_command(plan, "acgan"), train_command(plan, "wgan_gp")
    steps = lambda command: int(command[command.index("--steps") + 1])  # noqa: E731
    assert steps(one_critic) * 256 == 4_000_000 and steps(five_critics) * 256 * 5 == 4_000_000
    assert "stopping.max_seconds=420.0" in one_critic and "--resume" in one_critic


@pytest.mark.slow
def test_study_gpu_runs_exports_and_replays_on_cpu(tiny_data_root, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    out = tmp_path / "study"
    # 2 steps of batch 8: scale x 400,000 = 16 images.
    arguments = ["study-gpu", "--out", str(out), "--data", str(tiny_data_root), "--variants", "dcgan,acgan",
                 "--scale", str(16 / 400_000), "--batch-size", "8", "--device", "cpu", "--no-progress"]
    assert main(arguments + [a for item in TINY for a in ("--set", item)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["device"].startswith("cpu: ")
    assert [row["variant"] for row in summary["runs"]] == ["dcgan", "acgan"]
    for row in summary["runs"]:
        assert row["exit_status"] == 0 and row["budget"]["images_through_d"] == 16
        assert row["stopping"]["reason"] == "num_steps"
    for name in ("a", "b"):
        assert main(["sample", "--generator", str(out / "weights" / "acgan.safetensors"), "--tags",
                     str(REPO / "testing_tags.txt"), "--out", str(tmp_path / f"{name}.png")]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
