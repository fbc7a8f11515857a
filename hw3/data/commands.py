"""`hw3 data ...` commands: `hw3 data render --out DIR --n N --seed S` writes the default data set;
`hw3 data import --faces DIR --extra DIR --out DIR` writes the course's own faces in the same layout;
`hw3 data figure --tags FILE --out PNG` draws the run scripts' figure with a split's own faces."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hw3.bounds import SEED_FLAG, int_flag, number_flag
from hw3.errors import InputError, Interrupted

# Every image's tags are held in memory until the end: a million images (33 times `make data`,
# 7 GB of JPEGs) take a few hundred MB; a typo of 10**12 would fill any machine.
RENDER_IMAGES = int_flag(1, 1_000_000)
RENDER_TEST_PER_PAIR = int_flag(1, 1000)
RENDER_WORKERS = int_flag(1, 256)  # processes; more than the CPUs only costs memory
TEST_PER_PAIR = int_flag(1, 1000)
TEST_FRACTION = number_flag(0.0, 1.0, high_open=True)
IMPORT_WORKERS = int_flag(1, 64)  # decoding threads


def register(subparsers: argparse._SubParsersAction) -> None:
    data = subparsers.add_parser("data", help="make and inspect data sets")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    render = data_commands.add_parser(
        "render", help="render the procedural anime-face data set (train and balanced test split)")
    render.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    render.add_argument("--n", type=RENDER_IMAGES, required=True, help=f"number of training images, {RENDER_IMAGES}")
    render.add_argument("--seed", type=SEED_FLAG, default=0, help=f"same seed and counts give identical files; {SEED_FLAG}")
    render.add_argument("--n-test-per-pair", type=RENDER_TEST_PER_PAIR, default=40,
                        help=f"test images per (hair, eyes) pair, for all 132 pairs; {RENDER_TEST_PER_PAIR}")
    render.add_argument("--workers", type=RENDER_WORKERS, default=None,
                        help=f"worker processes (default: all CPUs), {RENDER_WORKERS}; the output does not depend on it")
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
    course.add_argument("--seed", type=SEED_FLAG, default=0,
                        help=f"seed of the test split (same inputs and seed: same files); {SEED_FLAG}")
    course.add_argument("--held-out", choices=("default", "none"), default="default",
                        help="default: the 12 pairs of hw3/data/pairs.py appear in the test split only; "
                             "none: every pair may train")
    course.add_argument("--test-per-pair", type=TEST_PER_PAIR, default=40,
                        help=f"test faces per pair at most, {TEST_PER_PAIR} (default 40)")
    course.add_argument("--test-fraction", type=TEST_FRACTION, default=0.2,
                        help=f"share of a seen pair's faces the test split may take at most, {TEST_FRACTION} (default 0.2)")
    course.add_argument("--min-test-per-pair", type=TEST_PER_PAIR, default=5,
                        help=f"a seen pair that would get fewer test faces gets none; {TEST_PER_PAIR} (default 5)")
    course.add_argument("--workers", type=IMPORT_WORKERS, default=None,
                        help=f"decoding threads (default: CPUs, at most 8), {IMPORT_WORKERS}")
    course.add_argument("--no-progress", action="store_true", help="no progress bar")
    course.set_defaults(run=run_import)

    figure = data_commands.add_parser(
        "figure", help="the course's 5 x 5 figure of a split's own faces (what the run scripts draw, with real faces)",
        description="One face of each tag line's pair (or 25 random faces without --tags), drawn with --seed, "
                    "in the figure run_cgan.sh and run_gan.sh save: the real faces' count under the course's "
                    "face cascade (make course-check).")
    figure.add_argument("--data", type=Path, default=Path("data/anime"), help="a rendered or imported data root")
    figure.add_argument("--split", choices=("train", "test"), default="train")
    figure.add_argument("--tags", type=Path, help="a tags file like testing_tags.txt (default: 25 random faces)")
    figure.add_argument("--seed", type=SEED_FLAG, nargs="+", default=[0],
                        help=f"which faces; {SEED_FLAG}; several seeds give one figure each")
    figure.add_argument("--out", required=True,
                        help="the PNG to write; with several seeds, a path holding {seed}, e.g. real_seed{seed}.png")
    figure.add_argument("--no-progress", action="store_true", help="no progress bar while decoding")
    figure.set_defaults(run=run_figure)


def run_render(args: argparse.Namespace) -> int:
    from hw3.data.render.writer import RenderConfig, render_dataset  # deferred: keeps `hw3 --help` fast

    workers = args.workers if args.workers is not None else min(os.cpu_count() or 1, RENDER_WORKERS.bounds.high)
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
    workers = args.workers if args.workers is not None else min(8, os.cpu_count() or 1)
    split = SplitConfig(args.seed, args.test_per_pair, args.test_fraction, args.min_test_per_pair,
                        HELD_OUT_PAIRS if args.held_out == "default" else ())
    try:
        summary = import_course_data(ImportConfig(tuple(sources), args.out, split, workers, not args.no_progress))
    except KeyboardInterrupt:
        raise Interrupted(f"stopped before the import was complete; {args.out} is as it was (the new import is "
                          "assembled beside it and renamed in only at the end); run the same command again") from None
    print(summary)
    if summary.grey_warning():
        print(f"warning: {summary.grey_warning()}", file=sys.stderr)
    return 0


def run_figure(args: argparse.Namespace) -> int:
    from hw3.data.dataset import load_split
    from hw3.data.face_figure import faces_for_lines
    from hw3.files import check_output_file
    from hw3.sampling.course_figure import save_course_figure
    from hw3.tags import read_tag_lines

    if len(args.seed) > 1 and "{seed}" not in args.out:
        raise InputError(f"--out {args.out!r:.80}: {len(args.seed)} seeds need a path holding {{seed}} "
                         "(expected e.g. real_seed{seed}.png)")
    outs = [Path(args.out.replace("{seed}", str(seed))) for seed in args.seed]
    for out in outs:
        check_output_file(out, "a PNG's path")
    lines = read_tag_lines(args.tags) if args.tags is not None else None
    dataset = load_split(args.data, args.split, progress=not args.no_progress)  # decoded once for every seed
    for seed, out in zip(args.seed, outs):
        save_course_figure(faces_for_lines(dataset, lines, seed, args.tags or ""), out)
        print(out)
    return 0
