"""The report's style-transfer section: 8 test faces x 5 restylings by each method, and the
measured table (`hw3 restyle-measure`, one results file per method) side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.formatting import percent
from hw3.reading import read_json_object
from hw3.tags import HairEyeTags, pair_from_index

NUM_FACES = 8
# The same five targets for every face, so each column has one title: two held-out pairs first.
GRID_TARGETS = (HELD_OUT_PAIRS[0], HELD_OUT_PAIRS[1], HairEyeTags("blue", "red"), HairEyeTags("pink", "green"),
                HairEyeTags("black", "yellow"))
METHOD_RESULTS = {"inversion": "restyle.json", "translator": "restyle_translator.json"}


def grid_faces(test_pairs: np.ndarray, count: int = NUM_FACES) -> list[int]:
    """Test faces spread over the split whose own pair is none of the targets."""
    targets = {pair.pair_index for pair in GRID_TARGETS}
    usable = [i for i in np.linspace(0, len(test_pairs) - 1, 4 * count).round().astype(int)
              if int(test_pairs[i]) not in targets]
    return [int(i) for i in usable[:: max(1, len(usable) // count)][:count]]


def style_grid(restylers: dict, test) -> tuple[np.ndarray, list[str]]:
    """uint8 faces (rows x (1 + 5 x methods), 64, 64, 3) and the column titles."""
    import torch

    from hw3.images import face_pixels

    pairs = (test.hair * 11 + test.eyes).numpy()
    rows = []
    for index in grid_faces(pairs):
        face = test.images[index:index + 1].float() / 127.5 - 1  # (1, 3, 64, 64)
        own = pair_from_index(int(pairs[index]))
        drawn = [face.double()] + [restyler(face, list(GRID_TARGETS), own).faces.double() for restyler in restylers.values()]
        rows.append(face_pixels(torch.cat(drawn)))
    titles = ["input"] + [f"{method}:\n{pair.hair} hair\n{pair.eyes} eyes{' †' if pair in HELD_OUT_PAIRS else ''}"
                          for method in restylers for pair in GRID_TARGETS]
    return np.concatenate(rows), titles


def style_grid_figure(faces: np.ndarray, titles: list[str]):
    from matplotlib.figure import Figure

    columns = len(titles)
    rows = len(faces) // columns
    figure = Figure(figsize=(1.05 * columns, 1.05 * rows + 0.7))
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, cell in enumerate(axes.flat):
        cell.imshow(faces[index], interpolation="nearest")
        cell.set_xticks([])
        cell.set_yticks([])
        if index < columns:
            cell.set_title(titles[index], fontsize=6.5)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.7 / (1.05 * rows + 0.7), wspace=0.05,
                           hspace=0.05)
    return figure


def read_style_results(results_dir: Path) -> dict[str, dict]:
    found = {}
    for method, name in METHOD_RESULTS.items():
        path = Path(results_dir) / name
        if path.is_file():
            results = read_json_object(path, "restyle results that hw3 restyle-measure wrote")
            if results.get("method", "inversion") == method:
                found[method] = results
    return found


MEASURES = (
    ("both target tags read, all pairs", lambda r: percent(r["both_tags"]), "≥ 90 %"),
    ("both target tags read, seen pairs", lambda r: percent(r["both_tags_seen"]), "≥ 90 %"),
    ("both target tags read, held-out pairs", lambda r: percent(r["both_tags_held_out"]), "≥ 90 %"),
    ("identity kept, colour-free evaluator features", lambda r: percent(r["identity_kept"]), "high"),
    ("identity kept, features with the input's hair and eyes greyed out",
     lambda r: percent(r["identity_kept_masked"]), "high"),
    ("identity kept, pixel L1 outside hair and eyes", lambda r: percent(r["identity_kept_pixels"]), "high"),
    ("change outside hair and eyes, vs the input (levels of 255)", lambda r: f"{r['change_vs_input_levels']:.1f}",
     "small"),
    ("the face under its own tags: L1 to the input (levels of 255)", lambda r: f"{r['reconstruction_l1_levels']:.1f}",
     "small"),
    ("seconds per face (1 thread), median", lambda r: f"{r['seconds_per_face_median']:.2f}", "< 60"),
)


def style_section(figures: dict[str, str], results: dict[str, dict]) -> list[str]:
    if not results and "style_grid" not in figures:
        return []
    lines = ["## Style transfer", "",
             "`bash extra_run.sh INPUT.png TAGS_FILE` redraws a face with other hair and eye colours, by one of two "
             "methods (`--method`): **inversion** finds the noise that redraws the face in the shipped conditional "
             "generator under its own tags and draws that noise under the new ones; the **translator** "
             "(`configs/translator.toml`, StarGAN's losses on the same training loop, a U-Net with a change mask) "
             "maps face and target tags to the new face in one forward pass.", ""]
    if "style_grid" in figures:
        lines += [f"![style transfer grid](figures/{figures['style_grid']})", "",
                  "*8 test faces (left) restyled to the same 5 pairs by each method; † marks the pairs held out of "
                  "every generator's training.*", "",
                  "The inversion redraws every face as the conditional generator would draw it: its own background, "
                  "shading and blur. The translator keeps the face and paints the hair and irises, but now and then "
                  "leaves part of a long tail or twin-tail far from the face in its old colour; the evaluator reads "
                  "the whole face and does not count that against it.", ""]
    if results:
        first = next(iter(results.values()))
        lines += [f"Measured by `hw3 restyle-measure --method METHOD` on {first['faces']} test faces × "
                  f"{first['targets_per_face']} target pairs each (two held out), evaluator-read tags; identity: "
                  "the restyled face is nearer to its input than to 95 % of the other test faces with the target "
                  "tags (`hw3/restyle/measure.py` defines each measure).", "",
                  "| measure | " + " | ".join(results) + " | goal |",
                  "|---|" + "---:|" * len(results) + "---|"]
        for label, cell, goal in MEASURES:
            lines.append(f"| {label} | " + " | ".join(cell(r) for r in results.values()) + f" | {goal} |")
        lines.append("")
    return lines

