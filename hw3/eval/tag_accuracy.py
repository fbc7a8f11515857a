"""Does an image show the tags it was asked for? Judged by the evaluator's two heads.

Reported for hair, eyes and both, as a 12 x 11 both-correct matrix, and separately for pairs
the generator saw in training and for held-out pairs it never saw together.

On the course's own data some pairs have only a handful of real faces: the evaluator learnt
little about them and their test share is a few images, so a number for them is noise. Given
the real faces per pair (`real_pair_counts`), pairs with fewer than `min_real_faces` are
skipped: left out of the seen and held-out rates (the overall hair, eyes and both rates still
count every image), NaN in the matrix, listed in `sparse_pairs` and crossed out in the heatmap.
Rendered data has 40 test faces of every pair, so nothing is skipped there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, HairEyeTags

MIN_REAL_FACES_PER_PAIR = 10  # a pair with fewer real faces gets no accuracy of its own


@dataclass
class TagAccuracy:
    hair: float
    eyes: float
    both: float
    both_matrix: np.ndarray  # (12, 11) both-correct rate per requested pair; NaN if never asked
    count_matrix: np.ndarray  # (12, 11) number of images per requested pair
    seen: dict[str, float]  # {"hair", "eyes", "both"} over pairs not held out
    held_out: dict[str, float]  # the same over held-out pairs (NaN when there are none)
    sparse_pairs: list[int] = field(default_factory=list)  # pair indices skipped: too few real faces


def held_out_mask(held_out_pairs: Iterable[HairEyeTags | int]) -> np.ndarray:
    """(12, 11) bool, True at held-out pairs; pairs given as HairEyeTags or pair indices."""
    mask = np.zeros((NUM_HAIR, NUM_EYES), dtype=bool)
    for pair in held_out_pairs:
        index = pair.pair_index if isinstance(pair, HairEyeTags) else int(pair)
        mask[divmod(index, NUM_EYES)] = True
    return mask


def default_held_out_pairs() -> tuple[HairEyeTags, ...]:
    from hw3.data.pairs import HELD_OUT_PAIRS  # lazy: the metric itself does not need the data package

    return HELD_OUT_PAIRS


def pair_counts(hair: np.ndarray, eyes: np.ndarray) -> np.ndarray:
    """(12, 11) number of images per (hair, eyes) pair."""
    counts = np.zeros((NUM_HAIR, NUM_EYES), dtype=np.int64)
    np.add.at(counts, (np.asarray(hair), np.asarray(eyes)), 1)
    return counts


def _rates(hair_correct: np.ndarray, eyes_correct: np.ndarray, where: np.ndarray) -> dict[str, float]:
    if not where.any():
        return {"hair": float("nan"), "eyes": float("nan"), "both": float("nan")}
    return {
        "hair": float(hair_correct[where].mean()),
        "eyes": float(eyes_correct[where].mean()),
        "both": float((hair_correct & eyes_correct)[where].mean()),
    }


def tag_accuracy(
    hair_logits: np.ndarray,
    eye_logits: np.ndarray,
    hair: np.ndarray,
    eyes: np.ndarray,
    held_out_pairs: Iterable[HairEyeTags | int] | None = None,
    real_pair_counts: np.ndarray | None = None,
    min_real_faces: int = MIN_REAL_FACES_PER_PAIR,
) -> TagAccuracy:
    """Logits (N, 12) and (N, 11) against requested hair (N,) and eye (N,) indices.
    `held_out_pairs=None` takes `hw3.data.pairs.HELD_OUT_PAIRS`. With `real_pair_counts`
    (12, 11), requested pairs with fewer real faces than `min_real_faces` are skipped."""
    hair, eyes = np.asarray(hair), np.asarray(eyes)
    hair_correct = np.asarray(hair_logits).argmax(axis=1) == hair
    eyes_correct = np.asarray(eye_logits).argmax(axis=1) == eyes
    both_correct = hair_correct & eyes_correct
    counts = pair_counts(hair, eyes).astype(np.float64)
    sparse = np.zeros((NUM_HAIR, NUM_EYES), dtype=bool)
    if real_pair_counts is not None:
        sparse = (np.asarray(real_pair_counts) < min_real_faces) & (counts > 0)
    hits = np.zeros((NUM_HAIR, NUM_EYES))
    np.add.at(hits, (hair, eyes), both_correct)
    with np.errstate(invalid="ignore", divide="ignore"):
        both_matrix = np.where((counts > 0) & ~sparse, hits / counts, np.nan)
    mask = held_out_mask(default_held_out_pairs() if held_out_pairs is None else held_out_pairs)
    is_held_out = mask[hair, eyes]  # (N,)
    counted = ~sparse[hair, eyes]  # (N,)
    return TagAccuracy(
        **_rates(hair_correct, eyes_correct, np.ones_like(counted)),
        both_matrix=both_matrix,
        count_matrix=counts,
        seen=_rates(hair_correct, eyes_correct, ~is_held_out & counted),
        held_out=_rates(hair_correct, eyes_correct, is_held_out & counted),
        sparse_pairs=[int(index) for index in np.flatnonzero(sparse.ravel())],
    )


def plot_both_correct_heatmap(accuracy: TagAccuracy, held_out_pairs=None, title: str = "both tags correct"):
    """-> matplotlib Figure: the 12 x 11 matrix, held-out pairs outlined."""
    from matplotlib.figure import Figure  # no pyplot: no global state, works without a display
    from matplotlib.patches import Rectangle

    mask = held_out_mask(default_held_out_pairs() if held_out_pairs is None else held_out_pairs)
    figure = Figure(figsize=(7.5, 6.5))
    axes = figure.subplots()
    image = axes.imshow(accuracy.both_matrix, vmin=0.0, vmax=1.0, cmap="viridis")
    axes.set_xticks(range(NUM_EYES), EYE_COLOURS, rotation=60, ha="right")
    axes.set_yticks(range(NUM_HAIR), HAIR_COLOURS)
    axes.set_xlabel("eye colour asked for")
    axes.set_ylabel("hair colour asked for")
    for hair_index, eye_index in zip(*np.nonzero(mask)):
        axes.add_patch(Rectangle((eye_index - 0.5, hair_index - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2))
    for pair in accuracy.sparse_pairs:
        hair_index, eye_index = divmod(pair, NUM_EYES)
        axes.text(eye_index, hair_index, "×", ha="center", va="center", fontsize=9, color="gray")
    for (hair_index, eye_index), value in np.ndenumerate(accuracy.both_matrix):
        if not np.isnan(value):
            colour = "black" if value > 0.6 else "white"
            axes.text(eye_index, hair_index, f"{value:.2f}", ha="center", va="center", fontsize=6, color=colour)
    crossed = f"; ×: fewer than {MIN_REAL_FACES_PER_PAIR} real faces" if accuracy.sparse_pairs else ""
    axes.set_title(f"{title} (red: held-out pairs{crossed})")
    figure.colorbar(image, ax=axes, fraction=0.046)
    figure.tight_layout()
    return figure
