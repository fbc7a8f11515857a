"""One course image -> 64 x 64 RGB pixels, or the reason (kind and message) it cannot be used."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from hw3.images import resize_to_face

IMAGE_SIZE = 64
RESIZE_RULE = "centre crop to a square, then PIL Lanczos to 64 x 64"


class DecodedFace(NamedTuple):
    pixels: np.ndarray | None  # (64, 64, 3) uint8, None when unusable
    source_size: tuple[int, int] | None  # (width, height) before resizing
    kind: str | None  # why unusable: missing_image, unreadable_image or corrupt_image
    reason: str | None  # one-line message, without the path


def decode_face(path: Path) -> DecodedFace:
    try:
        with Image.open(path) as image:
            image.load()  # decodes now, so a truncated file fails here
            size = image.size
            if "A" in image.getbands() or "transparency" in image.info:
                image = Image.alpha_composite(Image.new("RGBA", size, "white"), image.convert("RGBA"))
            image = image.convert("RGB")
    except FileNotFoundError:
        return DecodedFace(None, None, "missing_image", "is missing (expected one image file per tags line)")
    except Image.UnidentifiedImageError:
        return DecodedFace(None, None, "unreadable_image", "is not an image PIL can read (expected a JPEG)")
    except (IsADirectoryError, PermissionError) as error:
        return DecodedFace(None, None, "unreadable_image", f"cannot be read ({error.strerror})")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        return DecodedFace(None, None, "corrupt_image", f"cannot be decoded: {error} (expected a complete JPEG)")
    return DecodedFace(np.asarray(to_square_64(image)), size, None, None)


def to_square_64(image: Image.Image) -> Image.Image:
    width, height = image.size
    side = min(width, height)
    if width != height:
        left, top = (width - side) // 2, (height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    if side != IMAGE_SIZE:
        image = resize_to_face(image)
    return image
