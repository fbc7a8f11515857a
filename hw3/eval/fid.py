"""Fréchet distance between Gaussians fitted to two feature sets (FID in evaluator space).

d² = |μa − μb|² + tr(Σa + Σb − 2 (Σa Σb)^½). The matrix square root comes from
`scipy.linalg.sqrtm`; statistics are float64, since float32 covariances of a few hundred
dimensions lose the digits that the subtraction above depends on.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg

from hw3.errors import InputError


def gaussian_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """features (N, D) -> mean (D,) and covariance (D, D), float64; rows are samples."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise InputError(f"features have shape {features.shape} (expected (N, D) with N >= 2)")
    return features.mean(axis=0), np.atleast_2d(np.cov(features, rowvar=False))


def frechet_distance(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray) -> float:
    mean_difference = mean_a - mean_b
    product_root = _matrix_root(cov_a @ cov_b)
    if not np.isfinite(product_root).all():
        # Singular covariances (fewer samples than dimensions): nudge both off singularity.
        offset = np.eye(len(cov_a)) * 1e-6
        product_root = _matrix_root((cov_a + offset) @ (cov_b + offset))
    # Σa Σb is similar to a PSD matrix, so its root is real; any imaginary part is round-off.
    trace_root = np.trace(product_root.real)
    distance = mean_difference @ mean_difference + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root
    return float(max(distance, 0.0))


def _matrix_root(matrix: np.ndarray) -> np.ndarray:
    # sqrtm warns on stderr whenever Σa Σb is singular (a feature that never varies, as in a short
    # run): expected here, and a root that comes out non-finite is nudged off singularity.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        return scipy.linalg.sqrtm(matrix)


def fid(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """FID between two feature sets (N, D) and (M, D)."""
    return frechet_distance(*gaussian_statistics(features_a), *gaussian_statistics(features_b))


def fid_infinity(candidate: np.ndarray, reference: np.ndarray, sizes: tuple[int, ...] = (), seed: int = 0) -> float:
    """FID extrapolated to an infinite candidate set (Chong & Forsyth 2020).

    FID's bias falls as 1/N in the candidate set's size N, so FID measured on random subsets of
    several sizes lies near a line in 1/N; its intercept is FID with no small-sample bias, which
    unlike FID itself does not move with N. Default sizes: a quarter, half, three quarters and all.
    """
    count = len(candidate)
    sizes = sizes or tuple(max(2, count * k // 4) for k in (1, 2, 3, 4))
    reference_statistics = gaussian_statistics(reference)
    order = np.random.default_rng(seed).permutation(count)
    values = [frechet_distance(*gaussian_statistics(candidate[order[:size]]), *reference_statistics) for size in sizes]
    slope, intercept = np.polyfit(1.0 / np.asarray(sizes, dtype=np.float64), values, 1)
    return float(intercept)
