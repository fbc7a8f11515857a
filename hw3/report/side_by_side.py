"""The same 25 tag lines drawn by every shipped generator, beside real faces with those tags."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from hw3.sampling.images import grid_pixels
from hw3.tags import NUM_EYES, HairEyeTags


def real_faces_for(tags: list[HairEyeTags], dataset, seed: int) -> torch.Tensor:
    """One real test image per tag line, drawn at random among those with the line's pair."""
    rng = np.random.default_rng(seed)
    pairs = (dataset.hair * NUM_EYES + dataset.eyes).numpy()
    picked = [rng.choice(np.flatnonzero(pairs == tag.pair_index)) for tag in tags]
    return dataset.images[torch.as_tensor(picked)].float() / 127.5 - 1


def side_by_side_figure(panels: dict[str, torch.Tensor], per_row: int = 5) -> Figure:
    """{title: (N, 3, 64, 64) images} -> one row of panels."""
    figure = Figure(figsize=(3.2 * len(panels), 3.5))
    for column, (title, images) in enumerate(panels.items()):
        axes = figure.add_subplot(1, len(panels), column + 1)
        axes.imshow(grid_pixels(images, per_row))
        axes.set_title(title, fontsize=10)
        axes.set_axis_off()
    figure.tight_layout()
    return figure
