"""The per-image choices that a tag describes: hair style, expression, accessories, colours.

Finer geometry (strand positions, eye proportions) is drawn by each part's module from the same
generator, in a fixed order, so one (seed, split, index) always gives the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hw3.data.render.geometry import FaceFrame
from hw3.data.render.palette import EYE_TAG_COLOURS, HAIR_TAG_COLOURS, sample_skin, sample_tag_colour
from hw3.data.render.sampling import choose_index
from hw3.tags import HairEyeTags

CANVAS_SIZE = 128  # drawn at 2x and area-averaged down to 64x64
HAIR_STYLES = {"short": 0.22, "long": 0.30, "bob": 0.16, "twintails": 0.16, "ponytail": 0.16}
BANGS = {"blunt": 0.4, "swept": 0.35, "parted": 0.25}
EXPRESSIONS = {"neutral": 0.3, "smile": 0.35, "open smile": 0.2, "surprised": 0.15}
BACKGROUNDS = {"white": 0.25, "simple": 0.25, "gradient": 0.2, "stripes": 0.1, "dots": 0.1, "checks": 0.1}

STYLE_TAGS = {
    "short": ("short hair",),
    "long": ("long hair",),
    "bob": ("short hair", "bob cut"),
    "twintails": ("long hair", "twintails"),
    "ponytail": ("long hair", "ponytail"),
}
BANGS_TAGS = {"blunt": ("blunt bangs",), "swept": ("swept bangs",), "parted": ("parted bangs",)}
EXPRESSION_TAGS = {
    "neutral": ("closed mouth",),
    "smile": ("smile", "closed mouth"),
    "open smile": ("smile", "open mouth"),
    "surprised": ("open mouth",),
}
BACKGROUND_TAGS = {
    "white": ("simple background", "white background"),
    "simple": ("simple background",),
    "gradient": ("gradient background",),
    "stripes": ("striped background",),
    "dots": ("polka dot background",),
    "checks": ("checkered background",),
}


@dataclass(frozen=True)
class FaceSpec:
    tags: HairEyeTags
    hair_rgb: np.ndarray  # (3,) in [0, 1]
    eye_rgb: np.ndarray
    skin_rgb: np.ndarray
    frame: FaceFrame
    hair_style: str
    bangs: str
    ahoge: bool
    expression: str
    blush: bool
    glasses: bool
    ribbon: bool
    background: str

    def extra_tags(self) -> tuple[str, ...]:
        """Tags beyond the two colours, in a fixed order, for `tags_full.csv`."""
        tags = [*STYLE_TAGS[self.hair_style], *BANGS_TAGS[self.bangs]]
        if self.ahoge:
            tags.append("ahoge")
        tags.extend(EXPRESSION_TAGS[self.expression])
        tags.extend(name for name, present in (("blush", self.blush), ("glasses", self.glasses), ("ribbon", self.ribbon)) if present)
        tags.extend(BACKGROUND_TAGS[self.background])
        return tuple(tags)


def _choose(rng: np.random.Generator, weights: dict[str, float]) -> str:
    return list(weights)[choose_index(rng, list(weights.values()))]


def sample_face_spec(rng: np.random.Generator, tags: HairEyeTags) -> FaceSpec:
    centre = CANVAS_SIZE / 2
    frame = FaceFrame(
        centre_x=centre + rng.uniform(-6, 6),
        centre_y=centre + 6 + rng.uniform(-5, 5),
        scale=rng.uniform(0.95, 1.18),
        tilt=np.deg2rad(rng.uniform(-10, 10)),
    )
    return FaceSpec(
        tags=tags,
        hair_rgb=sample_tag_colour(rng, HAIR_TAG_COLOURS[tags.hair]),
        eye_rgb=sample_tag_colour(rng, EYE_TAG_COLOURS[tags.eyes]),
        skin_rgb=sample_skin(rng),
        frame=frame,
        hair_style=_choose(rng, HAIR_STYLES),
        bangs=_choose(rng, BANGS),
        ahoge=bool(rng.random() < 0.15),
        expression=_choose(rng, EXPRESSIONS),
        blush=bool(rng.random() < 0.35),
        glasses=bool(rng.random() < 0.12),
        ribbon=bool(rng.random() < 0.22),
        background=_choose(rng, BACKGROUNDS),
    )


@dataclass(frozen=True)
class FaceLayout:
    """Where the features sit, in face-space pixels (see geometry.py)."""

    half_width: float  # of the face at the cheeks
    chin_y: float
    jaw: float  # 0.3 pointed .. 0.7 round
    eye_x: float  # distance of each eye centre from the middle
    eye_y: float
    eye_width: float  # canvas px at scale 1
    eye_height: float
    eye_lift: float  # outer-corner lift: > 0 upturned (tsurime), < 0 drooping (tareme)
    iris_ratio: float  # iris radius / eye width
    gaze_x: float
    mouth_y: float


def sample_face_layout(rng: np.random.Generator) -> FaceLayout:
    eye_width = rng.uniform(16.5, 20.5)  # times the face scale: 8-12 px wide in the 64 px image
    return FaceLayout(
        half_width=rng.uniform(28, 32),
        chin_y=rng.uniform(33, 38),
        jaw=rng.uniform(0.3, 0.65),
        eye_x=rng.uniform(12.5, 15.0),
        eye_y=rng.uniform(5, 8),
        eye_width=eye_width,
        eye_height=eye_width * rng.uniform(0.66, 0.85),
        eye_lift=rng.uniform(-3, 3),
        iris_ratio=rng.uniform(0.31, 0.37),
        gaze_x=rng.uniform(-1.5, 1.5),
        mouth_y=rng.uniform(23, 27),
    )
