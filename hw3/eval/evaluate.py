"""Every metric for one generator, in the evaluator's feature space.

Protocol, conditional. Generated tags are balanced over all 132 pairs, like the real test split,
which is the real reference (the generator never trained on it). The test split is cut, pair by
pair, into halves A and B. FID, KID and precision/recall compare a generated set to A, using the
generated images whose tags match B's one for one, so that B against A, the real-vs-real floor,
is measured at the same sample size (FID grows as the sample shrinks; FID infinity, extrapolated
to an infinite sample, does not). Tag accuracy, the evaluator score and diversity use all
generated images.

Protocol, unconditional. The generator learnt the training split's colour mix, not the balanced
test split's, so its reference is the training split: two disjoint random halves A and B of
the size the conditional protocol uses, generated images compared to A at B's size, B against A
the floor. Metrics that need tags are left out.

Each metric is one entry of `METRICS`: a function of the shared `EvaluationSets` that returns a
dict of results.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from hw3.eval.classification_accuracy_score import CASConfig, classification_accuracy_score
from hw3.eval.diversity import diversity_ratio
from hw3.eval.features import EvaluatorReadout, cached_readout, extract_readout, model_fingerprint
from hw3.eval.evaluator_score import evaluator_score
from hw3.eval.fid import fid, fid_infinity
from hw3.eval.generated_set import SampleFn, balanced_tags, generate_images
from hw3.eval.kid import kid
from hw3.eval.memorisation import nearest_distance_ratio, nearest_training_images, plot_nearest_training_images
from hw3.eval.precision_recall import precision_recall
from hw3.eval.tag_accuracy import default_held_out_pairs, pair_counts, plot_both_correct_heatmap, tag_accuracy
from hw3.tags import NUM_EYES, NUM_PAIRS, pair_from_index

MEMORISATION_QUERIES = 8  # generated images shown in the figure
MEMORISATION_SAMPLE = 1000  # generated and test images behind the distance ratio


def split_halves(pairs: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of two disjoint halves, each holding half of every pair's images."""
    rng = np.random.default_rng(seed)
    half_a, half_b = [], []
    for pair in range(NUM_PAIRS):
        members = rng.permutation(np.flatnonzero(pairs == pair))
        half_a.append(members[: len(members) // 2])
        half_b.append(members[len(members) // 2 :])
    return np.concatenate(half_a), np.concatenate(half_b)


def matched_subset(pairs: np.ndarray, wanted_pairs: np.ndarray) -> np.ndarray:
    """Indices into `pairs` holding each pair as often as `wanted_pairs` does (or as often as
    available), first come first taken."""
    wanted = np.bincount(wanted_pairs, minlength=NUM_PAIRS)
    return np.concatenate([np.flatnonzero(pairs == pair)[: wanted[pair]] for pair in range(NUM_PAIRS)])


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


def _comparison_sets(test_pairs: np.ndarray, generated_pairs: np.ndarray | None, train: EvaluatorReadout,
                     test: EvaluatorReadout, num_generated: int, seed: int):
    """-> (compared generated indices, reference features, floor features); see the module doc."""
    half_a, half_b = split_halves(test_pairs, seed)
    if generated_pairs is not None:
        return matched_subset(generated_pairs, test_pairs[half_b]), test.features[half_a], test.features[half_b]
    size = min(len(half_a), len(train.features) // 2, num_generated)
    order = np.random.default_rng(seed).permutation(len(train.features))
    return np.arange(size), train.features[order[:size]], train.features[order[size:2 * size]]


def evaluate_generator(
    sample_fn: SampleFn,
    evaluator: torch.nn.Module,
    real_test,
    real_train,
    n: int = 10000,
    seed: int = 0,
    *,
    z_dim: int = 100,
    conditional: bool = True,
    held_out_pairs=None,
    cache_dir: str | Path | None = None,
    figure_dir: str | Path | None = None,
    cas_config: CASConfig | None = None,
    progress: bool = True,
    device: str | torch.device = "cpu",
) -> dict:
    """-> JSON-ready dict of every metric (see module doc). Datasets have `.images` uint8
    (N, 3, 64, 64), `.hair`, `.eyes`. `conditional=False` evaluates an unconditional generator
    (`sample_fn` ignores the tags) against the training split. `cas_config=None` skips the (slow)
    CAS; `cache_dir` keeps the real sets' features; `figure_dir` receives the heatmap and
    memorisation figures."""
    started = time.perf_counter()
    held_out_pairs = default_held_out_pairs() if held_out_pairs is None else tuple(held_out_pairs)
    evaluator.eval()
    weights_key = model_fingerprint(evaluator)
    cache_dir = Path(cache_dir) if cache_dir is not None else None

    def real_readout(dataset, name: str) -> EvaluatorReadout:
        cache_path = cache_dir / f"{name}_readout.npz" if cache_dir is not None else None
        return cached_readout(evaluator, weights_key, dataset.images, cache_path, progress)

    test, train = real_readout(real_test, "test"), real_readout(real_train, "train")
    test_hair, test_eyes = real_test.hair.numpy(), real_test.eyes.numpy()
    hair, eyes = balanced_tags(n, seed)
    images = generate_images(sample_fn, hair, eyes, z_dim, seed, progress=progress)  # (n, 3, 64, 64) uint8
    generated = extract_readout(evaluator, images, device=device, progress=progress)
    hair, eyes = (hair.numpy(), eyes.numpy()) if conditional else (None, None)
    compared, reference, floor = _comparison_sets(
        test_hair * NUM_EYES + test_eyes, None if hair is None else hair * NUM_EYES + eyes, train, test, n, seed)
    sets = EvaluationSets(generated, images, hair, eyes, test, test_hair, test_eyes, train, compared, reference,
                          floor, held_out_pairs, seed)
    results = {"num_generated": n, "seed": seed, "conditional": conditional,
               "reference_split": "test" if conditional else "train", "cas": None}
    for metric in METRICS:
        if conditional or not metric.needs_tags:
            results.update(metric.measure(sets))
    if figure_dir is not None:
        figure_dir = Path(figure_dir)
        figure_dir.mkdir(parents=True, exist_ok=True)
        if conditional:
            heatmap = plot_both_correct_heatmap(
                tag_accuracy(generated.hair_logits, generated.eye_logits, hair, eyes, held_out_pairs,
                             real_pair_counts=pair_counts(test_hair, test_eyes)), held_out_pairs)
            heatmap.savefig(figure_dir / "tag_accuracy.png", dpi=120)
        neighbours = np.asarray(results["memorisation_neighbours"])
        distances = np.asarray(results["memorisation_neighbour_distances"])
        nearest = plot_nearest_training_images(images[:MEMORISATION_QUERIES], real_train.images, neighbours, distances)
        nearest.savefig(figure_dir / "nearest_training_images.png", dpi=120)
    results["seconds_without_cas"] = time.perf_counter() - started
    if cas_config is not None and conditional:
        results["cas"] = classification_accuracy_score(
            sample_fn, real_train, real_test, evaluator.config, cas_config, z_dim, seed, held_out_pairs, progress)
    return results


def save_results(results: dict, path: str | Path) -> None:
    """Append one JSON line, so repeated evaluations build a history."""
    with open(path, "a") as handle:
        handle.write(json.dumps(results) + "\n")
