"""Training checkpoints: one directory per step, written whole or not at all.

`step_0001000/` holds generator, discriminator and generator_ema as safetensors, the optimiser
state in `training_state.pt` (tensors and plain containers only, so `weights_only=True` loads
it) and `meta.json`. A single-player run (a flow-matching model) has no discriminator: its
checkpoint has no discriminator file and no discriminator optimiser state. The directory is
assembled under a temporary name and renamed into place (`hw3.files.replace_directory`: a
re-saved step or `best` is set aside, not deleted, until the new one is in place), so a run
killed at any moment leaves only complete checkpoints behind.
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

from hw3.errors import InputError
from hw3.files import recover_directory, replace_directory, write_json_atomic
from hw3.reading import read_json_object
from hw3.weights import load_module_weights, save_module_weights

CHECKPOINT_NAME = re.compile(r"^step_(\d{7})$")
ASIDE_NAME = re.compile(r"^\.(step_\d{7}|best)\.old$")  # hw3.files.aside_path of a checkpoint
META_FILE = "meta.json"  # the run's config, seed, command, commit, step and budget
EMA_GENERATOR_FILE = "generator_ema.safetensors"  # what `hw3 export` ships


@dataclass
class TrainingState:
    generator: nn.Module
    discriminator: nn.Module | None  # None: a single-player run
    generator_ema: nn.Module
    optimizer_generator: torch.optim.Optimizer
    optimizer_discriminator: torch.optim.Optimizer | None
    step: int = 0
    ema_updates: int = 0
    # The run's budget so far, carried across resumes: real images through D (a WGAN critic
    # step counts) and wall-clock seconds of the run, upkeep included.
    images_through_d: int = 0
    wall_seconds: float = 0.0


def checkpoint_dir(run_dir: str | Path, step: int) -> Path:
    return Path(run_dir) / "checkpoints" / f"step_{step:07d}"


def list_checkpoints(run_dir: str | Path) -> list[Path]:
    """The run's step_* checkpoints, oldest first, once any save that was stopped part-way is finished."""
    root = Path(run_dir) / "checkpoints"
    if not root.is_dir():
        return []
    for aside in [p for p in root.iterdir() if ASIDE_NAME.match(p.name)]:
        recover_directory(root / ASIDE_NAME.match(aside.name).group(1))
    found = [p for p in root.iterdir() if p.is_dir() and CHECKPOINT_NAME.match(p.name)]
    return sorted(found, key=lambda p: int(CHECKPOINT_NAME.match(p.name).group(1)))


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    found = list_checkpoints(run_dir)
    return found[-1] if found else None


def best_checkpoint_dir(run_dir: str | Path) -> Path:
    """The step the run's evaluation rule picked (hw3.train.periodic_eval); never pruned."""
    best = Path(run_dir) / "checkpoints" / "best"
    recover_directory(best)
    return best


def save_checkpoint(run_dir: str | Path, state: TrainingState, meta: dict[str, Any], keep: int = 2,
                    final: Path | None = None) -> Path:
    """Write the state as `step_NNNNNNN/` (or as `final`), then prune all but the `keep` newest steps."""
    final = final or checkpoint_dir(run_dir, state.step)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    save_module_weights(state.generator, temporary / "generator.safetensors")
    if state.discriminator is not None:
        save_module_weights(state.discriminator, temporary / "discriminator.safetensors")
    save_module_weights(state.generator_ema, temporary / EMA_GENERATOR_FILE)
    saved = {"optimizer_generator": state.optimizer_generator.state_dict()}
    if state.optimizer_discriminator is not None:
        saved["optimizer_discriminator"] = state.optimizer_discriminator.state_dict()
    saved.update(step=state.step, ema_updates=state.ema_updates, images_through_d=state.images_through_d,
                 wall_seconds=state.wall_seconds)
    torch.save(saved, temporary / "training_state.pt")
    write_json_atomic(temporary / META_FILE, {**meta, "step": state.step})
    replace_directory(temporary, final)  # a re-run of the same step, or a new best, replaces it
    for stale in list_checkpoints(run_dir)[:-keep]:
        shutil.rmtree(stale, ignore_errors=True)
    return final


def load_checkpoint(path: str | Path, state: TrainingState, device: torch.device) -> None:
    path = Path(path)
    read_checkpoint_meta(path)  # a checkpoint whose meta.json is damaged is not resumed from
    load_module_weights(state.generator, path / "generator.safetensors", device)
    if state.discriminator is not None:
        load_module_weights(state.discriminator, path / "discriminator.safetensors", device)
    load_module_weights(state.generator_ema, path / EMA_GENERATOR_FILE, device)
    saved = torch.load(path / "training_state.pt", map_location=device, weights_only=True)
    state.optimizer_generator.load_state_dict(saved["optimizer_generator"])
    if state.optimizer_discriminator is not None:
        state.optimizer_discriminator.load_state_dict(saved["optimizer_discriminator"])
    state.step = int(saved["step"])
    state.ema_updates = int(saved["ema_updates"])
    state.images_through_d = int(saved.get("images_through_d", 0))
    state.wall_seconds = float(saved.get("wall_seconds", 0.0))


def is_checkpoint(path: str | Path) -> bool:
    return (Path(path) / META_FILE).is_file()


def run_dir_of(checkpoint: str | Path) -> Path:
    """runs/<name>/checkpoints/<step or best> -> runs/<name>, where log.jsonl lives."""
    return Path(checkpoint).parent.parent


def read_checkpoint_meta(path: str | Path) -> dict[str, Any]:
    """A checkpoint's meta.json, with a 'config' object if it has one at all."""
    meta_path = Path(path) / META_FILE
    meta = read_json_object(meta_path, "a training checkpoint's meta.json")
    if not isinstance(meta.get("config", {}), dict):
        raise InputError(f"{meta_path}: 'config' is not an object (expected the run's training config)")
    return meta


def newest_readable_meta(run_dir: str | Path) -> tuple[Path, dict[str, Any]]:
    """The newest checkpoint whose meta.json reads back, and that meta: where `load_latest_good`
    resumes from (it skips a checkpoint whose meta.json is damaged). An InputError when none does."""
    first_error = None
    for path in reversed(list_checkpoints(run_dir)):
        try:
            return path, read_checkpoint_meta(path)
        except InputError as error:
            first_error = first_error or error
    raise InputError(f"{first_error or run_dir}; no checkpoint of {run_dir} has a readable meta.json "
                     "(expected a complete checkpoint to resume from, or another output directory)")


def add_to_checkpoint_meta(path: str | Path, values: dict[str, Any]) -> None:
    """Merge `values` into a saved checkpoint's meta.json (the stopping record, after the fact)."""
    write_json_atomic(Path(path) / META_FILE, {**read_checkpoint_meta(path), **values})


def load_latest_good(run_dir: str | Path, state: TrainingState, device: torch.device, warn) -> Path | None:
    """Load the newest checkpoint that reads back whole; a damaged newer one is skipped with a
    warning (a disk error or a hand edit, since checkpoints are renamed into place complete)."""
    for path in reversed(list_checkpoints(run_dir)):
        try:
            load_checkpoint(path, state, device)
            return path
        except Exception as error:  # any unreadable part: safetensors, torch.load, JSON, shapes
            warn(f"{path}: cannot be loaded ({type(error).__name__}: {str(error).splitlines()[0][:200]}); "
                 "trying the previous checkpoint")
    return None
