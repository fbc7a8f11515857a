"""Style transfer by inversion: determinism, one-line errors, and an inversion that works."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from hw3.cli import main
from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.restyle.face_image import read_face
from hw3.restyle.inversion import InversionConfig, draw_with_offsets, invert, redraw
from hw3.restyle.measure import MeasureConfig, colour_free, kept_mask, target_pairs
from hw3.restyle.restyle import load_networks, restyle_file
from hw3.images import draw_noise, tag_tensors
from hw3.tags import HairEyeTags

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_INPUT = REPO / "examples" / "style_input.png"
EXAMPLE_TAGS = REPO / "examples" / "style_tags.txt"
TINY = dict(num_candidates=4, num_refined=2, steps=3)  # enough to exercise every stage


@pytest.fixture(scope="module")
def networks():
    return load_networks()


@pytest.fixture
def tags_file(tmp_path) -> Path:
    path = tmp_path / "tags.txt"
    path.write_text("1,blonde hair green eyes\n2,black hair red eyes\n")
    return path


def test_restyling_twice_gives_identical_bytes(tags_file, tmp_path):
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    for out in (first, second):
        result = restyle_file(EXAMPLE_INPUT, tags_file, out, method="inversion", config=InversionConfig(**TINY))
    assert first.read_bytes() == second.read_bytes()
    image = Image.open(first)
    assert image.format == "PNG" and "Software" not in image.info
    assert result.faces.shape == (2, 3, 64, 64) and result.reconstruction.shape == (1, 3, 64, 64)


def test_the_inversion_reduces_its_error_on_a_face_the_generator_drew(networks):
    generator, evaluator = networks
    tags = HairEyeTags("blue", "red")
    with torch.no_grad():
        face = generator(draw_noise(1, generator.config.z_dim, seed=12345), *tag_tensors([tags]))
    inversion = invert(generator, evaluator, face, tags,
                       InversionConfig(num_candidates=16, num_refined=2, steps=40))
    assert inversion.pixel_error < 0.7 * inversion.start_pixel_error
    redrawn = redraw(generator, inversion, [tags])
    assert float((redrawn - face).abs().mean()) == pytest.approx(inversion.pixel_error, rel=1e-4)


def test_per_layer_offsets_lower_the_error_further_and_are_kept_for_the_redraw(networks):
    generator, evaluator = networks
    tags = HairEyeTags("green", "yellow")
    with torch.no_grad():
        face = generator(draw_noise(1, generator.config.z_dim, seed=777), *tag_tensors([tags]))
    config = dict(num_candidates=8, num_refined=1, steps=12)
    plain = invert(generator, evaluator, face, tags, InversionConfig(**config))
    offset = invert(generator, evaluator, face, tags, InversionConfig(**config, offset_steps=6))
    assert plain.offsets is None and [o.shape[1] for o in offset.offsets] == [256, 128, 64, 32]
    assert offset.loss < plain.loss
    redrawn = redraw(generator, offset, [tags, HairEyeTags("black", "red")])
    assert float((redrawn[:1] - face).abs().mean()) == pytest.approx(offset.pixel_error, rel=1e-4)


def test_zero_offsets_draw_what_the_generator_draws(networks):
    generator, _ = networks
    z = draw_noise(2, generator.config.z_dim, seed=0)
    hair, eyes = tag_tensors([HairEyeTags("pink", "aqua"), HairEyeTags("white", "brown")])
    zeros = [torch.zeros(1, c, 1, 1) for c in (256, 128, 64, 32)]
    with torch.no_grad():
        assert torch.allclose(draw_with_offsets(generator, z, hair, eyes, zeros), generator(z, hair, eyes), atol=1e-6)


def save(tmp_path: Path, name: str, image: Image.Image) -> Path:
    path = tmp_path / name
    image.save(path)
    return path


def colour_face(size: int = 64) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (size, size, 3), dtype=np.uint8)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.joinpath("face.png").write_text("not a picture") and p / "face.png", "not an image PIL can read"),
    (lambda p: save(p, "small.png", Image.fromarray(colour_face(32))), "is 32 x 32 pixels (expected a 64 x 64 RGB"),
    (lambda p: save(p, "wide.png", Image.fromarray(colour_face(128)[:64])), "is 128 x 64 pixels"),
    (lambda p: save(p, "alpha.png", Image.fromarray(colour_face()).convert("RGBA")), "has an alpha channel"),
    (lambda p: save(p, "grey.png", Image.fromarray(colour_face()).convert("L")), "is grey-scale (mode L"),
    (lambda p: save(p, "grey_rgb.png", Image.fromarray(colour_face()).convert("L").convert("RGB")), "R = G = B"),
    (lambda p: p / "missing.png", "no such file"),
])
def test_bad_images_are_one_line_and_exit_2(make, message, tags_file, tmp_path, capsys):
    image_path = make(tmp_path)
    out = tmp_path / "style.png"
    assert main(["restyle", "--input", str(image_path), "--tags", str(tags_file), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and str(image_path) in error
    assert not out.exists()


def test_an_unknown_colour_names_the_file_and_line(tmp_path, capsys):
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n2,silver hair red eyes\n")
    assert main(["restyle", "--input", str(EXAMPLE_INPUT), "--tags", str(tags), "--out", str(tmp_path / "s.png")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{tags}:2: unknown hair colour 'silver'" in error


@pytest.mark.parametrize("flags, message", [
    (["--method", "magic"], "expected one of: translator, inversion"),
    (["--own-tags", "blue hair"], "missing eye colour"),
    (["--seed", "-1"], "non-negative"),
    (["--method", "inversion", "--offset-steps", "999"], "expected 0 to the number of steps"),
    (["--steps", "20"], "expected them only with --method inversion"),
])
def test_bad_flags_are_one_line_and_exit_2(flags, message, tags_file, tmp_path, capsys):
    argv = ["restyle", "--input", str(EXAMPLE_INPUT), "--tags", str(tags_file), "--out", str(tmp_path / "s.png")]
    assert main(argv + flags) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error


def test_a_larger_square_image_is_resized_to_64(tmp_path):
    big = Image.fromarray(colour_face(64)).resize((256, 256), Image.Resampling.NEAREST)
    assert read_face(save(tmp_path, "big.png", big)).shape == (64, 64, 3)
    assert np.array_equal(read_face(EXAMPLE_INPUT), np.asarray(Image.open(EXAMPLE_INPUT).convert("RGB")))


def test_measure_targets_include_held_out_pairs_and_never_the_faces_own():
    own = HairEyeTags("blonde", "green")  # itself a held-out pair
    config = MeasureConfig()
    targets = target_pairs(own, 7, config)
    assert targets == target_pairs(own, 7, config) and len(set(targets)) == 5 and own not in targets
    assert sum(t in HELD_OUT_PAIRS for t in targets) == 2


def test_the_kept_mask_leaves_out_hair_and_eyes_and_keeps_most_skin():
    from hw3.data.render.canvas import Part
    from hw3.data.render.examples import render_example

    mask = kept_mask({"seed": 0, "num_test_per_pair": 40}, 330)
    face = render_example(0, "test", 330, 40)
    assert mask.shape == (64, 64) and 0.1 < mask.mean() < 0.9
    assert not mask[face.hair_coverage > 0].any() and not mask[face.iris_coverage > 0].any()
    assert mask[face.coverage(Part.SKIN) == 1].mean() > 0.5


def test_colour_free_features_carry_nothing_along_the_heads(networks):
    _, evaluator = networks
    features = colour_free(torch.randn(5, 256, dtype=torch.float64), evaluator)
    heads = torch.cat([evaluator.hair_head.weight, evaluator.eye_head.weight]).double()
    assert torch.allclose(features @ heads.T, torch.zeros(5, 23, dtype=torch.float64), atol=1e-10)


@pytest.mark.slow
def test_extra_run_writes_the_same_bytes_twice(tmp_path):
    outputs = []
    for name in ("a.png", "b.png"):
        out = tmp_path / name
        done = subprocess.run(["bash", str(REPO / "extra_run.sh"), str(EXAMPLE_INPUT), str(EXAMPLE_TAGS), "--out", str(out)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    done = subprocess.run(["bash", str(REPO / "extra_run.sh"), str(EXAMPLE_TAGS), str(EXAMPLE_TAGS)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not an image" in done.stderr


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(image_bytes=st.binary(max_size=300), tags_text=st.text(max_size=80))
def test_random_files_give_one_line_and_exit_2_never_a_traceback(image_bytes, tags_text, tmp_path, capsys):
    image, tags = tmp_path / "face.png", tmp_path / "tags.txt"
    image.write_bytes(image_bytes)
    tags.write_text(tags_text, encoding="utf-8", errors="surrogatepass")
    assert main(["restyle", "--input", str(image), "--tags", str(tags), "--out", str(tmp_path / "s.png")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("hw3: error: ")
