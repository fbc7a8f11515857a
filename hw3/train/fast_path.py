"""The fast training path: what this machine can speed up, and compiled networks that fall back.

bf16 autocast runs only where the hardware computes bf16 natively (`hw3.train.runtime`), and
`torch.compile` only where its backend can build code: a C++ compiler for CPU kernels, Triton
for CUDA ones. Each network is compiled on its own and, should its compilation fail, runs eagerly
from then on with one warning; the run's meta.json records which pieces run which way.
"""

from __future__ import annotations

import logging
import os
import shutil
from typing import Callable

import torch
from torch import nn

# torch.compile's own off switch; the test suite sets it to keep tiny runs from compiling.
COMPILE_DISABLE_VARIABLE = "TORCH_COMPILE_DISABLE"
CXX_CANDIDATES = ("g++", "c++", "clang++")


def cpu_computes_bf16() -> bool:
    """True where the CPU has bf16 arithmetic (AVX512_BF16 or AMX): there oneDNN runs bf16
    convolutions at about twice the fp32 rate; elsewhere bf16 is emulated and slower than fp32."""
    probes = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    if all(probe is None for probe in probes):  # a torch without the probes: read the kernel's flags
        return bool({"avx512_bf16", "amx_bf16"} & cpu_flags())
    return any(probe is not None and probe() for probe in probes)


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            line = next((line for line in cpuinfo if line.startswith(("flags", "Features"))), "")
    except OSError:
        return set()
    return set(line.partition(":")[2].split())


def cxx_compiler() -> str | None:
    """The C++ compiler inductor would call for CPU kernels, or None."""
    candidates = [os.environ["CXX"]] if os.environ.get("CXX") else list(CXX_CANDIDATES)
    return next((path for path in map(shutil.which, candidates) if path), None)


def compile_unavailable(device: torch.device) -> str | None:
    """Why torch.compile cannot run on `device` here, or None where it can."""
    if os.environ.get(COMPILE_DISABLE_VARIABLE, "0") == "1" or torch._dynamo.config.disable:
        return f"disabled by {COMPILE_DISABLE_VARIABLE}=1"
    if device.type == "cpu" and cxx_compiler() is None:
        return "no C++ compiler found (expected g++, c++, clang++ or $CXX on PATH)"
    if device.type == "cuda":
        from torch.utils._triton import has_triton

        if not has_triton():
            return "Triton is not installed"
    if device.type not in ("cpu", "cuda"):
        return f"not used on {device.type}"
    return None


def _compile_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [torch._dynamo.exc.TorchDynamoException]
    inductor_error = getattr(torch._inductor.exc, "InductorError", None)
    if inductor_error is not None:
        errors.append(inductor_error)
    return tuple(errors)


class CompiledNetwork:
    """`torch.compile(network)` that runs `network` eagerly for good after a compile error.

    Exceptions raised by the network's own code (a wrong shape, say) pass through unchanged;
    only the compiler's own failures switch to eager. `_orig_mod` is the eager network, as on
    torch's compiled modules, so a loss that needs it (double backward) can reach it.
    """

    def __init__(self, network: nn.Module, name: str, on_fallback: Callable[[str, str], None]):
        self._orig_mod = network
        self.name = name
        # Static shapes: a process that compiled other sizes before would otherwise get
        # dynamic-shape kernels, whose other summation order changes the weights bit for bit.
        self._compiled = torch.compile(network, dynamic=False)
        self._on_fallback = on_fallback

    def __call__(self, *args, **kwargs):
        if self._compiled is not None:
            try:
                return self._compiled(*args, **kwargs)
            except _compile_errors() as error:
                self._compiled = None
                first_line = (str(error).strip().splitlines() or [""])[0][:200]
                self._on_fallback(self.name, f"{type(error).__name__}: {first_line}")
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._orig_mod, name)


def wrap_for_compile(networks: dict[str, nn.Module], device: torch.device, record: dict,
                     warn: Callable[[str], None]) -> dict[str, object]:
    """Compile each network where this machine can; `record` (the run's fast-path entry in
    meta.json) gets "compiled" or "eager: <why>" per network."""
    reason = compile_unavailable(device)
    if reason is not None:
        warn(f"torch.compile: off ({reason}); the networks run eagerly")
        record.update({name: f"eager: {reason}" for name in networks})
        return dict(networks)

    def fall_back(name: str, why: str) -> None:
        warn(f"torch.compile failed for {name} ({why}); {name} runs eagerly from here on")
        record[name] = f"eager: compile failed ({why})"

    # Dynamo keeps compiled code per Python function across runs in one process, and after eight
    # recompilations of one (other variants, other widths) it silently runs it eagerly: a fresh
    # cache makes a run's kernels, and so its weights, independent of what ran before it.
    torch._dynamo.reset()
    # Inductor's CPU build looks for a CUDA toolkit on every CUDA build of torch and warns when a
    # CPU-only machine has none; the kernels it builds for CPU do not need one.
    if device.type == "cpu":
        logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
    record.update({name: "compiled" for name in networks})
    return {name: CompiledNetwork(network, name, fall_back) for name, network in networks.items()}


def fast_path_record(config, autocast_dtype: torch.dtype | None, device: torch.device) -> dict:
    """What a run (a TrainConfig) speeds up and how, for meta.json: precision, layout, optimiser kernel, and
    per network whether it is compiled (filled in by `wrap_for_compile`)."""
    loss = config.loss
    penalised = loss.gradient_penalty_weight > 0 or loss.r1_weight > 0 or loss.r2_weight > 0
    record = {
        "autocast": str(autocast_dtype).removeprefix("torch.") if autocast_dtype else "off (float32)",
        "channels_last": config.channels_last,
        "optimizer": config.optimizer.kernel(device),
        "compile": {} if config.compile else {"generator": "eager: compile = false",
                                               "discriminator": "eager: compile = false"},
    }
    if penalised:
        # AOTAutograd has no double backward: the penalty's pass through D always runs eagerly.
        record["penalty_pass"] = "eager, " + ("float32" if loss.penalty_float32 or autocast_dtype is None
                                              else str(autocast_dtype).removeprefix("torch."))
    return record
