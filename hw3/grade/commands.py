"""`hw3 grade SUBMISSION_DIR`: a teaching assistant's check of one submission."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from hw3.bounds import int_flag, number_flag
    from hw3.grade.runner import COURSE_TIME_LIMIT_S  # light: no torch

    time_limit = number_flag(0.0, 86_400.0, low_open=True)  # a day per script run at most
    faces_per_pair = int_flag(1, 50)  # 50 is 6,600 faces: 264 runs of run_cgan.sh

    parser = subparsers.add_parser(
        "grade", help="run a submission's run_gan.sh and run_cgan.sh as the course does and score them",
        description="Copies SUBMISSION_DIR, runs its scripts in the copy, checks samples/gan.png and "
                    "samples/cgan.png, runs run_cgan.sh over all 132 pairs and scores the faces. "
                    "Writes grade.json and grade.md.")
    parser.add_argument("submission", type=Path, metavar="SUBMISSION_DIR")
    parser.add_argument("--out", type=Path, help="results folder (default: runs/grade/<submission name>)")
    parser.add_argument("--time-limit", type=time_limit, default=COURSE_TIME_LIMIT_S,
                        help=f"seconds per script run, {time_limit} (default {COURSE_TIME_LIMIT_S}, the course's)")
    parser.add_argument("--tags", type=Path, help="tags file of the first run_cgan.sh run (default: testing_tags.txt)")
    parser.add_argument("--faces-per-pair", type=faces_per_pair, default=5,
                        help=f"faces per (hair, eyes) pair, {faces_per_pair} (default 5)")
    parser.add_argument("--evaluator", type=Path, help="evaluator weights (default: weights/evaluator.safetensors)")
    parser.add_argument("--data", type=Path,
                        help="data root whose test split is the real reference (default: data/anime; 'none': skip)")
    parser.set_defaults(run=run_grade)


def run_grade(args: argparse.Namespace) -> int:
    from hw3.errors import InputError
    from hw3.files import check_output_dir
    from hw3.grade.grading import GradeConfig, grade_submission

    if args.data is not None and str(args.data) != "none" and not (args.data / "test" / "images").is_dir():
        raise InputError(f"--data {args.data}: no test/images folder (expected a data root such as data/anime, "
                         "or --data none to grade without FID)")
    config = GradeConfig(args.submission, args.out or Path("runs") / "grade" / args.submission.resolve().name,
                         args.time_limit, faces_per_pair=args.faces_per_pair)
    check_output_dir(config.out_dir, "a folder for grade.json and grade.md")
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
