"""Which tags example `index` of a split has, and its picture: everything from (seed, split, index).

Each example's generator is seeded from (seed, split code, index) alone, so an image never
depends on which worker drew it or on what was drawn before it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from hw3.data.pairs import training_pair_probabilities
from hw3.data.render.renderer import RenderedFace, render_face
from hw3.tags import NUM_PAIRS, HairEyeTags, pair_from_index

SPLIT_CODES = {"train": 0, "test": 1}


@lru_cache(maxsize=1)
def _training_pair_weights() -> np.ndarray:
    return training_pair_probabilities().ravel()  # (132,), hair-major like HairEyeTags.pair_index


def example_rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, SPLIT_CODES[split], index])


def example_tags(split: str, index: int, rng: np.random.Generator, num_test_per_pair: int) -> HairEyeTags:
    """Train: a pair drawn from the skewed training distribution. Test: pairs in order, K each."""
    if split == "train":
        return pair_from_index(int(rng.choice(NUM_PAIRS, p=_training_pair_weights())))
    return pair_from_index(index // num_test_per_pair)


def render_example(seed: int, split: str, index: int, num_test_per_pair: int) -> RenderedFace:
    rng = example_rng(seed, split, index)
    return render_face(example_tags(split, index, rng, num_test_per_pair), rng)


def split_size(split: str, num_train: int, num_test_per_pair: int) -> int:
    return num_train if split == "train" else NUM_PAIRS * num_test_per_pair
