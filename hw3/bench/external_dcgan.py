"""Images/s of an unchanged pytorch/examples `dcgan/main.py`, timed from outside on the same images.

The script is given by path (a checkout the user has; none is shipped). It runs as it is, on
`--dataset folder` over the rendered training images, with the DCGAN config's widths; it prints
one line per iteration, `[epoch/epochs][i/n] Loss_D: ...`, and the clock reads when each line
arrives, so its own start-up and data-loader spin-up fall outside the timed iterations.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hw3.errors import InputError

ITERATION_LINE = re.compile(r"^\[(\d+)/\d+\]\[(\d+)/(\d+)\]")


def external_images_per_second(script: Path, image_dir: Path, batch_size: int, ngf: int, ndf: int,
                               warmup: int = 20, timed: int = 200) -> float:
    """Real images/s over iterations warmup..warmup+timed of `script`'s first epoch."""
    script, image_dir = Path(script), Path(image_dir)
    if not script.is_file():
        raise InputError(f"{script}: no such file (expected pytorch/examples' dcgan/main.py)")
    if len(list(image_dir.glob("*.jpg"))) < (warmup + timed + 1) * batch_size:
        raise InputError(f"{image_dir}: too few images for {warmup + timed + 1} batches of {batch_size}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "data"
        root.mkdir()
        (root / "faces").symlink_to(image_dir.resolve())  # ImageFolder wants one folder per class
        command = [sys.executable, str(script), "--dataset", "folder", "--dataroot", str(root),
                   "--batchSize", str(batch_size), "--ngf", str(ngf), "--ndf", str(ndf), "--niter", "1",
                   "--manualSeed", "1", "--outf", str(Path(scratch) / "out")]
        (Path(scratch) / "out").mkdir()
        return _time_iterations(command, warmup, timed) * batch_size


def _time_iterations(command: list[str], warmup: int, timed: int) -> float:
    """Iterations per second between the lines of iteration `warmup` and `warmup + timed`."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    arrived: dict[int, float] = {}
    try:
        for line in process.stdout:
            match = ITERATION_LINE.match(line)
            if match:
                arrived[int(match.group(2))] = time.perf_counter()
                if warmup + timed in arrived:
                    break
    finally:
        process.kill()
        process.wait()
    if warmup not in arrived or warmup + timed not in arrived:
        raise InputError(f"{command[1]}: printed {len(arrived)} iteration lines (expected {warmup + timed + 1} "
                         "lines like '[0/1][i/n] Loss_D: ...')")
    return timed / (arrived[warmup + timed] - arrived[warmup])
