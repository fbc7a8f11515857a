"""What a draw may be asked for: counts, seeds, truncation, devices and layouts, checked before
any file is read (and without importing torch, so `hw3 --help` stays fast)."""

from __future__ import annotations

import math
import re

from hw3.errors import InputError

DEFAULT_COUNT = 25
MAX_FACES = 1000  # a bound keeps a typo (--count 10000000) from running for hours
MIN_TRUNCATION = 0.05  # below it, redrawing until |z| fits takes thousands of draws per value
LAYOUTS = ("course", "grid")  # the course's save_imgs figure; a tight montage of 64 px faces
DEVICE_PATTERN = re.compile(r"cpu|cuda(:\d{1,3})?|mps")


def check_draw_settings(count: int | None = None, seed: int = 0, per_row: int = 5,
                        truncation: float | None = None, device: str = "cpu", layout: str = "course") -> None:
    """One-line InputErrors for settings no draw can use; runs before any file is read."""
    if count is not None and (_not_int(count) or not 1 <= count <= MAX_FACES):
        raise InputError(f"--count {count!r}: expected a whole number of faces from 1 to {MAX_FACES}")
    if _not_int(seed) or seed < 0:
        raise InputError(f"--seed {seed!r}: expected a non-negative integer")
    if _not_int(per_row) or not 1 <= per_row <= MAX_FACES:
        raise InputError(f"--per-row {per_row!r}: expected a whole number from 1 to {MAX_FACES}")
    if truncation is not None and (isinstance(truncation, bool) or not isinstance(truncation, (int, float))
                                   or not math.isfinite(truncation) or truncation < MIN_TRUNCATION):
        raise InputError(f"--truncation {truncation!r}: expected a finite number of at least {MIN_TRUNCATION} "
                         "(values of z beyond it are redrawn)")
    if not isinstance(device, str) or not DEVICE_PATTERN.fullmatch(device):
        raise InputError(f"--device {device!r}: expected cpu, cuda, cuda:N or mps")
    if layout not in LAYOUTS:
        raise InputError(f"--layout {layout!r}: expected one of: {', '.join(LAYOUTS)}")


def _not_int(value) -> bool:
    return isinstance(value, bool) or not isinstance(value, int)
