"""Metric maths against values worked out by hand, on small synthetic feature sets."""

from __future__ import annotations

import json

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from hw3.eval.diversity import COLLAPSE_THRESHOLD, diversity_ratio
from hw3.eval.evaluate import evaluate_generator, matched_subset, split_halves
from hw3.eval.evaluator import EvaluatorConfig, TagEvaluator
from hw3.eval.fid import fid, fid_infinity, frechet_distance, gaussian_statistics
from hw3.eval.generated_set import balanced_tags, generate_images
from hw3.eval.evaluator_score import evaluator_score
from hw3.eval.kid import kid, unbiased_mmd2
from hw3.eval.memorisation import nearest_training_images, plot_nearest_training_images
from hw3.eval.precision_recall import precision_recall
from hw3.eval.report import markdown_table
from hw3.eval.tag_accuracy import plot_both_correct_heatmap, tag_accuracy
from hw3.tags import NUM_EYES, NUM_HAIR, NUM_PAIRS, HairEyeTags

TINY_EVALUATOR = EvaluatorConfig(stem_channels=4, stage_channels=(8, 16), stage_blocks=(0, 1), feature_dim=16)
HELD_OUT = (HairEyeTags("blonde", "green"), HairEyeTags("brown", "blue"))


def matrix_sqrt_trace(a: np.ndarray, b: np.ndarray) -> float:
    """tr((A B)^½) = tr((A^½ B A^½)^½), through symmetric eigendecompositions only."""
    values, vectors = np.linalg.eigh(a)
    root_a = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    return float(np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ b @ root_a), 0, None)).sum())


def covariance_by_hand(x: np.ndarray) -> np.ndarray:
    n, d = x.shape
    mean = [sum(x[i, j] for i in range(n)) / n for j in range(d)]
    return np.array([[sum((x[i, p] - mean[p]) * (x[i, q] - mean[q]) for i in range(n)) / (n - 1)
                      for q in range(d)] for p in range(d)])


# --- FID -------------------------------------------------------------------------------------

def test_covariance_treats_rows_as_samples():
    # Square on purpose: the covariance over the wrong axis has the right shape, wrong values.
    x = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 1.0], [0.0, 1.0, 5.0]])
    mean, cov = gaussian_statistics(x)
    np.testing.assert_allclose(mean, [4 / 3, 1.0, 2.0])
    np.testing.assert_allclose(cov, covariance_by_hand(x))
    assert cov.dtype == np.float64


def test_fid_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(400, 24)).astype(np.float32)
    assert fid(features, features) == pytest.approx(0.0, abs=1e-6)


def test_fid_of_1d_samples_matches_closed_form():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.0, 1.0, size=(300, 1)), rng.normal(2.0, 3.0, size=(200, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert fid(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_of_diagonal_gaussians_matches_closed_form():
    mean_a, mean_b = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    sd_a, sd_b = np.array([1.0, 2.0, 0.5]), np.array([3.0, 0.5, 0.5])
    expected = ((mean_a - mean_b) ** 2).sum() + ((sd_a - sd_b) ** 2).sum()
    distance = frechet_distance(mean_a, np.diag(sd_a**2), mean_b, np.diag(sd_b**2))
    assert distance == pytest.approx(expected, rel=1e-9)


def test_fid_matches_direct_formula_on_tiny_correlated_sets():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(7, 3)) @ np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.2, 0.0, 2.0]])
    b = rng.normal(size=(9, 3)) + np.array([0.5, -1.0, 0.0])
    cov_a, cov_b = covariance_by_hand(a), covariance_by_hand(b)
    difference = a.mean(axis=0) - b.mean(axis=0)
    expected = difference @ difference + np.trace(cov_a) + np.trace(cov_b) - 2 * matrix_sqrt_trace(cov_a, cov_b)
    assert fid(a, b) == pytest.approx(expected, rel=1e-7)


# --- KID -------------------------------------------------------------------------------------

