"""Every metric for one conditional generator, in the evaluator's feature space.

Protocol. Generated tags are balanced over all 132 pairs, like the real test split, which is
the real reference (the generator never trained on it). The test split is cut, pair by pair,
into halves A and B. FID, KID and precision/recall compare a generated set to A, using the
generated images whose tags match B's one for one, so that B against A, the real-vs-real floor,
is measured at the same sample size (FID grows as the sample shrinks). Tag accuracy, the
evaluator score and diversity use all generated images.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from hw3.eval.classification_accuracy_score import CASConfig, classification_accuracy_score
from hw3.eval.diversity import diversity_ratio
from hw3.eval.features import EvaluatorReadout, cached_readout, extract_readout, model_fingerprint
from hw3.eval.fid import fid
from hw3.eval.generated_set import SampleFn, balanced_tags, generate_images
from hw3.eval.inception_score import evaluator_score
from hw3.eval.kid import kid
from hw3.eval.memorisation import nearest_distance_ratio, nearest_training_images, plot_nearest_training_images
from hw3.eval.precision_recall import precision_recall
from hw3.eval.tag_accuracy import default_held_out_pairs, plot_both_correct_heatmap, tag_accuracy
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
    """FID, KID, precision and recall of candidate features against reference features."""
    kid_mean, kid_std = kid(candidate, reference, seed=seed)
    precision, recall = precision_recall(reference, candidate)
    return {"fid": fid(candidate, reference), "kid": kid_mean, "kid_std": kid_std,
            "precision": precision, "recall": recall}


def evaluate_generator(
    sample_fn: SampleFn,
    evaluator: torch.nn.Module,
    real_test,
    real_train,
    n: int = 10000,
    seed: int = 0,
    *,
    z_dim: int = 100,
    held_out_pairs=None,
    cache_dir: str | Path | None = None,
    figure_dir: str | Path | None = None,
    cas_config: CASConfig | None = None,
    progress: bool = True,
) -> dict:
    """-> JSON-ready dict of every metric (see module doc). Datasets have `.images` uint8
    (N, 3, 64, 64), `.hair`, `.eyes`. `cas_config=None` skips the (slow) CAS; `cache_dir` keeps
    the real sets' features; `figure_dir` receives the heatmap and memorisation figures."""
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
    test_pairs = test_hair * NUM_EYES + test_eyes

    hair, eyes = balanced_tags(n, seed)
    images = generate_images(sample_fn, hair, eyes, z_dim, seed, progress=progress)  # (n, 3, 64, 64) uint8
    generated = extract_readout(evaluator, images, progress=progress)
    hair, eyes = hair.numpy(), eyes.numpy()
    generated_pairs = hair * NUM_EYES + eyes

    half_a, half_b = split_halves(test_pairs, seed)
    matched = matched_subset(generated_pairs, test_pairs[half_b])
    reference = test.features[half_a]
    generated_metrics = distribution_metrics(generated.features[matched], reference, seed)
    floor_metrics = distribution_metrics(test.features[half_b], reference, seed)

    accuracy = tag_accuracy(generated.hair_logits, generated.eye_logits, hair, eyes, held_out_pairs)
    real_accuracy = tag_accuracy(test.hair_logits, test.eye_logits, test_hair, test_eyes, held_out_pairs)
    diversity = diversity_ratio(generated.features, generated_pairs, test.features, test_pairs)
    score, score_std = evaluator_score(generated.hair_logits, generated.eye_logits, seed=seed)
    neighbours, distances = nearest_training_images(generated.features[:MEMORISATION_QUERIES], train.features)
    # The test split is ordered by pair, so its sample is drawn at random; generated tags are shuffled already.
    test_sample = np.random.default_rng(seed).permutation(len(test_pairs))[:MEMORISATION_SAMPLE]
    results = {
        "num_generated": n, "seed": seed, "num_reference": len(half_a), "num_compared": len(matched),
        "tag_accuracy": _accuracy_dict(accuracy),
        "real_tag_accuracy": _accuracy_dict(real_accuracy),
        "both_correct_matrix": np.where(np.isnan(accuracy.both_matrix), None, accuracy.both_matrix).tolist(),
        **generated_metrics,
        **{f"{name}_real_floor": value for name, value in floor_metrics.items()},
        "diversity_ratio": diversity.mean_ratio,
        "diversity_threshold": diversity.threshold,
        "mode_collapse": diversity.mode_collapse,
        "collapsed_pairs": [str(pair_from_index(pair)) for pair in diversity.collapsed_pairs],
        "evaluator_score": score,
        "evaluator_score_std": score_std,
        "evaluator_score_real": evaluator_score(test.hair_logits, test.eye_logits, seed=seed)[0],
        "memorisation_distance_ratio": nearest_distance_ratio(
            generated.features[:MEMORISATION_SAMPLE], test.features[test_sample], train.features),
        "memorisation_neighbours": neighbours.tolist(),
        "cas": None,
    }
    if figure_dir is not None:
        figure_dir = Path(figure_dir)
        figure_dir.mkdir(parents=True, exist_ok=True)
        heatmap = plot_both_correct_heatmap(accuracy, held_out_pairs)
        heatmap.savefig(figure_dir / "tag_accuracy.png", dpi=120)
        nearest = plot_nearest_training_images(images[:MEMORISATION_QUERIES], real_train.images, neighbours, distances)
        nearest.savefig(figure_dir / "nearest_training_images.png", dpi=120)
    results["seconds_without_cas"] = time.perf_counter() - started
    if cas_config is not None:
        results["cas"] = classification_accuracy_score(
            sample_fn, real_train, real_test, evaluator.config, cas_config, z_dim, seed, held_out_pairs, progress)
    return results


def save_results(results: dict, path: str | Path) -> None:
    """Append one JSON line, so repeated evaluations build a history."""
    with open(path, "a") as handle:
        handle.write(json.dumps(results) + "\n")
