"""Diversity within a tag pair, relative to real images of the same pair.

For each (hair, eyes) pair: mean pairwise feature distance among generated samples of that pair
divided by the same mean among real images of the pair. 1 means as varied as the real data;
0 means every sample of the pair is the same point (mode collapse).

`COLLAPSE_THRESHOLD` = 0.5: real faces of one pair differ in face shape, hair style and pose, so
samples that are on average less than half as far apart as real ones have lost most of that
variety. Healthy generators sit near 1; a slightly low ratio alone is not collapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hw3.eval.precision_recall import pairwise_distances
from hw3.tags import NUM_PAIRS

COLLAPSE_THRESHOLD = 0.5


@dataclass
class DiversityResult:
    mean_ratio: float  # over pairs that both sets hold at least two samples of
    pair_ratios: np.ndarray  # (132,) NaN where a set has fewer than two samples of the pair
    collapsed_pairs: list[int]  # pair indices whose ratio is below the threshold
    threshold: float

    @property
    def mode_collapse(self) -> bool:
        return bool(self.mean_ratio < self.threshold)


def mean_pairwise_distance(features: np.ndarray) -> float:
    distances = pairwise_distances(features, features)
    n = len(features)
    return float(distances.sum() / (n * (n - 1)))  # the zero diagonal is left out of the count


def diversity_ratio(
    generated_features: np.ndarray,
    generated_pairs: np.ndarray,
    real_features: np.ndarray,
    real_pairs: np.ndarray,
    threshold: float = COLLAPSE_THRESHOLD,
    max_per_pair: int = 200,
) -> DiversityResult:
    """Features (N, D) with pair indices (N,) in 0..131 (`HairEyeTags.pair_index`) for each set.
    At most `max_per_pair` samples of a pair are used, which bounds the time per pair."""
    generated_pairs, real_pairs = np.asarray(generated_pairs), np.asarray(real_pairs)
    ratios = np.full(NUM_PAIRS, np.nan)
    for pair in range(NUM_PAIRS):
        generated = generated_features[generated_pairs == pair][:max_per_pair]
        real = real_features[real_pairs == pair][:max_per_pair]
        if len(generated) < 2 or len(real) < 2:
            continue
        real_spread = mean_pairwise_distance(real)
        if real_spread > 0:
            ratios[pair] = mean_pairwise_distance(generated) / real_spread
    measured = ~np.isnan(ratios)
    if not measured.any():
        raise ValueError("no pair has two or more samples in both sets")
    collapsed = [int(pair) for pair in np.flatnonzero(measured & (ratios < threshold))]
    return DiversityResult(float(np.nanmean(ratios)), ratios, collapsed, threshold)
