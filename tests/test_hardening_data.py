"""Images and weights files that used to slip through: 16-bit, degenerate and grey-scale faces in
`data import`, images too large to decode, PIL's and scipy's warnings on stderr, the decoding bar
under --no-progress, and sidecar fields of the wrong type (issue 23: findings 5, 16)."""

from __future__ import annotations

import json
import shutil
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from hw3.cli import main
from hw3.errors import InputError

REPO = Path(__file__).resolve().parents[1]


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares `width` x `height` grey pixels but holds almost none: what PIL reads
    before decoding, without the gigabytes a real one would take."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def gradient(size: int, top: int) -> np.ndarray:
    return np.linspace(0, top, size * size).reshape(size, size)


@pytest.fixture
def odd_faces(tiny_data_root, tmp_path) -> tuple[Path, dict[str, int]]:
    """The tiny training faces plus one face of every kind the importer must catch; -> (folder, id by kind)."""
    images = tmp_path / "extra" / "images"
    shutil.copytree(tiny_data_root / "train" / "images", images)
    lines = (tiny_data_root / "train" / "tags.csv").read_text().splitlines()
    odd = {
        "grey_16_bit": Image.fromarray(gradient(96, 65535).astype(np.uint16)),  # opens as mode I;16
        "one_pixel": Image.new("RGB", (1, 1), (200, 40, 40)),
        "transparent": Image.new("RGBA", (64, 64), (200, 40, 40, 0)),
        "uniform": Image.new("RGB", (64, 64), (30, 90, 200)),
        "grey_8_bit": Image.fromarray(gradient(64, 255).astype(np.uint8)),
        "huge": None,
    }
    ids = {}
    for kind, image in odd.items():
        ids[kind] = len(lines)
        if image is None:
            png_header_only(images / f"{ids[kind]}.jpg", 12000, 12000)  # 144 megapixels
        else:
            image.save(images / f"{ids[kind]}.jpg", format="PNG")  # the importer reads by content, not name
        lines.append(f"{ids[kind]},blue hair red eyes")
    (images.parent / "tags.csv").write_text("\n".join(lines) + "\n")
    return images, ids


def test_import_scales_16_bit_refuses_degenerate_faces_and_warns_once_about_grey(odd_faces, tmp_path, capsys):
    images, ids = odd_faces
    out = tmp_path / "imported"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["data", "import", "--extra", str(images), "--out", str(out), "--no-progress"]) == 0
    assert [str(warning.message) for warning in caught] == []  # PIL's bomb warning included
    stderr = capsys.readouterr().err
    assert stderr.count("warning:") == 1 and "2 grey-scale faces kept with colour labels" in stderr, stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["excluded"] == {"degenerate_image": 3, "unreadable_image": 1} and meta["grey_scale_kept"] == 2
    report = (out / "import_report.txt").read_text()
    tags = images.parent / "tags.csv"
    for kind, words in (("one_pixel", "is 1 x 1 pixels (expected at least 32 a side)"),
                        ("transparent", "is fully transparent (expected a face)"),
                        ("uniform", "is one uniform colour (expected a face)"),
                        ("huge", "is 12000 x 12000 pixels (expected at most 4096 x 4096)"),
                        ("grey_16_bit", "is grey-scale, kept with the labels 'blue hair red eyes'")):
        assert f"{tags}:{ids[kind] + 1}: image {images / f'{ids[kind]}.jpg'} {words}" in report, kind
    assert "grey-scale faces kept with colour labels: 2" in report and "## grey_scale_kept (2)" in report
    sources = [line.split(",", 1) for line in (out / "train" / "sources.csv").read_text().splitlines()]
    new_id = next(int(new) for new, where in sources if where == f"{tags}:{ids['grey_16_bit'] + 1}")
    pixels = np.asarray(Image.open(out / "train" / "images" / f"{new_id}.jpg"), dtype=np.float64)
    assert 100 < pixels.mean() < 155 and pixels.min() < 30 and pixels.max() > 225  # a gradient, not white


def test_16_bit_grey_is_scaled_to_8_bits_wherever_a_face_is_decoded(odd_faces):
    from hw3.data.dataset import _decode_image
    from hw3.images import rgb_image

    images, ids = odd_faces
    with Image.open(images / f"{ids['grey_16_bit']}.jpg") as image:
        assert image.mode == "I;16"
        pixels = np.asarray(rgb_image(image))
    assert pixels.dtype == np.uint8 and pixels[0, 0].tolist() == [0, 0, 0] and pixels[-1, -1].tolist() == [255] * 3
    decoded = _decode_image(images / f"{ids['grey_16_bit']}.jpg")
    assert decoded.shape == (64, 64, 3) and 100 < decoded.mean() < 155


@pytest.mark.parametrize("side", [12000, 20000])
def test_an_image_too_large_to_decode_says_its_size_without_warnings(tmp_path, side):
    from hw3.restyle.face_image import read_face

    path = png_header_only(tmp_path / "face.png", side, side)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PIL's DecompressionBombWarning would fail here
        with pytest.raises(InputError, match=f"face.png: is {side} x {side} pixels \\(expected at most 4096 x 4096\\)"):
            read_face(path)


