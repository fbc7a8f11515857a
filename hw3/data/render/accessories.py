"""Glasses, ribbons and hair ties."""

from __future__ import annotations

import numpy as np

from hw3.data.render.canvas import Part
from hw3.data.render.geometry import bezier, ellipse, stroke
from hw3.data.render.hair_back import HairGeometry
from hw3.data.render.painter import FacePainter
from hw3.data.render.palette import hls_to_rgb, sample_free_colour, shade
from hw3.data.render.spec import FaceLayout, FaceSpec

FRAME_COLOURS = ((0.1, 0.1, 0.12), (0.45, 0.1, 0.12), (0.35, 0.22, 0.12), (0.15, 0.2, 0.45), (0.55, 0.55, 0.6))


def _rounded_box(cx: float, cy: float, rx: float, ry: float, squareness: float, num_points: int = 24) -> np.ndarray:
    """Superellipse: squareness 2 is an ellipse, larger values approach a rectangle."""
    angles = np.linspace(0, 2 * np.pi, num_points, endpoint=False)
    cos, sin = np.cos(angles), np.sin(angles)
    power = 2.0 / squareness
    return np.stack([cx + rx * np.sign(cos) * np.abs(cos) ** power, cy + ry * np.sign(sin) * np.abs(sin) ** power], axis=1)


def draw_glasses(painter: FacePainter, layout: FaceLayout, rng: np.random.Generator) -> None:
    colour = np.asarray(FRAME_COLOURS[rng.integers(len(FRAME_COLOURS))], np.float32)
    squareness = (2.0, 3.5, 5.0)[rng.integers(3)]
    rx, ry = layout.eye_width / 2 + rng.uniform(2.5, 4), layout.eye_height / 2 + rng.uniform(2.5, 4)
    thickness = rng.uniform(1.4, 2.0)
    y = layout.eye_y + 0.5
    rims, arms = [], []
    for side in (-1, 1):
        cx = side * layout.eye_x
        rims += [_rounded_box(cx, y, rx, ry, squareness), _rounded_box(cx, y, rx - thickness, ry - thickness, squareness)]
        arm = np.array([[side * (layout.eye_x + rx - 0.5), y - ry * 0.4], [side * (layout.half_width + 3), y - ry * 0.6]])
        arms.append(stroke(arm, thickness))
    bridge = bezier((-(layout.eye_x - rx + 0.5), y - ry * 0.3), (0, y - ry * 0.6), (layout.eye_x - rx + 0.5, y - ry * 0.3), num_points=5)
    painter.fill(rims, colour, Part.ACCESSORY)  # outer and inner contour of each rim: a ring
    painter.fill([*arms, stroke(bridge, thickness)], colour, Part.ACCESSORY)


def _accent_colour(rng: np.random.Generator) -> np.ndarray:
    roll = rng.random()
    if roll < 0.15:
        return hls_to_rgb(0, 0.96, 0.0)  # white
    if roll < 0.25:
        return hls_to_rgb(0, 0.12, 0.0)  # black
    return sample_free_colour(rng, lightness=(0.4, 0.65), saturation=(0.6, 0.95))


def bow_contours(centre: tuple[float, float], size: float, angle: float) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """A bow's two tails, two loops and knot, face space. The pieces meet under the knot."""
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.array([[cos, sin], [-sin, cos]]) * size  # points are rows

    def place(points: np.ndarray) -> np.ndarray:
        return points @ rotation + centre

    loop = bezier((0, 0), (-1.5, -1.2), (-1.5, 1.0), (0, 0), num_points=10)
    tails = [place(np.array([[0.0, 0.1], [flip * 0.55, 1.3], [flip * 0.2, 1.25]])) for flip in (1.0, -1.0)]
    loops = [place(loop * (flip, 1.0)) for flip in (1.0, -1.0)]
    return tails, loops, place(ellipse(0, 0, 0.3, 0.34, num_points=10))


def draw_hair_accessories(painter: FacePainter, spec: FaceSpec, hair: HairGeometry, rng: np.random.Generator) -> None:
    """A ribbon (a bow; one per tail for twin tails) when tagged, else plain ties where tails leave the head."""
    colour = _accent_colour(rng)
    line = shade(colour, -0.3)
    if spec.ribbon:
        if hair.tail_anchors:
            spots = hair.tail_anchors
        else:
            angle = np.pi * 1.5 + (1.0 if rng.random() < 0.5 else -1.0) * rng.uniform(0.45, 0.7)
            spots = ((hair.radius_x * 0.88 * np.cos(angle), hair.centre_y + hair.radius_y * 0.88 * np.sin(angle)),)
        size = rng.uniform(6.5, 9.5)
        bows = [bow_contours(spot, size, rng.uniform(-0.5, 0.5) + (0.35 if spot[0] > 0 else -0.35)) for spot in spots]
        # Pieces of one kind share a fill: where a bow's own pieces overlap, the knot covers it.
        painter.fill([tail for tails, _, _ in bows for tail in tails], shade(colour, -0.1), Part.ACCESSORY, outline=line)
        painter.fill([loop for _, loops, _ in bows for loop in loops], colour, Part.ACCESSORY, outline=line)
        painter.fill([knot for _, _, knot in bows], shade(colour, -0.08), Part.ACCESSORY, outline=line)
    elif hair.tail_anchors:
        ties = [ellipse(x, y, 3.2, 4.2, rotation=0.6 if x > 0 else -0.6, num_points=12) for x, y in hair.tail_anchors]
        painter.fill(ties, colour, Part.ACCESSORY, outline=line)
