"""`hw3 grade SUBMISSION_DIR`: a teaching assistant's check of one submission."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from hw3.grade.runner import COURSE_TIME_LIMIT_S  # light: no torch

    parser = subparsers.add_parser(
        "grade", help="run a submission's run_gan.sh and run_cgan.sh as the course does and score them",
        description="Copies SUBMISSION_DIR, runs its scripts in the copy, checks samples/gan.png and "
                    "samples/cgan.png, runs run_cgan.sh over all 132 pairs and scores the faces. "
                    "Writes grade.json and grade.md.")
    parser.add_argument("submission", type=Path, metavar="SUBMISSION_DIR")
    parser.add_argument("--out", type=Path, help="results folder (default: runs/grade/<submission name>)")
    parser.add_argument("--time-limit", type=float, default=COURSE_TIME_LIMIT_S,
                        help=f"seconds per script run (default {COURSE_TIME_LIMIT_S}, the course's)")
    parser.add_argument("--tags", type=Path, help="tags file of the first run_cgan.sh run (default: testing_tags.txt)")
    parser.add_argument("--faces-per-pair", type=int, default=5, help="faces per (hair, eyes) pair (default 5)")
    parser.add_argument("--evaluator", type=Path, help="evaluator weights (default: weights/evaluator.safetensors)")
    parser.add_argument("--data", type=Path,
                        help="data root whose test split is the real reference (default: data/anime; 'none': skip)")
    parser.set_defaults(run=run_grade)


def run_grade(args: argparse.Namespace) -> int:
    from hw3.errors import InputError
    from hw3.grade.grading import GradeConfig, grade_submission

    if args.time_limit <= 0:
        raise InputError(f"--time-limit {args.time_limit:g}: expected seconds > 0")
    if args.faces_per_pair < 1:
        raise InputError(f"--faces-per-pair {args.faces_per_pair}: expected at least 1")
    config = GradeConfig(args.submission, args.out or Path("runs") / "grade" / args.submission.resolve().name,
                         args.time_limit, faces_per_pair=args.faces_per_pair)
    if args.tags is not None:
        config.tags_file = args.tags
    if args.evaluator is not None:
        config.evaluator = args.evaluator
    if args.data is not None:
        config.data = None if str(args.data) == "none" else args.data
    grade_submission(config)
    print((config.out_dir / "grade.md").read_text(), end="")
    print(f"wrote {config.out_dir / 'grade.json'} and grade.md")
    return 0
