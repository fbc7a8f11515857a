"""Does the generator copy its training images? Nearest training images in feature space.

The figure puts a few generated images beside their nearest training images. The number beside
it compares how far generated images lie from the training set with how far real held-aside
(test) images lie from it: a ratio well below 1 means generated images sit unusually close to
particular training images.
"""

from __future__ import annotations

import numpy as np
import torch

from hw3.eval.precision_recall import ROW_CHUNK, squared_distances
from hw3.images import grid_pixels


def nearest_training_images(
    query_features: np.ndarray, train_features: np.ndarray, k: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """(Q, D), (N, D) -> indices (Q, k) into the training set and distances (Q, k), nearest first."""
    indices = np.empty((len(query_features), k), dtype=np.int64)
    distances = np.empty((len(query_features), k))
    for start in range(0, len(query_features), ROW_CHUNK):
        chunk = squared_distances(query_features[start : start + ROW_CHUNK], train_features)  # (chunk, N)
        nearest = np.argpartition(chunk, k - 1, axis=1)[:, :k]  # the k nearest, in no order
        nearest_squared = np.take_along_axis(chunk, nearest, axis=1)
        order = np.argsort(nearest_squared, axis=1, kind="stable")
        indices[start : start + ROW_CHUNK] = np.take_along_axis(nearest, order, axis=1)
        distances[start : start + ROW_CHUNK] = np.sqrt(np.take_along_axis(nearest_squared, order, axis=1))
    return indices, distances


def nearest_distance_ratio(
    generated_features: np.ndarray, test_features: np.ndarray, train_features: np.ndarray
) -> float:
    """Median distance to the nearest training image, generated over real test images."""
    _, generated = nearest_training_images(generated_features, train_features, k=1)
    _, test = nearest_training_images(test_features, train_features, k=1)
    return float(np.median(generated) / np.median(test))


def plot_nearest_training_images(
    query_images: torch.Tensor, train_images: torch.Tensor, indices: np.ndarray, distances: np.ndarray
):
    """query uint8 (Q, 3, 64, 64), training uint8 (N, 3, 64, 64) -> matplotlib Figure: one row per
    query, the generated image first, then its neighbours labelled with their feature distances."""
    from matplotlib.figure import Figure  # no pyplot: no global state, works without a display

    num_queries, k = indices.shape
    rows = torch.cat([query_images[:, None], train_images[torch.as_tensor(indices)]], dim=1)  # (Q, k + 1, 3, 64, 64)
    # One montage image instead of Q x (k + 1) subplots draws in a fraction of the time.
    padding = 2
    step = rows.shape[-1] + padding
    grid = grid_pixels(rows.flatten(0, 1).float().div(127.5).sub(1.0), per_row=k + 1, padding=padding)
    figure = Figure(figsize=(1.1 * (k + 1), 1.1 * num_queries + 0.4))
    axes = figure.add_axes((0, 0, 1, 1 - 0.4 / (1.1 * num_queries + 0.4)))
    axes.imshow(grid, interpolation="nearest")  # whole pixels: sharper, and a smaller PNG
    axes.set_axis_off()
    for row in range(num_queries):
        for column in range(k):
            axes.text(padding + (column + 1) * step + 3, padding + row * step + 11, f"{distances[row, column]:.2f}",
                      color="white", fontsize=6, bbox={"facecolor": "black", "alpha": 0.6, "pad": 1})
    figure.suptitle("generated (left) and nearest training images, with feature distances", fontsize=7)
    return figure
