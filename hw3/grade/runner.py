"""Copy a submission and run one of its scripts as the course does: `bash SCRIPT ARGS` in the
submission's own folder, with a wall-clock limit that ends the script's whole process group."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

COURSE_TIME_LIMIT_S = 600  # the course's 10 minutes per script
# Never copied: version control and byte-code. Linked instead of copied when present at the top
# level: environments and data sets, too big to copy for every grading (a script may write
# through such a link; grade only submissions you would run anyway).
SKIPPED = (".git", "__pycache__", ".pytest_cache")
LINKED = (".venv", "venv", "data", "runs")
TAIL_LINES = 8


@dataclass
class ScriptRun:
    script: str
    args: list[str]
    status: str  # "ok", "crashed", "timed_out" or "missing_script"
    exit_code: int | None
    seconds: float
    output_tail: str  # last lines of stdout and stderr together

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def copy_submission(submission: Path, destination: Path) -> Path:
    """Copy `submission` to `destination` (created), linking the LINKED folders."""
    destination.mkdir(parents=True)
    for entry in sorted(submission.iterdir()):
        target = destination / entry.name
        if entry.name in SKIPPED:
            continue
        if entry.name in LINKED and entry.is_dir():
            target.symlink_to(entry.resolve(), target_is_directory=True)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED))
        else:
            shutil.copy2(entry, target, follow_symlinks=False)
    return destination


def run_script(workdir: Path, script: str, args: list[str], time_limit_s: float, log_path: Path) -> ScriptRun:
    """Run `bash script args` in `workdir`; stdout and stderr go to `log_path`."""
    if not (workdir / script).is_file():
        return ScriptRun(script, args, "missing_script", None, 0.0, f"{script} not found in the submission")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        # A session of its own, so the limit ends the script's children too (python, a GPU job).
        process = subprocess.Popen(["bash", script, *args], cwd=workdir, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            exit_code = process.wait(timeout=time_limit_s)
            status = "ok" if exit_code == 0 else "crashed"
        except subprocess.TimeoutExpired:
            _end(process)
            exit_code, status = None, "timed_out"
        except KeyboardInterrupt:  # in its own session, the script never saw the Ctrl-C
            _end(process)
            raise
    seconds = time.perf_counter() - started
    return ScriptRun(script, args, status, exit_code, round(seconds, 2), _tail(log_path))


def _end(process: subprocess.Popen) -> None:
    """Kill the script and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # the group is already gone
        pass
    process.wait()


def _tail(log_path: Path) -> str:
    text = log_path.read_bytes()[-20000:].decode("utf-8", errors="replace").replace("\r", "\n")
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-TAIL_LINES:])
