"""Figures that look at a tagged data set: faces per colour, tag histograms, held-out pairs."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure  # no pyplot: no global state or backend, a notebook displays it
from matplotlib.patches import Rectangle
from torchvision.utils import make_grid

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.eval.tag_accuracy import pair_counts
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR


def _pick(indices: torch.Tensor, count: int, rng: torch.Generator) -> torch.Tensor:
    return indices[torch.randperm(len(indices), generator=rng)[:count]]


def faces_per_colour(images: torch.Tensor, labels: torch.Tensor, colours: tuple[str, ...],
                     noun: str, per_row: int = 8, seed: int = 0) -> Figure:
    """One row of faces per colour (uint8 images (N, 3, 64, 64), labels (N,)), labelled."""
    rng = torch.Generator().manual_seed(seed)
    blank = torch.full((3, 64, 64), 255, dtype=torch.uint8)
    rows = []
    for index in range(len(colours)):
        chosen = _pick(torch.nonzero(labels == index).flatten(), per_row, rng)
        row = [images[i] for i in chosen] + [blank] * (per_row - len(chosen))
        rows.extend(row)
    grid = make_grid(torch.stack(rows), nrow=per_row, padding=2, pad_value=255)  # (3, H, W)
    figure = Figure(figsize=(per_row * 0.66 + 1.2, len(colours) * 0.66 + 0.2))  # about a pixel per pixel at 100 dpi
    axis = figure.subplots()
    axis.imshow(grid.permute(1, 2, 0).numpy())
    axis.set_yticks([2 + 66 * i + 32 for i in range(len(colours))], [f"{c} {noun}" for c in colours])
    axis.set_xticks([])
    figure.tight_layout()
    return figure


def tag_histograms(hair: torch.Tensor, eyes: torch.Tensor, title: str = "") -> Figure:
    """Hair and eye colour counts, and the joint counts with held-out pairs outlined."""
    counts = pair_counts(hair, eyes)
    figure = Figure(figsize=(16, 4.2))
    axes = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.3]})
    axes[0].bar(HAIR_COLOURS, counts.sum(1), color="tab:blue")
    axes[0].set_title("hair colour")
    axes[1].bar(EYE_COLOURS, counts.sum(0), color="tab:orange")
    axes[1].set_title("eye colour")
    for axis in axes[:2]:
        axis.tick_params(axis="x", rotation=60)
    shown = axes[2].imshow(np.log10(counts + 1), cmap="viridis")
    axes[2].set_xticks(range(NUM_EYES), EYE_COLOURS, rotation=60)
    axes[2].set_yticks(range(NUM_HAIR), HAIR_COLOURS)
    axes[2].set_xlabel("eyes")
    axes[2].set_ylabel("hair")
    for pair in HELD_OUT_PAIRS:
        axes[2].add_patch(Rectangle((pair.eye_index - 0.5, pair.hair_index - 0.5), 1, 1,
                                        fill=False, edgecolor="red", linewidth=1.5))
    axes[2].set_title("log10(1 + count); red: held out of training")
    figure.colorbar(shown, ax=axes[2], fraction=0.046)
    figure.suptitle(title)
    figure.tight_layout()
    return figure
