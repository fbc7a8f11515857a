"""Training checkpoints: one directory per step, written whole or not at all.

`step_0001000/` holds generator, discriminator and generator_ema as safetensors, the optimiser
state in `training_state.pt` (tensors and plain containers only, so `weights_only=True` loads
it) and `meta.json`. The directory is assembled under a temporary name and renamed into place,
so a run killed at any moment leaves only complete checkpoints behind.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from hw3.weights import load_module_weights, save_module_weights, write_json_atomic

CHECKPOINT_NAME = re.compile(r"^step_(\d{7})$")


@dataclass
class TrainingState:
    generator: nn.Module
    discriminator: nn.Module
    generator_ema: nn.Module
    optimizer_generator: torch.optim.Optimizer
    optimizer_discriminator: torch.optim.Optimizer
    step: int = 0
    ema_updates: int = 0


def checkpoint_dir(run_dir: str | Path, step: int) -> Path:
    return Path(run_dir) / "checkpoints" / f"step_{step:07d}"


def list_checkpoints(run_dir: str | Path) -> list[Path]:
    root = Path(run_dir) / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and CHECKPOINT_NAME.match(p.name)]
    return sorted(found, key=lambda p: int(CHECKPOINT_NAME.match(p.name).group(1)))


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    found = list_checkpoints(run_dir)
    return found[-1] if found else None


def save_checkpoint(run_dir: str | Path, state: TrainingState, meta: dict[str, Any], keep: int = 2) -> Path:
    final = checkpoint_dir(run_dir, state.step)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    save_module_weights(state.generator, temporary / "generator.safetensors")
    save_module_weights(state.discriminator, temporary / "discriminator.safetensors")
    save_module_weights(state.generator_ema, temporary / "generator_ema.safetensors")
    torch.save(
        {
            "optimizer_generator": state.optimizer_generator.state_dict(),
            "optimizer_discriminator": state.optimizer_discriminator.state_dict(),
            "step": state.step,
            "ema_updates": state.ema_updates,
        },
        temporary / "training_state.pt",
    )
    write_json_atomic(temporary / "meta.json", {**meta, "step": state.step})
    if final.exists():  # a re-run of the same step: replace it
        shutil.rmtree(final)
    os.replace(temporary, final)
    for stale in list_checkpoints(run_dir)[:-keep]:
        shutil.rmtree(stale, ignore_errors=True)
    return final


def load_checkpoint(path: str | Path, state: TrainingState, device: torch.device) -> None:
    path = Path(path)
    load_module_weights(state.generator, path / "generator.safetensors", device)
    load_module_weights(state.discriminator, path / "discriminator.safetensors", device)
    load_module_weights(state.generator_ema, path / "generator_ema.safetensors", device)
    saved = torch.load(path / "training_state.pt", map_location=device, weights_only=True)
    state.optimizer_generator.load_state_dict(saved["optimizer_generator"])
    state.optimizer_discriminator.load_state_dict(saved["optimizer_discriminator"])
    state.step = int(saved["step"])
    state.ema_updates = int(saved["ema_updates"])
