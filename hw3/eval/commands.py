"""`hw3 evaluator train|test`: the tag evaluator behind every metric.

`hw3 evaluate` (generator checkpoints, hw3/sampling/evaluate_command.py) builds on
`add_evaluation_arguments` and `run_evaluation` below: it only has to turn a checkpoint into
`sample_fn(hair, eyes, z) -> images`.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from hw3.bounds import SEED_FLAG, int_flag, number_flag
from hw3.files import check_output_dir, check_output_file

DEFAULT_WEIGHTS = "weights/evaluator.safetensors"
# Generated faces are held as uint8 (12 KB each) with their features: 50,000 take under 1 GB.
NUM_SAMPLES = int_flag(10, 50_000)
TRAINING_STEPS = int_flag(1, 1_000_000)
BATCH_SIZE = int_flag(1, 4096)
LEARNING_RATE = number_flag(0.0, 10.0, low_open=True)
CLASS_WEIGHT_POWER = number_flag(0.0, 4.0)  # 1 weighs every colour the same; beyond, rare ones more


def held_out_pairs_of(data_root: Path):
    """The held-out pairs the data set's meta.json records (None: the rendered default)."""
    from hw3.data.course.split import held_out_pairs_of as recorded

    return recorded(data_root)


def register(subparsers) -> None:
    evaluator = subparsers.add_parser("evaluator", help="train or test the tag evaluator used by the metrics")
    actions = evaluator.add_subparsers(dest="evaluator_command", required=True)

    train = actions.add_parser("train", help="train the evaluator on the training split, then test it")
    train.add_argument("--data", type=Path, default=Path("data/anime"), help="rendered data root (train/ and test/)")
    train.add_argument("--out", type=Path, default=Path(DEFAULT_WEIGHTS),
                       help="weights file; the JSON sidecar goes beside it")
    train.add_argument("--steps", type=TRAINING_STEPS, default=1200, help=str(TRAINING_STEPS))
    train.add_argument("--seed", type=SEED_FLAG, default=0, help=str(SEED_FLAG))
    train.add_argument("--batch-size", type=BATCH_SIZE, default=64, help=str(BATCH_SIZE))
    train.add_argument("--learning-rate", type=LEARNING_RATE, default=2e-3, help=f"peak of the one-cycle schedule, {LEARNING_RATE}")
    train.add_argument("--class-weight-power", type=CLASS_WEIGHT_POWER, default=0.0,
                       help="weight each colour's loss by its frequency to this negative power (0: unweighted; "
                            f"for imbalanced data such as the course's), {CLASS_WEIGHT_POWER}")
    train.set_defaults(run=run_train)

    test = actions.add_parser("test", help="accuracy of saved evaluator weights on the test split")
    test.add_argument("--data", type=Path, default=Path("data/anime"))
    test.add_argument("--weights", type=Path, default=Path(DEFAULT_WEIGHTS))
    test.set_defaults(run=run_test)


def run_train(args: argparse.Namespace) -> int:
    import torch

    from hw3.data.dataset import load_split
    from hw3.eval.evaluator import EvaluatorConfig, save_evaluator
    from hw3.eval.features import dataset_fingerprint
    from hw3.eval.train_evaluator import (
        EvaluatorTrainingConfig, accuracy_report, format_accuracy_report, train_tag_classifier)
    from hw3.weights import command_line, git_commit, sidecar_path

    check_output_file(args.out, "a .safetensors file path for the evaluator")
    check_output_file(sidecar_path(args.out), "a path for the evaluator's JSON sidecar")
    train_set, test_set = load_split(args.data, "train"), load_split(args.data, "test")
    model_config = EvaluatorConfig()
    training_config = EvaluatorTrainingConfig(
        steps=args.steps, batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed,
        class_weight_power=args.class_weight_power)
    started = time.perf_counter()
    model, losses = train_tag_classifier(
        train_set.images, train_set.hair, train_set.eyes, model_config, training_config)
    seconds = time.perf_counter() - started
    report = accuracy_report(model, test_set.images, test_set.hair, test_set.eyes, held_out_pairs_of(args.data))
    print(format_accuracy_report(report))
    sidecar = save_evaluator(model, args.out, {
        "training": dataclasses.asdict(training_config),
        "command": command_line(),
        "seed": args.seed,
        "data": str(args.data),
        "train_fingerprint": dataset_fingerprint(train_set),
        "test_fingerprint": dataset_fingerprint(test_set),
        "final_loss": float(sum(losses[-100:]) / len(losses[-100:])),
        "training_seconds": round(seconds, 1),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "git_commit": git_commit(),
        "test_accuracy": report,
    })
    print(f"wrote {args.out} (sha256 {sidecar['weights_sha256'][:12]}...) in {seconds:.0f} s of training")
    return 0


