"""`hw3 bench sample`: wall time of the grader's commands, from a cold process to the PNG.

Each repeat starts `bash run_cgan.sh testing_tags.txt` (or `bash run_gan.sh`, or run_cgan.sh with
another `--generator`, such as the flow model) as a new process,
so Python start-up, the torch import and reading the weights are all inside the figure. The
same run times `python -c "import torch"` alone, the floor no code here can go below on the
machine at that moment.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = {"cgan": ["bash", "run_cgan.sh", "testing_tags.txt"], "gan": ["bash", "run_gan.sh"],
           "torch import": [str(REPO / ".venv" / "bin" / "python"), "-c", "import torch"]}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sample", help="cold-start seconds of run_cgan.sh and run_gan.sh")
    parser.add_argument("--repeats", type=int, default=5, help="cold runs per script (1 to 100)")
    parser.add_argument("--generator", action="append", default=[], type=Path, metavar="WEIGHTS",
                        help="also time `bash run_cgan.sh testing_tags.txt --generator WEIGHTS` (repeatable)")
    parser.add_argument("--out", help="write the results as JSON here")
    parser.set_defaults(run=run_bench_sample)


def timed_commands(generators: list[Path]) -> dict[str, list[str]]:
    """The grader's two scripts, the same tags drawn by each of `generators`, and the torch import."""
    commands = {"cgan": SCRIPTS["cgan"], "gan": SCRIPTS["gan"]}
    commands.update({str(path): [*SCRIPTS["cgan"], "--generator", str(path)] for path in generators})
    commands["torch import"] = SCRIPTS["torch import"]
    return commands


def writing_elsewhere(command: list[str], folder: Path, index: int) -> list[str]:
    """A run script's command with `--out` in `folder`: a timed run must not replace the committed
    samples/*.png (another generator's faces would land in samples/cgan.png)."""
    if command[:1] != ["bash"]:
        return command
    return [*command, "--out", str(folder / f"timed_{index}.png")]


def cold_start_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def run_bench_sample(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from hw3.errors import InputError
    from hw3.files import check_output_file, write_text_atomic

    if not 1 <= args.repeats <= 100:
        raise InputError(f"--repeats {args.repeats}: expected 1 to 100")
    if args.out:
        check_output_file(args.out, "a JSON file's path")
    for path in args.generator:
        if not (REPO / path).is_file():
            raise InputError(f"{path}: no such weights file (expected a generator's .safetensors)")
    commands = timed_commands(args.generator)
    # Round by round, so a busy moment of the machine falls on every command alike.
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="hw3-bench-sample-") as folder:
        for _ in tqdm(range(args.repeats), desc="bench sample", unit="round"):
            for index, (name, command) in enumerate(commands.items()):
                seconds[name].append(cold_start_seconds(writing_elsewhere(command, Path(folder), index)))
    rows = [{"command": "python -c 'import torch'" if name == "torch import" else " ".join(command),
             "repeats": args.repeats, "median_seconds": statistics.median(seconds[name]),
             "max_seconds": max(seconds[name])} for name, command in commands.items()]
    print("| command | median s | max s |\n|---|---:|---:|")
    for row in rows:
        print(f"| `{row['command']}` | {row['median_seconds']:.2f} | {row['max_seconds']:.2f} |")
    if args.out:
        write_text_atomic(args.out, json.dumps(rows, indent=2) + "\n")
    return 0
