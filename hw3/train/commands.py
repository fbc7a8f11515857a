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
    parser.add_argument("--stop-as", metavar="WEIGHTS",
                        help="stop at the real images through D where the run behind these weights (or their "
                             "sidecar) stopped, e.g. weights/acgan.json: a retrain of a time-limited run")
    parser.add_argument("--resume", action="store_true", help="continue from the run's latest checkpoint")
    parser.add_argument("--allow-config-change", action="store_true",
                        help="resume even though the config differs from the checkpoint's (recorded in meta.json)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run_train)

    ablate = subparsers.add_parser(
        "ablate", help="train one of configs/ablations/ablations.toml and record its evaluations for the report",
        description="Trains the ablation NAME (a study config with some fields changed; resumes), then writes its "
                    "budget and in-training evaluations to report/results/ablations/NAME.json. With --without-ema "
                    "VARIANT instead, measures the chosen step of runs/study/VARIANT with and without the moving "
                    "average of G, on the study's fixed sample.",
    )
    ablate.add_argument("name", nargs="?", help="an ablation's name in configs/ablations/ablations.toml")
    ablate.add_argument("--without-ema", metavar="VARIANT", help="a study variant whose run to measure without EMA")
    ablate.add_argument("--list", action="store_true", help="print the ablations' names and stop")
    ablate.add_argument("--data", default="data/anime", help="data root")
    ablate.add_argument("--runs", default="runs", help="where runs/ablation/NAME and runs/study/VARIANT live")
    ablate.add_argument("--results", default="report/results/ablations", help="where the results JSON goes")
    ablate.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    ablate.add_argument("--no-progress", action="store_true", help="no progress bar")
    ablate.set_defaults(run=run_ablate)


# The config field each flag sets, and the flag's name for error messages.
FLAG_FIELDS = {"steps": ("num_steps", "--steps"), "batch_size": ("batch_size", "--batch-size"),
               "data": ("data.root", "--data"), "out": ("out_dir", "--out"), "device": ("device", "--device"),
               "seed": ("seed", "--seed")}


def run_train(args: argparse.Namespace) -> int:
    from hw3.files import check_output_dir
    from hw3.train.config import load_config  # torch import deferred to here
    from hw3.train.loop import TrainingDiverged, TrainingInterrupted, train

    flag_values = {key: getattr(args, name) for name, (key, _) in FLAG_FIELDS.items()}
    flags = dict(FLAG_FIELDS.values())
    if args.stop_as is not None:
        from hw3.weights import images_where_run_ended

        flag_values["stopping.max_images"] = images_where_run_ended(args.stop_as)
        flags["stopping.max_images"] = "--stop-as"
    config = load_config(args.config, args.overrides, flag_values, flags)
    check_output_dir(config.out_dir, "a run directory (a new folder, or a run to resume)")
    try:
        result = train(config, resume=args.resume, progress=not args.no_progress,
                       allow_config_change=args.allow_config_change)
    except TrainingDiverged as error:
        print(f"hw3 train: {error}", file=sys.stderr)
        return 1
    except TrainingInterrupted as stopped:
        raise interrupted_training(stopped, getattr(args, "argv", ["train"])) from None
    print(f"{config.name}: {result.step} steps; last checkpoint {result.last_checkpoint}; "
          f"{result.images_per_second:.0f} images/s over the last interval")
    return 0


def interrupted_training(stopped, argv: list[str], resume_flag: bool = True) -> Exception:
    """The one line for a Ctrl-C: where the run stopped, and the command that resumes it."""
    import shlex

    from hw3.errors import Interrupted

    resume = shlex.join(["hw3", *argv, *([] if "--resume" in argv or not resume_flag else ["--resume"])])
    kept = f"last checkpoint {stopped.last_checkpoint}" if stopped.last_checkpoint else "no checkpoint yet"
    return Interrupted(f"stopped at step {stopped.step:,} ({kept}); resume with: {resume}")


def run_ablate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hw3.errors import InputError
    from hw3.files import check_output_dir, write_json_atomic
    from hw3.train.ablations import ablation_config, ablation_results, find_ablation, read_ablations, without_ema_results
    from hw3.train.loop import TrainingDiverged, TrainingInterrupted, train

    if args.list:
        print("\n".join(ablation.name for ablation in read_ablations()))
        return 0
    if (args.name is None) == (args.without_ema is None):
        raise InputError("hw3 ablate: give an ablation NAME or --without-ema VARIANT (expected exactly one)")
    results_dir = Path(args.results)
    check_output_dir(results_dir, "a folder for the ablation results")
    if args.without_ema is not None:
        if not args.without_ema.isidentifier():
            raise InputError(f"--without-ema {args.without_ema!r:.60}: expected a study variant's name")
        results = without_ema_results(Path(args.runs) / "study" / args.without_ema, args.data)
        out = results_dir / f"{args.without_ema}_without_ema.json"
    else:
        ablation = find_ablation(args.name)
        run_dir = Path(args.runs) / "ablation" / ablation.name
        check_output_dir(run_dir, "a run directory for the ablation")
        try:
            train(ablation_config(ablation, args.data, run_dir, args.device), resume=True,
                  progress=not args.no_progress)
        except TrainingDiverged as error:
            print(f"hw3 ablate: {error}", file=sys.stderr)
            return 1
        except TrainingInterrupted as stopped:
            # ablate always resumes: the same command goes on
            raise interrupted_training(stopped, getattr(args, "argv", ["ablate", ablation.name]), False) from None
        results = ablation_results(ablation, run_dir)
        out = results_dir / f"{ablation.name}.json"
    results_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out, results)
    print(f"wrote {out}")
    return 0
