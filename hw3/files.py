"""The one way this package writes a file or a folder, and checks where it will write.

`write_atomically` writes a temporary file beside the target, then renames it into place: a
reader never sees half a file, a failed write leaves the earlier file as it was and no temporary
file behind, and the failure is a one-line error naming the path. Every writer of a PNG, JSON
sidecar, log, cache or safetensors file goes through it. `check_output_file` and
`check_output_dir` run before a command's long work, so a path that cannot take the result fails
first. `replace_directory` swaps in a complete folder (an import, a checkpoint) without ever
deleting the earlier one before the new one is in place.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hw3.errors import InputError

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISREG, "a file"))


def os_reason(error: Exception) -> str:
    """An OSError's reason on one line ('Permission denied'), or the error's text."""
    return (error.strerror if isinstance(error, OSError) and error.strerror else str(error)).replace("\n", " ")


def file_kind(mode: int) -> str:
    """'a directory', 'a FIFO', 'a file', ... for an `os.stat` mode."""
    return next((name for test, name in _KINDS if test(mode)), "not a file")


def _stat_mode(path: Path, expected: str) -> int | None:
    """The mode of what `path` names (following links), None when nothing is there."""
    try:
        return os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the probe of its folder says what is wrong
        return None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot use it ({os_reason(error)}; expected {expected})") from None


def _as_path(path: str | Path, expected: str) -> Path:
    if not str(path) or "\0" in str(path):
        raise InputError(f"{str(path)!r:.80}: not a path (expected {expected})")
    return Path(path)


def _refuse_non_regular(path: Path, expected: str) -> None:
    """Renaming onto a device node or FIFO would replace it (as root, /dev/null itself)."""
    mode = _stat_mode(path, expected)
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(f"{path}: is {file_kind(mode)} (expected {expected})")


def _probe_folder(folder: Path, path: Path, expected: str) -> None:
    """A real temporary file in the nearest existing folder (removed at once): permission bits say
    nothing to root, and places like /proc refuse files whatever the bits say."""
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{path}: {folder} is not a directory (expected {expected} in a writable folder)")
    try:
        handle, probe = tempfile.mkstemp(prefix=".hw3-probe.", suffix=".tmp", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise InputError(f"{path}: cannot write here ({os_reason(error)} in {folder}; "
                         f"expected {expected} in a writable folder)") from None


def check_output_file(path: str | Path, expected: str = "a file path") -> Path:
    """`path` if a file can be written there, else a one-line InputError naming it: a regular file
    or a new path whose nearest existing folder is a writable directory (missing folders are
    created when the file is written)."""
    path = _as_path(path, expected)
    if path.name in ("", ".", ".."):
        raise InputError(f"{path}: not a file name (expected {expected})")
    _refuse_non_regular(path, expected)
    _probe_folder(path.parent, path, expected)
    return path


def check_output_dir(path: str | Path, expected: str = "a folder") -> Path:
    """`path` if a folder can be written there: a writable directory, or a new path whose nearest
    existing folder is one; else a one-line InputError naming it."""
    path = _as_path(path, expected)
    mode = _stat_mode(path, expected)
    if mode is not None and not stat.S_ISDIR(mode):
        raise InputError(f"{path}: is {file_kind(mode)} (expected {expected})")
    _probe_folder(path if mode is not None else path.parent, path, expected)
    return path


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary)` on a temporary file beside `path`, then rename it to `path`; on any
    failure the temporary file is removed, `path` keeps its old content, and an InputError says why."""
    path = Path(path)
    _refuse_non_regular(path, "a file path")
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


def append_text(path: str | Path, text: str) -> None:
    """Append `text` to a JSON-lines history (created if absent). A writer stopped mid-line leaves
    no newline: the new text then starts on a line of its own, so the torn line costs only itself."""
    path = Path(path)
    _refuse_non_regular(path, "a JSON-lines file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            if handle.seek(0, os.SEEK_END) > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    text = "\n" + text
            handle.write(text.encode("utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot write it ({os_reason(error)})") from None


def aside_path(final: str | Path) -> Path:
    """Where `replace_directory` keeps the earlier copy of `final` until the new one is in place."""
    return Path(final).with_name(f".{Path(final).name}.old")


def recover_directory(final: str | Path) -> None:
    """Finish a `replace_directory` that was stopped part-way: an aside copy with no `final` is
    the earlier copy and is put back; one beside `final` is left over and is deleted."""
    final, aside = Path(final), aside_path(final)
    if not os.path.lexists(aside):
        return
    try:
        if os.path.lexists(final):
            shutil.rmtree(aside)
        else:
            os.replace(aside, final)
    except OSError as error:
        raise InputError(f"{aside}: cannot restore it to {final.name} ({os_reason(error)}; "
                         "expected a folder this package set aside)") from None


def replace_directory(new: str | Path, final: str | Path) -> None:
    """Move the complete folder `new` to `final`. An earlier `final` is renamed aside first and
    deleted only once `new` is in place, so however the process is stopped, one whole copy
    exists: `final`, or the aside copy that `recover_directory` puts back."""
    new, final = Path(new), Path(final)
    recover_directory(final)
    aside = aside_path(final)
    for attempt in range(3):
        try:
            if os.path.lexists(final):
                os.replace(final, aside)
            os.replace(new, final)
            break
        except OSError as error:
            # A reader's `recover_directory` between the two renames put the earlier copy back.
            if error.errno in (errno.ENOTEMPTY, errno.EEXIST) and attempt < 2:
                continue
            if os.path.lexists(aside) and not os.path.lexists(final):
                with contextlib.suppress(OSError):
                    os.replace(aside, final)
            raise InputError(f"{final}: cannot replace it ({os_reason(error)})") from None
    shutil.rmtree(aside, ignore_errors=True)
