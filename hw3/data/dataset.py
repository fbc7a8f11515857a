"""Tagged 64x64 face images, decoded once into a uint8 cache beside the data.

The first open decodes every image named by the tags file (`{id}.jpg` in the image folder) and
writes `<image_dir>/../.cache/<image_dir>.<tags stem>.<format>.u8.npy` plus a JSON sidecar; later
opens load that array when the sidecar's fingerprint (the tags file's sha256, each image file's
size and mtime, the format) still matches, and rebuild it otherwise. Images that are not 64x64
are resized to 64x64 (Lanczos, antialiased; hw3.images.resize_to_face); grayscale and palette images become RGB
(16-bit grey scaled to 8 bits), transparent ones are composited over white, and one over 4096 px a
side is a bad row (hw3.images.open_image).

A row that cannot be used (malformed line, unknown or ambiguous tags, missing or undecodable
image) is never dropped silently: every one is kept in `.bad_rows` as `FILE:LINE: reason`, and
`on_bad_row="skip"` warns with the count and the first few, while `"error"` raises InputError
with the first. Tag-file problems are checked before any image is decoded.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
from tqdm import tqdm

from hw3.data.tag_files import TaggedRow, read_extra_tags, read_full_tags
from hw3.errors import InputError
from hw3.images import ImageRefused, open_image, resize_to_face, rgb_image
from hw3.files import recover_directory, write_bytes_with, write_text_atomic
from hw3.reading import MAX_TAGS_BYTES, read_bytes, read_json_object

IMAGE_SIZE = 64
IMAGE_SUFFIX = ".jpg"
CACHE_VERSION = 3  # bump when decoding changes (resize filter, colour handling) to rebuild caches
TAG_READERS = {"extra": read_extra_tags, "full": read_full_tags}
SHOWN_BAD_ROWS = 5  # how many messages a skip warning quotes; all are in `.bad_rows`


class BadRowWarning(UserWarning):
    """Rows were skipped; the dataset's `.bad_rows` lists every one."""


