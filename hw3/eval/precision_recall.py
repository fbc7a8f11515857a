"""Improved precision and recall (Kynkäänniemi et al. 2019) in evaluator feature space.

Each set is approximated by the union of balls around its points, each ball reaching the
point's k-th nearest neighbour in its own set. Precision: the share of generated points inside
the real manifold (quality). Recall: the share of real points inside the generated one (coverage).
"""

from __future__ import annotations

import numpy as np
import torch

ROW_CHUNK = 1024  # rows of the distance matrix held at once


def pairwise_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N, D), (M, D) -> (N, M) Euclidean distances, float64."""
    x_tensor = torch.as_tensor(np.asarray(x, dtype=np.float64))
    y_tensor = torch.as_tensor(np.asarray(y, dtype=np.float64))
    # The direct difference mode gives exact zeros for identical points, unlike the matmul trick.
    return torch.cdist(x_tensor, y_tensor, compute_mode="donot_use_mm_for_euclid_dist").numpy()


def knn_radii(features: np.ndarray, k: int) -> np.ndarray:
    """(N, D) -> (N,) distance from each point to its k-th nearest other point in the set."""
    radii = np.empty(len(features))
    for start in range(0, len(features), ROW_CHUNK):
        distances = pairwise_distances(features[start : start + ROW_CHUNK], features)
        # Column k of the sorted row: column 0 is the point itself (distance 0).
        radii[start : start + ROW_CHUNK] = np.partition(distances, k, axis=1)[:, k]
    return radii


def coverage(manifold: np.ndarray, radii: np.ndarray, queries: np.ndarray) -> float:
    """Share of `queries` within radius of at least one manifold point."""
    inside = np.zeros(len(queries), dtype=bool)
    for start in range(0, len(queries), ROW_CHUNK):
        distances = pairwise_distances(queries[start : start + ROW_CHUNK], manifold)
        inside[start : start + ROW_CHUNK] = (distances <= radii[None, :]).any(axis=1)
    return float(inside.mean())


def precision_recall(real_features: np.ndarray, fake_features: np.ndarray, k: int = 3) -> tuple[float, float]:
    """-> (precision, recall) of `fake_features` (M, D) against `real_features` (N, D)."""
    precision = coverage(real_features, knn_radii(real_features, k), fake_features)
    recall = coverage(fake_features, knn_radii(fake_features, k), real_features)
    return precision, recall
