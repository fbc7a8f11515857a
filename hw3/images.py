"""Noise, tags and PNG grids shared by training previews, the run scripts and the report."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from hw3.files import write_atomically
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags

FACE_SIZE = 64
# One filter wherever a larger image becomes a 64 x 64 face (data loader, course importer, restyle
# input), so a face is resized the same way whichever door it comes in by. Lanczos, antialiased
# by PIL when reducing, keeps the iris's few pixels sharper than bicubic.
RESIZE_FILTER = Image.Resampling.LANCZOS


MAX_IMAGE_SIDE = 4096  # a 64 px face needs nothing near this; below PIL's bomb limit, so PIL never warns
WIDE_GREY_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")  # 16- and 32-bit grey, as 16-bit PNGs open
_OPENING = threading.Lock()


class ImageRefused(ValueError):
    """An image file this package will not decode; the message says why, without the path."""


def open_image(path: str | Path) -> Image.Image:
    """`path` opened by PIL: header read, pixels not yet decoded. Its size is checked here, not by
    PIL's decompression-bomb check, which warns on stderr, or fails without saying the size."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):  # a FIFO would block, /dev/zero would never end
        raise ImageRefused("is not a regular file (expected an image file)")
    with _OPENING:  # PIL's limit is a module global, and the course importer opens images from threads
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            image = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = limit
    width, height = image.size
    if max(width, height) > MAX_IMAGE_SIDE:
        image.close()
        raise ImageRefused(f"is {width} x {height} pixels (expected at most {MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE})")
    return image


