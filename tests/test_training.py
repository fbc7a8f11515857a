"""The shared training loop: steps, determinism, resume (also after SIGKILL), guards, config."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from hw3.cli import main
from hw3.errors import InputError
from hw3.losses import GANLoss
from hw3.train.checkpoint import latest_checkpoint, list_checkpoints
from hw3.train.config import load_config
from hw3.train.ema import GeneratorAverage
from hw3.train.loop import TrainingDiverged, train

REPO = Path(__file__).resolve().parents[1]
TINY = [
    "generator.ngf=8", "discriminator.ndf=8", "batch_size=8", "log_every=1",
    "sample_every=1000", "checkpoint_every=3", "keep_checkpoints=10", "evaluation.every=0",
    # configs/diffusion.toml's U-Net (GANs ignore it): its 64-face preview alone took minutes at full size
    "flow_matching.unet.base_width=8", "flow_matching.evaluation_steps=1",
]


def tiny_config(variant: str, data_root: Path, out_dir: Path, steps: int = 6, extra: list[str] = ()):
    return load_config(REPO / "configs" / f"{variant}.toml", TINY + list(extra), {
        "data.root": str(data_root), "out_dir": str(out_dir), "num_steps": steps, "device": "cpu",
    })


def final_weights(run_dir: Path, name: str = "generator") -> dict[str, torch.Tensor]:
    return load_file(str(latest_checkpoint(run_dir) / f"{name}.safetensors"))


def assert_same_weights(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


VARIANTS = sorted(path.stem for path in (REPO / "configs").glob("*.toml"))


def test_every_config_file_is_a_variant_under_test():
    assert {"dcgan", "cgan", "cgan_course", "wgan_clip", "wgan_gp", "acgan", "r3gan"} <= set(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_trains_and_changes_weights(variant, tiny_data_root, tmp_path):
    config = tiny_config(variant, tiny_data_root, tmp_path / variant, steps=2)
    result = train(config, progress=False)
    assert result.step == 2
    first = load_file(str(list_checkpoints(tmp_path / variant)[-1] / "generator.safetensors"))
    untrained = tiny_config(variant, tiny_data_root, tmp_path / "untrained", steps=1)  # only its networks are built
    from hw3.train.loop import build_networks
    initial, _ = build_networks(untrained, torch.device("cpu"))
    changed = [k for k, v in initial.state_dict().items() if v.is_floating_point() and not torch.equal(v, first[k])]
    assert changed, "no generator tensor changed after two steps"
    assert (tmp_path / variant / "samples" / "step_0000002.png").is_file()
    records = (tmp_path / variant / "log.jsonl").read_text().splitlines()
    assert len(records) == 2 and '"images_per_second"' in records[0]


def test_same_seed_gives_identical_weights(tiny_data_root, tmp_path):
    for name in ("a", "b"):
        train(tiny_config("acgan", tiny_data_root, tmp_path / name, steps=4), progress=False)
    assert_same_weights(final_weights(tmp_path / "a"), final_weights(tmp_path / "b"))
    assert_same_weights(final_weights(tmp_path / "a", "generator_ema"), final_weights(tmp_path / "b", "generator_ema"))
    train(tiny_config("acgan", tiny_data_root, tmp_path / "c", steps=4, extra=["seed=1"]), progress=False)
    a, c = final_weights(tmp_path / "a"), final_weights(tmp_path / "c")
    assert any(not torch.equal(a[k], c[k]) for k in a if a[k].is_floating_point())


@pytest.mark.parametrize("variant", ["cgan", "wgan_gp"])
def test_resumed_run_ends_with_the_same_weights(variant, tiny_data_root, tmp_path):
    train(tiny_config(variant, tiny_data_root, tmp_path / "straight", steps=6), progress=False)
    train(tiny_config(variant, tiny_data_root, tmp_path / "split", steps=3), progress=False)
    train(tiny_config(variant, tiny_data_root, tmp_path / "split", steps=6), resume=True, progress=False)
    for name in ("generator", "discriminator", "generator_ema"):
        assert_same_weights(final_weights(tmp_path / "straight", name), final_weights(tmp_path / "split", name))
    steps = [int(line.split('"step": ')[1].split(",")[0].split("}")[0])
             for line in (tmp_path / "split" / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]


def test_run_killed_with_sigkill_resumes_to_the_same_weights(tiny_data_root, tmp_path):
    arguments = ["--config", str(REPO / "configs" / "dcgan.toml"), "--data", str(tiny_data_root),
                 "--device", "cpu", "--no-progress", "--steps", "12"]
    arguments += [a for item in TINY for a in ("--set", item)] + ["--set", "checkpoint_every=1"]
    run_dir = tmp_path / "killed"
    # One thread, like this test process: float sums must run in the same order in both.
    environment = {**os.environ, "OMP_NUM_THREADS": str(torch.get_num_threads())}
    process = subprocess.Popen([sys.executable, "-m", "hw3", "train", *arguments, "--out", str(run_dir)],
                               cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(list_checkpoints(run_dir)) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < int(latest_checkpoint(run_dir).name.split("_")[1]) < 12, "killed too late to test resume"
    assert main(["train", *arguments, "--out", str(run_dir), "--resume"]) == 0
    assert main(["train", *arguments, "--out", str(tmp_path / "straight")]) == 0
    assert_same_weights(final_weights(tmp_path / "straight"), final_weights(run_dir))


def test_existing_run_needs_resume(tiny_data_root, tmp_path):
    train(tiny_config("dcgan", tiny_data_root, tmp_path / "run", steps=3), progress=False)
    with pytest.raises(InputError, match="expected --resume"):
        train(tiny_config("dcgan", tiny_data_root, tmp_path / "run", steps=6), progress=False)


def test_nan_guard_stops_and_keeps_the_last_good_checkpoint(tiny_data_root, tmp_path, monkeypatch):
    original = GANLoss.generator_loss
    calls = {"count": 0}

    def poisoned(self, *args):
        loss, stats = original(self, *args)
        calls["count"] += 1
        return (loss * float("nan") if calls["count"] > 4 else loss), stats

    monkeypatch.setattr(GANLoss, "generator_loss", poisoned)
    with pytest.raises(TrainingDiverged, match=r"step 5: .*NaN.*step_0000003"):
        train(tiny_config("dcgan", tiny_data_root, tmp_path / "run", steps=9), progress=False)
    assert latest_checkpoint(tmp_path / "run").name == "step_0000003"
    assert all(torch.isfinite(t).all() for t in final_weights(tmp_path / "run").values())


def test_weights_files_hold_plain_module_names(tiny_data_root, tmp_path):
    train(tiny_config("acgan", tiny_data_root, tmp_path / "run", steps=1), progress=False)
    for name in ("generator", "discriminator", "generator_ema"):
        keys = final_weights(tmp_path / "run", name).keys()
        assert not any(k.startswith(("module.", "_orig_mod.")) for k in keys)
    state = torch.load(latest_checkpoint(tmp_path / "run") / "training_state.pt", weights_only=True)
    assert state["step"] == 1


def test_temporary_checkpoint_directories_are_never_latest(tiny_data_root, tmp_path):
    train(tiny_config("dcgan", tiny_data_root, tmp_path / "run", steps=3), progress=False)
    (tmp_path / "run" / "checkpoints" / ".step_0000009.tmp-1").mkdir()
    assert latest_checkpoint(tmp_path / "run").name == "step_0000003"


def test_ema_warmup_follows_the_formula():
    source = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        source.weight.fill_(0.0)
    average = GeneratorAverage(source, decay=0.999, warmup=10.0)
    expected = 0.0
    for t in range(3):
        with torch.no_grad():
            source.weight.fill_(float(t + 1))
        decay = min(0.999, (1 + t) / (10 + t))
        expected = decay * expected + (1 - decay) * (t + 1)
        average.update(source)
        assert average.average.weight.item() == pytest.approx(expected, rel=1e-6)
    assert average.current_decay() == pytest.approx(4 / 13)


def test_config_errors_name_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[generator]\nngff = 3\n')
    with pytest.raises(InputError, match=r"bad.toml: generator.ngff: unknown key \(expected one of: z_dim, "):
        load_config(bad)
    assert main(["train", "--config", str(bad)]) == 2
    assert main(["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--set", "batch_size=\"x\""]) == 2


def test_two_process_ddp_run_on_cpu(tiny_data_root, tmp_path):
    run_dir = tmp_path / "ddp"
    arguments = ["--config", str(REPO / "configs" / "dcgan.toml"), "--data", str(tiny_data_root),
                 "--device", "cpu", "--no-progress", "--steps", "3", "--out", str(run_dir)]
    arguments += [a for item in TINY for a in ("--set", item)]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    with socket.socket() as probe:  # a port nothing else holds, so two test runs never collide
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    completed = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
         "--master_port", str(port), "-m", "hw3", "train", *arguments],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-6000:]
    weights = final_weights(run_dir)
    assert not any(k.startswith("module.") for k in weights)
    meta = (latest_checkpoint(run_dir) / "meta.json").read_text()
    assert '"world_size": 2' in meta
