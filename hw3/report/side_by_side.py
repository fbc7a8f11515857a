"""The same 25 tag lines drawn by every shipped generator, beside real faces with those tags."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from hw3.sampling.images import draw_noise, tag_tensors
from hw3.tags import NUM_EYES, HairEyeTags


def montage(images: torch.Tensor, per_row: int) -> np.ndarray:
    """(N, 3, 64, 64) in [-1, 1] -> (H, W, 3) floats in [0, 1], white 2 px gaps, rows of `per_row`."""
    count = len(images)
    rows = -(-count // per_row)
    padded = torch.ones(rows * per_row, 3, 68, 68)
    padded[:count, :, 2:66, 2:66] = images.detach().float().cpu().clamp(-1, 1).add(1).div(2)
    grid = padded.reshape(rows, per_row, 3, 68, 68).permute(0, 3, 1, 4, 2).reshape(rows * 68, per_row * 68, 3)
    return grid.numpy()


def real_faces_for(tags: list[HairEyeTags], dataset, seed: int) -> torch.Tensor:
    """One real test image per tag line, drawn at random among those with the line's pair."""
    rng = np.random.default_rng(seed)
    pairs = (dataset.hair * NUM_EYES + dataset.eyes).numpy()
    picked = [rng.choice(np.flatnonzero(pairs == tag.pair_index)) for tag in tags]
    return dataset.images[torch.as_tensor(picked)].float() / 127.5 - 1


@torch.no_grad()
def draw_tag_lines(generator, tags: list[HairEyeTags], seed: int) -> torch.Tensor:
    """What `hw3 sample` draws for these lines: face i gets row i of the seed's noise."""
    z = draw_noise(len(tags), generator.config.z_dim, seed)
    if not generator.is_conditional:
        return generator(z)
    return generator(z, *tag_tensors(tags))


def side_by_side_figure(panels: dict[str, torch.Tensor], per_row: int = 5) -> Figure:
    """{title: (N, 3, 64, 64) images} -> one row of panels."""
    figure = Figure(figsize=(3.2 * len(panels), 3.5))
    for column, (title, images) in enumerate(panels.items()):
        axes = figure.add_subplot(1, len(panels), column + 1)
        axes.imshow(montage(images, per_row))
        axes.set_title(title, fontsize=10)
        axes.set_axis_off()
    figure.tight_layout()
    return figure
