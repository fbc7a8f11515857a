"""The head below the hair: neck and shoulders, face shape, nose, mouth and blush."""

from __future__ import annotations

import numpy as np

from hw3.data.render.canvas import Part
from hw3.data.render.geometry import arc, bezier, ellipse, mirror
from hw3.data.render.painter import FacePainter
from hw3.data.render.palette import mix, sample_free_colour, shade
from hw3.data.render.spec import FaceLayout, FaceSpec

MOUTH_RED = np.array([0.55, 0.16, 0.2], np.float32)
TONGUE_PINK = np.array([0.93, 0.5, 0.52], np.float32)
BLUSH_PINK = np.array([1.0, 0.45, 0.5], np.float32)


def skin_line_colour(skin: np.ndarray) -> np.ndarray:
    return shade(skin, -0.35, 0.8)


CRANIUM_POINTS = 14  # points of face_contour before the jaw


def face_contour(layout: FaceLayout) -> np.ndarray:
    """Closed (N, 2) outline: round cranium on top, cheeks narrowing to a pointed chin."""
    half_width, chin_y = layout.half_width, layout.chin_y
    top = arc(0, 2, half_width, 38, np.pi, 2 * np.pi, CRANIUM_POINTS)  # left cheek, over the top, right cheek
    right = bezier((half_width, 2), (half_width, 16), (half_width * layout.jaw, chin_y - 3), (0, chin_y), num_points=10)
    left = mirror(right)[::-1]
    return np.concatenate([top, right[1:], left[1:-1]])


def draw_body(painter: FacePainter, spec: FaceSpec, layout: FaceLayout, rng: np.random.Generator) -> None:
    neck_half = layout.half_width * 0.34
    skin_shadow = shade(spec.skin_rgb, -0.1)
    line = skin_line_colour(spec.skin_rgb)
    neck = np.array([[-neck_half, 10], [neck_half, 10], [neck_half * 1.05, 62], [-neck_half * 1.05, 62]])
    painter.fill(neck, spec.skin_rgb, Part.NECK, outline=line)
    # The chin's shadow falls on the neck: the jaw line moved down, closed above the jaw.
    jaw = face_contour(layout)[CRANIUM_POINTS:]  # right cheek, chin, left cheek
    shadow = np.concatenate([jaw + (0.0, 7.0), [[-layout.half_width, 0.0], [layout.half_width, 0.0]]])
    painter.fill(shadow, skin_shadow, Part.NECK, clip_to=(Part.NECK,))

    clothes = sample_free_colour(rng, lightness=(0.2, 0.85), saturation=(0.0, 0.7))
    shoulder_y = rng.uniform(48, 54)
    shirt = np.array([
        [-130, 160], [-130, shoulder_y + 28], [-60, shoulder_y + 6], [-neck_half * 1.3, shoulder_y],
        [neck_half * 1.3, shoulder_y], [60, shoulder_y + 6], [130, shoulder_y + 28], [130, 160],
    ])
    painter.fill(shirt, clothes, Part.CLOTHES, outline=shade(clothes, -0.3))
    depth = rng.uniform(4, 14)
    neckline = bezier((-neck_half * 1.3, shoulder_y - 1), (0, shoulder_y + depth * 1.6), (neck_half * 1.3, shoulder_y - 1), num_points=8)
    painter.fill(neckline, skin_shadow, Part.NECK, outline=shade(clothes, -0.3))


def draw_face(painter: FacePainter, spec: FaceSpec, layout: FaceLayout, rng: np.random.Generator) -> None:
    skin, line = spec.skin_rgb, skin_line_colour(spec.skin_rgb)
    painter.fill(face_contour(layout), skin, Part.SKIN, outline=line)
    nose_y = (layout.eye_y + layout.mouth_y) / 2 + rng.uniform(1, 3)
    painter.line(np.array([[0.6, nose_y - 1.2], [-0.4, nose_y + 0.6]]), 1.3, shade(skin, -0.22))
    if spec.blush:
        blush = mix(skin, BLUSH_PINK, rng.uniform(0.25, 0.45))
        centre_y = layout.eye_y + layout.eye_height * 0.5 + rng.uniform(3, 5)
        radius_x, radius_y = rng.uniform(5, 7), rng.uniform(2.2, 3.2)
        cheeks = [ellipse(side * (layout.eye_x + 2), centre_y, radius_x, radius_y, num_points=16) for side in (-1, 1)]
        painter.fill(cheeks, blush, Part.BLUSH, clip_to=(Part.SKIN,))
    draw_mouth(painter, spec.expression, layout, skin, rng)


def draw_mouth(painter: FacePainter, expression: str, layout: FaceLayout, skin: np.ndarray, rng: np.random.Generator) -> None:
    y = layout.mouth_y
    width = rng.uniform(4, 7)
    line = shade(skin, -0.45, 0.8)
    if expression == "neutral":
        painter.line(bezier((-width * 0.6, y), (0, y + rng.uniform(-0.6, 0.8)), (width * 0.6, y), num_points=5), 1.4, line, Part.MOUTH)
    elif expression == "smile":
        curve = rng.uniform(1.5, 3.0)
        painter.line(bezier((-width, y - curve * 0.5), (-width * 0.3, y + curve), (width * 0.3, y + curve), (width, y - curve * 0.5), num_points=8),
                     1.5, line, Part.MOUTH)
    elif expression == "open smile":
        depth = rng.uniform(4, 7)
        mouth = np.concatenate([
            bezier((-width, y - 1), (0, y + 0.5), (width, y - 1), num_points=5),
            bezier((width, y - 1), (width * 0.7, y + depth), (-width * 0.7, y + depth), (-width, y - 1), num_points=8)[1:-1],
        ])
        painter.fill(mouth, MOUTH_RED, Part.MOUTH, outline=shade(MOUTH_RED, -0.15))
        painter.fill(ellipse(0, y + depth * 0.62, width * 0.55, depth * 0.35), TONGUE_PINK, Part.MOUTH, clip_to=(Part.MOUTH,))
    elif expression == "surprised":
        painter.fill(ellipse(0, y + 1, rng.uniform(2.2, 3.2), rng.uniform(2.8, 4.0), num_points=14), MOUTH_RED, Part.MOUTH,
                     outline=shade(MOUTH_RED, -0.15))
    else:
        raise ValueError(f"unknown expression {expression!r}")
