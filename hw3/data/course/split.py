"""A deterministic train/test split of labelled faces, stratified by (hair, eyes) pair."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hw3.errors import InputError
from hw3.reading import read_json_object
from hw3.tags import NUM_EYES, NUM_PAIRS, HairEyeTags, parse_colour_phrase


@dataclass(frozen=True)
class SplitConfig:
    seed: int = 0
    test_per_pair: int = 40  # as many as the rendered test split holds per pair
    test_fraction: float = 0.2  # never more than this share of a seen pair's faces
    min_test_per_pair: int = 5  # fewer test faces than this say nothing: the pair keeps them all for training
    held_out_pairs: tuple[HairEyeTags, ...] = ()


@dataclass
class Split:
    train: list[int] = field(default_factory=list)  # indices into the faces, in their order
    test: list[int] = field(default_factory=list)
    unused: list[int] = field(default_factory=list)  # held-out pairs' faces beyond the test quota
    too_rare: list[int] = field(default_factory=list)  # seen pair indices with no test faces
    rare_held_out: list[int] = field(default_factory=list)  # held-out pairs below min_test_per_pair


def split_by_pair(pairs: Iterable[int], config: SplitConfig) -> Split:
    """`pairs[i]` is face i's pair index (hair-major, 0..131). Each pair's faces are shuffled by
    a generator seeded with (seed, pair), so one pair's split never depends on another's."""
    pairs = np.asarray(list(pairs), dtype=np.int64)
    held_out = {pair.pair_index for pair in config.held_out_pairs}
    split = Split()
    test_mask = np.zeros(len(pairs), dtype=bool)
    unused_mask = np.zeros(len(pairs), dtype=bool)
    for pair in range(NUM_PAIRS):
        members = np.flatnonzero(pairs == pair)
        if len(members) == 0:
            continue
        shuffled = members[np.random.default_rng([config.seed, pair]).permutation(len(members))]
        if pair in held_out:
            test_mask[shuffled[: config.test_per_pair]] = True
            unused_mask[shuffled[config.test_per_pair :]] = True
            if len(members) < config.min_test_per_pair:
                split.rare_held_out.append(pair)
            continue
        count = min(config.test_per_pair, int(len(members) * config.test_fraction))
        if count < config.min_test_per_pair:
            split.too_rare.append(pair)
            continue
        test_mask[shuffled[:count]] = True
    split.test = np.flatnonzero(test_mask).tolist()
    split.unused = np.flatnonzero(unused_mask).tolist()
    split.train = np.flatnonzero(~test_mask & ~unused_mask).tolist()
    return split


def pair_count_matrix(pairs: Iterable[int]) -> list[list[int]]:
    """(12, 11) nested list: faces per (hair, eyes) pair."""
    counts = np.bincount(np.asarray(list(pairs), dtype=np.int64), minlength=NUM_PAIRS)
    return counts.reshape(-1, NUM_EYES).tolist()


def held_out_pairs_of(data_root: str | Path) -> tuple[HairEyeTags, ...] | None:
    """The held-out pairs a data root's `meta.json` records (rendered or imported), or None when
    it has no meta.json (a folder of the course's own layout)."""
    meta_path = Path(data_root) / "meta.json"
    if not meta_path.is_file():
        return None
    meta = read_json_object(meta_path, "the data set's meta.json, as hw3 data render or import writes it")
    try:
        return tuple(parse_colour_phrase(name) for name in meta["held_out_pairs"])
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"{meta_path}: no readable held_out_pairs list ({error})") from None
