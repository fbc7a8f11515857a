"""`hw3 bench sample`: wall time of the grader's commands, from a cold process to the PNG.

Each repeat starts `bash run_cgan.sh testing_tags.txt` (or `bash run_gan.sh`) as a new process,
so Python start-up, the torch import and reading the weights are all inside the figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = {"cgan": ["run_cgan.sh", "testing_tags.txt"], "gan": ["run_gan.sh"]}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sample", help="cold-start seconds of run_cgan.sh and run_gan.sh")
    parser.add_argument("--repeats", type=int, default=5, help="cold runs per script")
    parser.add_argument("--out", help="write the results as JSON here")
    parser.set_defaults(run=run_bench_sample)


def cold_start_seconds(script: list[str], repeats: int) -> list[float]:
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(["bash", *script], cwd=REPO, check=True, capture_output=True)
        seconds.append(time.perf_counter() - start)
    return seconds


def run_bench_sample(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    rows = []
    for name, script in tqdm(SCRIPTS.items(), desc="bench sample", unit="script"):
        seconds = cold_start_seconds(script, args.repeats)
        rows.append({"command": "bash " + " ".join(script), "repeats": args.repeats,
                     "median_seconds": statistics.median(seconds), "max_seconds": max(seconds)})
    print("| command | median s | max s |\n|---|---:|---:|")
    for row in rows:
        print(f"| `{row['command']}` | {row['median_seconds']:.2f} | {row['max_seconds']:.2f} |")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0
