"""`hw3 bench train`: images/s of each variant's training step against the reference loop.

`hw3 bench sample` (cold start of the run scripts) lives in `hw3.bench.sample_speed`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from hw3.bench import sample_speed

VARIANTS = ("dcgan", "cgan", "wgan_gp", "acgan")


def register(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser("bench", help="speed measurements")
    commands = bench.add_subparsers(dest="bench_command", required=True)
    parser = commands.add_parser("train", help="training images/s of each variant and of a reference loop")
    parser.add_argument("--data", default="data/anime", help="rendered data root")
    parser.add_argument("--configs", default="configs", help="folder of <variant>.toml files")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated variants")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20, help="timed steps, after as many warm-up steps")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", help="write the results as JSON here")
    parser.set_defaults(run=run_bench_train)
    sample_speed.register(commands)


def _variant_images_per_second(args: argparse.Namespace, variant: str, run_dir: Path) -> float:
    from hw3.train.config import load_config
    from hw3.train.loop import train

    # Two logging intervals of `steps`: the first warms up, the loop reports the rate of the last.
    config = load_config(Path(args.configs) / f"{variant}.toml", typed_overrides={
        "data.root": args.data, "batch_size": args.batch_size, "device": args.device,
        "num_steps": 2 * args.steps, "log_every": args.steps,
        "sample_every": 10**9, "checkpoint_every": 10**9, "out_dir": str(run_dir / variant),
    })
    return train(config, progress=False).images_per_second


def run_bench_train(args: argparse.Namespace) -> int:
    import torch

    from hw3.bench.reference_dcgan import reference_images_per_second
    from hw3.train.config import load_config

    # Equal model size: the reference gets the DCGAN config's widths.
    dcgan = load_config(Path(args.configs) / "dcgan.toml")
    rows = []
    reference = reference_images_per_second(
        Path(args.data) / "train" / "images", args.batch_size, args.steps, args.steps,
        ngf=dcgan.generator.ngf, ndf=dcgan.discriminator.ndf)
    rows.append({"variant": f"reference (JPEG DataLoader, NCHW fp32, .item() per step; ngf={dcgan.generator.ngf}, "
                            f"ndf={dcgan.discriminator.ndf})", "images_per_second": reference})
    with tempfile.TemporaryDirectory() as scratch:
        for variant in args.variants.split(","):
            rate = _variant_images_per_second(args, variant, Path(scratch))
            rows.append({"variant": variant, "images_per_second": rate})
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch_size}, "
          f"device {args.device}\n")
    print("| variant | images/s | vs reference |\n|---|---:|---:|")
    for row in rows:
        row["speedup"] = row["images_per_second"] / reference
        print(f"| {row['variant']} | {row['images_per_second']:.0f} | {row['speedup']:.2f}x |")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0
