"""Evaluation during training: a fixed small sample, measured every K steps, and the best-step rule.

Every evaluation of every run uses the same noise and tags and the same reference features, so
numbers are comparable across steps and across variants:
- FID in the evaluator's feature space, `num_samples` generated faces against `num_reference`
  real ones. The reference is the balanced test split for conditional runs (tags spread evenly
  over the 132 pairs, as generated) and a fixed sample of the training split for unconditional
  ones, whose colour mix is what they learn. FID depends on the sample sizes, so both are fixed.
- For conditional runs, both-tags accuracy on seen and on held-out pairs.

Best step: the lowest FID; for a conditional run, only evaluations whose seen-pair both-tags
accuracy reaches `min_seen_accuracy` qualify (until one does, the highest seen-pair accuracy).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from hw3.data.dataset import load_split
from hw3.bounds import bounded
from hw3.errors import InputError
from hw3.eval.features import extract_readout, to_uint8
from hw3.eval.fid import frechet_distance, gaussian_statistics
from hw3.eval.generated_set import balanced_tags
from hw3.eval.tag_accuracy import default_held_out_pairs, tag_accuracy

EVAL_SEED = 20181  # one fixed sample for every run, whatever the run's own seed
GENERATE_BATCH = 120


@dataclass
class PeriodicEvalConfig:
    every: int = bounded(500, 0, 10**8)  # generator steps between evaluations; 0 turns them off
    num_samples: int = bounded(1320, 2, 50_000)  # generated faces, 10 per tag pair
    num_reference: int = bounded(5280, 2, 50_000)  # real faces (the whole balanced test split)
    evaluator: str = "weights/evaluator.safetensors"
    min_seen_accuracy: float = bounded(0.95, 0.0, 1.0)  # conditional runs: the accuracy a best step must reach
    # Also evaluated when the run reaches these real-image counts: the study's side-by-side budgets.
    at_images: tuple[int, ...] = bounded((400_000, 1_600_000), 1, 10**12)

    def __post_init__(self):
        if self.every < 0 or self.num_samples < 2 or self.num_reference < 2:
            raise InputError("evaluation: every >= 0, num_samples >= 2 and num_reference >= 2 expected")


def selection_key(record: dict, min_seen_accuracy: float) -> tuple:
    """Smaller is better: the rule in the module docstring as one sortable key."""
    seen = record.get("eval_both_seen")
    if seen is None:  # unconditional
        return (0, record["eval_fid"])
    if seen >= min_seen_accuracy:
        return (0, record["eval_fid"])
    return (1, -seen)


class PeriodicEvaluation:
    def __init__(self, config: PeriodicEvalConfig, conditional: bool, z_dim: int, data_root: str | Path,
                 train_images: torch.Tensor, device: torch.device, progress: bool = True):
        from hw3.eval.evaluator import load_evaluator

        evaluator_path = Path(config.evaluator)
        if not evaluator_path.is_file():
            raise InputError(f"{evaluator_path}: evaluator weights not found (expected the shipped file, "
                             "or --set evaluation.every=0 to train without evaluation)")
        self.config, self.conditional, self.device = config, conditional, device
        self.evaluator, _ = load_evaluator(evaluator_path, device)
        rng = torch.Generator().manual_seed(EVAL_SEED)
        if conditional:
            test = load_split(data_root, "test", progress=progress)
            reference = test.images[torch.randperm(len(test.images), generator=rng)[: config.num_reference]]
            self.hair, self.eyes = balanced_tags(config.num_samples, EVAL_SEED)
        else:
            reference = train_images[torch.randperm(len(train_images), generator=rng)[: config.num_reference]]
            self.hair = self.eyes = None
        self.z = torch.randn(config.num_samples, z_dim, generator=rng)  # (N, z_dim)
        features = extract_readout(self.evaluator, reference.cpu(), device=device).features
        self.reference_statistics = gaussian_statistics(features)
        self.held_out_pairs = default_held_out_pairs()

    @torch.no_grad()
    def __call__(self, generator: nn.Module) -> dict:
        images = []
        for start in range(0, len(self.z), GENERATE_BATCH):
            part = slice(start, start + GENERATE_BATCH)
            tags = (None, None) if not self.conditional else (
                self.hair[part].to(self.device), self.eyes[part].to(self.device))
            images.append(to_uint8(generator(self.z[part].to(self.device), *tags)).cpu())
        readout = extract_readout(self.evaluator, torch.cat(images), device=self.device)
        record = {"eval_fid": frechet_distance(*gaussian_statistics(readout.features), *self.reference_statistics),
                  "eval_num_samples": len(self.z)}
        if self.conditional:
            accuracy = tag_accuracy(readout.hair_logits, readout.eye_logits, self.hair.numpy(), self.eyes.numpy(),
                                    self.held_out_pairs)
            record.update(eval_both_seen=accuracy.seen["both"], eval_both_held_out=accuracy.held_out["both"])
        return record


def best_evaluation(records: list[dict], min_seen_accuracy: float) -> dict | None:
    evaluated = [r for r in records if "eval_fid" in r and np.isfinite(r["eval_fid"])]
    return min(evaluated, key=lambda r: selection_key(r, min_seen_accuracy)) if evaluated else None
