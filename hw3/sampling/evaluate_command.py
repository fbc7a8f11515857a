"""`hw3 evaluate`: every metric for a generator file or training checkpoint.

It sits here, not in hw3/eval, because reading a generator file reaches the training checkpoints
(hw3.train), and training itself uses the metrics: the command is above both, the metrics below.
It only turns the file into `sample_fn(hair, eyes, z) -> images` and hands that to
`hw3.eval.commands.run_evaluation`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hw3.bounds import int_flag, number_flag
from hw3.errors import InputError
from hw3.eval.commands import add_evaluation_arguments, run_evaluation

# The flow model's own bounds (hw3/models/flow_sampler.py), so a flag admits what a sidecar may hold.
SAMPLE_STEPS = int_flag(1, 1000)
GUIDANCE_SCALE = number_flag(0.0, 20.0)


def register(subparsers) -> None:
    evaluate = subparsers.add_parser(
        "evaluate", help="every metric for a conditional generator file or training checkpoint")
    evaluate.add_argument("--generator", type=Path, required=True,
                          help="a .safetensors generator (with its .json) or a checkpoint directory")
    evaluate.add_argument("--label", help="name in the results (default: the generator's variant and step)")
    evaluate.add_argument("--reference", type=Path,
                          help="results JSON of the shipped run (report/results/VARIANT.json): compare metric by "
                               "metric and exit 1 if one lands outside its tolerance")
    evaluate.add_argument("--sample-steps", type=SAMPLE_STEPS,
                          help=f"a flow model only: solver steps instead of its sidecar's, {SAMPLE_STEPS}")
    evaluate.add_argument("--guidance-scale", type=GUIDANCE_SCALE,
                          help=f"a flow model only: classifier-free guidance instead of its sidecar's, {GUIDANCE_SCALE}")
    add_evaluation_arguments(evaluate)
    evaluate.set_defaults(run=run_evaluate)


def with_sampler_settings(generator, path: Path, sample_steps: int | None, guidance_scale: float | None):
    """The generator, a flow model drawing with the given steps or guidance where they are set;
    a GAN with either set is a one-line InputError (it has no solver to set)."""
    if sample_steps is None and guidance_scale is None:
        return generator
    from hw3.models.flow_sampler import FlowSampler

    if not isinstance(generator, FlowSampler):
        raise InputError(f"{path}: --sample-steps and --guidance-scale set a flow model's sampler "
                         "(expected a generator of kind flow_matching, not a GAN)")
    settings = {"sample_steps": sample_steps, "guidance_scale": guidance_scale}
    return generator.with_settings(**{key: value for key, value in settings.items() if value is not None})


def sampler_settings(generator) -> dict:
    """A flow model's solver steps and guidance scale (what its faces depend on beyond the weights);
    empty for a GAN."""
    from hw3.models.flow_sampler import FlowSampler

    if not isinstance(generator, FlowSampler):
        return {}
    return {"steps": generator.config.sample_steps, "guidance": generator.config.guidance_scale}


def run_evaluate(args: argparse.Namespace) -> int:
    import torch

    from hw3.devices import resolve_device
    from hw3.sampling.generator_file import load_generator
    from hw3.weights import read_json_object

    # Read before the long part, so a bad file fails at once.
    reference = read_json_object(args.reference, "the shipped run's results JSON") if args.reference else None
    device = resolve_device(args.device)
    generator, meta = load_generator(args.generator, device)
    generator = with_sampler_settings(generator, args.generator, args.sample_steps, args.guidance_scale)
    conditional = generator.is_conditional

    @torch.no_grad()
    def sample_fn(hair, eyes, z):
        # Noise and tags come from CPU generators (the same draw on any device); an unconditional
        # generator is measured against the training split and ignores the tags.
        tags = (hair.to(device), eyes.to(device)) if conditional else (None, None)
        return generator(z.to(device), *tags)

    settings = sampler_settings(generator)
    label = args.label or f"{meta['variant']}-step{meta['step']}" + "".join(f"-{k}{v:g}" for k, v in settings.items())
    # A flow model's faces depend on its sampler as much as on its weights: both go in the record.
    extra = {"sampler": {**settings, "solver": generator.config.solver},
             "weights_sha256": meta.get("sha256")} if settings else None
    results = run_evaluation(args, sample_fn, generator.config.z_dim, label, conditional, device, extra=extra)
    if reference is None:
        return 0
    from hw3.eval.tolerance import compare_results, format_comparison

    comparisons = compare_results(results, reference, shipped_source=str(args.reference))
    print(f"\nagainst {args.reference}:\n{format_comparison(comparisons)}")
    return 0 if all(row.within for row in comparisons) else 1
