"""Kernel distance (KID in evaluator space): unbiased MMD² with k(x, y) = (x·y / d + 1)³,
averaged over random equal-size subsets (Bińkowski et al. 2018).

Written out here (a dozen lines) rather than taken from `torchmetrics.image.kid.poly_mmd`,
which computes the same thing but whose import costs several seconds on a small CPU.
Unlike FID it has no bias from the sample size, so real against real is ≈ 0 at any size.
"""

from __future__ import annotations

import numpy as np

from hw3.errors import InputError


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N, D), (M, D) -> (N, M) kernel matrix."""
    base = x @ y.T / x.shape[1] + 1.0
    return base * base * base  # several times faster than `** 3` in numpy


def unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² between samples x (N, D) and y (M, D): the diagonal self-pairs are left out."""
    n, m = len(x), len(y)
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (n * (n - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def kid(
    features_a: np.ndarray,
    features_b: np.ndarray,
    subset_size: int = 1000,
    num_subsets: int = 50,
    seed: int = 0,
) -> tuple[float, float]:
    """-> (mean, std) of unbiased MMD² over `num_subsets` subsets of each set, drawn without
    replacement within a subset; the subset size shrinks to the smaller set if needed."""
    features_a = np.asarray(features_a, dtype=np.float64)
    features_b = np.asarray(features_b, dtype=np.float64)
    subset_size = min(subset_size, len(features_a), len(features_b))
    if subset_size < 2:
        raise InputError(f"KID needs at least 2 samples per set (got {len(features_a)} and {len(features_b)})")
    rng = np.random.default_rng(seed)
    values = [
        unbiased_mmd2(
            features_a[rng.choice(len(features_a), subset_size, replace=False)],
            features_b[rng.choice(len(features_b), subset_size, replace=False)],
        )
        for _ in range(num_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))
