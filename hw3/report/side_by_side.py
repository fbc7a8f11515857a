"""The same 25 tag lines drawn by every shipped generator, beside real faces with those tags."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from hw3.images import grid_pixels
from hw3.tags import NUM_EYES, HairEyeTags


def real_faces_for(tags: list[HairEyeTags], dataset, seed: int) -> torch.Tensor:
    """One real test image per tag line, drawn at random among those with the line's pair; a
    mid-grey square for a pair the set has no face of (the course's data lacks some pairs)."""
    rng = np.random.default_rng(seed)
    pairs = (dataset.hair * NUM_EYES + dataset.eyes).numpy()
    faces = []
    for tag in tags:
        members = np.flatnonzero(pairs == tag.pair_index)
        faces.append(dataset.images[int(rng.choice(members))].float() / 127.5 - 1 if len(members)
                     else torch.zeros(3, 64, 64))
    return torch.stack(faces)  # (N, 3, 64, 64)


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
