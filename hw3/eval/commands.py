"""`hw3 evaluator train|test`: the tag evaluator behind every metric.

`hw3 evaluate` (generator checkpoints) builds on `add_evaluation_arguments` and `run_evaluation`
below: it only has to turn a checkpoint into `sample_fn(hair, eyes, z) -> images`.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

DEFAULT_WEIGHTS = "weights/evaluator.safetensors"


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
    train.add_argument("--steps", type=int, default=1200)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--learning-rate", type=float, default=2e-3)
    train.add_argument("--class-weight-power", type=float, default=0.0,
                       help="weight each colour's loss by its frequency to this negative power (0: unweighted; "
                            "for imbalanced data such as the course's)")
    train.set_defaults(run=run_train)

    test = actions.add_parser("test", help="accuracy of saved evaluator weights on the test split")
    test.add_argument("--data", type=Path, default=Path("data/anime"))
    test.add_argument("--weights", type=Path, default=Path(DEFAULT_WEIGHTS))
    test.set_defaults(run=run_test)

    evaluate = subparsers.add_parser(
        "evaluate", help="every metric for a conditional generator file or training checkpoint")
    evaluate.add_argument("--generator", type=Path, required=True,
                          help="a .safetensors generator (with its .json) or a checkpoint directory")
    evaluate.add_argument("--label", help="name in the results (default: the generator's variant and step)")
    evaluate.add_argument("--reference", type=Path,
                          help="results JSON of the shipped run (report/results/VARIANT.json): compare metric by "
                               "metric and exit 1 if one lands outside its tolerance")
    add_evaluation_arguments(evaluate)
    evaluate.set_defaults(run=run_evaluate)


def run_train(args: argparse.Namespace) -> int:
    import torch

    from hw3.data.dataset import load_split
    from hw3.eval.evaluator import EvaluatorConfig, save_evaluator
    from hw3.eval.features import dataset_fingerprint
    from hw3.eval.train_evaluator import (
        EvaluatorTrainingConfig, accuracy_report, format_accuracy_report, train_tag_classifier)
    from hw3.weights import command_line, git_commit

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
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", type=Path, default=Path("runs/evaluation"), help="figures and results.jsonl")
    parser.add_argument("--cas", action="store_true",
                        help="also train two classifiers for the Classification Accuracy Score (slow)")
    parser.add_argument("--cas-steps", type=int, default=1200)
    parser.add_argument("--device", default="cpu", help="where to draw and read faces: cpu, cuda, cuda:N, mps or auto")


def run_evaluation(args: argparse.Namespace, sample_fn, z_dim: int, label: str, conditional: bool = True,
                   device=None) -> dict:
    """Evaluate `sample_fn` as the flags say; print the markdown table, append to results.jsonl."""
    from hw3.data.dataset import load_split
    from hw3.eval.classification_accuracy_score import CASConfig
    from hw3.eval.evaluate import evaluate_generator, save_results
    from hw3.eval.evaluator import load_evaluator
    from hw3.eval.report import markdown_table
    from hw3.eval.train_evaluator import EvaluatorTrainingConfig

    device = device or "cpu"
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
    results.update(label=label, evaluator_sha256=sidecar["weights_sha256"])
    print(markdown_table(results))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    save_results(results, args.out_dir / "results.jsonl")
    return results


def run_evaluate(args: argparse.Namespace) -> int:
    import torch

    from hw3.sampling.generator_file import load_generator
    from hw3.weights import read_json_object

    # Read before the long part, so a bad file fails at once.
    reference = read_json_object(args.reference, "the shipped run's results JSON") if args.reference else None
    from hw3.train.runtime import resolve_device

    device = resolve_device(args.device)
    generator, meta = load_generator(args.generator, device)
    conditional = generator.is_conditional

    @torch.no_grad()
    def sample_fn(hair, eyes, z):
        # Noise and tags come from CPU generators (the same draw on any device); an unconditional
        # generator is measured against the training split and ignores the tags.
        tags = (hair.to(device), eyes.to(device)) if conditional else (None, None)
        return generator(z.to(device), *tags)

    label = args.label or f"{meta['variant']}-step{meta['step']}"
    results = run_evaluation(args, sample_fn, generator.config.z_dim, label, conditional, device)
    if reference is None:
        return 0
    from hw3.eval.tolerance import compare_results, format_comparison

    comparisons = compare_results(results, reference, shipped_source=str(args.reference))
    print(f"\nagainst {args.reference}:\n{format_comparison(comparisons)}")
    return 0 if all(row.within for row in comparisons) else 1

