"""The course's `save_imgs` figure: a 5 x 5 grid of matplotlib axes, one face each, axes off.

The course draws its 25 faces with `fig, axs = plt.subplots(5, 5)`, `imshow` and `axis('off')`
in each axes, then `fig.savefig(path)` at the default figure size (640 x 480 px). This is that
figure, with the bytes pinned down: matplotlib's default settings whatever the user's
matplotlibrc says, the Agg canvas named directly (no pyplot, no global backend), and no
software version in the PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hw3.files import write_atomically

# The settings the PNG's size rests on, stated rather than assumed (these are matplotlib's defaults).
PINNED_SETTINGS = {"savefig.dpi": "figure", "savefig.bbox": None, "figure.dpi": 100.0}


def course_figure(faces: np.ndarray, per_row: int = 5):
    """uint8 (N, H, W, 3) faces -> a matplotlib Figure laid out like the course's `save_imgs`:
    ceil(N / per_row) rows of min(N, per_row) axes at the default figure size, empty axes blank."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    count = len(faces)
    rows, columns = -(-count // per_row), min(per_row, count)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # inside the context: the caller's settings come back afterwards
        matplotlib.rcParams.update(PINNED_SETTINGS)
        figure = Figure()
        FigureCanvasAgg(figure)
        axes = figure.subplots(rows, columns, squeeze=False)
        for index, cell in enumerate(axes.flat):
            if index < count:
                cell.imshow(faces[index])
            cell.axis("off")
    return figure


def save_course_figure(faces: np.ndarray, path: str | Path, per_row: int = 5) -> None:
    """Write `course_figure(faces)` as a PNG with reproducible bytes, atomically."""
    import matplotlib

    figure = course_figure(faces, per_row)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(PINNED_SETTINGS)
        write_atomically(path, lambda temporary: figure.savefig(temporary, format="png", metadata={"Software": None}))
