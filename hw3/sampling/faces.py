"""Faces from a generator file: the one code path behind `hw3.generate`, `hw3 sample` and the run scripts.

On CPU the generator is replayed in float64 on ATen's plain kernels (oneDNN off), so a face's
pixels do not depend on the CPU's vector unit or on which kernels oneDNN or MKL pick: across
ATEN_CPU_CAPABILITY = default / avx2 / avx512, DNNL_MAX_CPU_ISA = SSE41 / AVX2 / AVX512_CORE and
MKL_CBWR = COMPATIBLE / SSE4_2 / AVX2 / AVX512 the float64 faces differed by at most 7e-15, while
the value of the shipped grids nearest a rounding boundary sat 1.2e-6 (dcgan) and 3.4e-6 (acgan)
of a level from it. In float32 the same settings moved 1 to 4 pixels by one level
(tests/test_cross_cpu.py)."""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from hw3.errors import InputError
from hw3.sampling.course_figure import save_course_figure
from hw3.sampling.generator_file import build_generator, config_file, draws_with_tags, read_generator_meta
from hw3.images import draw_noise, face_pixels, montage, tag_tensors
from hw3.files import check_output_file, write_atomically
from hw3.sampling.settings import DEFAULT_COUNT, FLAGS, MAX_FACES, Wording, check_draw_settings
from hw3.tags import HairEyeTags, TagLine, read_tag_lines

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONDITIONAL = REPO / "weights" / "acgan.safetensors"  # what run_cgan.sh draws with
DEFAULT_UNCONDITIONAL = REPO / "weights" / "dcgan_sn.safetensors"  # what run_gan.sh draws with
# Every generator pass draws this many faces, a short last pass repeating its last face: CPU
# kernels sum in an order that depends on the batch size, so a fixed pass size is what keeps a
# line's face byte-identical however many lines follow it.
FACES_PER_PASS = 25


def check_device_available(device: str, wording: Wording = FLAGS) -> None:
    given = wording.given("device", device, quoted=False)
    if device.startswith("cuda"):
        index = int(device.partition(":")[2] or 0)
        if not torch.cuda.is_available() or index >= torch.cuda.device_count():
            raise InputError(f"{given}: no such CUDA device on this machine (expected cpu)")
    if device == "mps" and not torch.backends.mps.is_available():
        raise InputError(f"{given}: Apple MPS is not available on this machine (expected cpu)")


def load_checked_generator(path: str | Path, tags: Sequence[HairEyeTags] | None, count: int | None,
                           device: str = "cpu", wording: Wording = FLAGS):
    """The generator at `path`, once its files are checked and it is known to fit the request:
    a conditional generator needs tags and takes no count; an unconditional one takes no tags."""
    meta, weights = read_generator_meta(path)
    conditional = draws_with_tags(meta)
    if conditional and tags is None:
        raise InputError(f"{path}: a conditional generator needs {wording.needs_tags}")
    if conditional and count is not None:
        raise InputError(f"{path}: a conditional generator draws one face per tag line "
                         f"(expected no count; got {wording.given('count', count)})")
    if not conditional and tags is not None:
        raise InputError(f"{path}: an unconditional generator takes no tags ({wording.takes_no_tags})")
    check_device_available(device, wording)
    return build_generator(meta, weights, config_file(path, weights), device)