def mmd2_by_hand(x: np.ndarray, y: np.ndarray) -> float:
    d = x.shape[1]
    kernel = lambda u, v: (float(np.dot(u, v)) / d + 1.0) ** 3  # noqa: E731
    n, m = len(x), len(y)
    within_x = sum(kernel(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    within_y = sum(kernel(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    across = sum(kernel(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return within_x + within_y - 2 * across


def test_unbiased_mmd2_matches_direct_formula():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 3)), rng.normal(1.0, 1.0, size=(6, 3))
    assert unbiased_mmd2(x, y) == pytest.approx(mmd2_by_hand(x, y), rel=1e-10)


def test_kid_over_whole_set_subsets_equals_mmd2_and_is_repeatable():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 4)), rng.normal(0.5, 1.0, size=(6, 4))
    mean, std = kid(x, y, subset_size=6, num_subsets=3, seed=0)
    assert mean == pytest.approx(mmd2_by_hand(x, y), rel=1e-9)  # a permutation changes nothing
    assert std == pytest.approx(0.0, abs=1e-12)
    big_x, big_y = rng.normal(size=(300, 8)), rng.normal(size=(300, 8))
    repeat = dict(subset_size=100, num_subsets=5, seed=7)
    assert kid(big_x, big_y, **repeat) == kid(big_x, big_y, **repeat)
    same = kid(big_x, big_y, subset_size=100, num_subsets=10, seed=0)[0]
    shifted = kid(big_x, big_y + 1.0, subset_size=100, num_subsets=10, seed=0)[0]
    assert abs(same) < 0.05 * shifted


# --- precision and recall -------------------------------------------------------------------

def test_precision_recall_of_a_set_with_itself_is_one():
    features = np.random.default_rng(5).normal(size=(200, 8))
    assert precision_recall(features, features) == (1.0, 1.0)
    collapsed = np.repeat(features[:1], 50, axis=0)  # balls of radius 0 still hold their centres
    assert precision_recall(collapsed, collapsed) == (1.0, 1.0)


def test_precision_recall_of_far_apart_sets_is_zero():
    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(100, 8)), rng.normal(size=(120, 8)) + 100.0
    assert precision_recall(real, fake) == (0.0, 0.0)


def test_precision_recall_on_a_line_worked_by_hand():
    real = np.array([[0.0], [1.0], [3.0]])  # k = 1 radii: 1, 1, 2
    fake = np.array([[0.5], [2.5], [10.0]])  # radii: 2, 2, 7.5
    precision, recall = precision_recall(real, fake, k=1)
    assert precision == pytest.approx(2 / 3)  # 10 lies outside every real ball
    assert recall == 1.0


# --- tag accuracy ---------------------------------------------------------------------------

def tag_grid(per_pair: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.repeat(np.arange(NUM_PAIRS), per_pair)
    return pairs // NUM_EYES, pairs % NUM_EYES


def test_tag_accuracy_of_perfect_logits_is_one():
    hair, eyes = tag_grid(2)
    accuracy = tag_accuracy(np.eye(NUM_HAIR)[hair] * 5, np.eye(NUM_EYES)[eyes] * 5, hair, eyes, HELD_OUT)
    assert (accuracy.hair, accuracy.eyes, accuracy.both) == (1.0, 1.0, 1.0)
    assert accuracy.seen["both"] == 1.0 and accuracy.held_out["both"] == 1.0
    assert (accuracy.both_matrix == 1.0).all() and (accuracy.count_matrix == 2).all()


def test_tag_accuracy_of_shuffled_labels_is_near_chance():
    hair, eyes = tag_grid(60)
    rng = np.random.default_rng(8)
    accuracy = tag_accuracy(
        np.eye(NUM_HAIR)[rng.permutation(hair)], np.eye(NUM_EYES)[rng.permutation(eyes)], hair, eyes, HELD_OUT)
    assert accuracy.hair == pytest.approx(1 / NUM_HAIR, abs=0.02)
    assert accuracy.eyes == pytest.approx(1 / NUM_EYES, abs=0.02)
    assert accuracy.both == pytest.approx(1 / NUM_PAIRS, abs=0.01)


def test_tag_accuracy_splits_seen_and_held_out_pairs(tmp_path):
    hair, eyes = tag_grid(1)
    held_out = np.zeros(NUM_PAIRS, dtype=bool)
    held_out[[pair.pair_index for pair in HELD_OUT]] = True
    hair_logits = np.eye(NUM_HAIR)[np.where(held_out, (hair + 1) % NUM_HAIR, hair)]  # wrong on held-out only
    accuracy = tag_accuracy(hair_logits, np.eye(NUM_EYES)[eyes], hair, eyes, [p.pair_index for p in HELD_OUT])
    assert accuracy.seen["hair"] == 1.0 and accuracy.held_out["hair"] == 0.0
    assert accuracy.both_matrix[HELD_OUT[0].hair_index, HELD_OUT[0].eye_index] == 0.0
    plot_both_correct_heatmap(accuracy, HELD_OUT).savefig(tmp_path / "heatmap.png")
    assert (tmp_path / "heatmap.png").stat().st_size > 0


# --- diversity and the evaluator score ------------------------------------------------------

def test_diversity_of_a_set_with_itself_is_one():
    features = np.random.default_rng(9).normal(size=(NUM_PAIRS * 4, 8))
    pairs = np.repeat(np.arange(NUM_PAIRS), 4)
    result = diversity_ratio(features, pairs, features, pairs)
    assert result.mean_ratio == pytest.approx(1.0)
    assert not result.mode_collapse and result.collapsed_pairs == []


def test_diversity_of_a_collapsed_set_is_zero_and_flagged():
    pairs = np.repeat(np.arange(NUM_PAIRS), 4)
    real = np.random.default_rng(10).normal(size=(len(pairs), 8))
    collapsed = np.repeat(real[:1], len(pairs), axis=0)  # one point, whatever the tags
    result = diversity_ratio(collapsed, pairs, real, pairs)
    assert result.mean_ratio == 0.0 and result.mode_collapse
    assert result.collapsed_pairs == list(range(NUM_PAIRS)) and result.threshold == COLLAPSE_THRESHOLD


def test_evaluator_score_runs_from_one_to_the_number_of_pairs():
    hair, eyes = tag_grid(3)
    confident = evaluator_score(np.eye(NUM_HAIR)[hair] * 50, np.eye(NUM_EYES)[eyes] * 50, split_size=len(hair))[0]
    assert confident == pytest.approx(NUM_PAIRS, rel=1e-6)
    one_hair, one_eye = np.tile(np.eye(NUM_HAIR)[0] * 50, (30, 1)), np.tile(np.eye(NUM_EYES)[0] * 50, (30, 1))
    single = evaluator_score(one_hair, one_eye)[0]
    assert single == pytest.approx(1.0)


def test_evaluator_score_compares_sets_of_any_size_at_one_split_size():
    # The same confident, pair-balanced set at two sizes: equal split sizes give equal scores,
    # where equal numbers of splits would favour the larger set (more pairs per split).
    rng = np.random.default_rng(3)
    def confident_set(size):
        pairs = rng.integers(0, NUM_PAIRS, size)
        return np.eye(NUM_HAIR)[pairs // NUM_EYES] * 50, np.eye(NUM_EYES)[pairs % NUM_EYES] * 50
    small, large = evaluator_score(*confident_set(1000), split_size=200), evaluator_score(*confident_set(5000), split_size=200)
    assert small[0] == pytest.approx(large[0], rel=0.03)
    # By splits of 10: 100 per split in the small set, 500 in the large one; the large one scores higher.
    by_count_small = evaluator_score(*confident_set(1000), split_size=100)[0]
    assert large[0] > by_count_small * 1.1


# --- memorisation and the whole evaluation --------------------------------------------------

def test_nearest_training_images_finds_a_copy(tmp_path):
    train = np.random.default_rng(11).normal(size=(50, 4))
    indices, distances = nearest_training_images(train[[7, 30]], train, k=3)
    assert indices[:, 0].tolist() == [7, 30] and np.allclose(distances[:, 0], 0.0, atol=1e-6)
    assert (np.diff(distances, axis=1) >= 0).all()
    images = torch.randint(0, 256, (50, 3, 64, 64), dtype=torch.uint8)
    plot_nearest_training_images(images[[7, 30]], images, indices, distances).savefig(tmp_path / "nn.png")


def draw_faces(hair: torch.Tensor, eyes: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Stand-in generator: hair colour above, two eye squares below, noise in brightness."""
    hair_palette = torch.linspace(-1, 1, NUM_HAIR)
    eye_palette = torch.linspace(1, -1, NUM_EYES)
    images = z[:, :3, None, None].clamp(-1, 1).expand(-1, 3, 64, 64) * 0.2  # (B, 3, 64, 64)
    images = images.clone()
    images[:, 0, :24] += hair_palette[hair][:, None, None]
    images[:, 2, 36:44, 16:24] = eye_palette[eyes][:, None, None]
    images[:, 2, 36:44, 40:48] = eye_palette[eyes][:, None, None]
    return images.clamp(-1, 1)


def synthetic_split(per_pair: int, seed: int) -> SimpleNamespace:
    hair, eyes = balanced_tags(NUM_PAIRS * per_pair, seed)
    images = generate_images(draw_faces, hair, eyes, z_dim=8, seed=seed)
    return SimpleNamespace(images=images, hair=hair, eyes=eyes)


def test_balanced_tags_and_halves():
    hair, eyes = balanced_tags(1000, seed=0)
    counts = np.bincount((hair * NUM_EYES + eyes).numpy(), minlength=NUM_PAIRS)
    assert counts.max() - counts.min() <= 1
    pairs = np.repeat(np.arange(NUM_PAIRS), 5)
    half_a, half_b = split_halves(pairs, seed=0)
    assert len(np.intersect1d(half_a, half_b)) == 0 and len(half_a) + len(half_b) == len(pairs)
    assert (np.bincount(pairs[half_a], minlength=NUM_PAIRS) == 2).all()
    matched = matched_subset((hair * NUM_EYES + eyes).numpy(), pairs[half_b])
    assert (np.bincount((hair * NUM_EYES + eyes).numpy()[matched], minlength=NUM_PAIRS) == 3).all()


def test_evaluate_generator_is_deterministic_and_reports_everything(tmp_path):
    torch.manual_seed(0)
    evaluator = TagEvaluator(TINY_EVALUATOR).eval()
    real_test, real_train = synthetic_split(4, seed=1), synthetic_split(3, seed=2)
    runs = [
        evaluate_generator(draw_faces, evaluator, real_test, real_train, n=NUM_PAIRS * 3, seed=5, z_dim=8,
                           held_out_pairs=HELD_OUT, cache_dir=tmp_path / "cache", figure_dir=tmp_path / "figures",
                           progress=False)
        for _ in range(2)
    ]
    for run in runs:
        run.pop("seconds_without_cas")
    # As text, so NaN (pairs with too few real faces of this tiny set) compares equal to itself.
    assert json.dumps(runs[0], sort_keys=True) == json.dumps(runs[1], sort_keys=True)
    assert (tmp_path / "figures" / "tag_accuracy.png").is_file()
    assert (tmp_path / "figures" / "nearest_training_images.png").is_file()
    assert (tmp_path / "cache" / "train_readout.npz").is_file()
    table = markdown_table(runs[0])
    assert "| FID (evaluator features) |" in table and "evaluator score (IS analogue)" in table


def test_classification_accuracy_score_smoke():
    from hw3.eval.classification_accuracy_score import CASConfig, classification_accuracy_score
    from hw3.eval.train_evaluator import EvaluatorTrainingConfig

    real_test, real_train = synthetic_split(2, seed=1), synthetic_split(2, seed=2)
    config = CASConfig(num_images=NUM_PAIRS, training=EvaluatorTrainingConfig(steps=3, batch_size=16))
    cas = classification_accuracy_score(draw_faces, real_train, real_test, TINY_EVALUATOR, config, z_dim=8,
                                        held_out_pairs=HELD_OUT, progress=False)
    for side in ("generated", "real_reference"):
        assert cas[side]["num_images"] == NUM_PAIRS * 2
        assert all(0.0 <= cas[side][key] <= 1.0 for key in ("hair", "eyes", "both"))
    assert cas["training_steps"] == 3


def test_fid_infinity_removes_the_small_sample_bias():
    # Two samples of one Gaussian: FID on 200 candidates is biased well above 0; the value
    # extrapolated to an infinite candidate set is much closer to the true 0.
    rng = np.random.default_rng(4)
    reference, candidate = rng.normal(size=(4000, 16)), rng.normal(size=(400, 16))
    biased = fid(candidate[:200], reference)
    assert biased > 0.05
    assert abs(fid_infinity(candidate, reference, seed=0)) < 0.3 * biased
    # A shifted mean survives the extrapolation: |mu_a - mu_b|^2 = 16 * 0.5^2 = 4.
    assert fid_infinity(candidate + 0.5, reference, seed=0) == pytest.approx(4.0, abs=0.25)


def test_evaluate_an_unconditional_generator_against_the_training_split(tmp_path):
    torch.manual_seed(0)
    evaluator = TagEvaluator(TINY_EVALUATOR).eval()
    real_test, real_train = synthetic_split(2, seed=1), synthetic_split(3, seed=2)
    results = evaluate_generator(lambda hair, eyes, z: draw_faces(hair * 0, eyes * 0, z), evaluator, real_test,
                                 real_train, n=NUM_PAIRS, seed=5, z_dim=8, conditional=False, progress=False,
                                 figure_dir=tmp_path)
    assert results["reference_split"] == "train" and results["conditional"] is False
    assert results["num_compared"] == results["num_reference"] == NUM_PAIRS  # half the test split
    assert "tag_accuracy" not in results and "diversity_ratio" not in results
    assert results["fid"] > results["fid_real_floor"] >= 0
    assert (tmp_path / "nearest_training_images.png").is_file() and not (tmp_path / "tag_accuracy.png").exists()