def test_fid_of_singular_covariances_prints_no_scipy_warning():
    from hw3.eval.fid import fid

    features = np.zeros((20, 16))
    features[:, 0] = np.random.default_rng(0).normal(size=20)  # one feature varies: rank 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fid(features, features) == pytest.approx(0.0, abs=1e-6)


def test_the_decoding_bar_follows_the_progress_setting(tmp_path, capsys):
    from conftest import write_tiny_split

    from hw3.data.dataset import load_split, open_dataset

    write_tiny_split(tmp_path / "quiet" / "train", 4, seed=0)
    write_tiny_split(tmp_path / "loud" / "train", 4, seed=0)
    assert len(load_split(tmp_path / "quiet", "train", progress=False)) == 4
    assert "decoding" not in capsys.readouterr().err
    assert len(open_dataset(tmp_path / "loud", progress=True)) == 4
    assert "decoding" in capsys.readouterr().err


def tiny_generator(path: Path) -> Path:
    import torch

    from hw3.files import write_json_atomic
    from hw3.models import Generator, GeneratorConfig
    from hw3.weights import file_sha256, save_module_weights

    torch.manual_seed(0)
    config = {"z_dim": 8, "ngf": 4, "condition": None}
    save_module_weights(Generator(GeneratorConfig(**config)), path)
    write_json_atomic(path.with_suffix(".json"), {"kind": "generator", "variant": "tiny", "generator": config,
                                                  "step": 0, "seed": 0, "sha256": file_sha256(path)})
    return path


@pytest.mark.parametrize("sha256, words", [(5, "'sha256' is 5 (expected the 64-character hex sha256"),
                                           ("abc", "'sha256' is \"abc\" (expected the 64-character hex"),
                                           (None, "'sha256' is null (expected")])
def test_a_sha256_of_the_wrong_type_is_named_as_such(tmp_path, capsys, sha256, words):
    weights = tiny_generator(tmp_path / "g.safetensors")
    sidecar = json.loads(weights.with_suffix(".json").read_text())
    weights.with_suffix(".json").write_text(json.dumps({**sidecar, "sha256": sha256}))
    assert main(["sample", "--generator", str(weights), "--count", "2", "--out", str(tmp_path / "x.png")]) == 2
    stderr = capsys.readouterr().err
    assert words in stderr and "no 'sha256' field" not in stderr and len(stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("edit, words", [
    (lambda sidecar: sidecar.pop("weights_sha256"), "no 'weights_sha256' field"),
    (lambda sidecar: sidecar.update(config="x"), "'config' is x (expected the evaluator config"),
    (lambda sidecar: sidecar["config"].update(stage_channels=[32, "wide"]), "'stage_channels' is"),
    (lambda sidecar: sidecar["config"].update(feature_dim=10**9), "'feature_dim' is 1000000000"),
])
def test_the_evaluator_loader_names_what_its_sidecar_lacks(tmp_path, edit, words):
    from hw3.eval.evaluator import load_evaluator

    weights = tmp_path / "evaluator.safetensors"
    weights.write_bytes((REPO / "weights" / "evaluator.safetensors").read_bytes())
    sidecar = json.loads((REPO / "weights" / "evaluator.json").read_text())
    edit(sidecar)
    weights.with_suffix(".json").write_text(json.dumps(sidecar))
    with pytest.raises(InputError) as error:
        load_evaluator(weights)
    assert words in str(error.value) and "expected None" not in str(error.value)


@pytest.mark.parametrize("generator", [5, 2.5, b"weights/acgan.safetensors", "", ["a"]])
def test_generate_with_a_generator_that_is_not_a_path_is_an_input_error(generator):
    import hw3

    with pytest.raises(InputError, match="expected the path of a generator file"):
        hw3.generate(2, generator=generator)


MODES = {"1": "PNG", "L": "PNG", "LA": "PNG", "P": "PNG", "RGB": "PNG", "RGBA": "PNG", "I;16": "PNG",
         "I": "TIFF", "F": "TIFF", "CMYK": "JPEG"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(sorted(MODES)), width=st.integers(1, 90), height=st.integers(1, 90),
       seed=st.integers(0, 2**16), flat=st.booleans())
def test_any_image_decodes_to_a_face_or_a_named_reason(mode, width, height, seed, flat, tmp_path):
    from hw3.data.course.faces import decode_face

    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (width, height), tuple(int(v) for v in rng.integers(0, 256, 3)))
    if not flat:
        image = Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    if mode in ("I;16", "I"):
        wide = np.asarray(image.convert("L"), dtype=np.int32) * 257  # 16-bit levels
        image = Image.fromarray(wide.astype(np.uint16 if mode == "I;16" else np.int32))
    else:
        image = image.convert(mode)
    path = tmp_path / "face.jpg"
    image.save(path, format=MODES[mode])
    face = decode_face(path)
    levels = np.asarray(image).astype(np.float64)
    constant = int(np.ptp(levels.reshape(height * width, -1), axis=0).max()) == 0  # mode 1 dithers a grey
    degenerate = constant or min(width, height) < 32
    assert (face.pixels is None) == degenerate, (face.kind, face.reason)
    if degenerate:
        assert face.kind == "degenerate_image" and "\n" not in face.reason
    else:
        assert face.pixels.shape == (64, 64, 3) and face.pixels.dtype == np.uint8
