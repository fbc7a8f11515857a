"""A grid of real images, as the reference every sample grid is compared with."""

from __future__ import annotations

from pathlib import Path

import torch

from hw3.images import save_grid


def save_real_grid(images: torch.Tensor, path: str | Path, count: int = 64, per_row: int = 8, seed: int = 0) -> None:
    """`count` images drawn with `seed` from uint8 (N, 3, 64, 64) `images`, as one PNG grid."""
    chosen = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))[:count]
    save_grid(images[chosen].float() / 127.5 - 1, path, per_row=per_row)
