"""Hair in front of the face: side locks, the cap with its bangs, shading strands, the shine ring."""

from __future__ import annotations

import numpy as np

from hw3.data.render.canvas import Part
from hw3.data.render.geometry import arc, bezier, ramp, stroke
from hw3.data.render.hair_back import HairGeometry
from hw3.data.render.painter import FacePainter
from hw3.data.render.palette import shade
from hw3.data.render.spec import FaceLayout, FaceSpec

SIDE_LOCK_LENGTH = {"short": (12, 22), "bob": (26, 34), "long": (30, 52), "twintails": (28, 48), "ponytail": (26, 46)}


def bangs_edge(spec: FaceSpec, layout: FaceLayout, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Strand tips (K, 2) and the notches between them (K-1, 2), right to left, face space."""
    num_tips = int(rng.integers(5, 9))
    edge_x = layout.half_width + 2
    bang_y = rng.uniform(-13, -5)
    tips_x = np.linspace(edge_x, -edge_x, num_tips) + rng.uniform(-1.5, 1.5, num_tips)
    tips_y = bang_y + rng.uniform(-2.5, 2.5, num_tips)
    tips_y[[0, -1]] += rng.uniform(6, 12, 2)  # strands at the temples hang lower
    notches_x = (tips_x[:-1] + tips_x[1:]) / 2
    notches_y = np.minimum(tips_y[:-1], tips_y[1:]) - rng.uniform(5, 11, num_tips - 1)
    if spec.bangs == "swept":
        sweep = (1.0 if rng.random() < 0.5 else -1.0) * rng.uniform(3, 6)
        tips_x[1:-1] += sweep
    elif spec.bangs == "parted":
        middle = (num_tips - 1) // 2
        notches_y[middle] = bang_y - rng.uniform(14, 20)
        notches_x[middle] += rng.uniform(-3, 3)
        tips_x[middle] += 2.5
        tips_x[middle + 1] -= 2.5
    return np.stack([tips_x, tips_y], axis=1), np.stack([notches_x, notches_y], axis=1)


def cap_contour(hair: HairGeometry, tips: np.ndarray, notches: np.ndarray) -> np.ndarray:
    """Top of the head down to the bangs: cranium arc left-to-right, then the strand edge back."""
    top = arc(0, hair.centre_y, hair.radius_x, hair.radius_y, np.pi + 0.15, 2 * np.pi - 0.15, 16)
    edge = [tips[:1]]
    for index, notch in enumerate(notches):
        tip, next_tip = tips[index], tips[index + 1]
        # Curved strand sides: leave each tip going up, arrive at the next tip coming down.
        edge.append(bezier(tip, (tip[0] + (notch[0] - tip[0]) * 0.2, notch[1]), notch, num_points=4)[1:])
        edge.append(bezier(notch, (next_tip[0] + (notch[0] - next_tip[0]) * 0.2, notch[1]), next_tip, num_points=4)[1:])
    return np.concatenate([top, *edge])


def draw_front_hair(painter: FacePainter, spec: FaceSpec, layout: FaceLayout, hair: HairGeometry, rng: np.random.Generator) -> None:
    tips, notches = bangs_edge(spec, layout, rng)
    cap = cap_contour(hair, tips, notches)
    # The bangs cast a soft shadow on the forehead just below their edge.
    painter.fill(cap + np.array([0.0, 3.0]), shade(spec.skin_rgb, -0.1), Part.SKIN, clip_to=(Part.SKIN,))

    low, high = SIDE_LOCK_LENGTH[spec.hair_style]
    lock_width = rng.uniform(8, 11) * (1.3 if spec.hair_style == "bob" else 1.0)
    widths = np.interp(ramp(10), [0, 0.5, 1], [lock_width, lock_width * 0.85, 0.6])
    locks, lock_strands = [], []
    for side in (-1, 1):
        end_y = rng.uniform(low, high)
        x = side * layout.half_width
        path = bezier((x - side * 4, -18), (x + side * 4, 0), (x + side * 2, end_y - 10), (x - side * 2, end_y), num_points=10)
        locks.append(stroke(path, widths))
        lock_strands.append(stroke(path[2:-1] + np.array([-side * lock_width * 0.15, 0.0]), 1.0))
    painter.fill(locks, hair.base, Part.HAIR, outline=hair.line)
    painter.fill(lock_strands, hair.shadow, Part.HAIR, clip_to=(Part.HAIR,))

    painter.fill(cap, hair.base, Part.HAIR, outline=hair.line)
    # Shadow strands continue some notches up into the cap, so the bangs read as separate locks.
    strands = []
    for notch in notches[rng.random(len(notches)) < 0.6]:
        top_y = hair.centre_y - hair.radius_y * rng.uniform(0.4, 0.7)
        strands.append(np.array([[notch[0] - 1.6, top_y], [notch[0] + 1.6, top_y], [notch[0] + 0.3, notch[1] + 1], [notch[0] - 0.3, notch[1] + 1]]))
    if strands:
        painter.fill(strands, hair.shadow, Part.HAIR, clip_to=(Part.HAIR,))
    _draw_shine(painter, hair, rng)
    if spec.ahoge:
        top_y = hair.centre_y - hair.radius_y
        start_x = rng.uniform(-6, 6)
        bend = (1.0 if rng.random() < 0.5 else -1.0)
        path = bezier((start_x, top_y + 3), (start_x + bend * 8, top_y - 8), (start_x - bend * 4, top_y - 14), num_points=8)
        painter.line(path, np.linspace(3.2, 0.6, 8), hair.base, Part.HAIR, outline=hair.line)


def _draw_shine(painter: FacePainter, hair: HairGeometry, rng: np.random.Generator) -> None:
    """The light band across the top of the head, broken into a few jagged pieces."""
    level = rng.uniform(0.6, 0.74)
    width = rng.uniform(0.08, 0.13)
    start, stop = np.pi * rng.uniform(1.12, 1.22), np.pi * rng.uniform(1.78, 1.88)
    num_pieces = int(rng.integers(2, 5))
    bounds = np.linspace(start, stop, num_pieces + 1)
    pieces = []
    for piece_start, piece_stop in zip(bounds[:-1], bounds[1:]):
        gap = (piece_stop - piece_start) * 0.12
        outer = arc(0, hair.centre_y, hair.radius_x * level, hair.radius_y * level, piece_start + gap, piece_stop - gap, 7)
        inner_level = level - width * np.array([0.3, 1.0, 0.5, 1.2, 0.4, 1.0, 0.3])
        angles = np.linspace(piece_stop - gap, piece_start + gap, 7)
        inner = np.stack([hair.radius_x * inner_level * np.cos(angles),
                          hair.centre_y + hair.radius_y * inner_level * np.sin(angles)], axis=1)
        pieces.append(np.concatenate([outer, inner]))
    painter.fill(pieces, hair.light, Part.HAIR, clip_to=(Part.HAIR,))
