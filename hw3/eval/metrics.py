"""The metrics `evaluate_generator` runs (hw3/eval/evaluate.py gives the protocol). Each is one
entry of `METRICS`: a function of the shared `EvaluationSets` that returns a dict of results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from hw3.eval.diversity import diversity_ratio
from hw3.eval.evaluator_score import evaluator_score
from hw3.eval.features import EvaluatorReadout
from hw3.eval.fid import fid, fid_infinity
from hw3.eval.kid import kid
from hw3.eval.memorisation import nearest_distance_ratio, nearest_training_images
from hw3.eval.precision_recall import precision_recall
from hw3.eval.tag_accuracy import pair_counts, tag_accuracy
from hw3.tags import NUM_EYES, pair_from_index

MEMORISATION_QUERIES = 8  # generated images shown in the figure
MEMORISATION_SAMPLE = 1000  # generated and test images behind the distance ratio


def _accuracy_dict(accuracy) -> dict:
    return {"hair": accuracy.hair, "eyes": accuracy.eyes, "both": accuracy.both,
            "seen": accuracy.seen, "held_out": accuracy.held_out}


def distribution_metrics(candidate: np.ndarray, reference: np.ndarray, seed: int) -> dict:
    """FID, FID infinity, KID, precision and recall of candidate features against reference features."""
    kid_mean, kid_std = kid(candidate, reference, seed=seed)
    precision, recall = precision_recall(reference, candidate)
    return {"fid": fid(candidate, reference), "fid_infinity": fid_infinity(candidate, reference, seed=seed),
            "kid": kid_mean, "kid_std": kid_std, "precision": precision, "recall": recall}


@dataclass
class EvaluationSets:
    """What every metric reads: evaluator readouts of the generated and real sets, and which of
    them each comparison uses."""

    generated: EvaluatorReadout
    generated_images: torch.Tensor  # (n, 3, 64, 64) uint8
    hair: np.ndarray | None  # requested tags (n,), None for an unconditional generator
    eyes: np.ndarray | None
    test: EvaluatorReadout
    test_hair: np.ndarray
    test_eyes: np.ndarray
    train: EvaluatorReadout
    compared: np.ndarray  # indices of generated images compared with the reference
    reference: np.ndarray  # (M, D) real features: test half A, or training half A
    floor: np.ndarray  # (M, D) real features of the other half, against the same reference
    held_out_pairs: tuple
    seed: int

    @property
    def conditional(self) -> bool:
        return self.hair is not None


def _distribution(sets: EvaluationSets) -> dict:
    generated = distribution_metrics(sets.generated.features[sets.compared], sets.reference, sets.seed)
    floor = distribution_metrics(sets.floor, sets.reference, sets.seed)
    return {"num_reference": len(sets.reference), "num_compared": len(sets.compared), **generated,
            **{f"{name}_real_floor": value for name, value in floor.items()}}


def _tag_accuracy(sets: EvaluationSets) -> dict:
    # Pairs with too few real test faces (the course's data) get no accuracy of their own.
    real_counts = pair_counts(sets.test_hair, sets.test_eyes)
    accuracy = tag_accuracy(sets.generated.hair_logits, sets.generated.eye_logits, sets.hair, sets.eyes,
                            sets.held_out_pairs, real_pair_counts=real_counts)
    real = tag_accuracy(sets.test.hair_logits, sets.test.eye_logits, sets.test_hair, sets.test_eyes,
                        sets.held_out_pairs, real_pair_counts=real_counts)
    return {"tag_accuracy": _accuracy_dict(accuracy), "real_tag_accuracy": _accuracy_dict(real),
            "both_correct_matrix": np.where(np.isnan(accuracy.both_matrix), None, accuracy.both_matrix).tolist()}


def _diversity(sets: EvaluationSets) -> dict:
    diversity = diversity_ratio(sets.generated.features, sets.hair * NUM_EYES + sets.eyes, sets.test.features,
                                sets.test_hair * NUM_EYES + sets.test_eyes)
    return {"diversity_ratio": diversity.mean_ratio, "diversity_threshold": diversity.threshold,
            "mode_collapse": diversity.mode_collapse,
            "collapsed_pairs": [str(pair_from_index(pair)) for pair in diversity.collapsed_pairs]}


def _evaluator_score(sets: EvaluationSets) -> dict:
    score, score_std = evaluator_score(sets.generated.hair_logits, sets.generated.eye_logits, seed=sets.seed)
    return {"evaluator_score": score, "evaluator_score_std": score_std,
            "evaluator_score_real": evaluator_score(sets.test.hair_logits, sets.test.eye_logits, seed=sets.seed)[0]}


def _memorisation(sets: EvaluationSets) -> dict:
    neighbours, distances = nearest_training_images(sets.generated.features[:MEMORISATION_QUERIES], sets.train.features)
    # The test split is ordered by pair, so its sample is drawn at random; generated tags are shuffled already.
    test_sample = np.random.default_rng(sets.seed).permutation(len(sets.test.features))[:MEMORISATION_SAMPLE]
    return {"memorisation_distance_ratio": nearest_distance_ratio(
                sets.generated.features[:MEMORISATION_SAMPLE], sets.test.features[test_sample], sets.train.features),
            "memorisation_neighbours": neighbours.tolist(), "memorisation_neighbour_distances": distances.tolist()}


@dataclass(frozen=True)
class Metric:
    name: str
    measure: Callable[[EvaluationSets], dict]
    needs_tags: bool = False


METRICS = (
    Metric("distribution", _distribution),
    Metric("tag_accuracy", _tag_accuracy, needs_tags=True),
    Metric("diversity", _diversity, needs_tags=True),
    Metric("evaluator_score", _evaluator_score, needs_tags=True),
    Metric("memorisation", _memorisation),
)
