"""Training curves from a run's JSONL log."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure  # no pyplot: no global state or backend, a notebook displays it

from hw3.train.log import read_log

# Panels and the log keys drawn in each; keys a variant does not log are left out.
PANELS = (
    ("losses", ("d_loss", "g_loss")),
    ("discriminator outputs", ("d_real", "d_fake", "d_mismatch", "wasserstein_estimate")),
    ("extra terms", ("gp", "r1", "r2", "d_aux", "g_aux", "g_mode_seeking")),
    ("auxiliary accuracy", ("aux_acc_hair", "aux_acc_eyes", "aux_acc_hair_fake", "aux_acc_eyes_fake")),
)


def plot_training_curves(log_path: str | Path, title: str | None = None) -> Figure:
    """One panel per group of logged values against the step; panels with nothing logged are left out."""
    records = read_log(log_path)
    panels = [(name, [k for k in keys if any(k in r for r in records)]) for name, keys in PANELS]
    panels = [(name, keys) for name, keys in panels if keys]
    figure = Figure(figsize=(4 * len(panels), 3))
    axes = figure.subplots(1, len(panels), squeeze=False)
    for axis, (name, keys) in zip(axes[0], panels):
        for key in keys:
            points = [(r["step"], r[key]) for r in records if key in r]
            axis.plot(*zip(*points), label=key, linewidth=1)
        axis.set_title(name)
        axis.set_xlabel("step")
        axis.legend(fontsize=7)
    figure.suptitle(title or Path(log_path).parent.name)
    figure.tight_layout()
    return figure
