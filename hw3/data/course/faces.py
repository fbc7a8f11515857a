"""One course image -> 64 x 64 RGB pixels, or the reason (kind and message) it cannot be used.

Unusable: a missing file, one PIL cannot read or decode, one larger than
`hw3.images.MAX_IMAGE_SIDE`, and a degenerate one, which would come in as a uniform face: smaller
than MIN_SIDE a side, fully transparent, or one colour throughout. A grey-scale image is usable
(the user may mean it) but is marked, so the importer can warn that it carries colour labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from hw3.images import ImageRefused, looks_grey, open_image, resize_to_face, rgb_image

IMAGE_SIZE = 64
MIN_SIDE = 32  # smaller faces would be blown up more than 2x: a blur, not a face
RESIZE_RULE = "centre crop to a square, then PIL Lanczos to 64 x 64"
GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


class DecodedFace(NamedTuple):
    pixels: np.ndarray | None  # (64, 64, 3) uint8, None when unusable
    source_size: tuple[int, int] | None  # (width, height) before resizing
    kind: str | None  # why unusable: missing_image, unreadable_image, corrupt_image or degenerate_image
    reason: str | None  # one-line message, without the path
    grey: bool = False  # a grey-scale picture (by its mode, or R = G = B throughout)


def decode_face(path: Path) -> DecodedFace:
    try:
        with open_image(path) as image:
            size = image.size
            if min(size) < MIN_SIDE:
                return _degenerate(size, f"is {size[0]} x {size[1]} pixels (expected at least {MIN_SIDE} a side)")
            image.load()  # decodes now, so a truncated file fails here
            grey_mode = image.mode in GREY_MODES
            if _fully_transparent(image):
                return _degenerate(size, "is fully transparent (expected a face)")
            image = rgb_image(image)
    except FileNotFoundError:
        return DecodedFace(None, None, "missing_image", "is missing (expected one image file per tags line)")
    except Image.UnidentifiedImageError:
        return DecodedFace(None, None, "unreadable_image", "is not an image PIL can read (expected a JPEG)")
    except ImageRefused as error:
        return DecodedFace(None, None, "unreadable_image", str(error))
    except (IsADirectoryError, PermissionError) as error:
        return DecodedFace(None, None, "unreadable_image", f"cannot be read ({error.strerror})")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        return DecodedFace(None, None, "corrupt_image", f"cannot be decoded: {error} (expected a complete JPEG)")
    pixels = np.asarray(to_square_64(image))
    if int(np.ptp(pixels.reshape(-1, 3), axis=0).max()) <= 2:
        return _degenerate(size, "is one uniform colour (expected a face)")
    return DecodedFace(pixels, size, None, None, grey_mode or looks_grey(pixels))


def _degenerate(size: tuple[int, int], reason: str) -> DecodedFace:
    return DecodedFace(None, size, "degenerate_image", reason)


def _fully_transparent(image: Image.Image) -> bool:
    if "A" not in image.getbands() and "transparency" not in image.info:
        return False
    return image.convert("RGBA").getchannel("A").getextrema()[1] == 0


def to_square_64(image: Image.Image) -> Image.Image:
    width, height = image.size
    side = min(width, height)
    if width != height:
        left, top = (width - side) // 2, (height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    if side != IMAGE_SIZE:
        image = resize_to_face(image)
    return image
