"""The fast training path: bf16 only where the CPU computes it, compile where a compiler is, and
a compiled, bf16 run that trains, resumes to the same bytes and exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from hw3.train import fast_path, runtime
from hw3.train.checkpoint import latest_checkpoint
from hw3.train.config import load_config
from hw3.train.loop import train

REPO = Path(__file__).resolve().parents[1]
CPU = torch.device("cpu")


@pytest.fixture
def compile_allowed(monkeypatch):
    """Undo the suite's TORCH_COMPILE_DISABLE (tests/conftest.py) for one test."""
    monkeypatch.delenv(fast_path.COMPILE_DISABLE_VARIABLE, raising=False)
    with torch._dynamo.config.patch(disable=False):
        yield


def _cpu_with(monkeypatch, avx512_bf16: bool, amx: bool):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)


@pytest.mark.parametrize("avx512_bf16, amx, expected", [
    (True, False, torch.bfloat16), (False, True, torch.bfloat16), (True, True, torch.bfloat16), (False, False, None),
])
def test_cpu_autocasts_to_bf16_only_where_the_cpu_computes_it(monkeypatch, avx512_bf16, amx, expected):
    _cpu_with(monkeypatch, avx512_bf16, amx)
    assert runtime.mixed_precision_dtype(CPU, True) is expected
    assert runtime.mixed_precision_dtype(CPU, False) is None
    assert runtime.Precision(CPU, True).dtype is expected


def test_without_torch_probes_the_kernel_flags_decide(monkeypatch):
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported")
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")
    monkeypatch.setattr(fast_path, "cpu_flags", lambda: {"avx2", "avx512f"})
    assert runtime.mixed_precision_dtype(CPU, True) is None
    monkeypatch.setattr(fast_path, "cpu_flags", lambda: {"avx512f", "amx_bf16"})
    assert runtime.mixed_precision_dtype(CPU, True) is torch.bfloat16


def test_cpu_flags_are_read_from_cpuinfo():
    flags = fast_path.cpu_flags()
    assert isinstance(flags, set)
    if Path("/proc/cpuinfo").is_file():
        assert flags, "a Linux machine lists its CPU flags"


def test_compile_is_refused_with_a_reason_without_a_compiler(monkeypatch, compile_allowed):
    monkeypatch.setattr(fast_path.shutil, "which", lambda name: None)
    monkeypatch.delenv("CXX", raising=False)
    assert "no C++ compiler" in fast_path.compile_unavailable(CPU)
    monkeypatch.setattr(fast_path.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "clang++" else None)
    assert fast_path.compile_unavailable(CPU) is None
    monkeypatch.setenv(fast_path.COMPILE_DISABLE_VARIABLE, "1")
    assert "TORCH_COMPILE_DISABLE" in fast_path.compile_unavailable(CPU)
    monkeypatch.delenv(fast_path.COMPILE_DISABLE_VARIABLE)
    with torch._dynamo.config.patch(disable=True):
        assert "TORCH_COMPILE_DISABLE" in fast_path.compile_unavailable(CPU)


def tiny(data_root: Path, out_dir: Path, steps: int, variant: str = "acgan", extra: tuple = ()):
    return load_config(REPO / "configs" / f"{variant}.toml", [
        "generator.ngf=8", "discriminator.ndf=8", "batch_size=8", "log_every=1", "sample_every=1000",
        "checkpoint_every=2", "keep_checkpoints=10", "evaluation.every=0", *extra,
    ], {"data.root": str(data_root), "out_dir": str(out_dir), "num_steps": steps, "device": "cpu"})


def _meta(run_dir: Path) -> dict:
    return json.loads((latest_checkpoint(run_dir) / "meta.json").read_text())


def test_a_missing_compiler_trains_eagerly_with_one_line(tiny_data_root, tmp_path, monkeypatch, capsys, compile_allowed):
    monkeypatch.setattr(fast_path, "cxx_compiler", lambda: None)
    result = train(tiny(tiny_data_root, tmp_path / "run", 2), progress=False)
    assert result.step == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if "torch.compile" in line]
    assert lines == ["warning: torch.compile: off (no C++ compiler found (expected g++, c++, clang++ or $CXX on "
                     "PATH)); the networks run eagerly"]
    assert _meta(tmp_path / "run")["fast_path"]["compile"]["generator"].startswith("eager: no C++ compiler")


