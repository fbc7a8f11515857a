"""What the study needs from the loop: the recorded budget, evaluation during training with its
best-step rule, resume refusing another config, fallback past a damaged checkpoint, and the GPU
device and precision choices (decided by code that runs on CPU too)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import torch

from hw3.cli import main
from hw3.errors import InputError
from hw3.train.checkpoint import best_checkpoint_dir, latest_checkpoint, list_checkpoints
from hw3.train.config import load_config
from hw3.train.log import read_log
from hw3.train.loop import train
from hw3.train.periodic_eval import best_evaluation, selection_key
from hw3.train import runtime

REPO = Path(__file__).resolve().parents[1]
TINY = ["generator.ngf=8", "discriminator.ndf=8", "batch_size=8", "log_every=1", "sample_every=1000",
        "checkpoint_every=2", "keep_checkpoints=10", "evaluation.every=0"]
EVALUATE = ["evaluation.every=2", "evaluation.num_samples=24", "evaluation.num_reference=20"]


def tiny_config(variant: str, data_root: Path, out_dir: Path, steps: int, extra=()):
    return load_config(REPO / "configs" / f"{variant}.toml", TINY + list(extra), {
        "data.root": str(data_root), "out_dir": str(out_dir), "num_steps": steps, "device": "cpu"})


def checkpoint_meta(path: Path) -> dict:
    return json.loads((path / "meta.json").read_text())


@pytest.mark.parametrize("variant, images_per_step", [("dcgan", 8), ("wgan_gp", 40)])
def test_budget_counts_real_images_through_d_across_a_resume(variant, images_per_step, tiny_data_root, tmp_path):
    train(tiny_config(variant, tiny_data_root, tmp_path / "run", steps=2), progress=False)
    first = checkpoint_meta(latest_checkpoint(tmp_path / "run"))["budget"]
    assert first["images_through_d"] == 2 * images_per_step and first["generator_steps"] == 2
    train(tiny_config(variant, tiny_data_root, tmp_path / "run", steps=4), resume=True, progress=False)
    budget = checkpoint_meta(latest_checkpoint(tmp_path / "run"))["budget"]
    assert budget["images_through_d"] == 4 * images_per_step and budget["generator_steps"] == 4
    assert budget["wall_seconds"] > first["wall_seconds"] > 0
    assert budget["device"].startswith("cpu: ") and budget["world_size"] == 1
    last = [r for r in read_log(tmp_path / "run" / "log.jsonl") if "d_loss" in r][-1]
    assert last["images_through_d"] == 4 * images_per_step


def test_evaluation_during_training_lands_in_the_log_and_keeps_the_best_step(tiny_data_root, tmp_path):
    run_dir = tmp_path / "acgan"
    train(tiny_config("acgan", tiny_data_root, run_dir, steps=4, extra=EVALUATE), progress=False)
    evaluations = [r for r in read_log(run_dir / "log.jsonl") if "eval_fid" in r]
    assert [r["step"] for r in evaluations] == [2, 4]
    for record in evaluations:
        assert record["eval_fid"] > 0 and record["eval_num_samples"] == 24
        assert 0 <= record["eval_both_seen"] <= 1 and 0 <= record["eval_both_held_out"] <= 1
        assert record["images_through_d"] == 8 * record["step"]
    best = best_evaluation(evaluations, 0.95)
    saved = checkpoint_meta(best_checkpoint_dir(run_dir))
    assert saved["step"] == best["step"] and saved["evaluation"]["eval_fid"] == best["eval_fid"]
    assert best_checkpoint_dir(run_dir) not in list_checkpoints(run_dir)  # never pruned as a step


def test_unconditional_evaluation_has_fid_only(tiny_data_root, tmp_path):
    train(tiny_config("dcgan", tiny_data_root, tmp_path / "dcgan", steps=2, extra=EVALUATE), progress=False)
    (record,) = [r for r in read_log(tmp_path / "dcgan" / "log.jsonl") if "eval_fid" in r]
    assert record["eval_fid"] > 0 and "eval_both_seen" not in record and record["best"] is True


def test_best_step_rule():
    unconditional = [{"step": 1, "eval_fid": 9.0}, {"step": 2, "eval_fid": 4.0}, {"step": 3, "eval_fid": 5.0}]
    assert best_evaluation(unconditional, 0.95)["step"] == 2
    conditional = [
        {"step": 1, "eval_fid": 2.0, "eval_both_seen": 0.90},  # lowest FID, but tags too often wrong
        {"step": 2, "eval_fid": 6.0, "eval_both_seen": 0.96},
        {"step": 3, "eval_fid": 5.0, "eval_both_seen": 0.97},
    ]
    assert best_evaluation(conditional, 0.95)["step"] == 3
    # None qualifies yet: the highest seen-pair accuracy.
    assert best_evaluation(conditional[:1] + [{"step": 4, "eval_fid": 9.0, "eval_both_seen": 0.93}], 0.95)["step"] == 4
    assert selection_key(conditional[2], 0.95) < selection_key(conditional[0], 0.95)
    assert best_evaluation([{"step": 1, "d_loss": 0.3}], 0.95) is None


def test_missing_evaluator_weights_is_a_one_line_error(tiny_data_root, tmp_path):
    config = tiny_config("dcgan", tiny_data_root, tmp_path / "run", steps=2,
                         extra=EVALUATE + [f"evaluation.evaluator='{tmp_path / 'none.safetensors'}'"])
    with pytest.raises(InputError, match="evaluator weights not found"):
        train(config, progress=False)


def test_resume_refuses_another_config_unless_allowed_and_records_it(tiny_data_root, tmp_path, capsys):
    run_dir = tmp_path / "run"
    train(tiny_config("dcgan", tiny_data_root, run_dir, steps=2), progress=False)
    for change in (["generator.ngf=16"], ["seed=7"], ["optimizer.lr_generator=0.001"]):
        with pytest.raises(InputError, match="differs from the checkpoint's") as error:
            train(tiny_config("dcgan", tiny_data_root, run_dir, steps=4, extra=change), resume=True, progress=False)
        assert change[0].split("=")[0] in str(error.value) and "\n" not in str(error.value)
    # Where things go and how long the run lasts may change.
    train(tiny_config("dcgan", tiny_data_root, run_dir, steps=4, extra=["log_every=2"]), resume=True, progress=False)
    code = main(["train", "--config", str(REPO / "configs" / "dcgan.toml"), *sum((["--set", t] for t in TINY), []),
                 "--set", "seed=7", "--data", str(tiny_data_root), "--out", str(run_dir), "--steps", "6",
                 "--device", "cpu", "--resume", "--allow-config-change", "--no-progress"])
    assert code == 0
    meta = checkpoint_meta(latest_checkpoint(run_dir))
    assert meta["config"]["seed"] == 7
    assert meta["config_changes"] == [{"step": 4, "changes": {"seed": [0, 7]}}]


def test_a_damaged_latest_checkpoint_falls_back_to_the_previous_one(tiny_data_root, tmp_path, capsys):
    run_dir = tmp_path / "run"
    train(tiny_config("dcgan", tiny_data_root, run_dir, steps=4), progress=False)
    first, latest = list_checkpoints(run_dir)[-2:]
    (latest / "generator.safetensors").write_bytes(b"not safetensors")
    result = train(tiny_config("dcgan", tiny_data_root, run_dir, steps=4), resume=True, progress=False)
    assert result.step == 4
    err = capsys.readouterr().err
    assert f"{latest}: cannot be loaded" in err and "trying the previous checkpoint" in err


def test_precision_is_bf16_only_where_native(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)  # a CPU without bf16
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert runtime.mixed_precision_dtype(cpu, True) is None  # tests/test_fast_path.py covers the rest
    cuda = torch.device("cuda", 0)
    for capability, expected in (((7, 5), torch.float16), ((8, 0), torch.bfloat16), ((9, 0), torch.bfloat16)):
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None, c=capability: c)
        assert runtime.mixed_precision_dtype(cuda, True) is expected
        assert runtime.mixed_precision_dtype(cuda, False) is None


def test_fp16_precision_scales_the_loss_and_still_steps():
    precision = runtime.Precision(torch.device("cpu"), True)
    precision.dtype = torch.float16  # what a pre-Ampere GPU gets; GradScaler runs on CPU too
    weight = torch.nn.Parameter(torch.ones(3))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    precision.backward_and_step((weight * 2).sum(), optimizer)
    assert torch.allclose(weight.detach(), torch.full((3,), 0.8))  # the scale is undone before the step


def test_index_less_cuda_means_this_process_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert runtime.resolve_device("cuda", local_rank=1) == torch.device("cuda", 1)
    assert runtime.resolve_device("cuda:0", local_rank=1) == torch.device("cuda", 0)
    with pytest.raises(InputError, match="has 2 GPU"):
        runtime.resolve_device("cuda:5")
    for bogus in ("bogus", "meta", "cuda:x"):
        with pytest.raises(InputError, match="--device"):
            runtime.resolve_device(bogus)


def test_set_takes_strict_booleans(tmp_path):
    with pytest.raises(InputError, match="^--set compile=off: expected true or false$"):
        load_config(REPO / "configs" / "dcgan.toml", ["compile=off"])
    assert load_config(REPO / "configs" / "dcgan.toml", ["compile=false"]).compile is False


@pytest.mark.parametrize("variant", ["dcgan", "acgan"])
def test_gpu_configs_are_the_cpu_configs_scaled_up(variant):
    cpu = load_config(REPO / "configs" / f"{variant}.toml")
    gpu = load_config(REPO / "configs" / "gpu" / f"{variant}.toml")
    assert (gpu.generator.ngf, gpu.discriminator.ndf, gpu.batch_size) == (64, 64, 256)
    assert gpu.loss == cpu.loss and gpu.optimizer == cpu.optimizer and gpu.data == cpu.data
    # 10x the study's common budget of 400,000 images (the CPU configs' num_steps is the 3.2M cap).
    assert gpu.num_steps * gpu.batch_size == 10 * 400_000
    assert cpu.stopping.max_images == 3_200_000 and cpu.num_steps * cpu.batch_size == 3_200_000


def test_the_exported_best_step_carries_its_budget_and_evaluation(tiny_data_root, tmp_path):
    from hw3.sampling.export import export_generator
    from hw3.sampling.generator_file import load_generator
    from hw3.weights import read_sidecar

    run_dir = tmp_path / "acgan"
    train(tiny_config("acgan", tiny_data_root, run_dir, steps=4, extra=EVALUATE), progress=False)
    out = export_generator(best_checkpoint_dir(run_dir), tmp_path / "acgan.safetensors")
    sidecar = read_sidecar(out)
    best = checkpoint_meta(best_checkpoint_dir(run_dir))
    assert sidecar["step"] == best["step"] and sidecar["budget"] == best["budget"]
    assert sidecar["budget"]["images_through_d"] == 8 * best["step"]
    assert sidecar["evaluation"]["eval_fid"] == best["evaluation"]["eval_fid"]
    generator, meta = load_generator(out)
    assert generator.is_conditional and meta["step"] == best["step"]


def test_a_run_stopped_by_its_cap_between_evaluations_is_evaluated_at_its_last_step(tiny_data_root, tmp_path):
    # Evaluations every 2 steps; the cap of 24 images (8 a step) stops the run at step 3, which is
    # measured too, so the run's best can be the state it stopped in.
    run_dir = tmp_path / "acgan"
    result = train(tiny_config("acgan", tiny_data_root, run_dir, steps=10,
                               extra=[*EVALUATE, "stopping.max_images=24"]), progress=False)
    assert result.step == 3 and result.stop_reason == "cap"
    evaluations = [r for r in read_log(run_dir / "log.jsonl") if "eval_fid" in r]
    assert [r["step"] for r in evaluations] == [2, 3]
    best = checkpoint_meta(run_dir / "checkpoints" / "best")
    assert best["stopping"]["reason"] == "cap"
    assert best["step"] == 3 if evaluations[1]["best"] else best["step"] == 2


def test_stop_as_retrains_to_the_images_where_the_shipped_run_stopped(tiny_data_root, tmp_path):
    # A run stopped by a time limit, recorded as the sidecar export writes it: a retrain with
    # --stop-as stops at the same images through D instead of at this machine's seconds.
    shipped = tmp_path / "shipped.json"
    shipped.write_text(json.dumps({"budget": {"images_through_d": 16},
                                   "stopping": {"reason": "time limit", "images_through_d": 24}}))
    config = REPO / "configs" / "dcgan.toml"
    args = ["train", "--config", str(config), "--data", str(tiny_data_root), "--out", str(tmp_path / "run"),
            "--steps", "10", "--device", "cpu", "--no-progress", "--stop-as", str(shipped)]
    assert main(args + [item for setting in TINY for item in ("--set", setting)]) == 0
    meta = checkpoint_meta(latest_checkpoint(tmp_path / "run"))
    assert meta["step"] == 3 and meta["budget"]["images_through_d"] == 24
    assert meta["stopping"]["reason"] == "cap"


def test_stop_as_falls_back_to_the_budget_of_weights_shipped_mid_run(tmp_path):
    from hw3.weights import images_where_run_ended

    shipped = tmp_path / "mid_run.safetensors"
    shipped.with_suffix(".json").write_text(json.dumps({"budget": {"images_through_d": 992000}, "stopping": None}))
    assert images_where_run_ended(shipped) == 992000


@pytest.mark.parametrize("sidecar", [{}, {"budget": {"images_through_d": "many"}}, {"stopping": {"images_through_d": 0}},
                                     {"budget": {"images_through_d": True}}])
def test_stop_as_without_a_recorded_budget_is_one_line(sidecar, tmp_path, capsys):
    shipped = tmp_path / "bare.json"
    shipped.write_text(json.dumps(sidecar))
    assert main(["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--out", str(tmp_path / "run"),
                 "--stop-as", str(shipped)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "bare.json" in error and "images_through_d" in error
    assert not (tmp_path / "run").exists()


def _make(target: str, studies: Path, saved: Path, *variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(REPO), target, f"STUDY_RUNS={studies}",
                           f"SAVED_RUNS={saved}", *variables], capture_output=True, text=True)


def test_a_saved_run_resumes_elsewhere_to_the_weights_of_an_unbroken_one(tiny_data_root, tmp_path):
    from safetensors.torch import load_file

    unbroken = tmp_path / "unbroken"
    train(tiny_config("dcgan", tiny_data_root, unbroken, steps=6, extra=EVALUATE), progress=False)
    here, saved, there = tmp_path / "here", tmp_path / "saved", tmp_path / "there"
    train(tiny_config("dcgan", tiny_data_root, here / "dcgan", steps=4, extra=EVALUATE), progress=False)
    assert _make("study-save", here, saved, "SAVED_VARIANTS=dcgan").returncode == 0
    kept = sorted(path.name for path in (saved / "dcgan" / "checkpoints").iterdir())
    assert kept == ["best", "step_0000004"]  # the latest step and the best, not every step kept
    (saved / "README.md").write_text("not a run\n")
    restored = _make("study-restore", there, saved)  # every folder under SAVED_RUNS, files passed over
    assert restored.returncode == 0 and restored.stdout.splitlines() == [f"dcgan: restored into {there / 'dcgan'}"]
    train(tiny_config("dcgan", tiny_data_root, there / "dcgan", steps=6, extra=EVALUATE), resume=True, progress=False)
    for name in ("generator.safetensors", "generator_ema.safetensors"):
        expected = load_file(latest_checkpoint(unbroken) / name)
        resumed = load_file(latest_checkpoint(there / "dcgan") / name)
        assert all(torch.equal(expected[key], resumed[key]) for key in expected)
    # A second restore leaves the run that has gone on as it is.
    again = _make("study-restore", there, saved)
    assert again.returncode == 0 and "left as it is" in again.stdout
    assert latest_checkpoint(there / "dcgan").name == "step_0000006"


def test_saving_a_run_without_checkpoints_is_one_line_and_fails(tmp_path):
    (tmp_path / "runs" / "dcgan").mkdir(parents=True)
    finished = _make("study-save", tmp_path / "runs", tmp_path / "saved", "SAVED_VARIANTS=dcgan")
    assert finished.returncode != 0
    assert "no checkpoint to save (expected checkpoints/step_*)" in finished.stderr


def test_the_recorded_command_is_one_a_user_can_type_again(monkeypatch):
    from hw3.weights import command_line

    monkeypatch.setattr("sys.argv", ["/srv/hw3/hw3/__main__.py", "train", "--config", "configs/cgan.toml"])
    assert command_line() == "hw3 train --config configs/cgan.toml"
    monkeypatch.setattr("sys.argv", ["/venv/bin/hw3", "evaluate", "--generator", "w.safetensors"])
    assert command_line() == "hw3 evaluate --generator w.safetensors"
