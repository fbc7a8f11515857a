"""Noise, tags and PNG grids shared by training previews, the run scripts and the report."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torchvision.utils import save_image

from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags

# Rows of the training preview grid: one tag pair per row, a fresh z per column. Common pairs,
# colours that are easily confused (gray/white/blonde hair) and rare eye colours.
PREVIEW_PAIRS = (
    HairEyeTags("blue", "blue"),
    HairEyeTags("red", "green"),
    HairEyeTags("blonde", "purple"),
    HairEyeTags("pink", "yellow"),
    HairEyeTags("black", "red"),
    HairEyeTags("white", "aqua"),
    HairEyeTags("green", "orange"),
    HairEyeTags("gray", "pink"),
)


def draw_noise(count: int, z_dim: int, seed: int, truncation: float | None = None) -> torch.Tensor:
    """Standard normal noise from a CPU generator, so the same seed gives the same z on any device.

    With `truncation`, values beyond it are redrawn (the truncation trick): fidelity for variety.
    """
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(count, z_dim, generator=rng)
    if truncation is not None:
        outside = z.abs() > truncation
        while outside.any():
            z[outside] = torch.randn(int(outside.sum()), generator=rng)
            outside = z.abs() > truncation
    return z


def tag_tensors(tags: list[HairEyeTags] | tuple[HairEyeTags, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    hair = torch.tensor([HAIR_COLOURS.index(t.hair) for t in tags], dtype=torch.long)
    eyes = torch.tensor([EYE_COLOURS.index(t.eyes) for t in tags], dtype=torch.long)
    return hair, eyes


def preview_inputs(z_dim: int, seed: int, per_row: int = 8) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The fixed (z, hair, eyes) of training previews: len(PREVIEW_PAIRS) rows x `per_row`."""
    rows = [pair for pair in PREVIEW_PAIRS for _ in range(per_row)]
    hair, eyes = tag_tensors(rows)
    return draw_noise(len(rows), z_dim, seed), hair, eyes


def save_grid(images: torch.Tensor, path: str | Path, per_row: int) -> None:
    """Save (N, 3, H, W) images in [-1, 1] as one PNG grid, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp-{os.getpid()}.png")
    images = images.detach().float().cpu().clamp(-1, 1).add(1).div(2)
    save_image(images, temporary, nrow=per_row, padding=2, pad_value=1.0)
    os.replace(temporary, path)