def test_a_failing_compile_falls_back_for_that_network_alone(tiny_data_root, tmp_path, monkeypatch, capsys, compile_allowed):
    monkeypatch.setattr(fast_path, "cxx_compiler", lambda: "/usr/bin/g++")

    def fake_compile(network, **options):
        if network.__class__.__name__ == "Discriminator":
            def broken(*args, **kwargs):
                raise torch._dynamo.exc.TorchDynamoException("cc1plus: out of memory")
            return broken
        return network  # stands in for a compiled generator

    monkeypatch.setattr(fast_path.torch, "compile", fake_compile)
    train(tiny(tiny_data_root, tmp_path / "run", 3), progress=False)
    warnings = [line for line in capsys.readouterr().err.splitlines() if "torch.compile" in line]
    assert len(warnings) == 1 and "failed for discriminator" in warnings[0]
    record = _meta(tmp_path / "run")["fast_path"]["compile"]
    assert record["generator"] == "compiled" and record["discriminator"].startswith("eager: compile failed")
    eager = tiny(tiny_data_root, tmp_path / "eager", 3, extra=("compile=false",))
    train(eager, progress=False)
    a = (latest_checkpoint(tmp_path / "run") / "generator.safetensors").read_bytes()
    b = (latest_checkpoint(tmp_path / "eager") / "generator.safetensors").read_bytes()
    assert a == b, "the fallback must run the same network eagerly"


def test_network_errors_are_not_taken_for_compile_errors(monkeypatch):
    calls = []
    network = torch.nn.Linear(2, 2)
    wrapped = fast_path.CompiledNetwork(network, "generator", lambda name, why: calls.append(name))
    wrapped._compiled = lambda *args: (_ for _ in ()).throw(ValueError("wrong shape"))
    with pytest.raises(ValueError, match="wrong shape"):
        wrapped(torch.zeros(1, 2))
    assert calls == [] and wrapped._compiled is not None


@pytest.mark.slow
def test_compiled_bf16_run_trains_resumes_exactly_and_exports(tiny_data_root, tmp_path, compile_allowed):
    if fast_path.compile_unavailable(CPU) or runtime.mixed_precision_dtype(CPU, True) is None:
        pytest.skip("this machine has no C++ compiler or no native bf16: the fast path is not taken")
    from hw3.cli import main

    for variant in ("acgan", "wgan_gp"):
        straight, split = tmp_path / f"{variant}_straight", tmp_path / f"{variant}_split"
        train(tiny(tiny_data_root, straight, 4, variant), progress=False)
        train(tiny(tiny_data_root, split, 2, variant), progress=False)
        train(tiny(tiny_data_root, split, 4, variant), resume=True, progress=False)
        for name in ("generator", "discriminator", "generator_ema"):
            a = (latest_checkpoint(straight) / f"{name}.safetensors").read_bytes()
            assert a == (latest_checkpoint(split) / f"{name}.safetensors").read_bytes(), (variant, name)
        record = _meta(straight)["fast_path"]
        assert record["autocast"] == "bfloat16" and record["compile"] == {
            "generator": "compiled", "discriminator": "compiled"}
        assert record["optimizer"] == "fused"
    assert _meta(tmp_path / "wgan_gp_straight")["fast_path"]["penalty_pass"] == "eager, bfloat16"
    out = tmp_path / "acgan.safetensors"
    assert main(["export", "--run", str(tmp_path / "acgan_straight"), "--out", str(out)]) == 0
    assert main(["sample", "--generator", str(out), "--tags", str(REPO / "testing_tags.txt"),
                 "--out", str(tmp_path / "a.png")]) == 0
    assert main(["sample", "--generator", str(out), "--tags", str(REPO / "testing_tags.txt"),
                 "--out", str(tmp_path / "b.png")]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
