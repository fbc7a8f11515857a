"""`hw3 sample`: a grid of faces from a generator file, one per tag line, with a fixed seed."""

from __future__ import annotations

import argparse
import math


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sample", help="draw a grid of faces from a generator file",
        description="One face per tag line, in file order, five to a row; byte-identical for a seed on CPU.",
    )
    parser.add_argument("--generator", required=True, help="a .safetensors generator (with its .json) or a checkpoint directory")
    parser.add_argument("--tags", help="testing_tags.txt-style file (conditional generators)")
    parser.add_argument("--count", type=int, help="faces, for unconditional generators (default 25)")
    parser.add_argument("--out", required=True, help="PNG to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-row", type=int, default=5)
    parser.add_argument("--truncation", type=float, help="redraw |z| beyond this (fidelity for variety)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--free-text", action="store_true",
                        help="read lines like '3,long blonde hair with green eyes' with the FastText vectors "
                             "(weights/word_vectors), printing each colour decision; needs gensim")
    parser.set_defaults(run=run_sample)
    register_export(subparsers)


def run_sample(args: argparse.Namespace) -> int:
    from hw3.sampling.faces import sample_faces

    count = sample_faces(args.generator, args.out, tags_file=args.tags, count=args.count, seed=args.seed,
                         per_row=args.per_row, truncation=args.truncation, device=args.device,
                         free_text=args.free_text)
    print(f"wrote {args.out}: {count} faces, {math.ceil(count / args.per_row)} rows")
    return 0


def register_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="copy a run's EMA generator to a shippable .safetensors file with its sidecar",
    )
    parser.add_argument("--run", dest="run_dir", required=True, help="run directory (its latest checkpoint is used) or a checkpoint directory")
    parser.add_argument("--out", required=True, help="e.g. weights/acgan.safetensors")
    parser.add_argument("--note", default="", help="free text stored in the sidecar")
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hw3.errors import InputError
    from hw3.sampling.generator_file import checkpoint_of, export_generator

    source = Path(args.run_dir)
    checkpoint = checkpoint_of(source)
    if not (checkpoint / "meta.json").is_file():
        raise InputError(f"{source}: no checkpoint found (expected a run directory with checkpoints/step_*)")
    print(f"wrote {export_generator(checkpoint, args.out, note=args.note)} from {checkpoint}")
    return 0
