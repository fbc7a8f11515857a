"""Device names as the command line gives them (--device auto, cpu, cuda:N, mps), turned into
`torch.device`s; shared by training, evaluation, the report and the notebooks."""

from __future__ import annotations

import torch

from hw3.errors import InputError


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """'auto' picks CUDA, then Apple MPS, then CPU; other names are taken as given, except that
    an index-less 'cuda' means this process's own GPU (torchrun's LOCAL_RANK)."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", local_rank)
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise InputError(f"--device '{name}': not a device (expected auto, cpu, cuda, cuda:N or mps)") from None
    if device.type not in ("cpu", "cuda", "mps"):
        raise InputError(f"--device '{name}': not supported here (expected auto, cpu, cuda, cuda:N or mps)")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"--device '{name}': CUDA is not available on this machine (expected auto or cpu)")
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", local_rank)
    if device.type == "cuda" and device.index >= torch.cuda.device_count():
        raise InputError(f"--device '{name}': this machine has {torch.cuda.device_count()} GPU(s) "
                         f"(expected cuda:0 to cuda:{torch.cuda.device_count() - 1})")
    return device
