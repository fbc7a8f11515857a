"""`hw3 restyle` / `extra_run.sh`: a face, a tags file -> the face under each tag line's colours.

Two methods:
- "inversion": find the z that redraws the face in the shipped conditional generator under its
  own tags, then draw that z under each target (hw3/restyle/inversion.py; seconds per face);
- "translator": one forward pass of the StarGAN-style translator (hw3/models/translator.py,
  configs/translator.toml) per target (milliseconds per face).

Everything is checked before any weights are read (method, output path, tags file, image), so
a bad input fails fast with one line and leaves an earlier figure as it was. Both run on CPU on
one thread. The inversion runs in float32 from fixed seeds: the same bytes on every run on a
machine (a fixed thread count fixes the kernels' summation order). The translator runs in float64
on ATen's plain kernels: the same bytes on every x86-64 CPU.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from hw3.errors import InputError
from hw3.files import check_output_file
from hw3.restyle import DEFAULT_METHOD, MAX_TAG_LINES, METHODS
from hw3.restyle.face_image import read_face
from hw3.restyle.figure import save_restyle_figure
from hw3.restyle.inversion import Inversion, InversionConfig, invert, redraw
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags, parse_colour_phrase, read_tag_lines

REPO = Path(__file__).resolve().parents[2]
DEFAULT_GENERATOR = REPO / "weights" / "acgan.safetensors"
DEFAULT_EVALUATOR = REPO / "weights" / "evaluator.safetensors"
DEFAULT_TRANSLATOR = REPO / "weights" / "translator.safetensors"
NUM_THREADS = 1  # fixed: the kernels' summation order, hence the bytes, depend on it


@dataclass
class Restyled:
    own_tags: HairEyeTags  # read by the evaluator, or given
    reconstruction: torch.Tensor  # (1, 3, 64, 64) in [-1, 1]
    faces: torch.Tensor  # (N, 3, 64, 64), one per target
    inversion: Inversion | None  # None for the translator
    seconds: float
    reconstruction_error: float  # mean |reconstruction - input| in [-1, 1] units


@contextlib.contextmanager
def fixed_threads(count: int = NUM_THREADS):
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def check_method(method: str) -> None:
    if method not in METHODS:
        raise InputError(f"--method {method!r:.60}: unknown (expected one of: {', '.join(METHODS)})")


def load_networks(generator_path: str | Path = DEFAULT_GENERATOR, evaluator_path: str | Path = DEFAULT_EVALUATOR):
    """(generator, evaluator) on CPU in eval mode."""
    from hw3.eval.evaluator import load_evaluator
    from hw3.sampling.generator_file import load_generator

    generator, meta = load_generator(generator_path, "cpu")
    if not generator.is_conditional:
        raise InputError(f"{generator_path}: an unconditional generator cannot draw tags "
                         "(expected a conditional one such as weights/acgan.safetensors)")
    evaluator, _ = load_evaluator(evaluator_path, "cpu")
    return generator.eval(), evaluator.eval()


def to_tensor(face: np.ndarray) -> torch.Tensor:
    """uint8 (64, 64, 3) -> float32 (1, 3, 64, 64) in [-1, 1]."""
    return torch.from_numpy(face).permute(2, 0, 1)[None].float() / 127.5 - 1.0


@torch.no_grad()
def read_tags_of(evaluator, face: torch.Tensor) -> HairEyeTags:
    output = evaluator(face)
    return HairEyeTags(HAIR_COLOURS[int(output.hair_logits.argmax())], EYE_COLOURS[int(output.eye_logits.argmax())])


def restyle_face(generator, evaluator, face: torch.Tensor, targets: Sequence[HairEyeTags],
                 own_tags: HairEyeTags | None = None, config: InversionConfig | None = None) -> Restyled:
    """One face (1, 3, 64, 64) in [-1, 1] under each of `targets`, by inversion."""
    start = time.perf_counter()
    with fixed_threads():
        own_tags = own_tags or read_tags_of(evaluator, face)
        inversion = invert(generator, evaluator, face, own_tags, config)
        drawn = redraw(generator, inversion, [own_tags, *targets])  # (1 + N, 3, 64, 64)
    return Restyled(own_tags, drawn[:1], drawn[1:], inversion, time.perf_counter() - start, inversion.pixel_error)


@torch.no_grad()
def translate_face(translator, evaluator, face: torch.Tensor, targets: Sequence[HairEyeTags],
                   own_tags: HairEyeTags | None = None) -> Restyled:
    """One face (1, 3, 64, 64) in [-1, 1] under each of `targets`, by the translator; the
    'reconstruction' is the face translated to its own tags.

    The pass runs in float64 on ATen's plain kernels, as `run_cgan.sh` replays its generator: one
    forward pass then gives the same pixels on every x86-64 CPU (the inversion's 150 Adam steps
    cannot promise that; see docs/style_transfer.md)."""
    import copy

    from hw3.images import tag_tensors
    from hw3.sampling.faces import plain_cpu_kernels

    start = time.perf_counter()
    with fixed_threads(), plain_cpu_kernels():
        own_tags = own_tags or read_tags_of(evaluator, face)
        hair, eyes = tag_tensors([own_tags, *targets])
        exact = translator if _is_float64(translator) else copy.deepcopy(translator).to(dtype=torch.float64)
        drawn = exact(face.double().expand(len(hair), -1, -1, -1), hair, eyes)  # (1 + N, 3, 64, 64)
    error = float((drawn[:1] - face.double()).abs().mean())
    return Restyled(own_tags, drawn[:1], drawn[1:], None, time.perf_counter() - start, error)


def _is_float64(module: torch.nn.Module) -> bool:
    return all(parameter.dtype == torch.float64 for parameter in module.parameters())


def load_translator(path: str | Path = DEFAULT_TRANSLATOR):
    from hw3.sampling.generator_file import load_translator as load

    return load(path, "cpu")


class Restyler:
    """The chosen method with its networks loaded once: `restyler(face, targets, own_tags)`."""

    def __init__(self, method: str = DEFAULT_METHOD, inversion: InversionConfig | None = None):
        check_method(method)
        self.method, self.inversion = method, inversion
        self.generator, self.evaluator = load_networks()
        # Converted once here, not on every face: translate_face runs it in float64.
        self.translator = load_translator().to(dtype=torch.float64) if method == "translator" else None

    def __call__(self, face: torch.Tensor, targets: Sequence[HairEyeTags],
                 own_tags: HairEyeTags | None = None) -> Restyled:
        if self.translator is not None:
            return translate_face(self.translator, self.evaluator, face, targets, own_tags)
        return restyle_face(self.generator, self.evaluator, face, targets, own_tags, self.inversion)


def parse_own_tags(text: str | None) -> HairEyeTags | None:
    if text is None:
        return None
    try:
        return parse_colour_phrase(text)
    except ValueError as error:
        raise InputError(f"--own-tags {text!r:.60}: {error}") from None


def restyle_file(input_path: str | Path, tags_file: str | Path, out_path: str | Path,
                 own_tags: str | None = None, method: str = DEFAULT_METHOD,
                 config: InversionConfig | None = None) -> Restyled:
    """Write the figure for `input_path` restyled to each line of `tags_file`; returns what was drawn."""
    from hw3.images import face_pixels

    check_method(method)
    out_path = check_output_file(out_path, "a PNG file path such as samples/style.png")
    tag_lines = read_tag_lines(tags_file)
    if len(tag_lines) > MAX_TAG_LINES:
        raise InputError(f"{tags_file}: {len(tag_lines)} tag lines (expected at most {MAX_TAG_LINES})")
    given_tags = parse_own_tags(own_tags)
    pixels = read_face(input_path)
    restyler = Restyler(method, config)
    result = restyler(to_tensor(pixels), [line.tags for line in tag_lines], given_tags)
    faces = np.concatenate([pixels[None], face_pixels(result.reconstruction), face_pixels(result.faces)])
    source = "given as" if given_tags else "read as"
    labels = [f"input, {source}\n{result.own_tags.hair} hair {result.own_tags.eyes} eyes",
              "reconstruction\n(the same tags)" if method == "inversion" else "translated to\nits own tags"]
    labels += [f"{line.id}: {line.tags.hair} hair\n{line.tags.eyes} eyes" for line in tag_lines]
    save_restyle_figure(faces, labels, out_path)
    return result
