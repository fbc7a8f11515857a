"""Which (hair, eyes) pairs the rendered training split holds, and how often.

Real tag corpora are skewed: a few colours dominate, "matching" pairs (blue hair, blue eyes) are
over-represented and many pairs are rare. The training distribution below imitates that, and
`HELD_OUT_PAIRS` never occur in training at all, so a conditional generator can be checked on
combinations it has only seen as separate attributes. The test split holds every pair.
"""

from __future__ import annotations

import numpy as np

from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, HairEyeTags

# Each hair colour loses exactly one partner and each eye colour at least one, so every colour
# still occurs in training with ten (hair) or nine-plus (eyes) other partners. The first three are
# pairs a real corpus has plenty of; the last ones would be rare anyway.
HELD_OUT_PAIRS: tuple[HairEyeTags, ...] = (
    HairEyeTags("blonde", "green"),
    HairEyeTags("brown", "blue"),
    HairEyeTags("black", "red"),
    HairEyeTags("blue", "yellow"),
    HairEyeTags("pink", "aqua"),
    HairEyeTags("red", "purple"),
    HairEyeTags("white", "brown"),
    HairEyeTags("purple", "gray"),
    HairEyeTags("gray", "black"),
    HairEyeTags("green", "orange"),
    HairEyeTags("aqua", "pink"),
    HairEyeTags("orange", "green"),
)

# Popularity order, most common first, roughly as on anime image boards.
HAIR_POPULARITY = (
    "blonde", "brown", "black", "blue", "purple", "pink",
    "white", "red", "gray", "green", "aqua", "orange",
)
EYE_POPULARITY = (
    "blue", "red", "brown", "green", "purple", "yellow",
    "pink", "aqua", "black", "orange", "gray",
)
ZIPF_EXPONENT = 0.8  # 1.0 gives the top pair ~18 %; real boards are a little flatter
# Same-name pairs (blue/blue) are the commonest design choice; a few other classics too.
MATCHING_BOOST = 3.0
AFFINITY_BOOSTS = {
    HairEyeTags("blonde", "blue"): 1.5,
    HairEyeTags("white", "red"): 2.5,
    HairEyeTags("black", "brown"): 1.5,
    HairEyeTags("brown", "brown"): 1.5,
    HairEyeTags("gray", "blue"): 1.5,
}
# Pairs pinned at ~0.1 % (about 30 images in 30k): present, but only just.
RARE_PAIRS = (
    HairEyeTags("orange", "gray"),
    HairEyeTags("green", "black"),
    HairEyeTags("aqua", "brown"),
    HairEyeTags("pink", "black"),
    HairEyeTags("gray", "orange"),
    HairEyeTags("purple", "orange"),
)
RARE_PROBABILITY = 0.001


def _zipf_weights(popularity: tuple[str, ...], vocabulary: tuple[str, ...]) -> np.ndarray:
    ranks = np.array([popularity.index(colour) + 1 for colour in vocabulary], dtype=np.float64)
    return ranks ** -ZIPF_EXPONENT


def training_pair_probabilities() -> np.ndarray:
    """(12, 11) float64 joint distribution over (hair index, eye index); sums to 1.

    Zero exactly on `HELD_OUT_PAIRS`, `RARE_PROBABILITY` on `RARE_PAIRS`. Deterministic.
    """
    weights = np.outer(_zipf_weights(HAIR_POPULARITY, HAIR_COLOURS), _zipf_weights(EYE_POPULARITY, EYE_COLOURS))
    for hair_index, hair in enumerate(HAIR_COLOURS):
        if hair in EYE_COLOURS:
            weights[hair_index, EYE_COLOURS.index(hair)] *= MATCHING_BOOST
    for pair, boost in AFFINITY_BOOSTS.items():
        weights[pair.hair_index, pair.eye_index] *= boost

    pinned = np.zeros((NUM_HAIR, NUM_EYES), dtype=bool)
    for pair in HELD_OUT_PAIRS:
        weights[pair.hair_index, pair.eye_index] = 0.0
        pinned[pair.hair_index, pair.eye_index] = True
    probabilities = np.zeros_like(weights)
    for pair in RARE_PAIRS:
        probabilities[pair.hair_index, pair.eye_index] = RARE_PROBABILITY
        pinned[pair.hair_index, pair.eye_index] = True

    free = ~pinned
    probabilities[free] = weights[free] / weights[free].sum() * (1.0 - probabilities.sum())
    return probabilities / probabilities.sum()
