"""Run the evaluator over an image set in fixed-size batches, without gradients.

A fixed batch size keeps results bitwise repeatable (CPU kernels can pick different summation
orders for different batch shapes). Real image sets are read many times, so their outputs can be
cached on disk, keyed by the evaluator's weights and the images' bytes, and written atomically.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from tqdm import tqdm

from hw3.errors import InputError
from hw3.files import write_bytes_with

FEATURE_BATCH_SIZE = 100  # fastest measured on 2 CPU cores: larger batches fall out of cache


class EvaluatorReadout(NamedTuple):
    """The evaluator's outputs for a whole image set, as float64 numpy arrays."""

    features: np.ndarray  # (N, feature_dim)
    hair_logits: np.ndarray  # (N, 12)
    eye_logits: np.ndarray  # (N, 11)

    def select(self, index: np.ndarray) -> "EvaluatorReadout":
        return EvaluatorReadout(self.features[index], self.hair_logits[index], self.eye_logits[index])


def to_evaluator_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 or float -1..1 images (B, 3, 64, 64) -> float32 -1..1, channels-last."""
    if images.ndim != 4 or tuple(images.shape[1:]) != (3, 64, 64):
        raise InputError(f"images have shape {tuple(images.shape)} (expected (N, 3, 64, 64))")
    if images.dtype == torch.uint8:
        images = images.float() / 127.5 - 1.0
    else:
        images = images.float().clamp(-1.0, 1.0)
    # Channels-last convolutions run about twice as fast on CPU here.
    return images.contiguous(memory_format=torch.channels_last)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """float -1..1 -> uint8 0..255, the way an image file would store it."""
    return ((images.detach().float().clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8)


@torch.inference_mode()
def extract_readout(
    evaluator: torch.nn.Module,
    images: torch.Tensor,
    batch_size: int = FEATURE_BATCH_SIZE,
    device: str | torch.device | None = None,
    progress: bool = False,
) -> EvaluatorReadout:
    """images uint8 or float (N, 3, 64, 64) -> features and logits of every image, computed
    where the evaluator's weights are unless `device` says otherwise."""
    evaluator.eval()
    device = device or next(evaluator.parameters()).device
    outputs: list[tuple[torch.Tensor, ...]] = []
    starts = range(0, len(images), batch_size)
    for start in tqdm(starts, desc="evaluator features", unit="batch", disable=not progress):
        batch = to_evaluator_input(images[start : start + batch_size]).to(device)
        outputs.append(tuple(part.double().cpu() for part in evaluator(batch)))
    if not outputs:
        raise InputError("no images to evaluate (expected at least one)")
    return EvaluatorReadout(*(torch.cat(parts).numpy() for parts in zip(*outputs)))


def images_fingerprint(images: torch.Tensor) -> str:
    digest = hashlib.sha256(str(tuple(images.shape)).encode() + str(images.dtype).encode())
    digest.update(images.contiguous().numpy().tobytes())
    return digest.hexdigest()


def cached_readout(
    evaluator: torch.nn.Module,
    weights_sha256: str,
    images: torch.Tensor,
    cache_path: str | Path | None,
    progress: bool = False,
) -> EvaluatorReadout:
    """`extract_readout`, reusing `cache_path` (.npz) when it was made by the same weights from
    the same images."""
    if cache_path is None:
        return extract_readout(evaluator, images, progress=progress)
    cache_path = Path(cache_path)
    key = f"{weights_sha256}:{images_fingerprint(images)}:{FEATURE_BATCH_SIZE}"
    if cache_path.is_file():
        with np.load(cache_path, allow_pickle=False) as cached:
            if str(cached["key"]) == key:
                return EvaluatorReadout(cached["features"], cached["hair_logits"], cached["eye_logits"])
    readout = extract_readout(evaluator, images, progress=progress)
    # A reader never sees a half-written cache.
    write_bytes_with(cache_path, lambda handle: np.savez(handle, key=np.array(key), **readout._asdict()))
    return readout


def model_fingerprint(model: torch.nn.Module) -> str:
    """sha256 of the model's tensors, for cache keys when no weights file is at hand."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def dataset_fingerprint(dataset) -> str:
    """sha256 of a tagged set's images and labels (`.images`, `.hair`, `.eyes`)."""
    digest = hashlib.sha256(images_fingerprint(dataset.images).encode())
    digest.update(dataset.hair.numpy().tobytes())
    digest.update(dataset.eyes.numpy().tobytes())
    return digest.hexdigest()
