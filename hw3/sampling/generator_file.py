"""Generator weights as shipped: EMA weights in safetensors plus a JSON sidecar.

The sidecar holds the generator's config (so the network is rebuilt without the training
code's config files), the training step, seed, command and git commit, and the sha256 of the
weights file, checked on every load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from hw3.errors import InputError
from hw3.models import Generator, GeneratorConfig
from hw3.train.log import read_log
from hw3.weights import (
    file_sha256, load_module_weights, read_sidecar, save_module_weights, sidecar_path, write_json_atomic,
    write_text_atomic,
)


def training_log_path(weights_path: str | Path) -> Path:
    """weights/acgan.safetensors -> weights/acgan.log.jsonl: the run's losses, for the report's curves."""
    return Path(weights_path).with_suffix(".log.jsonl")


def checkpoint_of(directory: str | Path) -> Path:
    """A checkpoint directory as given, or a run directory's latest checkpoint (the directory
    itself when it holds none, for the caller to report)."""
    from hw3.train.checkpoint import latest_checkpoint

    directory = Path(directory)
    if (directory / "meta.json").is_file():
        return directory
    return latest_checkpoint(directory) or directory


def export_generator(checkpoint: str | Path, out_path: str | Path, note: str = "") -> Path:
    """Copy a training checkpoint's EMA generator to `out_path` with its sidecar, and the run's
    log up to the checkpoint's step (runs/ is not shipped; the curves are)."""
    checkpoint, out_path = Path(checkpoint), Path(out_path)
    run_meta = json.loads((checkpoint / "meta.json").read_text(encoding="utf-8"))
    generator = Generator(GeneratorConfig(**run_meta["config"]["generator"]))
    load_module_weights(generator, checkpoint / "generator_ema.safetensors")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    save_module_weights(generator, out_path)
    write_json_atomic(sidecar_path(out_path), {
        "kind": "generator",
        "variant": run_meta["config"]["name"],
        "generator": run_meta["config"]["generator"],
        "step": run_meta["step"],
        "seed": run_meta["seed"],
        "training_command": run_meta["command"],
        "git_commit": run_meta["git_commit"],
        "training_config": run_meta["config"],
        "sha256": file_sha256(out_path),
        "note": note,
    })
    run_log = checkpoint.parent.parent / "log.jsonl"  # runs/<name>/checkpoints/step_N -> runs/<name>
    if run_log.is_file():
        records = [r for r in read_log(run_log) if r.get("step", 0) <= run_meta["step"]]
        write_text_atomic(training_log_path(out_path), "".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    return out_path


def load_generator(path: str | Path, device: torch.device | str = "cpu") -> tuple[Generator, dict[str, Any]]:
    """A generator in eval mode from a shipped file, a training checkpoint or a run directory (its latest)."""
    path = Path(path)
    if path.is_dir():
        path = checkpoint_of(path)
    if path.is_dir():  # a training checkpoint: its EMA generator and run config
        meta_path = path / "meta.json"
        if not meta_path.is_file():
            raise InputError(f"{path}: not a checkpoint or run directory (expected meta.json and "
                             "generator_ema.safetensors, or checkpoints/step_*)")
        run_meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta = {"variant": run_meta["config"]["name"], "generator": run_meta["config"]["generator"],
                "step": run_meta["step"], "seed": run_meta["seed"]}
        weights = path / "generator_ema.safetensors"
    else:
        meta = read_sidecar(path)
        weights = path
        if "sha256" in meta and file_sha256(path) != meta["sha256"]:
            raise InputError(f"{path}: sha256 differs from the one in {sidecar_path(path).name} (file changed or corrupt)")
    generator = Generator(GeneratorConfig(**meta["generator"]))
    load_module_weights(generator, weights, device)
    return generator.to(device).eval(), meta
