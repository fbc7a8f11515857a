"""The one way this package reads a small file it did not just write: sidecars, meta.json,
training logs, results, TOML configs and tag files.

Only regular files are read, and at most `limit` bytes of them: a FIFO, a device or a symlink to
/dev/zero would otherwise block or never end. Text must be UTF-8 (a leading BOM is dropped).
Every failure is a one-line InputError naming the file (and line, where there is one) and what
was expected there.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from hw3.errors import InputError
from hw3.files import file_kind, os_reason

MAX_JSON_BYTES = 16_000_000  # sidecars, meta.json, results, TOML configs: the largest shipped is 0.4 MB
MAX_LOG_BYTES = 256_000_000  # a training log holds ~200 bytes per logging interval
MAX_TAGS_BYTES = 64_000_000  # the 33k set's tags.csv is about 6 MB


def read_bytes(path: str | Path, expected: str, limit: int = MAX_JSON_BYTES) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them."""
    path = Path(path)
    try:
        # Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (expected {expected})") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read it ({os_reason(error)}; expected {expected})") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise InputError(f"{path}: is {file_kind(mode)} (expected {expected})")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise InputError(f"{path}: cannot read it ({os_reason(error)}; expected {expected})") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than {limit:,} bytes (expected {expected})")
    return data


def decode_text(data: bytes, path: str | Path, expected: str) -> str:
    """UTF-8 `data` read from `path` as text, or an InputError naming the first line that is not."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (expected {expected})") from None


def read_text(path: str | Path, expected: str, limit: int = MAX_JSON_BYTES) -> str:
    return decode_text(read_bytes(path, expected, limit), path, expected)


def read_json(path: str | Path, expected: str, limit: int = MAX_JSON_BYTES) -> Any:
    text = read_text(path, expected, limit)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: not JSON ({error.msg}; expected {expected})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply (expected {expected})") from None


def read_json_object(path: str | Path, expected: str) -> dict[str, Any]:
    """A JSON object from `path`; a missing, oversized, non-UTF-8 or malformed file, or one that
    holds another JSON value, is a one-line InputError naming the file."""
    values = read_json(path, expected)
    if not isinstance(values, dict):
        raise InputError(f"{path}:1: expected a JSON object ({expected})")
    return values


def read_json_lines(path: str | Path, expected: str, limit: int = MAX_LOG_BYTES) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file, one a line. A line that is not one is what a writer
    stopped mid-line leaves, and is skipped; a file with such lines and no record is not a
    JSON-lines file at all (a binary file, say), and is an error naming its first line."""
    records, bad_lines = [], 0
    lines = [line for line in read_bytes(path, expected, limit).split(b"\n") if line.strip()]
    for line in lines:
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            record = None
        if isinstance(record, dict):
            records.append(record)
        else:
            bad_lines += 1
    if not records and bad_lines > 1:
        raise InputError(f"{path}:1: not a JSON-lines file (expected {expected})")
    return records