def sample_faces(
    generator_path: str | Path, out_path: str | Path, tags_file: str | Path | None = None,
    count: int | None = None, seed: int = 0, per_row: int = 5, truncation: float | None = None,
    device: str = "cpu", free_text: bool = False, layout: str = "course",
) -> int:
    """Write a PNG of one face per tag line in file order (or `count` faces); returns the count.

    Every setting, the output path, the tags file and the generator's files are checked before
    anything is drawn, so a bad input fails fast and leaves any earlier `out_path` untouched.
    Face i always gets row i of the seed's noise, so a line's face does not depend on how many
    lines follow it. With `free_text`, lines like `3,long blonde hair with green eyes` are read
    with the shipped FastText vectors and each colour decision is printed; otherwise the strict
    reader allows only `<colour> hair <colour> eyes`.
    """
    check_draw_settings(count, seed, per_row, truncation, device, layout)
    for flag, value in (("--generator", generator_path), ("--out", out_path), ("--tags", tags_file)):
        if value is not None and ("\0" in str(value) or not str(value)):
            raise InputError(f"{flag} {str(value)!r:.80}: expected a file path")
    if free_text and tags_file is None:
        raise InputError("--free-text reads a tags file (expected --tags FILE)")
    out_path = check_output_file(out_path, "a PNG file path such as samples/cgan.png")
    tag_lines = _read_tags(tags_file, free_text) if tags_file is not None else None
    if tag_lines is not None and len(tag_lines) > MAX_FACES:
        raise InputError(f"{tags_file}: {len(tag_lines)} tag lines (expected at most {MAX_FACES})")
    tags = None if tag_lines is None else [line.tags for line in tag_lines]
    generator = load_checked_generator(generator_path, tags, count, device)
    num_faces = len(tags) if tags is not None else (count or DEFAULT_COUNT)
    faces = face_images(generator, tags, num_faces, seed, truncation, device)
    save_faces(faces, out_path, per_row, layout)
    return num_faces


def save_faces(faces: np.ndarray, path: str | Path, per_row: int = 5, layout: str = "course") -> None:
    """uint8 (N, 64, 64, 3) faces -> a PNG in the course's figure or as a tight montage, atomically."""
    if layout == "course":
        save_course_figure(faces, path, per_row)
    else:
        from PIL import Image

        image = Image.fromarray(montage(faces, per_row))
        write_atomically(path, lambda temporary: image.save(temporary, format="PNG"))


def face_images(generator, tags: Sequence[HairEyeTags] | None, count: int, seed: int,
                truncation: float | None = None, device: str = "cpu") -> np.ndarray:
    """uint8 (count, 64, 64, 3): what `draw_faces` draws, rounded to pixel levels."""
    return face_pixels(draw_faces(generator, tags, count, seed, truncation, device))


@torch.no_grad()
def draw_faces(generator, tags: Sequence[HairEyeTags] | None, count: int, seed: int,
               truncation: float | None = None, device: torch.device | str = "cpu") -> torch.Tensor:
    """(count, 3, 64, 64) in [-1, 1]: face i from row i of the seed's noise and tags[i] (None for an
    unconditional generator). On CPU, a float64 replay whose pixels are the same on every x86-64
    CPU; on a GPU, float32 (its kernels are not pinned down)."""
    on_cpu = torch.device(device).type == "cpu"
    dtype = torch.float64 if on_cpu else torch.float32
    if on_cpu:
        generator = copy.deepcopy(generator).to(device="cpu", dtype=torch.float64)
    z = draw_noise(count, generator.config.z_dim, seed, truncation, dtype=dtype).to(device)
    hair, eyes = (None, None) if tags is None else (t.to(device) for t in tag_tensors(tags))
    passes = []
    with plain_cpu_kernels():
        for start in range(0, count, FACES_PER_PASS):
            rows = torch.arange(start, start + FACES_PER_PASS, device=device).clamp(max=count - 1)
            conditions = () if tags is None else (hair[rows], eyes[rows])
            passes.append(generator(z[rows], *conditions)[: count - start])
    return torch.cat(passes)


@contextlib.contextmanager
def plain_cpu_kernels():
    """oneDNN off: its kernels are chosen per CPU. (It has no float64 convolutions today, so this
    only guards a later torch that adds them.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setting the flags warns about TF32 on Intel GPUs
        with torch.backends.mkldnn.flags(enabled=False):
            yield


def _read_tags(tags_file: str | Path, free_text: bool) -> list[TagLine]:
    if not free_text:
        return read_tag_lines(tags_file)
    from hw3.text.free_text import read_free_text_lines  # deferred: loading the vectors needs gensim
    from hw3.text.storage import DEFAULT_FASTTEXT_PATH, load_word_vectors

    return read_free_text_lines(tags_file, load_word_vectors(DEFAULT_FASTTEXT_PATH), report=print)
