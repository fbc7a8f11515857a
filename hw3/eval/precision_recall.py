"""Improved precision and recall (Kynkäänniemi et al. 2019) in evaluator feature space.

Each set is approximated by the union of balls around its points, each ball reaching the
point's k-th nearest neighbour in its own set. Precision: the share of generated points inside
the real manifold (quality). Recall: the share of real points inside the generated one (coverage).
"""

from __future__ import annotations

import numpy as np
import torch

ROW_CHUNK = 1024  # rows of a distance matrix held at once
# Squared distances come from |x|² + |y|² − 2 x·y (a matrix product, many times faster than
# differences), which is off by ~1e-14 for points of norm ~1; this slack absorbs that, so a point
# always lies inside its own ball and duplicates inside each other's.
SQUARED_DISTANCE_SLACK = 1e-9


def pairwise_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N, D), (M, D) -> (N, M) Euclidean distances, float64, exactly 0 between equal points."""
    x_tensor = torch.as_tensor(np.asarray(x, dtype=np.float64))
    y_tensor = torch.as_tensor(np.asarray(y, dtype=np.float64))
    return torch.cdist(x_tensor, y_tensor, compute_mode="donot_use_mm_for_euclid_dist").numpy()


def squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N, D), (M, D) -> (N, M) squared Euclidean distances, float64, through a matrix product."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    squared = (x * x).sum(axis=1)[:, None] + (y * y).sum(axis=1)[None, :] - 2.0 * (x @ y.T)
    return np.maximum(squared, 0.0)


def knn_squared_radii(features: np.ndarray, k: int) -> np.ndarray:
    """(N, D) -> (N,) squared distance from each point to its k-th nearest other point."""
    radii = np.empty(len(features))
    for start in range(0, len(features), ROW_CHUNK):
        distances = squared_distances(features[start : start + ROW_CHUNK], features)
        # Column k of the sorted row: column 0 is the point itself.
        radii[start : start + ROW_CHUNK] = np.partition(distances, k, axis=1)[:, k]
    return radii


def coverage(manifold: np.ndarray, squared_radii: np.ndarray, queries: np.ndarray) -> float:
    """Share of `queries` within the ball of at least one manifold point."""
    inside = np.zeros(len(queries), dtype=bool)
    for start in range(0, len(queries), ROW_CHUNK):
        distances = squared_distances(queries[start : start + ROW_CHUNK], manifold)
        inside[start : start + ROW_CHUNK] = (distances <= squared_radii[None, :] + SQUARED_DISTANCE_SLACK).any(axis=1)
    return float(inside.mean())


def precision_recall(real_features: np.ndarray, fake_features: np.ndarray, k: int = 3) -> tuple[float, float]:
    """-> (precision, recall) of `fake_features` (M, D) against `real_features` (N, D)."""
    precision = coverage(real_features, knn_squared_radii(real_features, k), fake_features)
    recall = coverage(fake_features, knn_squared_radii(fake_features, k), real_features)
    return precision, recall
