"""The one way this package writes a file: to a temporary file beside it, then renamed into place.

A reader never sees half a file, a failed write leaves the earlier file as it was and no
temporary file behind, and the failure is a one-line error naming the path. Every writer of a
PNG, JSON sidecar, log, cache or safetensors file goes through `write_atomically`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hw3.errors import InputError


def os_reason(error: Exception) -> str:
    """An OSError's reason on one line ('Permission denied'), or the error's text."""
    return (error.strerror if isinstance(error, OSError) and error.strerror else str(error)).replace("\n", " ")


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary)` on a temporary file beside `path`, then rename it to `path`; on any
    failure the temporary file is removed, `path` keeps its old content, and an InputError says why."""
    path = Path(path)
    # Named, not mkstemp: mkstemp's mode 0600 would survive the rename.
    temporary = path.with_name(f".{path.name[:64]}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        os.replace(temporary, path)
    except (OSError, ValueError) as error:
        if isinstance(error, InputError):
            raise
        raise InputError(f"{path}: cannot write it ({os_reason(error)})") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json_atomic(path: str | Path, values: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(values, indent=2, sort_keys=True) + "\n")


def write_bytes_with(path: str | Path, write_to_handle: Callable[[Any], None]) -> None:
    """`write_atomically` for writers that take an open binary file (numpy's save and savez)."""
    def write(temporary: Path) -> None:
        with open(temporary, "wb") as handle:
            write_to_handle(handle)

    write_atomically(path, write)
