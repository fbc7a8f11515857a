"""`hw3.generate`: faces as PIL images, from Python, drawn exactly as the run scripts draw them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hw3.bounds import is_int
from hw3.errors import InputError
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags, canonical_colour


def generate(tags: Sequence[tuple[str, str] | HairEyeTags] | int | None = None, *, seed: int = 0,
             truncation: float | None = None, generator: str | Path | None = None, device: str = "cpu"):
    """Faces as a list of 64 x 64 RGB `PIL.Image.Image`s.

    `tags` is a list of (hair, eyes) colour names, e.g. `[("blue", "red"), ("blonde", "green")]`,
    one face each, drawn by the shipped conditional generator (weights/acgan.safetensors);
    or a number of faces (None: 25) from the shipped unconditional one (weights/dcgan_sn.safetensors).
    `generator` names another generator file or checkpoint. Face i uses row i of `seed`'s noise,
    so `generate(tags)` gives the faces of `run_cgan.sh` for the same tags, pixel for pixel.
    `truncation` redraws values of z beyond it (None: no truncation). Bad input raises
    `hw3.errors.InputError` with a one-line message.
    """
    from PIL import Image

    from hw3.sampling.faces import DEFAULT_CONDITIONAL, DEFAULT_UNCONDITIONAL, face_images, load_checked_generator
    from hw3.sampling.settings import PARAMETERS, check_draw_settings

    if generator is not None and (not isinstance(generator, (str, Path)) or not str(generator)):
        raise InputError(f"generator {generator!r:.80}: expected the path of a generator file or checkpoint, or None")
    pairs, count = _pairs_or_count(tags)
    check_draw_settings(count, seed, 5, truncation, device, wording=PARAMETERS)
    path = generator if generator is not None else (DEFAULT_UNCONDITIONAL if pairs is None else DEFAULT_CONDITIONAL)
    network = load_checked_generator(path, pairs, None, device, PARAMETERS)
    faces = face_images(network, pairs, count, seed, truncation, device)
    return [Image.fromarray(face) for face in faces]


def _pairs_or_count(tags) -> tuple[list[HairEyeTags] | None, int]:
    if tags is None:
        from hw3.sampling.settings import DEFAULT_COUNT

        return None, DEFAULT_COUNT
    if is_int(tags):
        return None, tags
    if isinstance(tags, (str, bytes)) or not isinstance(tags, Sequence) or not tags:
        raise InputError(f"tags {tags!r:.80}: expected a non-empty list of (hair, eyes) colour pairs, "
                         "a number of faces, or None")
    pairs = [_pair(index, item) for index, item in enumerate(tags)]
    return pairs, len(pairs)


def _pair(index: int, item) -> HairEyeTags:
    if isinstance(item, HairEyeTags):
        return item
    if (isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2
            or not all(isinstance(word, str) for word in item)):
        raise InputError(f"tags[{index}] {item!r:.80}: expected a (hair, eyes) pair of colour names")
    hair, eyes = (canonical_colour(word) for word in item)
    for colour, vocabulary, noun in ((hair, HAIR_COLOURS, "hair"), (eyes, EYE_COLOURS, "eye")):
        if colour not in vocabulary:
            raise InputError(f"tags[{index}]: unknown {noun} colour {colour!r:.40} "
                             f"(expected one of: {', '.join(vocabulary)})")
    return HairEyeTags(hair, eyes)
