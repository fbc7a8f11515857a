"""`hw3` command line: each sub-package contributes its sub-commands through `register`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# OpenMP threads that spin while waiting made training steps several times slower whenever
# another process held a core (2.2 s against 0.39 s per step); passive waiting costs nothing idle.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from hw3.errors import INTERRUPTED_STATUS, InputError, Interrupted

# Each module defines `register(subparsers)`, adding parsers whose `run(args) -> int` is set
# through `set_defaults(run=...)`. Imports are deferred so `hw3 --help` stays fast.
COMMAND_MODULES = (
    "hw3.data.commands",
    "hw3.train.commands",
    "hw3.train.gpu_study",
    "hw3.train.collect",
    "hw3.bench.commands",
    "hw3.sampling.commands",
    "hw3.eval.commands",
    "hw3.sampling.evaluate_command",  # `hw3 evaluate`: above hw3.eval, since it reads generator files
    "hw3.text.commands",
    "hw3.report.commands",
    "hw3.grade.commands",
    "hw3.restyle.commands",
)


class CommandParser(argparse.ArgumentParser):
    """Every `hw3` parser: defaults shown in --help, and a usage error as one line, exit 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hw3")
    except PackageNotFoundError:  # run from a source tree without installing (PYTHONPATH=.)
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="hw3", description="Anime-face GANs on 64x64 images.")
    parser.add_argument("--version", action="version", version=f"hw3 {package_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    _name_commands(parser)
    return parser


def _name_commands(parser: argparse.ArgumentParser) -> None:
    """Give every (sub)command's arguments `prog`, e.g. 'hw3 data render', for its messages."""
    parser.set_defaults(prog=parser.prog)
    for action in parser._actions:  # argparse has no public walk over its sub-commands
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _name_commands(child)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, --version or a usage error, already printed: its status
        return exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 2
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for a "resume with: hw3 ..." line
    try:
        return int(args.run(args) or 0)
    except InputError as error:
        print(f"hw3: error: {error}", file=sys.stderr)
        return 2
    except Interrupted as interrupted:
        print(f"{args.prog}: {interrupted}", file=sys.stderr)
        return INTERRUPTED_STATUS
    except KeyboardInterrupt:  # a command with more to say (where to resume) raises Interrupted
        print(f"{args.prog}: interrupted before it finished; run the same command again to redo it", file=sys.stderr)
        return INTERRUPTED_STATUS
