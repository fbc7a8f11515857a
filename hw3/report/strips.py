"""Interpolation strips: walking the noise with the tags fixed, and the tags with the noise fixed.

A smooth latent walk says the generator learned a continuous face space rather than a lookup
table of training images; a tag walk shows whether hair and eye colour are separate knobs.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from hw3.models import Generator
from hw3.images import draw_noise, tag_tensors
from hw3.tags import HairEyeTags


def _mix(start: torch.Tensor, end: torch.Tensor, steps: int) -> torch.Tensor:
    """(D,), (D,) -> (steps, D), from start to end in equal steps."""
    weights = torch.linspace(0, 1, steps)[:, None]
    return (1 - weights) * start + weights * end


def _spherical_mix(start: torch.Tensor, end: torch.Tensor, steps: int) -> torch.Tensor:
    """Noise drawn from N(0, I) has norm near sqrt(z_dim); a straight line between two draws dips
    well inside that shell, into noise the generator never saw, so walk along the great circle."""
    angle = torch.arccos(torch.dot(start / start.norm(), end / end.norm()).clamp(-1, 1))
    weights = torch.linspace(0, 1, steps)[:, None]
    return (torch.sin((1 - weights) * angle) * start + torch.sin(weights * angle) * end) / torch.sin(angle)


@torch.no_grad()
def latent_strips(generator: Generator, tags: list[HairEyeTags | None], steps: int, seed: int) -> torch.Tensor:
    """One row per entry of `tags` (None for an unconditional generator): two noise draws and the
    faces between them -> (rows * steps, 3, 64, 64) in [-1, 1]."""
    ends = draw_noise(2 * len(tags), generator.config.z_dim, seed)
    rows = []
    for row, pair in enumerate(tags):
        z = _spherical_mix(ends[2 * row], ends[2 * row + 1], steps)  # (steps, z_dim)
        hair = eyes = None
        if pair is not None:
            hair, eyes = (t.repeat(steps) for t in tag_tensors([pair]))
        rows.append(generator(z, hair, eyes))
    return torch.cat(rows)


@torch.no_grad()
def tag_strips(generator: Generator, walks: list[tuple[HairEyeTags, HairEyeTags]], steps: int,
               seed: int) -> torch.Tensor:
    """One row per (from, to) walk with one noise draw per row: the encoded conditions are mixed
    linearly, so the middle faces show what lies between two colours -> (rows * steps, 3, 64, 64)."""
    noise = draw_noise(len(walks), generator.config.z_dim, seed)
    rows = []
    for row, (start, end) in enumerate(walks):
        hair, eyes = tag_tensors([start, end])
        conditions = generator.condition_encoder(hair, eyes)  # (2, C)
        mixed = _mix(conditions[0], conditions[1], steps)  # (steps, C)
        rows.append(generator.draw(noise[row].expand(steps, -1), mixed))
    return torch.cat(rows)


def strip_figure(pixels: np.ndarray, title: str, row_labels: list[str]) -> Figure:
    """uint8 (H, W, 3) rows of faces -> a figure with each row named on its left."""
    rows, label_width = len(row_labels), 2.8  # inches left of the faces for the row names
    width = pixels.shape[1] / pixels.shape[0] * rows * 0.9 + label_width
    figure = Figure(figsize=(width, rows * 0.9 + 0.4))
    axes = figure.add_axes((label_width / width, 0, 1 - label_width / width, 0.9))
    axes.imshow(pixels)
    row_height = pixels.shape[0] / rows
    axes.set_yticks([row_height * (row + 0.5) for row in range(rows)], row_labels, fontsize=10)
    axes.set_xticks([])
    for side in axes.spines.values():
        side.set_visible(False)
    axes.tick_params(length=0)
    figure.suptitle(title, fontsize=10)
    return figure
