"""`hw3 bench train`: images/s of every study variant and the translator, on the fast path and
in float32, against the in-repo reference loop, optionally against an unchanged pytorch/examples
DCGAN and against another commit's measurements.

A shared CPU's speed drifts by 10-20 % over minutes, so every number that is compared with
another is measured close to it in time: another commit's row runs right beside this tree's rows
of the same variant (`--base-tree`), and `--rounds` repeats the whole sequence, the order within
a variant reversed every other round, keeping each row's best round (interference only ever
slows a step down, as with `timeit`'s minimum).

`hw3 bench sample` (cold start of the run scripts) lives in `hw3.bench.sample_speed`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from hw3.bench import sample_speed
from hw3.bench.train_speed import (PATHS, SpeedRequest, measure_base_in_subprocess, measure_here,
                                   measure_in_subprocess, read_base)
from hw3.errors import InputError

VARIANTS = ("dcgan", "dcgan_sn", "cgan_course", "cgan", "wgan_clip", "wgan_gp", "acgan", "r3gan", "translator")
MAX_STEPS, MAX_BATCH, MAX_ROUNDS = 10_000, 4096, 20


def _add_measurement_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default="data/anime", help="rendered data root")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20, help="timed steps, after as many warm-up steps")
    parser.add_argument("--device", default="cpu")


def register(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser("bench", help="speed measurements")
    commands = bench.add_subparsers(dest="bench_command", required=True)
    parser = commands.add_parser("train", help="training images/s of each variant, fast path and fp32")
    _add_measurement_arguments(parser)
    parser.add_argument("--configs", default="configs", help="folder of <variant>.toml files")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated variants")
    parser.add_argument("--paths", default="fp32,fast", help="comma-separated: fp32 (float32, eager), fast")
    parser.add_argument("--base", help="another commit's `hw3 bench train --out` file, for a 'vs base' column")
    parser.add_argument("--base-tree", metavar="DIR",
                        help="another commit's source tree: its own bench runs beside each variant's rows")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every measurement; keep each row's best")
    parser.add_argument("--pytorch-examples", metavar="MAIN_PY",
                        help="pytorch/examples' dcgan/main.py, timed unchanged on the same images")
    parser.add_argument("--out", help="write the results as JSON here")
    parser.set_defaults(run=run_bench_train)
    one = commands.add_parser("train-one", help=argparse.SUPPRESS)  # one row, in its own process
    _add_measurement_arguments(one)
    one.add_argument("--variant", required=True)
    one.add_argument("--path", choices=tuple(PATHS), required=True)
    one.add_argument("--config", required=True)
    one.add_argument("--scratch", required=True)
    one.set_defaults(run=run_bench_train_one)
    sample_speed.register(commands)


def _check(args: argparse.Namespace) -> None:
    if not 1 <= args.steps <= MAX_STEPS:
        raise InputError(f"--steps {args.steps}: expected 1 to {MAX_STEPS:,}")
    if not 1 <= args.batch_size <= MAX_BATCH:
        raise InputError(f"--batch-size {args.batch_size}: expected 1 to {MAX_BATCH}")
    if not (Path(args.data) / "train" / "images").is_dir():
        raise InputError(f"{args.data}: no rendered training images (expected {args.data}/train/images; "
                         "run `make data`)")


def _request(args: argparse.Namespace, variant: str, path: str, config: Path) -> SpeedRequest:
    return SpeedRequest(variant, path, config, Path(args.data), args.batch_size, args.steps, args.device)


def run_bench_train_one(args: argparse.Namespace) -> int:
    _check(args)
    rate = measure_here(_request(args, args.variant, args.path, Path(args.config)), Path(args.scratch))
    print(json.dumps({"images_per_second": rate}))
    return 0


def _parse_list(text: str, allowed: tuple[str, ...], flag: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if not items or unknown:
        raise InputError(f"{flag} {text!r}: expected a comma-separated list of: {', '.join(allowed)}")
    return items


def run_bench_train(args: argparse.Namespace) -> int:
    _check(args)
    if not 1 <= args.rounds <= MAX_ROUNDS:
        raise InputError(f"--rounds {args.rounds}: expected 1 to {MAX_ROUNDS}")
    if args.out:
        from hw3.files import check_output_file

        check_output_file(args.out, "a JSON file's path")
    paths = _parse_list(args.paths, tuple(PATHS), "--paths")
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    configs = {v: Path(args.configs) / f"{v}.toml" for v in variants}
    missing = [str(path) for path in configs.values() if not path.is_file()]
    if not variants or missing:
        raise InputError(f"--variants: no config {', '.join(missing) or 'given'} (expected names of {args.configs}/*.toml)")
    base_tree = _check_base_tree(args)
    base = read_base(Path(args.base)) if args.base else {}
    samples: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for round_index in range(args.rounds):
            round_scratch = Path(scratch) / f"round_{round_index}"  # a run folder is never reused
            round_scratch.mkdir()
            if "dcgan" in configs:
                _add_samples(samples, _yardsticks(args))
            for variant in variants:
                order = [None, *paths] if base_tree else list(paths)  # None: the base tree's row
                for path in order if round_index % 2 == 0 else order[::-1]:
                    if path is None:
                        field, rate = "base_images_per_second", measure_base_in_subprocess(
                            base_tree, _request(args, variant, "base", configs[variant]), round_scratch)
                    else:
                        field, rate = f"{path}_images_per_second", measure_in_subprocess(
                            _request(args, variant, path, configs[variant]), round_scratch)
                    samples.setdefault(variant, {}).setdefault(field, []).append(rate)
    rows = [_best_row(name, fields) for name, fields in samples.items()]
    if base_tree:
        base = {row["variant"]: row.pop("base_images_per_second") for row in rows if "base_images_per_second" in row}
    rows = [row if row["variant"].startswith("reference") else _finish_row(row, base) for row in rows]
    print(_table(rows, paths, args, bool(base)))
    if args.out:
        from hw3.files import write_text_atomic

        write_text_atomic(args.out, json.dumps(rows, indent=2) + "\n")
    return 0


def _check_base_tree(args: argparse.Namespace) -> Path | None:
    if not args.base_tree:
        return None
    if args.base:
        raise InputError("--base and --base-tree: give one (a results file, or a tree to measure beside this one)")
    tree = Path(args.base_tree)
    if not (tree / "hw3" / "__main__.py").is_file():
        raise InputError(f"--base-tree {tree}: no hw3/__main__.py there (expected another commit's source tree, "
                         "for example from `git archive`)")
    return tree.resolve()


def _add_samples(samples: dict[str, dict[str, list[float]]], row: dict) -> None:
    fields = samples.setdefault(row["variant"], {})
    for key, value in row.items():
        if key != "variant":
            fields.setdefault(key, []).append(value)


def _best_row(name: str, fields: dict[str, list[float]]) -> dict:
    """Each rate's best round, with every round's value beside it."""
    row: dict = {"variant": name}
    for key, values in fields.items():
        row[key] = max(values)
        row[key.replace("images_per_second", "rounds")] = values
    return row


def _yardsticks(args: argparse.Namespace) -> dict:
    """The in-repo reference loop and, if given, pytorch/examples' DCGAN, at dcgan.toml's widths."""
    from hw3.bench.external_dcgan import external_images_per_second
    from hw3.bench.reference_dcgan import reference_images_per_second
    from hw3.train.config import load_config

    dcgan = load_config(Path(args.configs) / "dcgan.toml")
    ngf, ndf = dcgan.generator.ngf, dcgan.discriminator.ndf
    images = Path(args.data) / "train" / "images"
    row = {"variant": f"reference (JPEG DataLoader, NCHW fp32, .item() per step; ngf={ngf}, ndf={ndf})",
           "images_per_second": reference_images_per_second(images, args.batch_size, args.steps, args.steps,
                                                            ngf=ngf, ndf=ndf)}
    if args.pytorch_examples:
        row["pytorch_examples_images_per_second"] = external_images_per_second(
            Path(args.pytorch_examples), images, args.batch_size, ngf, ndf)
    return row


def _finish_row(row: dict, base: dict[str, float]) -> dict:
    fast, fp32 = row.get("fast_images_per_second"), row.get("fp32_images_per_second")
    # images_per_second is the default path's rate: what a training run of the variant gets.
    row["images_per_second"] = fast if fast is not None else fp32
    if fast is not None and fp32 is not None:
        row["fast_over_fp32"] = fast / fp32
    if row["variant"] in base:
        row["base_images_per_second"] = base[row["variant"]]
        row["over_base"] = row["images_per_second"] / base[row["variant"]]
    return row


def _table(rows: list[dict], paths: list[str], args: argparse.Namespace, with_base: bool) -> str:
    import torch

    lines = [f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch_size}, "
             f"device {args.device}, {args.steps} timed steps after {args.steps} warm-up steps, "
             f"best of {args.rounds} round{'s' if args.rounds > 1 else ''}", ""]
    reference = rows[0] if rows and rows[0]["variant"].startswith("reference") else None
    if reference:
        lines.append(f"reference loop: {reference['images_per_second']:.0f} images/s")
        if "pytorch_examples_images_per_second" in reference:
            lines.append(f"pytorch/examples dcgan/main.py: {reference['pytorch_examples_images_per_second']:.0f} images/s")
        lines.append("")
    header = ["variant"] + [f"{path} images/s" for path in paths] + (["fast / fp32"] if len(paths) == 2 else [])
    header += ["vs base"] if with_base else []
    lines += ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for row in rows[1 if reference else 0:]:
        cells = [row["variant"]] + [f"{row[f'{path}_images_per_second']:.0f}" for path in paths]
        cells += [f"{row['fast_over_fp32']:.2f}x"] if len(paths) == 2 else []
        cells += [f"{row['over_base']:.2f}x" if "over_base" in row else "–"] if with_base else []
        lines.append("| " + " | ".join(cells) + " |")
    if reference and "pytorch_examples_images_per_second" in reference:
        dcgan = next((row for row in rows if row["variant"] == "dcgan"), None)
        if dcgan:
            ratio = dcgan["images_per_second"] / reference["pytorch_examples_images_per_second"]
            lines += ["", f"dcgan against pytorch/examples: {ratio:.2f}x"]
    return "\n".join(lines)
