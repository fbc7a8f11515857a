"""Filling polygons into boolean masks on the supersampled canvas.

Why not `skimage.draw.polygon`: it tests every pixel of the bounding box against every edge, ~5 ms
for a 12-gon covering the 128 px canvas on a 2-core test machine, and a face has ~30 shapes. This
even-odd scanline fill lists each edge's crossings with the pixel-centre rows and rasterises all
shapes of a face in one set of numpy calls (~0.6 ms); `tests/test_render.py` checks that it marks
exactly the pixels skimage marks. Every shape (ellipses and strokes too, as point lists from
geometry.py) goes through it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Mask:
    """Pixels inside a shape: `inside` is the (h, w) crop whose top-left pixel is (top, left)."""

    top: int
    left: int
    inside: np.ndarray  # (h, w) bool

    @property
    def rows(self) -> slice:
        return slice(self.top, self.top + self.inside.shape[0])

    @property
    def cols(self) -> slice:
        return slice(self.left, self.left + self.inside.shape[1])

    def dilated(self, radius: int, height: int, width: int) -> Mask:
        """The mask grown by `radius` pixels (4-neighbour steps), clipped to the canvas."""
        rows, cols = self.inside.shape
        padded_cols = cols + 2 * radius
        grown = np.zeros((rows + 2 * radius, padded_cols), dtype=bool)
        grown[radius : radius + rows, radius : radius + cols] = self.inside
        # Steps on the flattened array: +-1 is left/right, +-padded_cols is up/down. The zero
        # border is `radius` wide, so nothing grows across from one row into the next.
        flat = grown.ravel()
        for _ in range(radius):
            step = flat.copy()
            step[1:] |= flat[:-1]
            step[:-1] |= flat[1:]
            step[padded_cols:] |= flat[:-padded_cols]
            step[:-padded_cols] |= flat[padded_cols:]
            flat = step
        grown = flat.reshape(rows + 2 * radius, padded_cols)
        top, left = self.top - radius, self.left - radius
        clip_top, clip_left = max(-top, 0), max(-left, 0)
        clip_bottom = max(top + grown.shape[0] - height, 0)
        clip_right = max(left + grown.shape[1] - width, 0)
        grown = grown[clip_top : grown.shape[0] - clip_bottom, clip_left : grown.shape[1] - clip_right]
        return Mask(top + clip_top, left + clip_left, grown)


Shape = tuple[np.ndarray, list[int]]  # (points (N, 2) of (x, y), point count of each contour)


def fill_polygon(points: np.ndarray, lengths: list[int], height: int, width: int) -> Mask | None:
    """Even-odd fill of closed contours; pixel (r, c) has its centre at (c + 0.5, r + 0.5).

    `points` (N, 2) of (x, y) holds the contours one after another, `lengths` their point counts.
    They fill like one path: an outer and an inner contour make a ring, and overlapping contours
    cancel where they overlap. Returns None when nothing lies on the canvas.
    """
    return fill_polygons([(points, lengths)], height, width)[0]


def fill_polygons(shapes: list[Shape], height: int, width: int) -> list[Mask | None]:
    """`fill_polygon` for many shapes with one set of numpy calls (their overhead, not pixels, dominates).

    Each shape gets its own bounding box, one column wider than needed, laid out one after another
    in a flat array. Every edge adds a toggle where it crosses a row's pixel centres; a running
    sum then marks the inside. One sum over the whole flat array is enough: each row of each box
    is crossed an even number of times (the extra column takes the crossings right of the box),
    so every row starts at an even count.
    """
    points = np.concatenate([shape_points for shape_points, _ in shapes]) if len(shapes) > 1 else shapes[0][0]
    point_counts = [len(shape_points) for shape_points, _ in shapes]
    first_points = np.cumsum([0] + point_counts[:-1])
    boxes = []  # (top, bottom, left, right) clipped to the canvas, or None
    for (min_x, min_y), (max_x, max_y) in zip(np.minimum.reduceat(points, first_points, axis=0).tolist(),
                                              np.maximum.reduceat(points, first_points, axis=0).tolist()):
        top, bottom = max(math.floor(min_y), 0), min(math.ceil(max_y), height)
        left, right = max(math.floor(min_x), 0), min(math.ceil(max_x), width)
        boxes.append((top, bottom, left, right) if top < bottom and left < right else None)
    box_array = np.array([box or (0, 0, 0, 0) for box in boxes], dtype=np.intp)  # (K, 4)
    tops, bottoms, lefts = box_array[:, 0], box_array[:, 1], box_array[:, 2]
    widths = box_array[:, 3] - lefts
    sizes = (bottoms - tops) * (widths + 1)
    starts = np.cumsum(sizes) - sizes  # where each box begins in the flat array

    # Every contour's last point joins its own first point.
    lengths = [length for _, shape_lengths in shapes for length in shape_lengths]
    following = np.arange(1, len(points) + 1)
    contour_ends = np.cumsum(lengths)
    following[contour_ends - 1] = contour_ends - lengths
    ends = points[following]
    shape_of_edge = np.repeat(np.arange(len(shapes)), point_counts)
    x0, y0, x1, y1 = points[:, 0], points[:, 1], ends[:, 0], ends[:, 1]

    # Edge e crosses the centre line y = r + 0.5 of rows r in [ceil(y_low - .5), ceil(y_high - .5)):
    # half-open, so a vertex shared by two edges counts once. List every (row, edge) crossing.
    row_start = np.maximum(np.ceil(np.minimum(y0, y1) - 0.5).astype(np.intp), tops[shape_of_edge])
    row_end = np.minimum(np.ceil(np.maximum(y0, y1) - 0.5).astype(np.intp), bottoms[shape_of_edge])
    counts = np.maximum(row_end - row_start, 0)
    edge_index = np.repeat(np.arange(len(points)), counts)
    run_start = np.cumsum(counts) - counts
    rows = row_start[edge_index] + (np.arange(len(edge_index)) - run_start[edge_index])
    slope = (x1 - x0) / np.where(y1 == y0, 1.0, y1 - y0)  # (E,)
    # Column c lies right of a crossing at x when its centre c + 0.5 > x, i.e. c >= ceil(x - 0.5).
    shape_index = shape_of_edge[edge_index]
    columns = np.ceil((rows + 0.5 - y0[edge_index]) * slope[edge_index] + x0[edge_index] - 0.5).astype(np.intp)
    columns = np.minimum(np.maximum(columns - lefts[shape_index], 0), widths[shape_index])
    flat = starts[shape_index] + (rows - tops[shape_index]) * (widths[shape_index] + 1) + columns
    inside = (np.cumsum(np.bincount(flat, minlength=int(sizes.sum()))) & 1).astype(bool)

    masks: list[Mask | None] = []
    for box, start, size in zip(boxes, starts.tolist(), sizes.tolist()):
        if box is None:
            masks.append(None)
            continue
        top, bottom, left, right = box
        masks.append(Mask(top, left, inside[start : start + size].reshape(bottom - top, right - left + 1)[:, :-1]))
    return masks
