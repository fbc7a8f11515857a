"""Weighted random choice without numpy's per-call setup (it runs several times per image)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def choose_index(rng: np.random.Generator, weights: Sequence[float]) -> int:
    """An index drawn with probability proportional to `weights`, from one uniform draw."""
    target = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        target -= weight
        if target < 0:
            return index
    return len(weights) - 1
