"""Classification Accuracy Score (Ravuri & Vinyals 2019) for a tag-conditional generator.

A fresh classifier of the evaluator's design is trained only on generated images, with the
tags they were asked for as labels, and tested on real test images. If the generator draws
each tag faithfully and with real variety, CAS approaches the reference: the same classifier
trained on as many real training images.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from hw3.eval.evaluator import EvaluatorConfig
from hw3.eval.generated_set import SampleFn, balanced_tags, generate_images
from hw3.eval.train_evaluator import EvaluatorTrainingConfig, accuracy_report, train_tag_classifier


@dataclass
class CASConfig:
    num_images: int = 13200  # 100 per pair
    training: EvaluatorTrainingConfig = field(default_factory=EvaluatorTrainingConfig)


def _summary(report: dict) -> dict:
    return {key: report[key] for key in ("num_images", "hair", "eyes", "both", "seen_pairs", "held_out_pairs")}


def classification_accuracy_score(
    sample_fn: SampleFn,
    real_train,
    real_test,
    model_config: EvaluatorConfig | None = None,
    config: CASConfig | None = None,
    z_dim: int = 100,
    seed: int = 0,
    held_out_pairs=None,
    progress: bool = True,
) -> dict:
    """-> {"generated": accuracies on real test images of the classifier trained on generated
    images, "real_reference": the same for real training images}; datasets have `.images`
    uint8 (N, 3, 64, 64), `.hair`, `.eyes`."""
    config = config or CASConfig()
    hair, eyes = balanced_tags(config.num_images, seed)
    generated = generate_images(sample_fn, hair, eyes, z_dim, seed, progress=progress)
    generated_model, _ = train_tag_classifier(generated, hair, eyes, model_config, config.training, progress)

    subset = torch.randperm(len(real_train.images), generator=torch.Generator().manual_seed(seed))
    subset = subset[: config.num_images]
    real_images, real_hair, real_eyes = real_train.images[subset], real_train.hair[subset], real_train.eyes[subset]
    real_model, _ = train_tag_classifier(real_images, real_hair, real_eyes, model_config, config.training, progress)
    test = (real_test.images, real_test.hair, real_test.eyes)
    return {
        "generated": _summary(accuracy_report(generated_model, *test, held_out_pairs=held_out_pairs)),
        "real_reference": _summary(accuracy_report(real_model, *test, held_out_pairs=held_out_pairs)),
        "training_steps": config.training.steps,
    }
