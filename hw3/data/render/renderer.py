"""One anime face from its tags and a generator: where the drawing order lives.

`render_face` is the public entry point; it returns the 64x64 image together with how much of
each pixel shows hair and iris, so tests can check that the colours follow the tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hw3.data.render.accessories import draw_glasses, draw_hair_accessories
from hw3.data.render.background import paint_background
from hw3.data.render.canvas import Canvas, Part, downsample, downsample_rgbx
from hw3.data.render.eyes import draw_brows, draw_eyes
from hw3.data.render.face import draw_body, draw_face
from hw3.data.render.hair_back import draw_back_hair, hair_geometry
from hw3.data.render.hair_front import draw_front_hair
from hw3.data.render.painter import FacePainter
from hw3.data.render.spec import CANVAS_SIZE, sample_face_layout, sample_face_spec
from hw3.tags import HairEyeTags

IMAGE_SIZE = 64


@dataclass(frozen=True)
class RenderedFace:
    image: np.ndarray  # (64, 64, 3) uint8 RGB
    tags: HairEyeTags
    extra_tags: tuple[str, ...]  # hair style, bangs, expression, accessories, background
    canvas: Canvas = field(repr=False)  # the supersampled drawing, kept for `part_map`

    @property
    def part_map(self) -> np.ndarray:
        """(128, 128) uint8 `Part` of each supersampled pixel (computed on demand)."""
        return self.canvas.parts

    def coverage(self, part: Part) -> np.ndarray:
        """(64, 64) float32: the fraction of each image pixel that shows `part`."""
        return downsample(self.part_map == part)

    @property
    def hair_coverage(self) -> np.ndarray:
        return self.coverage(Part.HAIR)

    @property
    def iris_coverage(self) -> np.ndarray:
        """Iris only: the pupil and the highlights are not the eye colour."""
        return self.coverage(Part.IRIS)


def render_face(tags: HairEyeTags, rng: np.random.Generator) -> RenderedFace:
    spec = sample_face_spec(rng, tags)
    layout = sample_face_layout(rng)
    canvas = Canvas(CANVAS_SIZE, CANVAS_SIZE)
    painter = FacePainter(canvas, spec.frame)
    paint_background(canvas, spec.background, rng)

    hair = hair_geometry(spec, layout, rng)
    draw_back_hair(painter, spec, layout, hair, rng)
    draw_body(painter, spec, layout, rng)
    draw_face(painter, spec, layout, rng)
    draw_eyes(painter, spec, layout, rng)
    draw_front_hair(painter, spec, layout, hair, rng)
    draw_brows(painter, spec, layout, rng)
    if spec.glasses:
        draw_glasses(painter, layout, rng)
    draw_hair_accessories(painter, spec, hair, rng)

    image = downsample_rgbx(canvas.compose())  # (128, 128, 4) -> (64, 64, 3) uint8
    return RenderedFace(image, tags, spec.extra_tags(), canvas)
