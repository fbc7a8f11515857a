"""Evaluator score (IS analogue): the Inception Score computed with the tag evaluator.

Classes are the 132 (hair, eyes) pairs, with p(pair | x) = p(hair | x) · p(eyes | x) from the two
heads. Score = exp(E_x KL(p(pair | x) ‖ p(pair))): high when each image is confidently one pair
and the set spreads over many pairs. It runs from 1 to 132 (every pair, equally often, each
judged with certainty). It is not comparable with Inception Scores in the literature.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_softmax

from hw3.tags import NUM_PAIRS


def joint_pair_log_probabilities(hair_logits: np.ndarray, eye_logits: np.ndarray) -> np.ndarray:
    """(N, 12), (N, 11) -> (N, 132) log p(pair | x), hair-major like `HairEyeTags.pair_index`."""
    log_hair = log_softmax(np.asarray(hair_logits, dtype=np.float64), axis=1)
    log_eyes = log_softmax(np.asarray(eye_logits, dtype=np.float64), axis=1)
    return (log_hair[:, :, None] + log_eyes[:, None, :]).reshape(len(log_hair), NUM_PAIRS)


def score_of(log_probabilities: np.ndarray) -> float:
    probabilities = np.exp(log_probabilities)
    log_marginal = np.log(probabilities.mean(axis=0) + 1e-30)  # (132,)
    kl_per_image = (probabilities * (log_probabilities - log_marginal)).sum(axis=1)
    return float(np.exp(kl_per_image.mean()))


SPLIT_SIZE = 500  # images per split, for every set alike


def evaluator_score(
    hair_logits: np.ndarray, eye_logits: np.ndarray, split_size: int = SPLIT_SIZE, seed: int = 0
) -> tuple[float, float]:
    """-> (mean, std) of the score over splits of `split_size` images (the remainder is left
    out), as for IS. The score grows with the split size (a small split holds fewer pairs), so
    sets are compared at one split size, not one number of splits: 10,000 generated faces in 20
    splits of 500 against 5,280 real ones in 10. Images are shuffled first: a set ordered by pair
    (like the test split) would otherwise give each split few pairs."""
    log_probabilities = joint_pair_log_probabilities(hair_logits, eye_logits)
    log_probabilities = log_probabilities[np.random.default_rng(seed).permutation(len(log_probabilities))]
    split_size = min(split_size, len(log_probabilities))
    num_splits = len(log_probabilities) // split_size
    scores = [score_of(log_probabilities[i * split_size:(i + 1) * split_size]) for i in range(num_splits)]
    return float(np.mean(scores)), float(np.std(scores))
