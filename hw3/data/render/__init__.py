"""Procedural anime faces, the project's default data set.

Where "blue hair" turns into pixels: `spec.sample_face_spec` picks the per-image colour from
`palette.HAIR_TAG_COLOURS`, and `hair_back` / `hair_front` paint it. `renderer.render_face` is the
entry point; `writer.render_dataset` renders whole splits to disk (`hw3 data render`).
"""

from hw3.data.render.canvas import Part
from hw3.data.render.palette import EYE_RGB, HAIR_RGB
from hw3.data.render.renderer import RenderedFace, render_face

__all__ = ["EYE_RGB", "HAIR_RGB", "Part", "RenderedFace", "render_face"]
