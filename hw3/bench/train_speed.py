"""Training images/s of one variant on one path, each measured in a process of its own.

A fresh process per measurement: torch.compile's caches, oneDNN's primitive caches and the
allocator start empty for every row, so no row profits from the one before it. The loop reports
the rate of its last logging interval, after an interval of warm-up (compilation included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hw3.errors import InputError

# "fast": the defaults (bf16 autocast where native, torch.compile, channels_last, fused Adam);
# "fp32": float32 and eager, the loop as it ran before the fast path.
PATHS = {"fast": [], "fp32": ["mixed_precision=false", "compile=false"]}


@dataclass
class SpeedRequest:
    variant: str
    path: str
    config: Path
    data: Path
    batch_size: int
    steps: int
    device: str


def _overrides(request: SpeedRequest, run_dir: Path) -> dict:
    return {"data.root": str(request.data), "batch_size": request.batch_size, "device": request.device,
            "num_steps": 2 * request.steps, "log_every": request.steps, "sample_every": 10**8,
            "checkpoint_every": 10**8, "out_dir": str(run_dir), "evaluation.every": 0}


def measure_here(request: SpeedRequest, run_dir: Path) -> float:
    """Images/s through D over the second of two logging intervals, in this process."""
    from hw3.train.config import load_config
    from hw3.train.loop import train

    config = load_config(request.config, PATHS[request.path], _overrides(request, run_dir))
    return train(config, progress=False).images_per_second


def measure_in_subprocess(request: SpeedRequest, scratch: Path) -> float:
    command = [sys.executable, "-m", "hw3", "bench", "train-one", "--variant", request.variant,
               "--path", request.path, "--config", str(request.config), "--data", str(request.data),
               "--batch-size", str(request.batch_size), "--steps", str(request.steps), "--device", request.device,
               "--scratch", str(scratch / f"{request.variant}_{request.path}")]
    finished = subprocess.run(command, capture_output=True, text=True)
    lines = finished.stdout.strip().splitlines()
    if finished.returncode != 0 or not lines:
        reason = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"hw3 bench train: {request.variant} ({request.path}) failed: {reason}")
    return float(json.loads(lines[-1])["images_per_second"])


def measure_base_in_subprocess(tree: Path, request: SpeedRequest, scratch: Path) -> float:
    """The variant's images/s by another commit's own `hw3 bench train`, run in its tree (its
    configs, its code, its default path) on the same images, batch and steps."""
    out = scratch / f"base_{request.variant}.json"
    command = [sys.executable, "-m", "hw3", "bench", "train", "--variants", request.variant,
               "--data", str(request.data.resolve()), "--batch-size", str(request.batch_size),
               "--steps", str(request.steps), "--device", request.device, "--out", str(out)]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    finished = subprocess.run(command, cwd=tree, env=environment, capture_output=True, text=True)
    if finished.returncode != 0 or not out.is_file():
        reason = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"hw3 bench train: {request.variant} in the base tree {tree} failed: {reason}")
    rates = read_base(out)
    if request.variant not in rates:
        raise InputError(f"{out}: no row for {request.variant} (the base tree's bench does not know it)")
    return rates[request.variant]


def read_base(path: Path) -> dict[str, float]:
    """Images/s per variant from another commit's `hw3 bench train --out` file: its default path,
    which before the fast path was float32 and eager."""
    from hw3.reading import read_json

    expected = "the bench results file, a JSON list of rows that `hw3 bench train --out` writes"
    rows = read_json(path, expected)
    if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("variant"), str)
                                             and isinstance(r.get("images_per_second"), (int, float)) for r in rows):
        raise InputError(f"{path}: not a bench results file (expected {expected})")
    return {r["variant"]: float(r["images_per_second"]) for r in rows}
