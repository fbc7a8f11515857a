"""`hw3 data ...` commands: `hw3 data render --out DIR --n N --seed S` writes the default data set;
`hw3 data import --faces DIR --extra DIR --out DIR` writes the course's own faces in the same layout."""

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

    course = data_commands.add_parser(
        "import", help="import the course's faces/ (33k set) and/or images/ (extra set) into the rendered layout",
        description="Rules, filter and split: hw3/data/course/__init__.py; every excluded row is listed by "
                    "FILE:LINE in OUT/import_report.txt.")
    course.add_argument("--faces", type=Path, help="the 33k set's image folder (faces/{id}.jpg)")
    course.add_argument("--faces-tags", type=Path,
                        help="its tags.csv, 'id,tag:count<TAB>tag:count...' (default: tags.csv beside --faces)")
    course.add_argument("--extra", type=Path, help="the extra set's image folder (images/{id}.jpg)")
    course.add_argument("--extra-tags", type=Path,
                        help="its tags.csv, 'id,<colour> hair <colour> eyes' (default: tags.csv beside --extra)")
    course.add_argument("--out", type=Path, required=True, help="output folder: empty, absent or an earlier import")
    course.add_argument("--seed", type=int, default=0, help="seed of the test split (same inputs and seed: same files)")
    course.add_argument("--held-out", choices=("default", "none"), default="default",
                        help="default: the 12 pairs of hw3/data/pairs.py appear in the test split only; "
                             "none: every pair may train")
    course.add_argument("--test-per-pair", type=int, default=40, help="test faces per pair at most (default 40)")
    course.add_argument("--test-fraction", type=float, default=0.2,
                        help="share of a seen pair's faces the test split may take at most (default 0.2)")
    course.add_argument("--min-test-per-pair", type=int, default=5,
                        help="a seen pair that would get fewer test faces gets none (default 5)")
    course.add_argument("--workers", type=int, default=None, help="decoding threads (default: CPUs, at most 8)")
    course.add_argument("--no-progress", action="store_true", help="no progress bar")
    course.set_defaults(run=run_import)


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


def run_import(args: argparse.Namespace) -> int:
    from hw3.data.course.importer import CourseSource, ImportConfig, import_course_data
    from hw3.data.course.split import SplitConfig
    from hw3.data.pairs import HELD_OUT_PAIRS

    sources = []
    for name, image_dir, tags_file, tag_format in (("faces", args.faces, args.faces_tags, "full"),
                                                   ("extra", args.extra, args.extra_tags, "extra")):
        if image_dir is None:
            if tags_file is not None:
                raise InputError(f"--{name}-tags {tags_file}: given without --{name} (expected both)")
            continue
        sources.append(CourseSource(name, image_dir, tags_file or image_dir.parent / "tags.csv", tag_format))
    if not sources:
        raise InputError("no source given (expected --faces DIR and/or --extra DIR)")
    _require("--test-per-pair", args.test_per_pair, 1, "a number of test faces per pair")
    _require("--min-test-per-pair", args.min_test_per_pair, 1, "a number of test faces per pair")
    _require("--seed", args.seed, 0, "a seed")
    if not 0.0 <= args.test_fraction < 1.0:
        raise InputError(f"--test-fraction {args.test_fraction}: expected a share in [0, 1)")
    workers = args.workers if args.workers is not None else min(8, os.cpu_count() or 1)
    _require("--workers", workers, 1, "a number of threads")
    split = SplitConfig(args.seed, args.test_per_pair, args.test_fraction, args.min_test_per_pair,
                        HELD_OUT_PAIRS if args.held_out == "default" else ())
    print(import_course_data(ImportConfig(tuple(sources), args.out, split, workers, not args.no_progress)))
    return 0
