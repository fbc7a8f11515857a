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


def evaluator_score(
    hair_logits: np.ndarray, eye_logits: np.ndarray, num_splits: int = 10, seed: int = 0
) -> tuple[float, float]:
    """-> (mean, std) of the score over `num_splits` equal splits, as for IS. Images are shuffled
    first: a set ordered by pair (like the test split) would otherwise give each split few pairs."""
    log_probabilities = joint_pair_log_probabilities(hair_logits, eye_logits)
    log_probabilities = log_probabilities[np.random.default_rng(seed).permutation(len(log_probabilities))]
    scores = [score_of(part) for part in np.array_split(log_probabilities, num_splits) if len(part)]
    return float(np.mean(scores)), float(np.std(scores))
