"""Backgrounds: white, flat colour, gradients and simple repeating patterns.

They are painted onto the canvas like any shape (a gradient slot, a pattern mask), so the
colour lookup at the end fills them in with the rest of the picture.
"""

from __future__ import annotations

import numpy as np

from hw3.data.render.canvas import Canvas, Part
from hw3.data.render.palette import hls_to_rgb, mix, sample_free_colour
from hw3.data.render.raster import Mask

_CENTRES = np.arange(128, dtype=np.float32) + 0.5  # pixel centres along one axis
_ROWS, _COLS = _CENTRES[:, None], _CENTRES[None, :]  # (128, 1), (1, 128): patterns broadcast


def _light_colour(rng: np.random.Generator) -> np.ndarray:
    # Mostly pale so the hair stands out, sometimes a deep tone as in real illustrations.
    if rng.random() < 0.85:
        return sample_free_colour(rng, lightness=(0.72, 0.95), saturation=(0.15, 0.7))
    return sample_free_colour(rng, lightness=(0.25, 0.45), saturation=(0.2, 0.6))


def paint_background(canvas: Canvas, kind: str, rng: np.random.Generator) -> None:
    """Paint a background kind from spec.BACKGROUNDS; call before any other shape."""
    size = canvas.height
    rows, cols = _ROWS[:size], _COLS[:, :size]
    if kind == "white":
        canvas.set_background(hls_to_rgb(rng.uniform(0, 360), rng.uniform(0.96, 1.0), rng.uniform(0.0, 0.3)))
        return
    first = _light_colour(rng)
    canvas.set_background(first)
    if kind == "simple":
        return
    second = mix(first, _light_colour(rng), rng.uniform(0.4, 1.0))
    if kind == "gradient":
        angle = rng.uniform(0, 2 * np.pi)
        # From one side of the canvas to the other along a random direction through the centre.
        reach = size * 0.5 * (abs(np.cos(angle)) + abs(np.sin(angle)))
        start = (size / 2 - reach * np.cos(angle), size / 2 - reach * np.sin(angle))
        end = (size / 2 + reach * np.cos(angle), size / 2 + reach * np.sin(angle))
        pattern = np.ones((size, size), dtype=bool)
        canvas.paint(Mask(0, 0, pattern), first, Part.BACKGROUND, gradient=(second, start, end))
        return
    if kind == "stripes":
        angle, period = rng.uniform(0, np.pi), rng.uniform(8, 24)
        along = cols * np.float32(np.cos(angle)) + rows * np.float32(np.sin(angle))  # (size, size)
        pattern = (along / period) % 1.0 < rng.uniform(0.3, 0.6)
    elif kind == "dots":
        period, radius = rng.uniform(12, 26), rng.uniform(0.18, 0.35)
        offset_rows = (rows + rng.uniform(0, period)) % period - period / 2
        offset_cols = (cols + rng.uniform(0, period)) % period - period / 2
        pattern = offset_rows**2 + offset_cols**2 < (radius * period) ** 2
    elif kind == "checks":
        period = rng.uniform(10, 28)
        pattern = (np.floor(rows / period) + np.floor(cols / period)) % 2 == 1
    else:
        raise ValueError(f"unknown background kind {kind!r}")
    canvas.paint(Mask(0, 0, pattern), second, Part.BACKGROUND)
