"""Hair behind the head: the mass that frames the face, and twin tails or a ponytail.

Every hair style shares one cranium ellipse (`HairGeometry`), which the front hair and the
ribbons use too, so all parts of one head agree on where the hair is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hw3.data.render.canvas import Part
from hw3.data.render.geometry import arc, bezier, ellipse, mirror, ramp, stroke
from hw3.data.render.painter import FacePainter
from hw3.data.render.palette import shade
from hw3.data.render.spec import FaceLayout, FaceSpec


@dataclass(frozen=True)
class HairGeometry:
    centre_y: float  # cranium ellipse centre (x is 0)
    radius_x: float
    radius_y: float
    base: np.ndarray  # lit front hair
    back: np.ndarray  # hair behind the head, a little darker
    shadow: np.ndarray
    light: np.ndarray
    line: np.ndarray
    tail_anchors: tuple[tuple[float, float], ...]  # where tails leave the head (ribbon spots)


def hair_geometry(spec: FaceSpec, layout: FaceLayout, rng: np.random.Generator) -> HairGeometry:
    volume = rng.uniform(0, 4)
    radius_x = layout.half_width + 5 + volume
    radius_y = layout.half_width + 13 + volume
    centre_y = -8.0
    if spec.hair_style == "twintails":
        anchors = ((-(radius_x - 3), centre_y - radius_y * 0.55), (radius_x - 3, centre_y - radius_y * 0.55))
    elif spec.hair_style == "ponytail":
        side = 1 if rng.random() < 0.5 else -1
        anchors = ((side * (radius_x - 9), centre_y - radius_y * 0.82),)
    else:
        anchors = ()
    base = spec.hair_rgb
    return HairGeometry(centre_y, radius_x, radius_y, base, shade(base, -0.06), shade(base, -0.14),
                        shade(base, 0.17, 0.9), shade(base, -0.32, 0.8), anchors)


def _jagged_edge(start_x: float, end_x: float, y: float, num_tips: int, tip_length: float, rng) -> np.ndarray:
    """Points from start_x to end_x alternating strand tips (below y) and notches (at y)."""
    xs = np.linspace(start_x, end_x, 2 * num_tips + 1)
    ys = np.full_like(xs, y)
    ys[1::2] += rng.uniform(0.5, 1.0, num_tips) * tip_length
    return np.stack([xs, ys], axis=1)


def back_hair_contour(spec: FaceSpec, hair: HairGeometry, rng: np.random.Generator) -> np.ndarray:
    rx, ry, cy = hair.radius_x + 1, hair.radius_y, hair.centre_y
    top = arc(0, cy, rx, ry, np.pi, 2 * np.pi, 16)  # left, over the top, right
    style = spec.hair_style
    if style == "long":
        flare = rng.uniform(6, 18)
        right = bezier((rx, cy), (rx + 6, 25), (rx + flare, 70), (rx + flare + 2, 150), num_points=8)
        bottom = np.array([[rx + flare + 2, 150], [-(rx + flare + 2), 150]])
    elif style == "bob":
        length = rng.uniform(28, 38)
        right = bezier((rx, cy), (rx + 5, 10), (rx + 5, length - 6), (rx - 3, length), num_points=8)
        bottom = _jagged_edge(rx - 3, -(rx - 3), length - 1, 6, 3.0, rng)
    else:  # short, and the short back of twin tails / ponytail
        length = rng.uniform(14, 26) if style == "short" else rng.uniform(4, 14)
        right = bezier((rx, cy), (rx + 2, cy + 10), (rx, length - 4), (rx - 2, length), num_points=6)
        bottom = _jagged_edge(rx - 2, -(rx - 2), length - 3, 5, 8.0, rng)
    left = mirror(right)[::-1]
    return np.concatenate([top, right[1:], bottom[1:-1], left[:-1]])


def _tail_path(spec: FaceSpec, hair: HairGeometry, anchor: tuple[float, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Centre line (12, 2) and widths (12,) of a twin tail or ponytail leaving the head at `anchor`."""
    anchor_x, anchor_y = anchor
    side, rx = (1 if anchor_x > 0 else -1), hair.radius_x
    t = ramp(12)
    if spec.hair_style == "twintails":
        spread, length = rng.uniform(14, 26), rng.uniform(90, 150)
        path = bezier(anchor, (side * (rx + spread), anchor_y + 4), (side * (rx + spread + 6), 40),
                      (side * (rx + spread - 4), length), num_points=12)
        return path, np.interp(t, [0, 0.2, 0.5, 0.85, 1], [9, 22, 25, 18, 3])
    spread = rng.uniform(12, 20)
    path = bezier(anchor, (side * (rx + spread), anchor_y - 6), (side * (rx + spread + 4), 20),
                  (side * (rx + spread - 6), rng.uniform(70, 120)), num_points=12)
    return path, np.interp(t, [0, 0.2, 0.5, 0.85, 1], [8, 17, 19, 12, 2])


def draw_back_hair(painter: FacePainter, spec: FaceSpec, layout: FaceLayout, hair: HairGeometry, rng: np.random.Generator) -> None:
    rx, ry, cy = hair.radius_x, hair.radius_y, hair.centre_y
    if hair.tail_anchors:
        tails = [_tail_path(spec, hair, anchor, rng) for anchor in hair.tail_anchors]
        painter.fill([stroke(path, widths) for path, widths in tails], hair.back, Part.HAIR, outline=hair.line)
        strands = []
        for path, widths in tails:
            for offset in (-0.25, 0.2):
                strand = path.copy()
                strand[:, 0] += offset * widths
                strands.append(stroke(strand[1:-2], 1.1))
        painter.fill(strands, hair.shadow, Part.HAIR, clip_to=(Part.HAIR,))

    painter.fill(back_hair_contour(spec, hair, rng), hair.back, Part.HAIR, outline=hair.line)
    # The hair right behind the neck is in the head's shadow.
    painter.fill(ellipse(0, 26, layout.half_width * 0.95, 34), hair.shadow, Part.HAIR, clip_to=(Part.HAIR,))
    strands = []
    for side in (-1, 1):
        for band in ((0.55, 0.75), (0.78, 0.98)):  # separate bands, so strands never cross
            x = side * rng.uniform(*band) * rx
            spread = rng.uniform(2, 8)
            strands.append(stroke(bezier((x, cy - ry * 0.3), (x + side * spread, 20), (x + side * spread * 1.6, 90), num_points=8), 1.2))
    painter.fill(strands, hair.shadow, Part.HAIR, clip_to=(Part.HAIR,))
