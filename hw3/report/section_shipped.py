"""The report's shipped-generator sections: the variant each run script draws, and its measurements
against the bars set for it."""

from __future__ import annotations

import re
from pathlib import Path

from hw3.formatting import percent
from hw3.reading import read_text

# The shipped pair's targets (the study's): conditional generator and unconditional generator.
TARGETS = {"seen": 0.99, "held_out": 0.95, "fid": 1.0, "diversity": (0.85, 1.2), "recall": 0.85}
UNCONDITIONAL_TARGETS = {"fid": 5.0}
# The course's cascade (`make course-check`, seeds 0-4) must find this many of the 25 faces on every seed.
CASCADE_TARGET = 22
CASCADE_FIGURES = {"gan": "run_gan.sh", "cgan_testing_tags": "run_cgan.sh testing_tags.txt",
                   "cgan_course_tags": "run_cgan.sh examples/course_tags.txt"}
# `make course-check` draws each figure with real faces too (`hw3 data figure`), as real_<figure>.
REAL_PREFIX = "real_"


def read_course_check(path: Path) -> dict[str, list[int]]:
    """`make course-check`'s faces found ("<figure> <count>" lines), by script, in seed order."""
    if not path.is_file():
        return {}
    found: dict[str, dict[int, int]] = {}
    for line in read_text(path, "make course-check's faces_found.txt").splitlines():
        match = re.fullmatch(r"\S*?([a-z_]+)_seed(\d+)\.png (\d+)", line.strip())
        if match and match.group(1).removeprefix(REAL_PREFIX) in CASCADE_FIGURES:
            found.setdefault(match.group(1), {})[int(match.group(2))] = int(match.group(3))
    return {figure: [counts[seed] for seed in sorted(counts)] for figure, counts in found.items()}


def _cascade_rows(course_check: dict[str, list[int]], figures: tuple[str, ...]):
    rows = []
    for figure in figures:
        counts = course_check.get(figure)
        if counts:
            rows.append((f"faces the course's cascade finds in `{CASCADE_FIGURES[figure]}`'s figure, seeds 0–{len(counts) - 1}",
                         ", ".join(map(str, counts)), f"≥ {CASCADE_TARGET} of 25 on each",
                         min(counts) >= CASCADE_TARGET))
        real = course_check.get(REAL_PREFIX + figure)
        if real:
            # The ceiling: the cascade's count on the same figure drawn with real faces.
            reaching = sum(count >= CASCADE_TARGET for count in real)
            rows.append((f"the same figure drawn with real faces (`hw3 data figure`), seeds 0–{len(real) - 1}",
                         f"mean {sum(real) / len(real):.1f}, {min(real)} to {max(real)}; "
                         f"{reaching} of {len(real)} reach {CASCADE_TARGET}", "—", None))
    return rows


def _target_table(checks) -> list[str]:
    lines = ["| bar | measured | target | met |", "|---|---|---|---|"]
    for name, measured, target, met in checks:
        lines.append(f"| {name} | {measured} | {target} | {'—' if met is None else ('yes' if met else 'no')} |")
    return lines


def _recall_cell(results: dict) -> str:
    return f"{percent(results['recall'], sep='')} (precision {percent(results['precision'], sep='')})"


def targets_met(results: dict) -> dict[str, bool]:
    """Which of TARGETS one conditional generator's `hw3 evaluate` record meets, by TARGETS' keys."""
    accuracy = results["tag_accuracy"]
    low, high = TARGETS["diversity"]
    return {"seen": accuracy["seen"]["both"] >= TARGETS["seen"],
            "held_out": accuracy["held_out"]["both"] >= TARGETS["held_out"],
            "fid": results["fid"] <= TARGETS["fid"],
            "diversity": low <= results["diversity_ratio"] <= high,
            "recall": results["recall"] >= TARGETS["recall"]}


def _target_lines(results: dict, course_check: dict[str, list[int]]) -> list[str]:
    accuracy = results["tag_accuracy"]
    low, high = TARGETS["diversity"]
    met = targets_met(results)
    return _target_table([
        ("both tags, seen pairs", percent(accuracy["seen"]["both"], sep=""),
         f"≥ {percent(TARGETS['seen'], 0, sep='')}", met["seen"]),
        ("both tags, held-out pairs", percent(accuracy["held_out"]["both"], sep=""),
         f"≥ {percent(TARGETS['held_out'], 0, sep='')}", met["held_out"]),
        ("FID (evaluator features)", f"{results['fid']:.2f} (real-vs-real floor {results['fid_real_floor']:.3f})",
         f"≤ {TARGETS['fid']:.1f}", met["fid"]),
        ("diversity ratio", f"{results['diversity_ratio']:.2f}", f"{low} to {high}", met["diversity"]),
        ("recall", _recall_cell(results), f"≥ {percent(TARGETS['recall'], 0, sep='')}", met["recall"]),
        *_cascade_rows(course_check, ("cgan_testing_tags", "cgan_course_tags")),
    ])


def _unconditional_target_lines(results: dict, course_check: dict[str, list[int]]) -> list[str]:
    return _target_table([
        ("FID (evaluator features) against the training split's colour mix",
         f"{results['fid']:.2f} (real-vs-real floor {results['fid_real_floor']:.3f})",
         f"≤ {UNCONDITIONAL_TARGETS['fid']:.1f}", results["fid"] <= UNCONDITIONAL_TARGETS["fid"]),
        ("recall", _recall_cell(results), "—", None),
        *_cascade_rows(course_check, ("gan",)),
    ])


def shipped_section(results: dict, conditional: dict, best: str | None,
                    course_check: dict[str, list[int]] | None = None) -> list[str]:
    """`run_cgan.sh`'s generator (`best`, None when no variant is conditional) and `run_gan.sh`'s,
    the unconditional variant of lowest FID, each with its bars; `course_check`: the faces the
    course's cascade found in each script's figures (`read_course_check`), when measured."""
    course_check = course_check or {}
    lines = []
    if best is not None:
        lines += [f"### The shipped conditional generator: {best}", "",
                  "`run_cgan.sh` draws with the conditional variant that meets most of the bars below, then by "
                  f"both-tags accuracy: **{best}**.", "",
                  *_target_lines(results[best], course_check), ""]
    unconditional = [name for name in results if not conditional[name]]
    if unconditional:
        best_unconditional = min(unconditional, key=lambda name: results[name]["fid"])
        lines += [f"### The shipped unconditional generator: {best_unconditional}", "",
                  f"`run_gan.sh` draws with the unconditional variant of lowest FID: **{best_unconditional}**.", "",
                  *_unconditional_target_lines(results[best_unconditional], course_check), ""]
    return lines
