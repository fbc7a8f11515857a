"""`hw3 collect`: each run's in-training evaluation at one common budget, as one results file.

The side-by-side tables compare runs at equal real images through D: the fast path against
float32 at 400,000 images, every study variant at 400,000 and at 1,600,000. A run's log holds
an evaluation at those counts (`evaluation.at_images`); this reads it, with what the run was
(variant, seed, precision, device) from its checkpoints' meta.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hw3.errors import InputError
from hw3.formatting import percent

EVALUATION_KEYS = ("eval_fid", "eval_both_seen", "eval_both_held_out", "wall_seconds", "step")


def evaluation_at(run_dir: Path, images: int) -> dict:
    """The run's evaluation record at exactly `images` real images through D."""
    from hw3.train.log import read_log

    log = run_dir / "log.jsonl"
    if not log.is_file():
        raise InputError(f"{run_dir}: no log.jsonl (expected a run directory of `hw3 train`)")
    found = [r for r in read_log(log) if "eval_fid" in r and r.get("images_through_d") == images]
    if not found:
        reached = max((r.get("images_through_d", 0) for r in read_log(log)), default=0)
        raise InputError(f"{log}: no evaluation at {images:,} images through D (the run has reached "
                         f"{reached:,}; expected evaluation.at_images to include {images})")
    return found[-1]


def run_row(run_dir: Path, images: int) -> dict:
    from hw3.train.checkpoint import latest_checkpoint, read_checkpoint_meta

    record = evaluation_at(run_dir, images)
    latest = latest_checkpoint(run_dir)
    if latest is None:
        raise InputError(f"{run_dir}: no checkpoint (expected checkpoints/step_*)")
    meta = read_checkpoint_meta(latest)
    config = meta.get("config", {})
    row = {"run": run_dir.name, "variant": config.get("name"), "seed": meta.get("seed"),
           "images_through_d": images, "device": meta.get("device"),
           "autocast": meta.get("fast_path", {}).get("autocast", "off (float32)")}
    row.update({key: record.get(key) for key in EVALUATION_KEYS})
    return row


def _identity(row: dict) -> tuple:
    return row.get("run"), row.get("variant"), row.get("seed")


def _earlier_rows(path: Path, images: int) -> list[dict]:
    """The rows already in `path` (none when it is not there yet), which must be at `images`."""
    from hw3.reading import read_json

    if not path.exists():
        return []
    earlier = read_json(path, "a results file that `hw3 collect` wrote")
    if not isinstance(earlier, dict) or not isinstance(earlier.get("runs"), list):
        raise InputError(f"{path}: not a results file of `hw3 collect` (expected an object with 'runs')")
    if earlier.get("at_images") != images:
        raise InputError(f"{path}: its rows are at {earlier.get('at_images')} images through D "
                         f"(expected {images:,} to append to it, or another --out)")
    return earlier["runs"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collect", help="each run's evaluation at one budget, as one JSON file",
        description="Reads the in-training evaluation at --at-images real images through D from each run "
                    "directory's log.jsonl and writes one row per run.")
    parser.add_argument("runs", nargs="+", help="run directories of hw3 train")
    parser.add_argument("--at-images", type=int, default=400_000, help="the common budget")
    parser.add_argument("--out", required=True, help="the results JSON file")
    parser.add_argument("--append", action="store_true",
                        help="add the rows to --out's (one of the same run, variant and seed is replaced)")
    parser.set_defaults(run=run_collect)


def run_collect(args: argparse.Namespace) -> int:
    from hw3.files import check_output_file, write_json_atomic

    if not 1 <= args.at_images <= 10**12:
        raise InputError(f"--at-images {args.at_images}: expected 1 to 10^12")
    check_output_file(args.out, "a JSON file's path")
    rows = [run_row(Path(run), args.at_images) for run in args.runs]
    kept = _earlier_rows(Path(args.out), args.at_images) if args.append else []
    new = {_identity(row) for row in rows}
    write_json_atomic(args.out, {"at_images": args.at_images,
                                 "runs": [row for row in kept if _identity(row) not in new] + rows})
    for row in rows:
        print(f"{row['run']}: FID {row['eval_fid']:.2f}" + (
            f", both tags {percent(row['eval_both_seen'], sep='')} seen, "
            f"{percent(row['eval_both_held_out'], sep='')} held out"
            if row.get("eval_both_seen") is not None else "") + f" ({row['autocast']}, seed {row['seed']})")
    return 0
