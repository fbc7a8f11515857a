"""Point lists for shapes (ellipses, Bezier curves, tapered strokes) and the face's placement.

Shapes are built in face space: origin at the face centre, x to the viewer's right, y down, in
pixels of the supersampled canvas at scale 1. `FaceFrame` then scales, tilts and moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from math import comb

import numpy as np


@dataclass(frozen=True)
class FaceFrame:
    centre_x: float
    centre_y: float
    scale: float
    tilt: float  # radians, positive turns the face clockwise on screen

    @cached_property
    def _matrix(self) -> np.ndarray:
        cos, sin = np.cos(self.tilt) * self.scale, np.sin(self.tilt) * self.scale
        return np.array([[cos, sin], [-sin, cos]])  # transposed: points are rows

    def to_canvas(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) face-space points -> (N, 2) canvas points."""
        return points @ self._matrix + (self.centre_x, self.centre_y)

    def direction(self, vector: tuple[float, float]) -> tuple[float, float]:
        """A face-space offset (dx, dy) as a canvas offset."""
        moved = self.to_canvas(np.array([[0.0, 0.0], vector]))
        return float(moved[1, 0] - moved[0, 0]), float(moved[1, 1] - moved[0, 1])


def ellipse(cx: float, cy: float, rx: float, ry: float, rotation: float = 0.0, num_points: int = 24) -> np.ndarray:
    points = _unit_circle(num_points) * (rx, ry)
    if rotation:
        cos, sin = np.cos(rotation), np.sin(rotation)
        points = points @ np.array([[cos, sin], [-sin, cos]])
    return points + (cx, cy)


def arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, num_points: int = 12) -> np.ndarray:
    """Points on an ellipse from angle `start` to `stop` (radians, 0 = +x, pi/2 = down)."""
    angles = start + (stop - start) * ramp(num_points)
    points = np.empty((num_points, 2))
    points[:, 0] = np.cos(angles)
    points[:, 1] = np.sin(angles)
    return points * (rx, ry) + (cx, cy)


def bezier(*control_points: tuple[float, float], num_points: int = 10) -> np.ndarray:
    """Bezier curve of any degree through its control points; (num_points, 2)."""
    return _bezier_basis(len(control_points) - 1, num_points) @ np.asarray(control_points, dtype=np.float64)


def stroke(path: np.ndarray, widths: float | np.ndarray) -> np.ndarray:
    """Outline of a line of the given width(s) along `path` (N, 2); a closed (2N, 2) contour."""
    padded = np.concatenate((path[:1], path, path[-1:]))
    tangents = padded[2:] - padded[:-2]  # central differences, one-sided at the ends
    half = np.asarray(widths, dtype=np.float64) / (2.0 * np.maximum(np.hypot(tangents[:, 0], tangents[:, 1]), 1e-9))
    offsets = tangents[:, ::-1] * (half[:, None] * (-1.0, 1.0))  # the normal (-dy, dx), half a width long
    return np.concatenate([path + offsets, (path - offsets)[::-1]])


def mirror(points: np.ndarray) -> np.ndarray:
    """Reflect face-space points across the vertical centre line."""
    return points * (-1.0, 1.0)


# Cached sample grids: shapes reuse a handful of point counts, and numpy call overhead, not
# arithmetic, is what a 2x supersampled 128 px face costs.
@lru_cache(maxsize=None)
def ramp(num_points: int) -> np.ndarray:
    """np.linspace(0, 1, num_points), cached."""
    return np.linspace(0.0, 1.0, num_points)


@lru_cache(maxsize=None)
def _unit_circle(num_points: int) -> np.ndarray:
    angles = np.linspace(0.0, 2 * np.pi, num_points, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


@lru_cache(maxsize=None)
def _bezier_basis(degree: int, num_points: int) -> np.ndarray:
    t = ramp(num_points)[:, None]
    k = np.arange(degree + 1)
    binomial = np.array([comb(degree, i) for i in k])
    return binomial * t**k * (1 - t) ** (degree - k)  # (num_points, degree + 1)
