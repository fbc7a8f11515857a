"""Where a picture is written: checked before any work (`check_writable`), then written through
`hw3.files.write_atomically`, so a path that cannot take a file is a one-line error before any
faces are drawn."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hw3.errors import InputError
from hw3.files import os_reason


def check_writable(path: str | Path) -> Path:
    """`path` if a file can be written there, else a one-line InputError. Probes the nearest
    existing folder with a real temporary file (removed at once; missing folders are created
    only when the file is written): permission bits say nothing to root, and places like /proc
    refuse files whatever the bits say."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise InputError(f"{path}: not a file name (expected a PNG path such as samples/cgan.png)")
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory (expected a PNG file path such as {path / 'grid.png'})")
        folder = path.parent
        while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise InputError(f"{path}: {folder} is not a directory (expected a writable folder)")
        handle, probe = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except InputError:
        raise
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot write here ({os_reason(error)}; expected a writable place)") from None
    return path


