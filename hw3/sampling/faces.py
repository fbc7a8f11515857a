"""Faces from a generator file: the one code path behind `hw3 sample` and the run scripts."""

from __future__ import annotations

from pathlib import Path

import torch

from hw3.errors import InputError
from hw3.sampling.generator_file import load_generator
from hw3.sampling.images import draw_noise, save_grid, tag_tensors
from hw3.tags import HairEyeTags, TagLine, read_tag_lines


def sample_faces(
    generator_path: str | Path, out_path: str | Path, tags_file: str | Path | None = None,
    count: int | None = None, seed: int = 0, per_row: int = 5, truncation: float | None = None,
    device: str = "cpu", free_text: bool = False,
) -> int:
    """Write a grid PNG: one face per tag line in file order (or `count` faces); returns the count.

    The tags file is parsed before anything else, so a bad file fails fast and leaves any
    earlier `out_path` untouched. Face i always gets row i of the seed's noise, so a line's face
    does not depend on how many lines follow it. With `free_text`, lines like
    `3,long blonde hair with green eyes` are read with the shipped FastText vectors and each
    colour decision is printed; otherwise the strict reader allows only `<colour> hair <colour> eyes`.
    """
    tag_lines = _read_tags(tags_file, free_text) if tags_file is not None else None
    if free_text and tags_file is None:
        raise InputError("--free-text reads a tags file (expected --tags FILE)")
    generator, _ = load_generator(generator_path, device)
    if generator.is_conditional and tag_lines is None:
        raise InputError(f"{generator_path}: a conditional generator needs a tags file (expected --tags FILE)")
    if not generator.is_conditional and tag_lines is not None:
        raise InputError(f"{generator_path}: an unconditional generator takes no tags (expected --count N)")
    num_faces = len(tag_lines) if tag_lines is not None else (count or 25)
    if num_faces < 1:
        raise InputError(f"--count {num_faces}: expected a positive number of faces")
    tags = None if tag_lines is None else [line.tags for line in tag_lines]
    save_grid(draw_faces(generator, tags, num_faces, seed, truncation, device), out_path, per_row=per_row)
    return num_faces


# Every generator pass draws this many faces, a short last pass repeating its last face: CPU
# kernels sum in an order that depends on the batch size, so a fixed pass size is what keeps a
# line's face byte-identical however many lines follow it.
FACES_PER_PASS = 25


@torch.no_grad()
def draw_faces(generator, tags: list[HairEyeTags] | None, count: int, seed: int,
               truncation: float | None = None, device: torch.device | str = "cpu") -> torch.Tensor:
    """(count, 3, 64, 64) in [-1, 1]: face i from row i of the seed's noise and tags[i] (None for an
    unconditional generator)."""
    z = draw_noise(count, generator.config.z_dim, seed, truncation).to(device)
    hair, eyes = (None, None) if tags is None else (t.to(device) for t in tag_tensors(tags))
    passes = []
    for start in range(0, count, FACES_PER_PASS):
        rows = torch.arange(start, start + FACES_PER_PASS, device=device).clamp(max=count - 1)
        conditions = () if tags is None else (hair[rows], eyes[rows])
        passes.append(generator(z[rows], *conditions)[: count - start])
    return torch.cat(passes)


def _read_tags(tags_file: str | Path, free_text: bool) -> list[TagLine]:
    if not free_text:
        return read_tag_lines(tags_file)
    from hw3.text.free_text import read_free_text_lines  # deferred: loading the vectors needs gensim
    from hw3.text.storage import DEFAULT_FASTTEXT_PATH, load_word_vectors

    return read_free_text_lines(tags_file, load_word_vectors(DEFAULT_FASTTEXT_PATH), report=print)
