"""Eyes and eyebrows: eye white, iris with a vertical gradient, pupil, highlights and lashes.

Each eye is built in its own frame with x pointing away from the nose, then mirrored into place,
so both eyes share one shape. At 64x64 an eye is 8-12 px wide and its iris about 5x6 px.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hw3.data.render.canvas import Part
from hw3.data.render.geometry import bezier, ellipse, stroke
from hw3.data.render.painter import FacePainter
from hw3.data.render.palette import mix, shade
from hw3.data.render.spec import FaceLayout, FaceSpec

EYE_WHITE = np.array([0.98, 0.98, 1.0], np.float32)
HIGHLIGHT = np.array([1.0, 1.0, 1.0], np.float32)
# Lightness change at the top (shadowed by the lid) and bottom of the iris gradient. The visible
# iris averages close to the tag colour, so the eye colour is what a viewer reads.
IRIS_TOP_SHADE, IRIS_BOTTOM_SHADE = -0.12, 0.16


@dataclass(frozen=True)
class EyeShape:
    inner: tuple[float, float]
    outer: tuple[float, float]
    upper_lid: np.ndarray  # (N, 2) inner -> outer, eye frame
    lower_lid: np.ndarray  # (M, 2) outer -> inner, eye frame


def eye_shape(layout: FaceLayout, rng: np.random.Generator) -> EyeShape:
    width, height = layout.eye_width, layout.eye_height
    inner = (-width / 2, height * 0.12)
    outer = (width / 2, -height * 0.08 - layout.eye_lift)
    arch = rng.uniform(0.6, 0.78)
    upper = bezier(inner, (-width * 0.3, -height * arch), (width * 0.25, -height * (arch + 0.08)), outer, num_points=10)
    lower = bezier(outer, (width * 0.3, height * 0.55), (-width * 0.2, height * 0.6), inner, num_points=8)
    return EyeShape(inner, outer, upper, lower)


def _place(points: np.ndarray, side: int, layout: FaceLayout) -> np.ndarray:
    """Eye-frame points -> face space for the eye on `side` (+1 viewer's right, -1 left)."""
    return points * (side, 1.0) + (side * layout.eye_x, layout.eye_y)


def draw_eyes(painter: FacePainter, spec: FaceSpec, layout: FaceLayout, rng: np.random.Generator) -> None:
    shape = eye_shape(layout, rng)
    width, height = layout.eye_width, layout.eye_height
    lash = mix(shade(spec.hair_rgb, -0.5, 0.6), np.array([0.1, 0.06, 0.08]), rng.uniform(0.5, 0.9))
    iris_top, iris_bottom = shade(spec.eye_rgb, IRIS_TOP_SHADE), shade(spec.eye_rgb, IRIS_BOTTOM_SHADE)
    pupil_colour = mix(shade(spec.eye_rgb, -0.35), np.zeros(3), 0.35)
    iris_rx, iris_ry = width * layout.iris_ratio, height * rng.uniform(0.56, 0.66)
    iris_y = height * 0.06
    # The lash line runs past the outer corner and flicks up; one stroke, so nothing overlaps.
    flick_end = np.array([[shape.outer[0] + 2.0, shape.outer[1] - 1.8], [shape.outer[0] + 3.6, shape.outer[1] - 3.8]])
    lash_path = np.concatenate([shape.upper_lid, flick_end])
    lash_widths = np.concatenate([np.linspace(1.0, rng.uniform(2.8, 3.8), len(shape.upper_lid)), [2.2, 0.6]])
    half_lower = shape.lower_lid[: len(shape.lower_lid) // 2 + 1]
    white = np.concatenate([shape.upper_lid, shape.lower_lid[1:-1]])

    # Both eyes go into one fill per feature (same colour, half the shapes to rasterise); the
    # contours of one fill must not overlap, as the even-odd rule would cut the overlap out.
    whites, irises, pupils, highlights, lashes = [], [], [], [], []
    for side in (-1, 1):
        whites.append(_place(white, side, layout))
        # The gaze moves both irises the same way on screen, hence side * gaze in the eye frame.
        iris_x = width * 0.04 + side * layout.gaze_x
        irises.append(_place(ellipse(iris_x, iris_y, iris_rx, iris_ry, num_points=20), side, layout))
        pupils.append(_place(ellipse(iris_x, iris_y - height * 0.04, iris_rx * 0.42, iris_ry * 0.45, num_points=14), side, layout))
        # Highlights sit on the same screen side in both eyes: one light source.
        centre_x = side * (layout.eye_x + iris_x)
        for dx, dy, radius in ((-0.4, -0.38, 0.36), (0.38, 0.42, 0.18)):
            highlights.append(ellipse(centre_x + dx * iris_rx, layout.eye_y + iris_y + dy * iris_ry,
                                      radius * iris_rx * 1.2, radius * iris_rx, num_points=10))
        lashes.append(stroke(_place(lash_path, side, layout), lash_widths))
    painter.fill(whites, EYE_WHITE, Part.EYE_WHITE)
    # Both irises share eye_y, so one vertical gradient serves both.
    gradient_top, gradient_bottom = layout.eye_y + iris_y - iris_ry * 0.7, layout.eye_y + iris_y + iris_ry * 0.8
    painter.fill(irises, iris_top, Part.IRIS, clip_to=(Part.EYE_WHITE,),
                 gradient=(iris_bottom, (0.0, gradient_top), (0.0, gradient_bottom)))
    painter.fill(pupils, pupil_colour, Part.PUPIL, clip_to=(Part.IRIS,))
    painter.fill(highlights, HIGHLIGHT, Part.EYE_HIGHLIGHT, clip_to=(Part.IRIS, Part.PUPIL))
    painter.fill(lashes, lash, Part.LINE)
    lower_widths = np.linspace(1.1, 0.5, len(half_lower))
    painter.fill([stroke(_place(half_lower, side, layout), lower_widths) for side in (-1, 1)], mix(lash, spec.skin_rgb, 0.35), Part.LINE)
    if rng.random() < 0.5:
        crease = shape.upper_lid[3:] + np.array([1.0, -2.6])
        painter.fill([stroke(_place(crease, side, layout), 0.8) for side in (-1, 1)], shade(spec.skin_rgb, -0.25), Part.LINE,
                     clip_to=(Part.SKIN, Part.BLUSH))


def draw_brows(painter: FacePainter, spec: FaceSpec, layout: FaceLayout, rng: np.random.Generator) -> None:
    width, height = layout.eye_width, layout.eye_height
    gap = rng.uniform(3, 6)
    lift = rng.uniform(-1.5, 2.5)
    colour = shade(spec.hair_rgb, -0.22)
    top = -height * 0.55 - gap
    path = bezier((-width * 0.35, top + 1.5), (0, top - 1.5 - lift * 0.3), (width * 0.5, top + 1 - lift), num_points=7)
    widths = np.linspace(1.9, 0.7, len(path))
    painter.fill([stroke(_place(path, side, layout), widths) for side in (-1, 1)], colour, Part.LINE)
