"""Painting face-space shapes: converts points through the face frame, then fills the canvas."""

from __future__ import annotations

import numpy as np

from hw3.data.render.canvas import Canvas, Part
from hw3.data.render.geometry import FaceFrame, stroke


class FacePainter:
    def __init__(self, canvas: Canvas, frame: FaceFrame):
        self.canvas = canvas
        self.frame = frame

    def fill(
        self,
        points: np.ndarray | list[np.ndarray],
        colour,
        part: Part,
        clip_to: tuple[Part, ...] | None = None,
        gradient: tuple[object, tuple[float, float], tuple[float, float]] | None = None,
        outline=None,
    ) -> None:
        """Fill face-space contour(s); `gradient` points are face-space too.

        `outline` is a colour for a one-pixel line around the shape (see `Canvas.fill`).
        """
        if isinstance(points, np.ndarray):
            lengths = [len(points)]
        else:
            lengths = [len(contour) for contour in points]
            points = np.concatenate(points)
        canvas_points = self.frame.to_canvas(points)
        if gradient is not None:
            end_colour, start, end = gradient
            start, end = self.frame.to_canvas(np.array([start, end], dtype=np.float64))
            gradient = (end_colour, tuple(start), tuple(end))
        self.canvas.fill(canvas_points, lengths, colour, part, clip_to, gradient, outline)

    def line(self, path: np.ndarray, widths, colour, part: Part = Part.LINE, clip_to=None, outline=None) -> None:
        """A stroke along a face-space path; `widths` in face-space pixels, scalar or per point."""
        self.fill(stroke(path, widths), colour, part, clip_to, outline=outline)
