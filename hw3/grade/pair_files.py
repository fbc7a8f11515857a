"""Every (hair, eyes) pair, `faces_per_pair` times, laid out over 25-line tags files.

Slot s (file s // 25, line s % 25) asks for pair s % 132, so the faces of one pair sit on
different lines of different files: a submission that draws line i from the i-th noise vector
(as this repository does) still gives a pair different noise. The last file is padded to 25
lines with pairs already asked for; padded faces are not scored.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from hw3.tags import NUM_PAIRS, pair_from_index

LINES_PER_FILE = 25  # the course's testing_tags.txt


@dataclass(frozen=True)
class PairFile:
    pairs: tuple[int, ...]  # pair index of each line
    scored: int  # the first `scored` lines count; the rest pad the file to 25 lines

    def text(self) -> str:
        return "".join(f"{line},{pair_from_index(pair)}\n" for line, pair in enumerate(self.pairs, start=1))


def pair_files(faces_per_pair: int) -> list[PairFile]:
    slots = np.arange(NUM_PAIRS * faces_per_pair) % NUM_PAIRS
    files = []
    for start in range(0, len(slots), LINES_PER_FILE):
        pairs = slots[start : start + LINES_PER_FILE].tolist()
        scored = len(pairs)
        pairs += [int(pair) for pair in slots[: LINES_PER_FILE - scored]]
        files.append(PairFile(tuple(pairs), scored))
    return files
