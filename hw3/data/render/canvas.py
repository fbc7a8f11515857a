"""The supersampled canvas: shapes paint ids into one map; colours are looked up at the end.

Each pixel holds one uint16: the face part it shows (hair, iris, ...) in the high byte and the
paint "slot" (one per shape, with its own colour) in the low byte. Painting one small integer
per pixel keeps each shape cheap; the part byte lets shapes be clipped to parts (shading only on
hair) and lets the tests check that rendered colours follow the tags.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from hw3.data.render.raster import Mask, fill_polygons


class Part(IntEnum):
    BACKGROUND = 0
    HAIR = 1
    SKIN = 2
    NECK = 3
    CLOTHES = 4
    LINE = 5  # outlines, lashes, brows
    EYE_WHITE = 6
    IRIS = 7
    PUPIL = 8
    EYE_HIGHLIGHT = 9
    MOUTH = 10
    BLUSH = 11
    ACCESSORY = 12


MAX_SLOTS = 256  # the slot is the low byte; slot 0 is the background colour
OUTLINE_WIDTH = 2  # canvas pixels, i.e. one pixel of the 64x64 image


def _packed_rgb(colour) -> int:
    """RGB in [0, 1] -> 0x00BBGGRR, which reads as bytes R, G, B, 0 on little-endian machines."""
    red, green, blue = colour.tolist() if isinstance(colour, np.ndarray) else colour
    return _byte(red) | _byte(green) << 8 | _byte(blue) << 16


def _byte(value: float) -> int:
    return min(max(int(value * 255 + 0.5), 0), 255)


class Canvas:
    def __init__(self, height: int, width: int):
        self.height, self.width = height, width
        self.pixels = np.zeros((height, width), dtype=np.uint16)  # part << 8 | slot
        self.slot_colours = [0]  # packed RGB per slot
        # slot -> (start rgb, end rgb, start point, end point, mask) of a linear gradient
        self.gradients: dict[int, tuple] = {}
        self._pending: list[tuple] = []  # shapes queued by `fill`

    @property
    def parts(self) -> np.ndarray:
        """(H, W) uint8 `Part` of every pixel."""
        self._flush()
        return (self.pixels >> 8).astype(np.uint8)

    def set_background(self, colour) -> None:
        """The colour of every pixel that nothing is painted over (slot 0)."""
        self.slot_colours[0] = _packed_rgb(colour)

    def fill(self, points: np.ndarray, lengths: list[int], colour, part: Part, clip_to: tuple[Part, ...] | None = None,
             gradient: tuple | None = None, outline=None) -> None:
        """Paint canvas-space contours (see `raster.fill_polygon`) in `colour`, over `clip_to` parts only if given.

        `gradient=(end_colour, start_point, end_point)` blends from `colour` at the start point to
        `end_colour` at the end point. `outline` is a colour: the shape is first painted grown by
        OUTLINE_WIDTH in it, which leaves a one-pixel line around the shape.
        Shapes queue up and are rasterised together when the picture is needed; painting order
        is kept, so a shape is clipped by everything painted before it.
        """
        self._pending.append((points, lengths, colour, part, clip_to, gradient, outline))

    def paint(self, mask: Mask, colour, part: Part, clip_to=None, gradient=None) -> None:
        """Paint an already rasterised mask (after everything queued before it)."""
        self._flush()
        self._paint(mask, colour, part, clip_to, gradient)

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        masks = fill_polygons([(points, lengths) for points, lengths, *_ in pending], self.height, self.width)
        for (_, _, colour, part, clip_to, gradient, outline), mask in zip(pending, masks):
            if mask is None:
                continue
            if outline is not None:
                self._paint(mask.dilated(OUTLINE_WIDTH, self.height, self.width), outline, Part.LINE, clip_to)
            self._paint(mask, colour, part, clip_to, gradient)

    def _paint(self, mask: Mask, colour, part: Part, clip_to=None, gradient=None) -> None:
        slot = len(self.slot_colours)
        if slot == MAX_SLOTS:
            raise RuntimeError(f"more than {MAX_SLOTS - 1} shapes on one canvas")
        self.slot_colours.append(_packed_rgb(colour))
        if gradient is not None:
            end_colour, start, end = gradient
            self.gradients[slot] = (np.asarray(colour, np.float32), np.asarray(end_colour, np.float32), start, end, mask)
        region = self.pixels[mask.top : mask.top + mask.inside.shape[0], mask.left : mask.left + mask.inside.shape[1]]
        inside = mask.inside
        if clip_to is not None:
            region_parts = region >> 8
            allowed = region_parts == clip_to[0]
            for other in clip_to[1:]:
                allowed |= region_parts == other
            inside = inside & allowed
        value = int(part) << 8 | slot
        if inside.size <= 4096:
            np.putmask(region, inside, value)
        else:  # arithmetic with a 0/1 mask beats putmask on large regions
            region += (np.uint16(value) - region) * inside

    def compose(self) -> np.ndarray:
        """(H, W, 4) uint8 image: RGB and an unused fourth byte (kept so pixels are one uint32)."""
        self._flush()
        colours = np.array(self.slot_colours, dtype="<u4")  # little-endian: bytes R, G, B, 0
        slots = self.pixels & 0xFF
        packed = np.take(colours, slots)  # (H, W) uint32: one gather for the whole picture
        for slot, (start_colour, end_colour, start, end, mask) in self.gradients.items():
            rows, cols = mask.rows, mask.cols
            here = slots[rows, cols] == slot
            if not here.any():
                continue
            dx, dy = end[0] - start[0], end[1] - start[1]
            scale = 255.0 / max(dx * dx + dy * dy, 1e-9)
            along_x = (np.arange(cols.start, cols.stop) + 0.5 - start[0]) * (dx * scale)  # (w,)
            along_y = (np.arange(rows.start, rows.stop) + 0.5 - start[1]) * (dy * scale)  # (h,)
            level = np.clip(along_y[:, None] + along_x[None, :], 0, 255) + 0.5  # (h, w): 0..255 from start to end
            np.copyto(packed[rows, cols], np.take(_gradient_table(start_colour, end_colour), level.astype(np.uint8)), where=here)
        return packed.view(np.uint8).reshape(self.height, self.width, 4)


def _gradient_table(start_colour: np.ndarray, end_colour: np.ndarray) -> np.ndarray:
    """(256,) packed colours from `start_colour` to `end_colour`: 256 steps look smooth at 64 px."""
    steps = np.linspace(0.0, 1.0, 256, dtype=np.float32)[:, None]
    rgb = np.rint(np.clip(start_colour + steps * (end_colour - start_colour), 0.0, 1.0) * 255).astype("<u4")  # (256, 3)
    return rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16


def downsample_rgbx(image: np.ndarray) -> np.ndarray:
    """Average 2x2 blocks of a (H, W, 4) uint8 RGBX image (the anti-aliasing step) -> (H/2, W/2, 3) uint8.

    Works on each pixel as one uint32 with R and B, and G and X, in separate 16-bit lanes, so four
    pixels add up without overflow; ~4x faster than widening every byte to uint16.
    """
    packed = image.view("<u4")[:, :, 0]  # (H, W): bytes R, G, B, X
    even, odd = packed & 0x00FF00FF, (packed >> 8) & 0x00FF00FF  # lanes (R, B) and (G, X)
    sums = []
    for lanes in (even, odd):
        rows = lanes[0::2] + lanes[1::2]
        sums.append(((rows[:, 0::2] + rows[:, 1::2] + 0x00020002) >> 2) & 0x00FF00FF)  # rounded means
    averaged = sums[0] | (sums[1] << 8)  # (H/2, W/2)
    return np.ascontiguousarray(averaged.view(np.uint8).reshape(*averaged.shape, 4)[:, :, :3])


def downsample(mask: np.ndarray) -> np.ndarray:
    """Fraction of each 2x2 block that is set: (H, W) bool -> (H/2, W/2) float32."""
    mask = mask.astype(np.float32)
    return 0.25 * (mask[0::2, 0::2] + mask[1::2, 0::2] + mask[0::2, 1::2] + mask[1::2, 1::2])
