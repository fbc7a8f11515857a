"""The course's 5 x 5 figure drawn with a data split's own faces instead of a generator's.

The course's face cascade does not find every real face either; this figure, measured the same
way as the run scripts' (`make course-check`), is the ceiling a generator's count is read against.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hw3.data.dataset import TaggedImageDataset
from hw3.errors import InputError
from hw3.tags import NUM_EYES, TagLine

FIGURE_FACES = 25  # the course's 5 x 5 figure


def faces_for_lines(dataset: TaggedImageDataset, lines: list[TagLine] | None, seed: int, source: str | Path = "",
                    count: int = FIGURE_FACES) -> np.ndarray:
    """uint8 (N, 64, 64, 3): one face of each line's pair, drawn with `seed`; with `lines` None,
    `count` different faces drawn at random. `source` names the tags file in errors."""
    rng = np.random.default_rng(seed)
    if lines is None:
        if len(dataset) < count:
            raise InputError(f"{dataset.tags_file}: {len(dataset)} faces (expected at least {count})")
        chosen = rng.choice(len(dataset), size=count, replace=False)
    else:
        pair_of_face = (dataset.hair * NUM_EYES + dataset.eyes).numpy()
        chosen = []
        for line in lines:
            faces = np.flatnonzero(pair_of_face == line.tags.pair_index)
            if len(faces) == 0:
                raise InputError(f"{source}:{line.line_number}: no face of {line.tags} in {dataset.tags_file} "
                                 "(expected a pair that split holds; a held-out pair is in the test split only)")
            chosen.append(rng.choice(faces))
    return dataset.images[np.asarray(chosen)].permute(0, 2, 3, 1).numpy()
