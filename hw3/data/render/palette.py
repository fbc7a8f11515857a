"""Colours: each tag colour is a small distribution in HLS space around a centre.

Hue moves only a few degrees, so a jittered colour never drifts into its neighbour tag
(pink vs red vs purple); lightness and saturation move more, the way artists' "blue" varies.
The achromatic hair tags (black, gray, white) are kept apart by lightness bands.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from hw3.data.render.sampling import choose_index
from hw3.tags import EYE_COLOURS, HAIR_COLOURS


def hls_to_rgb(hue: float, lightness: float, saturation: float) -> np.ndarray:
    return np.array(colorsys.hls_to_rgb((hue / 360.0) % 1.0, lightness, saturation), dtype=np.float32)


@dataclass(frozen=True)
class TagColour:
    hue: float  # degrees
    lightness: float  # HLS, 0..1
    saturation: float  # HLS, 0..1
    hue_jitter: float = 5.0  # degrees, uniform +-
    lightness_jitter: float = 0.05
    saturation_jitter: float = 0.12  # relative, uniform +-

    @property
    def rgb(self) -> np.ndarray:
        return hls_to_rgb(self.hue, self.lightness, self.saturation)


HAIR_TAG_COLOURS: dict[str, TagColour] = {
    "orange": TagColour(26, 0.55, 0.90),
    "white": TagColour(225, 0.92, 0.25, hue_jitter=30, lightness_jitter=0.03, saturation_jitter=0.5),
    "aqua": TagColour(178, 0.58, 0.65),
    "gray": TagColour(225, 0.62, 0.07, hue_jitter=30, lightness_jitter=0.05, saturation_jitter=0.5),
    "green": TagColour(125, 0.42, 0.50),
    "red": TagColour(356, 0.45, 0.72, hue_jitter=4),
    "purple": TagColour(275, 0.50, 0.50),
    "pink": TagColour(335, 0.76, 0.75, hue_jitter=6),
    "blue": TagColour(220, 0.50, 0.70),
    "black": TagColour(230, 0.16, 0.12, hue_jitter=30, lightness_jitter=0.03, saturation_jitter=0.5),
    "brown": TagColour(25, 0.32, 0.45, hue_jitter=4, lightness_jitter=0.04),
    "blonde": TagColour(47, 0.72, 0.85, hue_jitter=4, lightness_jitter=0.04),
}
EYE_TAG_COLOURS: dict[str, TagColour] = {
    "gray": TagColour(220, 0.55, 0.08, hue_jitter=30, saturation_jitter=0.5),
    "black": TagColour(230, 0.17, 0.10, hue_jitter=30, lightness_jitter=0.03, saturation_jitter=0.5),
    "orange": TagColour(28, 0.52, 0.92),
    "pink": TagColour(335, 0.70, 0.78),
    "yellow": TagColour(54, 0.55, 0.90, hue_jitter=4),
    "aqua": TagColour(180, 0.52, 0.72),
    "purple": TagColour(275, 0.50, 0.58),
    "green": TagColour(130, 0.42, 0.62),
    "brown": TagColour(24, 0.33, 0.50, hue_jitter=4, lightness_jitter=0.04),
    "red": TagColour(356, 0.45, 0.78, hue_jitter=4),
    "blue": TagColour(218, 0.50, 0.78),
}
HAIR_RGB = np.stack([HAIR_TAG_COLOURS[name].rgb for name in HAIR_COLOURS])  # (12, 3) in [0, 1]
EYE_RGB = np.stack([EYE_TAG_COLOURS[name].rgb for name in EYE_COLOURS])  # (11, 3) in [0, 1]

# Fair to dark, weighted toward the pale tones typical of the style.
SKIN_TONES = (
    (255, 238, 228), (253, 228, 210), (248, 214, 190), (236, 196, 164), (205, 152, 112), (150, 102, 72),
)
SKIN_TONE_WEIGHTS = (0.28, 0.30, 0.20, 0.12, 0.06, 0.04)


def sample_tag_colour(rng: np.random.Generator, colour: TagColour) -> np.ndarray:
    """One per-image draw of a tag colour, as RGB in [0, 1]."""
    hue = colour.hue + rng.uniform(-colour.hue_jitter, colour.hue_jitter)
    lightness = colour.lightness + rng.uniform(-colour.lightness_jitter, colour.lightness_jitter)
    saturation = colour.saturation * (1.0 + rng.uniform(-colour.saturation_jitter, colour.saturation_jitter))
    return hls_to_rgb(hue, _unit(lightness), _unit(saturation))


def shade(rgb: np.ndarray, lightness_change: float, saturation_scale: float = 1.0) -> np.ndarray:
    """The colour made lighter (+) or darker (-) in HLS, keeping its hue."""
    hue, lightness, saturation = colorsys.rgb_to_hls(float(rgb[0]), float(rgb[1]), float(rgb[2]))
    return np.array(colorsys.hls_to_rgb(hue, _unit(lightness + lightness_change), _unit(saturation * saturation_scale)), dtype=np.float32)


def _unit(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)


def mix(first, second, amount: float) -> np.ndarray:
    """`amount` of the way from `first` to `second`."""
    first, second = np.asarray(first, np.float32), np.asarray(second, np.float32)
    return first + amount * (second - first)


def sample_skin(rng: np.random.Generator) -> np.ndarray:
    index = choose_index(rng, SKIN_TONE_WEIGHTS)
    base = np.asarray(SKIN_TONES[index], np.float32) / 255.0
    return np.minimum(np.maximum(base + rng.uniform(-0.02, 0.02, size=3), 0.0), 1.0).astype(np.float32)


def sample_free_colour(rng: np.random.Generator, lightness: tuple[float, float], saturation: tuple[float, float]) -> np.ndarray:
    """Any hue (clothes, ribbons, backgrounds) within the given lightness and saturation ranges."""
    return hls_to_rgb(rng.uniform(0, 360), rng.uniform(*lightness), rng.uniform(*saturation))
