"""Running `hw3` in the test process and checking that an error is one line with exit status 2."""

from __future__ import annotations

import contextlib
import io

from hw3.cli import main


def run(args: list[str]) -> tuple[int, str]:
    """`hw3 ARGS` in this process: (exit status, stderr)."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(args)
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else 2
    return status, errors.getvalue()


def assert_one_line_exit_2(status: int, stderr: str, *words: str) -> None:
    assert status == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    for word in words:
        assert word in stderr, stderr
