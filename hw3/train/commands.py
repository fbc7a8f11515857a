"""`hw3 train`: run the training loop from a config file."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="train a GAN variant from a config file",
        description="Train a GAN from a TOML config (configs/*.toml); flags override its fields.",
    )
    parser.add_argument("--config", help="TOML config, e.g. configs/cgan.toml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config field, e.g. --set generator.ngf=32 (repeatable)")
    parser.add_argument("--steps", type=int, help="generator updates (num_steps)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--data", help="data root (data.root)")
    parser.add_argument("--out", help="run directory (out_dir)")
    parser.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--resume", action="store_true", help="continue from the run's latest checkpoint")
    parser.add_argument("--allow-config-change", action="store_true",
                        help="resume even though the config differs from the checkpoint's (recorded in meta.json)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    from hw3.train.config import load_config  # torch import deferred to here
    from hw3.train.loop import TrainingDiverged, train

    flag_fields = {
        "num_steps": args.steps, "batch_size": args.batch_size, "data.root": args.data,
        "out_dir": args.out, "device": args.device, "seed": args.seed,
    }
    config = load_config(args.config, args.overrides, flag_fields)
    try:
        result = train(config, resume=args.resume, progress=not args.no_progress,
                       allow_config_change=args.allow_config_change)
    except TrainingDiverged as error:
        print(f"hw3 train: {error}", file=sys.stderr)
        return 1
    print(f"{config.name}: {result.step} steps; last checkpoint {result.last_checkpoint}; "
          f"{result.images_per_second:.0f} images/s over the last interval")
    return 0
