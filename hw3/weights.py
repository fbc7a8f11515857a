"""Weights on disk: safetensors for tensors plus a JSON sidecar for everything else.

Loading never runs code: tensors come from safetensors, metadata from JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from hw3.bounds import is_int
from hw3.errors import InputError
from hw3.files import file_kind, os_reason, write_atomically
from hw3.reading import read_json_object


def sidecar_path(weights_path: str | Path) -> Path:
    return Path(weights_path).with_suffix(".json")


def file_sha256(path: str | Path) -> str:
    """sha256 of a regular file; anything else (a FIFO, /dev/zero) would block or never end."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise InputError(f"{path}: is {file_kind(mode)} (expected a weights file)")
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({os_reason(error)}; expected a weights file)") from None
    return digest.hexdigest()


def check_recorded_sha256(path: Path, sidecar: dict[str, Any], source: Path, field: str = "sha256") -> None:
    """A shipped file's sidecar records its sha256 in `field`, and the file still has it; else a
    one-line InputError."""
    recorded = sidecar.get(field)
    if field not in sidecar:
        raise InputError(f"{source}: no '{field}' field (expected the sha256 of {path.name}, as hw3 writes it)")
    if not (isinstance(recorded, str) and len(recorded) == 64):
        raise InputError(f"{source}: '{field}' is {json.dumps(recorded)[:80]} (expected the 64-character "
                         f"hex sha256 of {path.name})")
    if file_sha256(path) != recorded:
        raise InputError(f"{path}: sha256 differs from the one in {source.name} (file changed or corrupt)")


def git_commit(repo_dir: str | Path | None = None) -> str:
    """HEAD's hash, with '-dirty' when tracked files differ; 'unknown' outside a checkout."""
    cwd = Path(repo_dir) if repo_dir else Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def command_line() -> str:
    """The command as a user would type it again: `python -m hw3 ...` runs as __main__.py."""
    program = Path(sys.argv[0]).name
    if program == "__main__.py":
        program = "hw3"
    return " ".join([program, *sys.argv[1:]])


def save_tensors(tensors: dict[str, torch.Tensor], path: str | Path) -> None:
    """Write named tensors to a safetensors file atomically (temporary file, then rename)."""
    plain = {name: tensor.detach().cpu().contiguous() for name, tensor in tensors.items()}
    write_atomically(path, lambda temporary: save_file(plain, str(temporary)))


def save_module_weights(module: nn.Module, path: str | Path) -> None:
    """Write a plain module's state dict atomically."""
    save_tensors(module.state_dict(), path)


def tensor_shapes(path: str | Path) -> dict[str, tuple[int, ...]]:
    """{name: shape} from a safetensors header, without reading the tensors."""
    path = Path(path)
    try:
        with safe_open(str(path), framework="pt") as weights:
            return {name: tuple(weights.get_slice(name).get_shape()) for name in weights.keys()}
    except FileNotFoundError:
        raise InputError(f"{path}: weights file not found (expected a .safetensors file)") from None
    except (SafetensorError, OSError) as error:
        raise InputError(f"{path}: not a readable safetensors file ({_first_line(error)})") from None


def load_module_weights(module: nn.Module, path: str | Path, device: torch.device | str = "cpu") -> None:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: weights file not found (expected a .safetensors file)")
    try:
        state = load_file(str(path), device=str(device))
    except (SafetensorError, OSError) as error:
        raise InputError(f"{path}: not a readable safetensors file ({_first_line(error)})") from None
    try:
        missing, unexpected = module.load_state_dict(state, strict=False)
    except RuntimeError as error:  # a shape mismatch; its first line only says where
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        raise InputError(f"{path}: weights do not fit the network ({(lines[1:] or lines or [''])[0][:200]})") from None
    if missing or unexpected:
        raise InputError(
            f"{path}: weights do not fit the network (missing {sorted(missing)[:3]}, "
            f"unexpected {sorted(unexpected)[:3]})"
        )


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def read_sidecar(weights_path: str | Path) -> dict[str, Any]:
    return read_json_object(sidecar_path(weights_path), "the JSON sidecar written beside the weights")


def images_where_run_ended(weights_path: str | Path) -> int:
    """Real images through D when the run behind these weights stopped (or, for weights shipped
    mid-run, when they were exported): a retrain capped there replays the same run on any machine,
    where a time limit would stop it wherever that machine's seconds ran out."""
    sidecar = read_sidecar(weights_path)
    for field in ("stopping", "budget"):
        record = sidecar.get(field)
        images = record.get("images_through_d") if isinstance(record, dict) else None
        if is_int(images) and images > 0:
            return images
    raise InputError(f"{sidecar_path(weights_path)}: no images_through_d in its stopping or budget record "
                     "(expected the sidecar `hw3 export` writes beside trained weights)")