def rgb_image(image: Image.Image) -> Image.Image:
    """Any decoded PIL image as 8-bit RGB: 16-bit grey scaled to 8 bits (PIL's own conversion
    clips it, so a 16-bit face came out white), transparency composited over white."""
    if image.mode in WIDE_GREY_MODES:
        levels = np.clip(np.asarray(image, dtype=np.int64), 0, 65535)
        transparency = image.info.get("transparency")
        image = Image.fromarray(((levels + 128) // 257).astype(np.uint8))  # (H, W) -> mode L
        if isinstance(transparency, int):
            image.info["transparency"] = (min(max(transparency, 0), 65535) + 128) // 257
    if "A" in image.getbands() or "transparency" in image.info:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    return image.convert("RGB")


def looks_grey(pixels: np.ndarray) -> bool:
    """uint8 (H, W, 3) RGB holding a grey picture: no channel differs anywhere by more than 2 levels."""
    spread = pixels.max(axis=2).astype(np.int16) - pixels.min(axis=2)
    return int(spread.max()) <= 2


def resize_to_face(image: Image.Image) -> Image.Image:
    """A PIL image -> FACE_SIZE x FACE_SIZE (unchanged when it already is)."""
    if image.size == (FACE_SIZE, FACE_SIZE):
        return image
    return image.resize((FACE_SIZE, FACE_SIZE), RESIZE_FILTER)


# Rows of the training preview grid: one tag pair per row, a fresh z per column. Common pairs,
# colours that are easily confused (gray/white/blonde hair) and rare eye colours.
PREVIEW_PAIRS = (
    HairEyeTags("blue", "blue"),
    HairEyeTags("red", "green"),
    HairEyeTags("blonde", "purple"),
    HairEyeTags("pink", "yellow"),
    HairEyeTags("black", "red"),
    HairEyeTags("white", "aqua"),
    HairEyeTags("green", "orange"),
    HairEyeTags("gray", "pink"),
)


def draw_noise(count: int, z_dim: int, seed: int, truncation: float | None = None,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standard normal noise from CPU generators, so the same seed gives the same z on any device.

    Row i has a generator of its own, seeded from (seed, i): one `randn(count, z_dim)` draws
    differently once count reaches 16 (a vectorised path), and a tag line's face must not
    depend on how many lines follow it. With `truncation`, values beyond it are redrawn (the
    truncation trick): fidelity for variety. float32 draws of 16 or more values take a
    vectorised path only on AVX2 kernels, so they differ by a rounding between CPUs; float64
    draws take one scalar path everywhere (what the byte-identical replay uses).
    """
    rows = []
    for row in range(count):
        row_seed = int(np.random.SeedSequence([seed, row]).generate_state(1, dtype=np.uint64)[0] >> 1)
        rng = torch.Generator().manual_seed(row_seed)
        z = torch.randn(z_dim, generator=rng, dtype=dtype)
        if truncation is not None:
            outside = z.abs() > truncation
            while outside.any():
                z[outside] = torch.randn(int(outside.sum()), generator=rng, dtype=dtype)
                outside = z.abs() > truncation
        rows.append(z)
    return torch.stack(rows) if rows else torch.empty(0, z_dim, dtype=dtype)


def tag_tensors(tags: list[HairEyeTags] | tuple[HairEyeTags, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    hair = torch.tensor([HAIR_COLOURS.index(t.hair) for t in tags], dtype=torch.long)
    eyes = torch.tensor([EYE_COLOURS.index(t.eyes) for t in tags], dtype=torch.long)
    return hair, eyes


def preview_inputs(z_dim: int, seed: int, per_row: int = 8) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The fixed (z, hair, eyes) of training previews: len(PREVIEW_PAIRS) rows x `per_row`."""
    rows = [pair for pair in PREVIEW_PAIRS for _ in range(per_row)]
    hair, eyes = tag_tensors(rows)
    return draw_noise(len(rows), z_dim, seed), hair, eyes


@torch.no_grad()
def translation_preview(translator, faces: torch.Tensor) -> torch.Tensor:
    """The translator's training preview: row 0 the faces (N, 3, 64, 64), then one row per
    PREVIEW_PAIRS target, each face translated to it -> (N * (1 + 8), 3, 64, 64)."""
    rows = [faces]
    for pair in PREVIEW_PAIRS:
        hair, eyes = tag_tensors([pair] * len(faces))
        rows.append(translator(faces, hair.to(faces.device), eyes.to(faces.device)))
    return torch.cat(rows)


def face_pixels(images: torch.Tensor) -> np.ndarray:
    """(N, 3, H, W) in [-1, 1] -> uint8 (N, H, W, 3), rounding to the nearest level.

    float64 images are rounded in float64 (the replay path: its values sit far from a rounding
    boundary compared with the 1e-14 that CPUs differ by); anything else in float32.
    """
    values = images.detach().cpu()
    values = values if values.dtype == torch.float64 else values.float()
    levels = values.clamp(-1, 1).add(1).mul(127.5).add(0.5).floor().to(torch.uint8)
    return levels.permute(0, 2, 3, 1).numpy()


def grid_pixels(images: torch.Tensor, per_row: int, padding: int = 2) -> np.ndarray:
    """(N, 3, H, W) in [-1, 1] -> uint8 (rows * (H + p) + p, per_row * (W + p) + p, 3): rows of
    `per_row` faces on white, `padding` px apart and around, empty cells left white."""
    return montage(face_pixels(images), per_row, padding)


def montage(faces: np.ndarray, per_row: int, padding: int = 2) -> np.ndarray:
    """uint8 (N, H, W, 3) faces -> one uint8 image, as `grid_pixels` lays them out."""
    count, height, width, _ = faces.shape
    columns = min(per_row, count)
    rows = -(-count // per_row)
    grid = np.full((rows * (height + padding) + padding, columns * (width + padding) + padding, 3), 255, np.uint8)
    for index, face in enumerate(faces):
        top = padding + (index // per_row) * (height + padding)
        left = padding + (index % per_row) * (width + padding)
        grid[top:top + height, left:left + width] = face
    return grid


def save_grid(images: torch.Tensor, path: str | Path, per_row: int) -> None:
    """Save (N, 3, H, W) images in [-1, 1] as one PNG grid, atomically. PIL, not torchvision:
    importing torchvision alone took 2 s of the run scripts' cold start."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(grid_pixels(images, per_row))
    write_atomically(path, lambda temporary: image.save(temporary, format="PNG"))
