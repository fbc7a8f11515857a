"""Reading the face to restyle: a 64 x 64 RGB image, or a larger square one resized to it.

Every image the generator cannot take is a one-line InputError naming the file and what was
expected: not an image, not square or smaller than 64 px, an alpha channel (what would the
transparent pixels be?), grey-scale (no hair or eye colour to read). A larger square image is
resized with PIL's Lanczos filter, antialiased, as every other input (hw3.images.resize_to_face).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from hw3.errors import InputError
from hw3.images import ImageRefused, looks_grey, open_image, resize_to_face

FACE_SIZE = 64
MAX_FILE_BYTES = 64_000_000
GREY_MODES = {"1", "L", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
EXPECTED = f"expected a {FACE_SIZE} x {FACE_SIZE} RGB PNG or JPEG, or a larger square one"


def read_face(path: str | Path) -> np.ndarray:
    """The face at `path` as uint8 (64, 64, 3)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{path}: not a file ({EXPECTED})")
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {size:,} bytes is too large for a face image ({EXPECTED})")
        with open_image(path) as image:
            image.load()
            return _face_pixels(path, image)
    except InputError:
        raise
    except ImageRefused as error:
        raise InputError(f"{path}: {error}") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file ({EXPECTED})") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"{path}: not an image PIL can read ({EXPECTED})") from None


def _face_pixels(path: Path, image: Image.Image) -> np.ndarray:
    width, height = image.size
    mode = image.mode
    if mode in ALPHA_MODES or (mode == "P" and "transparency" in image.info) or "transparency" in image.info:
        raise InputError(f"{path}: has an alpha channel (mode {mode}; expected an RGB image without transparency)")
    if mode in GREY_MODES:
        raise InputError(f"{path}: is grey-scale (mode {mode}; expected an RGB colour image, whose hair and "
                         "eye colours can be read)")
    if mode not in ("RGB", "P"):
        raise InputError(f"{path}: has colour mode {mode} (expected RGB)")
    if width != height or width < FACE_SIZE:
        raise InputError(f"{path}: is {width} x {height} pixels ({EXPECTED})")
    image = resize_to_face(image.convert("RGB"))
    pixels = np.asarray(image, dtype=np.uint8)
    if looks_grey(pixels):
        raise InputError(f"{path}: is grey-scale (every pixel has R = G = B; expected a colour image, whose "
                         "hair and eye colours can be read)")
    return pixels.copy()

