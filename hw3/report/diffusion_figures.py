"""The flow model beside the GANs in one figure: quality against training compute, against the
time the grader's 25 faces take, and the flow model's guidance sweep."""

from __future__ import annotations

from matplotlib.figure import Figure

from hw3.report.study_curves import variant_colours


def compute_comparison_figure(curves: dict[str, list[tuple[float, float]]],
                              sampling: dict[str, tuple[float, float]], sweep: list[dict]) -> Figure:
    """`curves`: {model: [(training CPU-hours, in-training FID)]}; `sampling`: {model: (seconds for
    25 faces, hw3 evaluate FID)}; `sweep`: the flow model's evaluations, one per guidance scale."""
    colours = variant_colours(sorted(set(curves) | set(sampling)))
    figure = Figure(figsize=(13.5, 4.0))
    training, drawing, guidance = figure.subplots(1, 3)
    for name, points in curves.items():
        training.plot(*zip(*points), marker=".", linewidth=1, label=name, color=colours[name])
    training.set(xlabel="training CPU-hours (wall-clock x threads)", ylabel="in-training FID", yscale="log",
                 title="quality against training compute")
    for name, (seconds, fid) in sampling.items():
        drawing.scatter([seconds], [fid], color=colours[name], label=name)
        drawing.annotate(name, (seconds, fid), textcoords="offset points", xytext=(5, 4), fontsize=7)
    drawing.set(xlabel="seconds for the 25 faces of run_cgan.sh (cold start)", ylabel="FID (hw3 evaluate)",
                xscale="log", yscale="log", title="quality against sampling time")
    if sweep:
        fids = [record["fid"] for record in sweep]
        for key, marker, label in (("seen", "o", "seen pairs"), ("held_out", "^", "held-out pairs")):
            accuracy = [100 * record["tag_accuracy"][key]["both"] for record in sweep]
            guidance.plot(accuracy, fids, marker=marker, linewidth=1, label=label)
            for record, x, y in zip(sweep, accuracy, fids):
                guidance.annotate(f"{record['sampler']['guidance']:g}", (x, y), textcoords="offset points",
                                  xytext=(4, 4), fontsize=7)
        guidance.set(xlabel="both tags right (%)", ylabel="FID (hw3 evaluate)",
                     title="flow model: guidance scale swept (labels)")
    for axis in (training, drawing, guidance):
        axis.title.set_fontsize(9)
        axis.tick_params(labelsize=7)
        axis.xaxis.label.set_fontsize(8)
        axis.yaxis.label.set_fontsize(8)
        if axis.lines or axis.collections:
            axis.legend(fontsize=7)
    figure.tight_layout()
    return figure