class TaggedImageDataset(Dataset):
    """`dataset[i]` is (image float32 (3, 64, 64) in [-1, 1], hair index, eye index)."""

    def __init__(
        self,
        image_dir: str | Path,
        tags_file: str | Path,
        tag_format: str = "extra",
        on_bad_row: str = "skip",
        cache_dir: str | Path | None = None,
        num_threads: int | None = None,
        progress: bool = True,
    ):
        if tag_format not in TAG_READERS:
            raise ValueError(f"tag_format must be one of {sorted(TAG_READERS)}, got {tag_format!r}")
        if on_bad_row not in ("skip", "error"):
            raise ValueError(f"on_bad_row must be 'skip' or 'error', got {on_bad_row!r}")
        self.image_dir, self.tags_file = Path(image_dir), Path(tags_file)
        if not self.image_dir.is_dir():
            raise InputError(f"{self.image_dir}: no such image folder (expected {{id}}{IMAGE_SUFFIX} files)")
        report = TAG_READERS[tag_format](self.tags_file)
        if on_bad_row == "error" and report.bad_rows:
            raise InputError(_first_of(report.bad_rows))

        image_dir_path = self.image_dir.resolve()  # so that '.' still has a parent and a name
        cache_dir = Path(cache_dir) if cache_dir is not None else image_dir_path.parent / ".cache"
        stem = f"{image_dir_path.name}.{self.tags_file.stem}.{tag_format}"
        self.cache_path = cache_dir / f"{stem}.u8.npy"
        fingerprint = _fingerprint(self.tags_file, tag_format, self._image_paths(report.rows))
        cached = _load_cache(self.cache_path, fingerprint)
        self.loaded_from_cache = cached is not None
        if cached is None:
            cached = self._decode_all(report.rows, num_threads, progress)
            _save_cache(self.cache_path, fingerprint, *cached)
        images, kept_ids, image_problems = cached

        row_of_id = {row.image_id: row for row in report.rows}
        kept_rows = [row_of_id[image_id] for image_id in kept_ids]
        self.images = torch.from_numpy(images)  # (N, 3, 64, 64) uint8
        self.hair = torch.tensor([row.tags.hair_index for row in kept_rows], dtype=torch.long)
        self.eyes = torch.tensor([row.tags.eye_index for row in kept_rows], dtype=torch.long)
        self.ids = list(kept_ids)
        self.bad_rows = report.bad_rows + [
            f"{self.tags_file}:{line_number}: image {self._image_path(image_id)} {reason}"
            for line_number, image_id, reason in image_problems
        ]
        self._report_bad_rows(on_bad_row, total_rows=len(report.rows) + len(report.bad_rows))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int, int]:
        image = self.images[index].float() / 127.5 - 1.0  # 0..255 -> -1..1
        return image, int(self.hair[index]), int(self.eyes[index])

    def _image_path(self, image_id: int) -> Path:
        return self.image_dir / f"{image_id}{IMAGE_SUFFIX}"

    def _image_paths(self, rows: list[TaggedRow]) -> list[Path]:
        return [self._image_path(row.image_id) for row in rows]

    def _decode_all(self, rows: list[TaggedRow], num_threads: int | None, progress: bool = True):
        """-> (images (M, 3, 64, 64) uint8, kept ids, [(line number, id, reason)] of the rest)."""
        images = np.empty((len(rows), 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
        kept_ids: list[int] = []
        problems: list[tuple[int, int, str]] = []
        # PIL releases the GIL while decoding, so threads give real speed-up on many cores.
        num_threads = num_threads or min(8, os.cpu_count() or 1)
        with ThreadPoolExecutor(num_threads) as pool:
            results = pool.map(_decode_image, self._image_paths(rows))
            decoded = tqdm(zip(rows, results), total=len(rows), desc=f"decoding {self.image_dir}", unit="img",
                           disable=not progress)
            for row, result in decoded:
                if isinstance(result, str):
                    problems.append((row.line_number, row.image_id, result))
                    continue
                images[len(kept_ids)] = result.transpose(2, 0, 1)  # (64, 64, 3) -> (3, 64, 64)
                kept_ids.append(row.image_id)
        return images[: len(kept_ids)], kept_ids, problems

    def _report_bad_rows(self, on_bad_row: str, total_rows: int) -> None:
        if not self.bad_rows:
            return
        if on_bad_row == "error":
            raise InputError(_first_of(self.bad_rows))
        if not self.ids:
            raise InputError(f"{self.tags_file}: no usable rows ({_first_of(self.bad_rows)})")
        shown = "\n".join(f"  {message}" for message in self.bad_rows[:SHOWN_BAD_ROWS])
        more = len(self.bad_rows) - SHOWN_BAD_ROWS
        if more > 0:
            # Every skipped row, one FILE:LINE message a line, where a command-line user can read them.
            listing = self.cache_path.with_name(self.cache_path.name.replace(".u8.npy", ".bad_rows.txt"))
            try:
                write_text_atomic(listing, "".join(message + "\n" for message in self.bad_rows))
                shown += f"\n  ... and {more} more (all {len(self.bad_rows)} in {listing})"
            except InputError:
                shown += f"\n  ... and {more} more"
        warnings.warn(
            f"{self.tags_file}: skipped {len(self.bad_rows)} of {total_rows} rows "
            f"(all listed in .bad_rows):\n{shown}",
            BadRowWarning,
            stacklevel=3,
        )


def _first_of(bad_rows: list[str]) -> str:
    more = len(bad_rows) - 1
    return bad_rows[0] + (f" (and {more} more bad row{'s' * (more > 1)})" if more else "")


def _decode_image(path: Path) -> np.ndarray | str:
    """-> (64, 64, 3) uint8 RGB array, or why the file cannot be used (without its path, so a
    cached reason stays right when the data is opened from another folder)."""
    try:
        with open_image(path) as image:
            image.load()
            image = rgb_image(image)
    except FileNotFoundError:
        return "is missing (expected one image file per tags line)"
    except Image.UnidentifiedImageError:
        return "is not a recognised image (expected a JPEG)"
    except ImageRefused as error:
        return str(error)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        return f"cannot be decoded: {error} (expected a complete JPEG)"
    return np.asarray(resize_to_face(image))


def _fingerprint(tags_file: Path, tag_format: str, image_paths: list[Path]) -> str:
    digest = hashlib.sha256(f"v{CACHE_VERSION} {IMAGE_SIZE}px {tag_format}\n".encode())
    digest.update(hashlib.sha256(read_bytes(tags_file, "a tags file", MAX_TAGS_BYTES)).digest())
    for path in image_paths:
        try:
            stat = path.stat()
            digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path.name} missing\n".encode())
    return digest.hexdigest()


def _load_cache(cache_path: Path, fingerprint: str):
    """-> (images, kept ids, problems) when the cache matches `fingerprint`, else None."""
    try:
        meta = read_json_object(cache_path.with_suffix(".json"), "the image cache's sidecar")
        if meta["fingerprint"] != fingerprint:
            return None
        kept_ids, problems = meta["ids"], [tuple(problem) for problem in meta["problems"]]
        images = np.load(cache_path)  # allow_pickle stays False: loading runs no code
    except (OSError, ValueError, KeyError, TypeError):  # absent, damaged or from another version
        return None
    if images.dtype != np.uint8 or images.shape != (len(kept_ids), 3, IMAGE_SIZE, IMAGE_SIZE):
        return None
    return images, kept_ids, problems


def _save_cache(cache_path: Path, fingerprint: str, images: np.ndarray, kept_ids, problems) -> None:
    """Write the array, then the sidecar, each through a temp file and `os.replace`, so a reader
    never sees a half-written file or a sidecar describing an older array."""
    meta = {"fingerprint": fingerprint, "ids": kept_ids, "problems": problems}
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_with(cache_path, lambda handle: np.save(handle, images))
        write_text_atomic(cache_path.with_suffix(".json"), json.dumps(meta))
    except (OSError, InputError) as error:
        warnings.warn(f"{cache_path}: cannot write image cache ({error}); images will be decoded again next time")


def load_split(root: str | Path, split: str = "train", on_bad_row: str = "skip", tag_format: str = "extra",
               progress: bool = True) -> TaggedImageDataset:
    """The rendered layout: `root/split/images/{id}.jpg` with `tags.csv` (or `tags_full.csv`)."""
    recover_directory(root)  # an import stopped between its two renames left the earlier one aside
    split_dir = Path(root) / split
    if not (split_dir / "images").is_dir():
        raise InputError(f"{split_dir}: no images/ folder (expected a split written by 'hw3 data render'; "
                         "run `make data` to render the default set)")
    tags_name = "tags.csv" if tag_format == "extra" else "tags_full.csv"
    return TaggedImageDataset(split_dir / "images", split_dir / tags_name, tag_format, on_bad_row, progress=progress)


def open_dataset(path: str | Path, on_bad_row: str = "skip", progress: bool = True) -> TaggedImageDataset:
    """Recognise a data folder: `faces/` + `tags.csv` is the 33k set, `images/` + `tags.csv` the
    extra set (or one rendered split), a folder with `train/` a rendered root (train split)."""
    path = Path(path)
    recover_directory(path)
    if not path.is_dir():
        raise InputError(f"{path}: no such data folder (expected a folder holding faces/ or images/ and tags.csv; "
                         "run `make data` to render the default set)")
    has_tags = (path / "tags.csv").is_file()
    has_faces, has_images = (path / "faces").is_dir(), (path / "images").is_dir()
    if has_tags and has_faces and not has_images:
        return TaggedImageDataset(path / "faces", path / "tags.csv", "full", on_bad_row, progress=progress)
    if has_tags and has_images and not has_faces:
        return TaggedImageDataset(path / "images", path / "tags.csv", "extra", on_bad_row, progress=progress)
    if (path / "train").is_dir() and not (has_faces or has_images):
        return load_split(path, "train", on_bad_row, progress=progress)
    raise InputError(
        f"{path}: unrecognised data layout (expected faces/ + tags.csv for the 33k set, "
        "images/ + tags.csv for the extra set, or a rendered root with train/)"
    )
