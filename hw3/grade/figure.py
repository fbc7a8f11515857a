"""Check a submission's PNG and cut its face cells out.

Accepted: the course's figure, 640 x 480 (matplotlib's default size, a 5 x 5 grid of subplots),
and this repository's tight montage, 332 x 332 (5 x 5 faces of 64 px, 2 px apart and around).
Cells are found, not assumed: pixels darker than near-white mark image regions; rows and
columns holding any form runs, and the grid's rows and columns are those runs (when a face has
a near-white row of its own, the narrowest gaps are closed until the grid's count remains).
Each cell's region is resized to 64 x 64 (PIL bilinear, antialiased) for the evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ACCEPTED_SIZES = {(640, 480): "course figure (matplotlib 5 x 5)", (332, 332): "tight 5 x 5 montage"}
GRID = 5
WHITE_LEVEL = 245  # a pixel with every channel at or above this is background


@dataclass
class FigureCheck:
    path: str
    status: str  # "ok", "no_output", "unreadable_png", "wrong_size" or "no_grid"
    size: tuple[int, int] | None = None  # (width, height)
    layout: str | None = None
    message: str = ""

    def as_dict(self) -> dict:
        return {"path": self.path, "status": self.status, "size": list(self.size) if self.size else None,
                "layout": self.layout, "message": self.message}


def check_figure(path: Path, label: str) -> tuple[FigureCheck, np.ndarray | None]:
    """-> (what was found, the RGB pixels (H, W, 3) uint8 when the file is a PNG of an accepted size)."""
    if not path.is_file():
        return FigureCheck(label, "no_output", message=f"{label} was not written"), None
    try:
        with Image.open(path) as image:
            image_format = image.format
            pixels = _rgb(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        return FigureCheck(label, "unreadable_png", message=f"{label} cannot be read as an image ({error})"), None
    size = (pixels.shape[1], pixels.shape[0])
    if image_format != "PNG":
        return FigureCheck(label, "unreadable_png", size, message=f"{label} is a {image_format}, not a PNG"), None
    if size not in ACCEPTED_SIZES:
        accepted = " or ".join(f"{w}x{h}" for w, h in ACCEPTED_SIZES)
        message = f"{label} is {size[0]}x{size[1]} (expected {accepted})"
        return FigureCheck(label, "wrong_size", size, message=message), None
    return FigureCheck(label, "ok", size, ACCEPTED_SIZES[size]), pixels


def _rgb(image: Image.Image) -> np.ndarray:
    image.load()
    if "A" in image.getbands() or "transparency" in image.info:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    return np.asarray(image.convert("RGB"))


def _runs(occupied: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of every run of True."""
    padded = np.concatenate([[False], occupied, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _grid_lines(occupied: np.ndarray, count: int) -> list[tuple[int, int]] | None:
    runs = _runs(occupied)
    while len(runs) > count:  # a near-white line inside a face split one run in two
        gaps = [runs[i + 1][0] - runs[i][1] for i in range(len(runs) - 1)]
        i = int(np.argmin(gaps))
        runs[i : i + 2] = [(runs[i][0], runs[i + 1][1])]
    return runs if len(runs) == count else None


def cut_cells(pixels: np.ndarray, rows: int = GRID, columns: int = GRID) -> np.ndarray | None:
    """(H, W, 3) uint8 figure -> (rows * columns, 3, 64, 64) uint8 faces in reading order, or
    None when the image regions do not form that grid."""
    ink = (pixels < WHITE_LEVEL).any(axis=2)  # (H, W)
    row_lines = _grid_lines(ink.any(axis=1), rows)
    column_lines = _grid_lines(ink.any(axis=0), columns)
    if row_lines is None or column_lines is None:
        return None
    faces = []
    for top, bottom in row_lines:
        for left, right in column_lines:
            cell = Image.fromarray(pixels[top:bottom, left:right])
            if cell.size != (64, 64):
                cell = cell.resize((64, 64), Image.Resampling.BILINEAR)
            faces.append(np.asarray(cell).transpose(2, 0, 1))  # (3, 64, 64)
    return np.stack(faces)
