"""`hw3 evaluate`: every metric for a generator file or training checkpoint.

It sits here, not in hw3/eval, because reading a generator file reaches the training checkpoints
(hw3.train), and training itself uses the metrics: the command is above both, the metrics below.
It only turns the file into `sample_fn(hair, eyes, z) -> images` and hands that to
`hw3.eval.commands.run_evaluation`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hw3.eval.commands import add_evaluation_arguments, run_evaluation


def register(subparsers) -> None:
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


def run_evaluate(args: argparse.Namespace) -> int:
    import torch

    from hw3.devices import resolve_device
    from hw3.sampling.generator_file import load_generator
    from hw3.weights import read_json_object

    # Read before the long part, so a bad file fails at once.
    reference = read_json_object(args.reference, "the shipped run's results JSON") if args.reference else None
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
