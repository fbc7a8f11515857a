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

Each metric is one entry of `METRICS` (hw3/eval/metrics.py): a function of the shared
`EvaluationSets` that returns a dict of results.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from hw3.eval.classification_accuracy_score import CASConfig, classification_accuracy_score
from hw3.eval.features import EvaluatorReadout, cached_readout, extract_readout, model_fingerprint
from hw3.eval.generated_set import SampleFn, balanced_tags, generate_images
from hw3.eval.memorisation import plot_nearest_training_images
from hw3.eval.metrics import MEMORISATION_QUERIES, METRICS, EvaluationSets
from hw3.eval.tag_accuracy import default_held_out_pairs, pair_counts, plot_both_correct_heatmap, tag_accuracy
from hw3.errors import InputError
from hw3.files import append_text, write_atomically
from hw3.tags import NUM_EYES, NUM_PAIRS


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


def _comparison_sets(test_pairs: np.ndarray, generated_pairs: np.ndarray | None, train: EvaluatorReadout,
                     test: EvaluatorReadout, num_generated: int, seed: int):
    """-> (compared generated indices, reference features, floor features); see the module doc."""
    half_a, half_b = split_halves(test_pairs, seed)
    if generated_pairs is not None:
        return matched_subset(generated_pairs, test_pairs[half_b]), test.features[half_a], test.features[half_b]
    size = min(len(half_a), len(train.features) // 2, num_generated)
    order = np.random.default_rng(seed).permutation(len(train.features))
    return np.arange(size), train.features[order[:size]], train.features[order[size:2 * size]]


MIN_SET_SIZE = 5  # precision and recall read each face's 3rd neighbour, memorisation its 5th


def _check_set_sizes(n: int, sets: tuple, generated_pairs: np.ndarray | None, test_pairs: np.ndarray) -> None:
    """Every metric can be measured on these sets; else a one-line InputError, before any face is drawn."""
    names = ("generated faces compared", "real reference faces", "real floor faces", "training faces")
    size, name = min(zip((len(part) for part in sets), names))
    if size < MIN_SET_SIZE:
        raise InputError(f"{n} samples leave {size} {name} (expected at least {MIN_SET_SIZE}: "
                         "more samples, or a data set with more test and training faces)")
    if generated_pairs is not None and not ((np.bincount(generated_pairs, minlength=NUM_PAIRS) >= 2)
                                            & (np.bincount(test_pairs, minlength=NUM_PAIRS) >= 2)).any():
        # The spread within a pair needs two faces of one pair on each side.
        raise InputError(f"{n} samples leave no tag pair with two generated and two real test faces (expected "
                         f"at least {2 * NUM_PAIRS} samples, two per pair, and a test split with two faces of a pair)")


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
    test, train = _real_readouts(evaluator, real_test, real_train, cache_dir, progress)
    sets = _evaluation_sets(sample_fn, evaluator, real_test, test, train, n, seed, z_dim=z_dim,
                            conditional=conditional, held_out_pairs=held_out_pairs, progress=progress, device=device)
    results = {"num_generated": n, "seed": seed, "conditional": conditional,
               "reference_split": "test" if conditional else "train", "cas": None}
    for metric in METRICS:
        if conditional or not metric.needs_tags:
            results.update(metric.measure(sets))
    if figure_dir is not None:
        _save_figures(sets, results, real_train.images, Path(figure_dir))
    results["seconds_without_cas"] = time.perf_counter() - started
    if cas_config is not None and conditional:
        results["cas"] = classification_accuracy_score(
            sample_fn, real_train, real_test, evaluator.config, cas_config, z_dim, seed, held_out_pairs, progress)
    return results


def _real_readouts(evaluator: torch.nn.Module, real_test, real_train, cache_dir: str | Path | None,
                   progress: bool) -> tuple[EvaluatorReadout, EvaluatorReadout]:
    """Evaluator readouts of the test and training splits, kept in `cache_dir` under the evaluator's fingerprint."""
    weights_key = model_fingerprint(evaluator)
    cache_dir = Path(cache_dir) if cache_dir is not None else None

    def real_readout(dataset, name: str) -> EvaluatorReadout:
        cache_path = cache_dir / f"{name}_readout.npz" if cache_dir is not None else None
        return cached_readout(evaluator, weights_key, dataset.images, cache_path, progress)

    return real_readout(real_test, "test"), real_readout(real_train, "train")


def _evaluation_sets(sample_fn: SampleFn, evaluator: torch.nn.Module, real_test, test: EvaluatorReadout,
                     train: EvaluatorReadout, n: int, seed: int, *, z_dim: int, conditional: bool,
                     held_out_pairs: tuple, progress: bool, device: str | torch.device) -> EvaluationSets:
    """The generated set drawn and read, beside the real sets it is compared with (see the module doc)."""
    test_hair, test_eyes = real_test.hair.numpy(), real_test.eyes.numpy()
    hair, eyes = balanced_tags(n, seed)
    test_pairs, generated_pairs = test_hair * NUM_EYES + test_eyes, (hair * NUM_EYES + eyes).numpy() if conditional else None
    compared, reference, floor = _comparison_sets(test_pairs, generated_pairs, train, test, n, seed)
    _check_set_sizes(n, (compared, reference, floor, train.features), generated_pairs, test_pairs)  # before the long part
    images = generate_images(sample_fn, hair, eyes, z_dim, seed, progress=progress)  # (n, 3, 64, 64) uint8
    generated = extract_readout(evaluator, images, device=device, progress=progress)
    hair, eyes = (hair.numpy(), eyes.numpy()) if conditional else (None, None)
    return EvaluationSets(generated, images, hair, eyes, test, test_hair, test_eyes, train, compared, reference,
                          floor, held_out_pairs, seed)


def _save_figures(sets: EvaluationSets, results: dict, train_images: torch.Tensor, figure_dir: Path) -> None:
    """The both-tags heatmap (conditional generators) and the generated faces beside their nearest training images."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    if sets.conditional:
        heatmap = plot_both_correct_heatmap(
            tag_accuracy(sets.generated.hair_logits, sets.generated.eye_logits, sets.hair, sets.eyes,
                         sets.held_out_pairs, real_pair_counts=pair_counts(sets.test_hair, sets.test_eyes)),
            sets.held_out_pairs)
        save_figure(heatmap, figure_dir / "tag_accuracy.png")
    neighbours = np.asarray(results["memorisation_neighbours"])
    distances = np.asarray(results["memorisation_neighbour_distances"])
    nearest = plot_nearest_training_images(sets.generated_images[:MEMORISATION_QUERIES], train_images, neighbours,
                                           distances)
    save_figure(nearest, figure_dir / "nearest_training_images.png")


def save_results(results: dict, path: str | Path) -> None:
    """Append one JSON line, so repeated evaluations build a history."""
    append_text(path, json.dumps(results) + "\n")


def save_figure(figure, path: Path) -> None:
    write_atomically(path, lambda temporary: figure.savefig(temporary, format="png", dpi=120))
