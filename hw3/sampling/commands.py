"""`hw3 sample`: a grid of faces from a generator file, one per tag line, with a fixed seed."""

from __future__ import annotations

import argparse
import math


class OneLineErrorParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line and exit status 2 (argparse's own print the
    usage first), and which refuses arguments it does not know itself instead of leaving them to
    the top-level parser."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {one_line(' '.join(extras), 80)}")
        return namespace, extras


def register(subparsers: argparse._SubParsersAction) -> None:
    from hw3.sampling.settings import LAYOUTS, MAX_FACES, MIN_TRUNCATION

    parser = subparsers.add_parser(
        "sample", help="draw a grid of faces from a generator file",
        description="One face per tag line, in file order, five to a row; byte-identical for a seed on any x86-64 CPU.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.__class__ = OneLineErrorParser  # subparsers build their parsers themselves; only this one changes
    parser.add_argument("--generator", required=True, help="a .safetensors generator (with its .json) or a checkpoint directory")
    parser.add_argument("--tags", help="testing_tags.txt-style file (conditional generators)")
    parser.add_argument("--count", type=int, help=f"faces, 1 to {MAX_FACES}, for unconditional generators (default 25)")
    parser.add_argument("--out", required=True, help="PNG to write")
    parser.add_argument("--seed", type=int, default=0, help="a non-negative integer")
    parser.add_argument("--per-row", type=int, default=5)
    parser.add_argument("--truncation", type=float,
                        help=f"redraw values of z beyond this, at least {MIN_TRUNCATION} (fidelity for variety)")
    parser.add_argument("--layout", choices=LAYOUTS, default="course",
                        help="course: the course's save_imgs figure (matplotlib 5 x 5 axes, 640 x 480); "
                             "grid: a tight montage of 64 px faces")
    parser.add_argument("--device", default="cpu", help="cpu (byte-identical on any x86-64 CPU), cuda, cuda:N or mps")
    parser.add_argument("--free-text", action="store_true",
                        help="read lines like '3,long blonde hair with green eyes' with the FastText vectors "
                             "(weights/word_vectors), printing each colour decision; needs gensim")
    parser.set_defaults(run=run_sample)
    register_export(subparsers)


def one_line(text: str, limit: int = 400) -> str:
    """`text` on one line: unprintable characters (a newline in a file name) as escapes, and cut
    to about `limit` characters."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[:limit] + "..."


def run_sample(args: argparse.Namespace) -> int:
    from hw3.errors import InputError
    from hw3.sampling.faces import sample_faces

    try:
        count = sample_faces(args.generator, args.out, tags_file=args.tags, count=args.count, seed=args.seed,
                             per_row=args.per_row, truncation=args.truncation, device=args.device,
                             free_text=args.free_text, layout=args.layout)
    except InputError as error:  # file names and file text may hold newlines or run on for pages
        raise InputError(one_line(str(error))) from None
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
    from hw3.sampling.export import export_generator, export_outputs
    from hw3.sampling.generator_file import checkpoint_of
    from hw3.train.checkpoint import is_checkpoint

    export_outputs(args.out)
    source = Path(args.run_dir)
    checkpoint = checkpoint_of(source)
    if not is_checkpoint(checkpoint):
        raise InputError(f"{source}: no checkpoint found (expected a run directory with checkpoints/step_*)")
    print(f"wrote {export_generator(checkpoint, args.out, note=args.note)} from {checkpoint}")
    return 0
