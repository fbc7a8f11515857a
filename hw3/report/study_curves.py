"""Evaluation during training, every variant in one figure: FID (evaluator features) and both-tags
accuracy against real images through D and against wall-clock time, from the `eval_*` records the
training loop writes to each run's log.jsonl."""

from __future__ import annotations

from pathlib import Path

from matplotlib import rcParams
from matplotlib.figure import Figure

from hw3.train.log import read_log

METRICS = (("eval_fid", "FID (evaluator features)", True),
           ("eval_both_seen", "both tags, seen pairs", False),
           ("eval_both_held_out", "both tags, held-out pairs", False))
CLOCKS = (("images_through_d", "real images through D", 1.0), ("wall_seconds", "wall-clock (hours)", 1 / 3600))


def evaluation_records(log_paths: dict[str, Path]) -> dict[str, list[dict]]:
    """{variant: its log's records that carry an evaluation}, variants without any left out."""
    found = {}
    for name, path in log_paths.items():
        if Path(path).is_file():
            records = [record for record in read_log(path) if "eval_fid" in record]
            if records:
                found[name] = records
    return found


def variant_colours(names: list[str]) -> dict[str, str]:
    """One colour per variant, fixed before any panel is drawn: a panel where some variants have no
    points (the unconditional runs have no tag accuracy) must not shift the others' colours."""
    cycle = rcParams["axes.prop_cycle"].by_key()["color"]
    return {name: cycle[index % len(cycle)] for index, name in enumerate(names)}


def study_curves_figure(records_by_variant: dict[str, list[dict]], chosen_steps: dict[str, int] | None = None) -> Figure:
    """One row per clock (images through D, wall-clock), one column per metric, a line per variant
    in the same colour in every panel; a ring on the step each variant shipped (`chosen_steps`) when
    it is not the last. The legend sits in every panel, listing the variants drawn there."""
    colours = variant_colours(list(records_by_variant))
    metrics = [metric for metric in METRICS
               if any(metric[0] in record for records in records_by_variant.values() for record in records)]
    figure = Figure(figsize=(max(6.0, 4.2 * len(metrics)), 6.4))
    axes = figure.subplots(len(CLOCKS), len(metrics), squeeze=False)
    for row, (clock, clock_label, scale) in enumerate(CLOCKS):
        for column, (key, label, log_scale) in enumerate(metrics):
            axis = axes[row][column]
            for name, records in records_by_variant.items():
                points = [(record[clock] * scale, record[key]) for record in records
                          if record.get(key) is not None and record.get(clock) is not None]
                if points:
                    axis.plot(*zip(*points), marker=".", linewidth=1, label=name, color=colours[name])
                    chosen = [(record[clock] * scale, record[key]) for record in records
                              if record.get("step") == (chosen_steps or {}).get(name) and record.get(key) is not None
                              and record.get(clock) is not None]
                    if chosen and chosen[-1] != points[-1]:
                        axis.plot(*chosen[-1], marker="o", markersize=7, fillstyle="none", color=colours[name])
            if log_scale:
                axis.set_yscale("log")
            axis.set_xlabel(clock_label, fontsize=8)
            axis.set_title(label, fontsize=9)
            axis.tick_params(labelsize=7)
            if axis.lines:
                axis.legend(fontsize=6)
    figure.suptitle("evaluation during training (fixed sample, same for every run; a ring marks a shipped step "
                    "before the last)", fontsize=10)
    figure.tight_layout()
    return figure
