"""Where training runs: device choice, mixed precision and the torchrun process group."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from hw3.devices import resolve_device  # re-exported: training's callers import it from here
from hw3.train import fast_path


def mixed_precision_dtype(device: torch.device, enabled: bool) -> torch.dtype | None:
    """bf16 where the hardware computes it natively: GPUs of compute capability 8.0 (Ampere) and
    later, and CPUs with AVX512_BF16 or AMX; fp16 on older CUDA GPUs (with loss scaling, see
    `Precision`); full fp32 on other CPUs and on MPS.

    `torch.cuda.is_bf16_supported()` is also true on GPUs that only emulate bf16, slowly.
    """
    if not enabled:
        return None
    if device.type == "cpu":
        return torch.bfloat16 if fast_path.cpu_computes_bf16() else None
    if device.type != "cuda":
        return None
    major, _ = torch.cuda.get_device_capability(device)
    return torch.bfloat16 if major >= 8 else torch.float16


class Precision:
    """Autocast plus, for fp16, a gradient scaler per optimiser (fp16 gradients underflow)."""

    def __init__(self, device: torch.device, enabled: bool):
        self.device = device
        self.dtype = mixed_precision_dtype(device, enabled)
        self._scalers: dict[int, torch.amp.GradScaler] = {}

    def autocast(self):
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def backward_and_step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        if self.dtype != torch.float16:
            loss.backward()
            optimizer.step()
            return
        scaler = self._scalers.setdefault(id(optimizer), torch.amp.GradScaler(self.device.type))
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


def configure_backends(device: torch.device) -> None:
    """On CUDA: cuDNN autotuning (fixed input shapes) and TF32 matmuls and convolutions, whose
    10-bit mantissa is ample for GAN training. CPU runs keep exact float32 (and bitwise resume)."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def device_description(device: torch.device) -> str:
    """'cpu: <model name>, N threads' or 'cuda: <GPU name>', for the run's recorded budget."""
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    if device.type == "cpu":
        model = ""
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
                model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
        except OSError:
            pass
        return f"cpu: {model or 'unknown model'}, {torch.get_num_threads()} threads"
    return device.type


@dataclass
class ProcessGroup:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()


def join_process_group(device_name: str) -> tuple[ProcessGroup, torch.device]:
    """Join the group torchrun describes in the environment; a single process otherwise."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return ProcessGroup(), resolve_device(device_name)
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_name, local_rank)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return ProcessGroup(rank, world_size, local_rank), device


def leave_process_group(group: ProcessGroup) -> None:
    if group.distributed and dist.is_initialized():
        dist.destroy_process_group()
