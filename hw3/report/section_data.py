"""The report's data-set section: what the renderer draws, how often each colour occurs, the held-out
pairs, why the faces are procedural and what results on them say about the course's data.

Numbers come from the renderer's own constants and from the rendered splits, so the text follows
the code.
"""

from __future__ import annotations

import numpy as np

from hw3.data.pairs import HELD_OUT_PAIRS, MATCHING_BOOST, RARE_PAIRS, RARE_PROBABILITY, ZIPF_EXPONENT
from hw3.data.render.spec import BACKGROUNDS, BANGS, CANVAS_SIZE, EXPRESSIONS, HAIR_STYLES
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, NUM_PAIRS


def _count(value: int) -> str:
    return f"{value:,}"


def colour_frequency_table(train_hair: np.ndarray, train_eyes: np.ndarray) -> str:
    """Markdown: each hair and eye colour's share of the training split, most common first."""
    hair_counts = np.bincount(train_hair, minlength=NUM_HAIR)
    eye_counts = np.bincount(train_eyes, minlength=NUM_EYES)
    hair_order = np.argsort(-hair_counts, kind="stable")
    eye_order = np.argsort(-eye_counts, kind="stable")
    total = max(len(train_hair), 1)
    lines = ["| rank | hair colour | share | eye colour | share |", "|---:|---|---:|---|---:|"]
    for rank in range(NUM_HAIR):
        hair = hair_order[rank]
        eye_cells = ("", "")
        if rank < NUM_EYES:
            eye = eye_order[rank]
            eye_cells = (EYE_COLOURS[eye], f"{100 * eye_counts[eye] / total:.1f} %")
        lines.append(f"| {rank + 1} | {HAIR_COLOURS[hair]} | {100 * hair_counts[hair] / total:.1f} % | "
                     f"{eye_cells[0]} | {eye_cells[1]} |")
    return "\n".join(lines)


def _choices(weights: dict[str, float]) -> str:
    return ", ".join(f"{name} {100 * weight:.0f} %" for name, weight in weights.items())


def data_section(train, test, figures: dict[str, str]) -> list[str]:
    """`train`, `test`: the rendered splits (`.hair`, `.eyes` label tensors). `figures`: report names
    of the data figures that exist."""
    train_hair, train_eyes = train.hair.numpy(), train.eyes.numpy()
    return [
        "## The data set: procedural anime faces",
        "",
        *_what_the_renderer_draws(),
        *_splits(train, test, train_hair, train_eyes),
        "Share of each colour in the training split:",
        "",
        colour_frequency_table(train_hair, train_eyes),
        "",
        *_figure_lines(figures),
        *_relation_to_course_data(),
    ]


def _what_the_renderer_draws() -> list[str]:
    return [
        "The course trains on about 33,000 crawled anime faces tagged with hair and eye colours. That set "
        "cannot be downloaded on the machines this project is built and tested on, so every face here is drawn "
        "by a renderer in the package, `hw3/data/render` (`make data` = `hw3 data render --out data/anime "
        "--n 30000 --seed 0`, 36 s on 2 cores). Where the course's faces are at hand, `hw3 data import --faces "
        "DIR --out DIR` turns them into the same layout (same held-out pairs, a test split of up to 40 faces a "
        "pair), so every command here runs on them unchanged.",
        "",
        f"**What the renderer draws.** Each face is painted on a {CANVAS_SIZE} × {CANVAS_SIZE} canvas and "
        f"averaged down to 64 × 64. Its hair colour is one of the course's {NUM_HAIR} and its eye colour one "
        f"of its {NUM_EYES}; each colour is a small distribution in HLS space around a centre (hue moves a few "
        "degrees, so pink never drifts into red; lightness and saturation move more), defined in "
        "`hw3/data/render/palette.py`. Around the two tagged colours everything else varies: hair style "
        f"({_choices(HAIR_STYLES)}), bangs ({_choices(BANGS)}), an ahoge, expression ({_choices(EXPRESSIONS)}), "
        f"blush, glasses, a ribbon, skin tone, face position, size and tilt, eye shape and gaze, and the "
        f"background ({_choices(BACKGROUNDS)}). These extra attributes are written as tags too "
        "(`tags_full.csv`), which is what the word vectors learn from.",
        "",
    ]


def _splits(train, test, train_hair: np.ndarray, train_eyes: np.ndarray) -> list[str]:
    """How the training split's pairs are drawn (`hw3/data/pairs.py`) and what the test split holds."""
    pairs_in_train = len(np.unique(train_hair * NUM_EYES + train_eyes))
    per_pair = len(test) // NUM_PAIRS
    held_out = ", ".join(f"{pair.hair}/{pair.eyes}" for pair in HELD_OUT_PAIRS)
    return [
        f"**Splits.** The training split holds {_count(len(train))} faces whose (hair, eyes) pairs follow a skewed "
        f"distribution like an image board's (`hw3/data/pairs.py`): colours ranked by popularity with Zipf "
        f"weights (exponent {ZIPF_EXPONENT}), same-name pairs such as blue/blue {MATCHING_BOOST:g}× as likely, "
        f"{len(RARE_PAIRS)} pairs pinned at {100 * RARE_PROBABILITY:.1f} % (about "
        f"{round(RARE_PROBABILITY * len(train))} faces each), and {len(HELD_OUT_PAIRS)} pairs that never occur "
        f"in training: {held_out}. Each hair colour loses exactly one partner, so every colour is still seen "
        f"with others; {pairs_in_train} of the {NUM_PAIRS} pairs occur in this training split. The test split holds "
        f"{per_pair} faces of every pair ({_count(len(test))} in all), rendered from a different seed stream; it "
        "is the real reference of every metric below and the evaluator never trained on it.",
        "",
    ]


def _figure_lines(figures: dict[str, str]) -> list[str]:
    lines = []
    if "tag_histograms" in figures:
        lines += [f"![training-split colour counts](figures/{figures['tag_histograms']})", "",
                  "*Training split: faces per hair colour, per eye colour, and per pair on a log scale; the held-out "
                  "pairs (red outlines) have none.*", ""]
    for key, noun in (("hair_faces", "hair"), ("eye_faces", "eye")):
        if key in figures:
            lines += [f"![faces per {noun} colour](figures/{figures[key]})", "",
                      f"*Eight training faces per {noun} colour, one row per colour.*", ""]
    return lines


def _relation_to_course_data() -> list[str]:
    return [
        "**How results here relate to the course's data.** The task has the same shape: the course's 12 hair "
        "and 11 eye colours, 64 × 64 faces, the same tag-line format and the same `testing_tags.txt`. What it "
        "tests carries over: eye colour covers a few dozen pixels while hair covers a third of the image; rare "
        "colours are seen a few times an epoch; some pairs are seen only as separate colours. What does not carry "
        "over are the absolute numbers. These faces are flat-shaded and built from a few shapes, every label is "
        "exact, and the test faces come from the same renderer, so a GAN reaches a low FID (evaluator features) "
        "much sooner than on drawn faces by many artists with noisy crawled tags. Expect the ranking of the "
        "methods and their failure modes to transfer, and every method to need more steps and reach lower tag "
        "accuracy on the course's data.",
        "",
    ]
