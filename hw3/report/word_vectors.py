"""The report's word-vector pieces: colour words in 2-D, and tag accuracy per condition encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from hw3.formatting import percent
from hw3.reading import read_json_lines
from hw3.text.colours import colour_names, nearest_colour_name

# Misspellings drawn beside the colour names they should land on.
MISSPELLINGS = ("blnde", "purpel", "grean", "silvr", "orang", "blak", "whte", "brwn", "pnk", "redd", "cyann",
                "golde", "bluee")


def colour_word_figure(vectors) -> Figure:
    """Hair colour names and misspellings in the plane of their first two principal components,
    each misspelling joined to the colour name it resolves through. `vectors`: gensim FastText KeyedVectors."""
    names = list(colour_names("hair"))
    words = names + list(MISSPELLINGS)
    points = np.stack([vectors.get_vector(word, norm=True) for word in words])  # (W, d)
    centred = points - points.mean(axis=0)
    _, _, axes_t = np.linalg.svd(centred, full_matrices=False)
    plane = centred @ axes_t[:2].T  # (W, 2)
    position = dict(zip(words, plane))
    figure = Figure(figsize=(6.5, 5))
    axes = figure.add_subplot(1, 1, 1)
    axes.scatter(*plane[:len(names)].T, color="tab:blue", label="colour names (hair)")
    axes.scatter(*plane[len(names):].T, color="tab:red", marker="x", label="misspellings")
    for word, (x, y) in position.items():
        axes.annotate(word, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    for word in MISSPELLINGS:  # joined to the name nearest in all d dimensions, which the plane may hide
        name, _ = nearest_colour_name(word, "hair", vectors)
        axes.plot(*np.stack([position[word], position[name]]).T, color="gray", linewidth=0.6)
    axes.set_title("FastText colour words, first two principal components", fontsize=9)
    axes.legend(fontsize=7)
    figure.tight_layout()
    return figure


def conditioning_table(results_path: str | Path) -> str | None:
    """Markdown from `hw3 evaluate` records labelled '<encoder>-step<N>' (the latest per label), or
    None when there are none yet (`make text-compare` writes them)."""
    path = Path(results_path)
    if not path.is_file():
        return None
    latest = {}
    for record in read_json_lines(path, "hw3 evaluate's results, one JSON line per evaluation"):
        if isinstance(record.get("label"), str):
            latest[record["label"]] = record
    lines = ["| condition encoder in G | steps | both, seen pairs | both, held-out pairs | hair | eyes | "
             "FID (evaluator features) | diversity |", "|---|---|---|---|---|---|---|---|"]
    for label, record in sorted(latest.items()):
        encoder, _, steps = label.rpartition("-step")
        accuracy = record["tag_accuracy"]
        shares = [accuracy["seen"]["both"], accuracy["held_out"]["both"], accuracy["hair"], accuracy["eyes"]]
        lines.append(f"| {encoder} | {steps} | " + " | ".join(percent(share, sep="") for share in shares)
                     + f" | {record['fid']:.2f} | {record['diversity_ratio']:.2f} |")
    return "\n".join(lines)
