"""The style-transfer figure: the input, its reconstruction and one restyled face per tag line.

Drawn like the course's `save_imgs` figure (matplotlib axes, `imshow`, axes off), with a short
label above each face, in rows of at most `PER_ROW` faces. The PNG's bytes are pinned down the
way `hw3.sampling.course_figure` pins them: matplotlib's defaults whatever the user's
matplotlibrc says, the Agg canvas named directly, no software version in the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hw3.sampling.course_figure import PINNED_SETTINGS
from hw3.files import write_atomically

PER_ROW = 7  # the input, its reconstruction and five restylings in one row
CELL_INCHES = (1.6, 1.9)  # width, height of one face with its two-line label


def restyle_figure(faces: np.ndarray, labels: list[str], per_row: int = PER_ROW):
    """uint8 (N, 64, 64, 3) faces, one label each -> a matplotlib Figure."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    count = len(faces)
    rows, columns = -(-count // per_row), min(per_row, count)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(PINNED_SETTINGS)
        figure = Figure(figsize=(CELL_INCHES[0] * columns, CELL_INCHES[1] * rows))
        FigureCanvasAgg(figure)
        axes = figure.subplots(rows, columns, squeeze=False)
        for index, cell in enumerate(axes.flat):
            if index < count:
                cell.imshow(faces[index], interpolation="nearest")
                cell.set_title(labels[index], fontsize=7)
            cell.axis("off")
        figure.tight_layout()
    return figure


def save_restyle_figure(faces: np.ndarray, labels: list[str], path: str | Path, per_row: int = PER_ROW) -> None:
    """Write `restyle_figure` as a PNG with reproducible bytes, atomically."""
    import matplotlib

    figure = restyle_figure(faces, labels, per_row)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(PINNED_SETTINGS)
        write_atomically(path, lambda temporary: figure.savefig(temporary, format="png", metadata={"Software": None}))