def run_test(args: argparse.Namespace) -> int:
    from hw3.data.dataset import load_split
    from hw3.eval.evaluator import load_evaluator
    from hw3.eval.train_evaluator import accuracy_report, format_accuracy_report

    model, _ = load_evaluator(args.weights)
    test_set = load_split(args.data, "test")
    print(format_accuracy_report(
        accuracy_report(model, test_set.images, test_set.hair, test_set.eyes, held_out_pairs_of(args.data))))
    return 0


def add_evaluation_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags shared by every command that evaluates a generator."""
    parser.add_argument("--data", type=Path, default=Path("data/anime"))
    parser.add_argument("--evaluator", type=Path, default=Path(DEFAULT_WEIGHTS))
    parser.add_argument("--num-samples", type=NUM_SAMPLES, default=10000, help=f"generated faces, {NUM_SAMPLES}")
    parser.add_argument("--seed", type=SEED_FLAG, default=0, help=str(SEED_FLAG))
    parser.add_argument("--out-dir", type=Path, default=Path("runs/evaluation"), help="figures and results.jsonl")
    parser.add_argument("--cas", action="store_true",
                        help="also train two classifiers for the Classification Accuracy Score (slow)")
    parser.add_argument("--cas-steps", type=TRAINING_STEPS, default=1200,
                        help=f"training steps of each classifier, {TRAINING_STEPS}")
    parser.add_argument("--device", default="cpu", help="where to draw and read faces: cpu, cuda, cuda:N, mps or auto")


def run_evaluation(args: argparse.Namespace, sample_fn, z_dim: int, label: str, conditional: bool = True,
                   device=None, extra: dict | None = None) -> dict:
    """Evaluate `sample_fn` as the flags say; print the markdown table, append to results.jsonl
    (with `extra`, such as a flow model's sampler settings, beside the metrics)."""
    from hw3.data.dataset import load_split
    from hw3.eval.classification_accuracy_score import CASConfig
    from hw3.eval.evaluate import evaluate_generator, save_results
    from hw3.eval.evaluator import load_evaluator
    from hw3.eval.report import markdown_table
    from hw3.eval.train_evaluator import EvaluatorTrainingConfig

    device = device or "cpu"
    check_output_dir(args.out_dir, "a folder for results.jsonl and the figures")
    check_output_dir(args.out_dir / label, "a folder for the evaluation's figures")
    check_output_file(args.out_dir / "results.jsonl", "a JSON-lines file for the results")
    evaluator, sidecar = load_evaluator(args.evaluator, device)
    cas_config = None
    if args.cas:
        cas_config = CASConfig(training=EvaluatorTrainingConfig(steps=args.cas_steps, seed=args.seed))
    results = evaluate_generator(
        sample_fn, evaluator, load_split(args.data, "test"), load_split(args.data, "train"),
        n=args.num_samples, seed=args.seed, z_dim=z_dim, conditional=conditional,
        held_out_pairs=held_out_pairs_of(args.data),
        cache_dir=args.data / ".cache" / "evaluator", figure_dir=args.out_dir / label, cas_config=cas_config,
        device=device)
    results.update(label=label, evaluator_sha256=sidecar["weights_sha256"], **(extra or {}))
    print(markdown_table(results))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    save_results(results, args.out_dir / "results.jsonl")
    return results
