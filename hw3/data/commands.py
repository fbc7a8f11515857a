"""`hw3 data ...` commands: `hw3 data render --out DIR --n N --seed S` writes the default data set."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from hw3.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    data = subparsers.add_parser("data", help="make and inspect data sets")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    render = data_commands.add_parser(
        "render", help="render the procedural anime-face data set (train and balanced test split)")
    render.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    render.add_argument("--n", type=int, required=True, help="number of training images")
    render.add_argument("--seed", type=int, default=0, help="same seed and counts give identical files")
    render.add_argument("--n-test-per-pair", type=int, default=40,
                        help="test images per (hair, eyes) pair, for all 132 pairs (default 40)")
    render.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: all CPUs); the output does not depend on it")
    render.set_defaults(run=run_render)


def _require(flag: str, value: int, minimum: int, meaning: str) -> None:
    if value < minimum:
        raise InputError(f"{flag} {value}: expected {meaning} >= {minimum}")


def run_render(args: argparse.Namespace) -> int:
    from hw3.data.render.writer import RenderConfig, render_dataset  # deferred: keeps `hw3 --help` fast

    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    _require("--n", args.n, 1, "a number of training images")
    _require("--n-test-per-pair", args.n_test_per_pair, 1, "a number of test images per pair")
    _require("--workers", workers, 1, "a number of worker processes")
    _require("--seed", args.seed, 0, "a seed")
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out}: is a file (expected a folder)")
    summary = render_dataset(RenderConfig(args.out, args.n, args.seed, args.n_test_per_pair, workers))
    print(summary)
    return 0
