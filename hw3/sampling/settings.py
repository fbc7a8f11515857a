"""What a draw may be asked for: counts, seeds, truncation, devices and layouts, checked before
any file is read (and without importing torch, so `hw3 --help` stays fast)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from hw3.bounds import is_int
from hw3.errors import InputError

DEFAULT_COUNT = 25
MAX_FACES = 1000  # a bound keeps a typo (--count 10000000) from running for hours
MIN_TRUNCATION = 0.05  # below it, redrawing until |z| fits takes thousands of draws per value
LAYOUTS = ("course", "grid")  # the course's save_imgs figure; a tight montage of 64 px faces
DEVICE_PATTERN = re.compile(r"cpu|cuda(:\d{1,3})?|mps")


@dataclass(frozen=True)
class Wording:
    """How a message names what was given: `hw3 sample`'s flags, or `hw3.generate`'s parameters."""

    names: dict[str, str]  # setting -> "--count" or "tags"
    separator: str  # between that name and the value: "--count 1001", "tags=1001"
    needs_tags: str  # what a conditional generator expects instead of a count
    takes_no_tags: str  # what an unconditional one expects instead of tags

    def given(self, setting: str, value, quoted: bool = True) -> str:
        shown = f"{value!r:.80}" if quoted else str(value)
        return f"{self.names.get(setting, setting)}{self.separator}{shown}"


FLAGS = Wording({setting: "--" + setting.replace("_", "-") for setting in ("count", "seed", "per_row", "truncation",
                                                                           "device", "layout")},
                " ", "a tags file (expected --tags FILE)", "expected --count N")
PARAMETERS = Wording({"count": "tags"}, "=", "tags (expected tags=[(hair, eyes), ...])",
                     "expected tags=N or tags=None")


def check_draw_settings(count: int | None = None, seed: int = 0, per_row: int = 5,
                        truncation: float | None = None, device: str = "cpu", layout: str = "course",
                        wording: Wording = FLAGS) -> None:
    """One-line InputErrors for settings no draw can use; runs before any file is read."""
    if count is not None and (not is_int(count) or not 1 <= count <= MAX_FACES):
        raise InputError(f"{wording.given('count', count)}: expected a whole number of faces from 1 to {MAX_FACES}")
    if not is_int(seed) or seed < 0:
        raise InputError(f"{wording.given('seed', seed)}: expected a non-negative integer")
    if not is_int(per_row) or not 1 <= per_row <= MAX_FACES:
        raise InputError(f"{wording.given('per_row', per_row)}: expected a whole number from 1 to {MAX_FACES}")
    if truncation is not None and (isinstance(truncation, bool) or not isinstance(truncation, (int, float))
                                   or not math.isfinite(truncation) or truncation < MIN_TRUNCATION):
        raise InputError(f"{wording.given('truncation', truncation)}: expected a finite number of at least "
                         f"{MIN_TRUNCATION} (values of z beyond it are redrawn)")
    if not isinstance(device, str) or not DEVICE_PATTERN.fullmatch(device):
        raise InputError(f"{wording.given('device', device)}: expected cpu, cuda, cuda:N or mps")
    if layout not in LAYOUTS:
        raise InputError(f"{wording.given('layout', layout)}: expected one of: {', '.join(LAYOUTS)}")

