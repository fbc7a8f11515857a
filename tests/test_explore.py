"""The explorer's logic and its widget callbacks, driven headless: set a control, check the picture
and the labels that come out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from hw3.errors import InputError
from hw3.eval.evaluator import load_evaluator
from hw3.notebook.explore import (
    Explorer, FaceRequest, TrainingFaces, draw_request, read_faces, resolve_free_text, spherical_mix, walk_figure,
)
from hw3.sampling.generator_file import load_generator
from hw3.images import draw_noise, tag_tensors
from hw3.tags import HairEyeTags

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generator():
    return load_generator(REPO / "weights" / "acgan.safetensors")[0]


@pytest.fixture(scope="module")
def evaluator():
    return load_evaluator(REPO / "weights" / "evaluator.safetensors")[0]


@pytest.fixture(scope="module")
def vectors():
    from hw3.text.storage import DEFAULT_FASTTEXT_PATH, load_word_vectors

    return load_word_vectors(DEFAULT_FASTTEXT_PATH)


def test_spherical_mix_ends_at_its_endpoints_and_keeps_the_norm_between():
    rng = torch.Generator().manual_seed(0)
    start, end = torch.randn(6, 100, generator=rng), torch.randn(6, 100, generator=rng)
    assert torch.equal(spherical_mix(start, end, 0.0), start)
    assert torch.equal(spherical_mix(start, end, 1.0), end)
    middle = spherical_mix(start, end, 0.5)
    # Between two draws of norm ~10 the great circle stays near norm 10; the straight line dips to ~7.
    assert (middle.norm(dim=1) - (start.norm(dim=1) + end.norm(dim=1)) / 2).abs().max() < 1.0
    assert ((start + end) / 2).norm(dim=1).mean() < middle.norm(dim=1).mean() - 2


def test_a_request_draws_what_the_generator_draws_for_its_tags_and_seed(generator):
    request = FaceRequest(HairEyeTags("pink", "green"), HairEyeTags("black", "red"), seed_from=3, count=4)
    hair, eyes = tag_tensors([request.tags_from] * 4)
    with torch.no_grad():
        expected = generator(draw_noise(4, generator.config.z_dim, 3), hair, eyes)
    assert torch.allclose(draw_request(generator, request), expected, atol=1e-5)
    # The far end of both walks is the second pair with the second seed.
    far = FaceRequest(request.tags_from, request.tags_to, tag_mix=1.0, seed_from=3, seed_to=9, seed_mix=1.0, count=4)
    hair, eyes = tag_tensors([request.tags_to] * 4)
    with torch.no_grad():
        expected = generator(draw_noise(4, generator.config.z_dim, 9), hair, eyes)
    assert torch.allclose(draw_request(generator, far), expected, atol=1e-5)


def test_the_evaluator_reads_the_tags_asked_for(generator, evaluator):
    faces = draw_request(generator, FaceRequest(HairEyeTags("blue", "blue"), count=8))
    readings = read_faces(evaluator, faces)
    assert len(readings) == 8
    assert sum(r.hair == "blue" for r in readings) >= 7  # the shipped ACGAN: hair 99.9 % right
    assert all(0 < r.hair_probability <= 1 and 0 < r.eye_probability <= 1 for r in readings)


def test_free_text_resolves_misspellings_and_says_why_it_cannot(vectors):
    tags, decisions = resolve_free_text("long blnde hair with purpel eyes", vectors)
    assert tags == HairEyeTags("blonde", "purple")
    assert decisions[0].startswith("hair 'long blnde' → blonde")
    with pytest.raises(InputError, match="no 'eyes'"):
        resolve_free_text("silver hair", vectors)


def test_walk_figure_draws_a_row_per_face(generator):
    figure = walk_figure(generator, FaceRequest(count=2), steps=4, along="seeds")
    image = figure.axes[0].images[0].get_array()
    assert image.shape[:2] == (2 * 66 + 2, 4 * 66 + 2)
    with pytest.raises(InputError):
        walk_figure(generator, FaceRequest(count=2), along="sideways")


def _explorer(generator, evaluator, vectors=None, training_faces_loader=None):
    return Explorer(generator, evaluator, vectors_loader=(lambda: vectors) if vectors is not None else None,
                    training_faces_loader=training_faces_loader,
                    request=FaceRequest(HairEyeTags("blonde", "blue"), HairEyeTags("black", "red"), count=4))


def test_moving_a_control_redraws_the_grid_and_its_readings(generator, evaluator):
    explorer = _explorer(generator, evaluator)
    first = bytes(explorer.grid.value)
    assert first.startswith(b"\x89PNG") and "✓" in explorer.readings.value
    for control, value in ((explorer.seed, 7), (explorer.truncation, 0.5), (explorer.hair, "green"),
                           (explorer.eyes, "yellow"), (explorer.seed_mix, 0.5)):
        before = bytes(explorer.grid.value)
        control.value = value
        assert bytes(explorer.grid.value) != before, control.description
    assert "green hair" in explorer.readings.value
    explorer.tag_mix.value = 0.5  # between two pairs: nothing to tick against
    assert "✓" not in explorer.readings.value and "✗" not in explorer.readings.value
    explorer.set_request(FaceRequest(HairEyeTags("blonde", "blue"), HairEyeTags("black", "red"), count=4))
    assert bytes(explorer.grid.value) == first


def test_free_text_box_sets_the_dropdowns_and_reports_errors(generator, evaluator, vectors):
    explorer = _explorer(generator, evaluator, vectors)
    before = bytes(explorer.grid.value)
    explorer.text.value = "short purpel hair, grean eyes"
    assert (explorer.hair.value, explorer.eyes.value) == ("purple", "green")
    assert bytes(explorer.grid.value) != before and "→ purple" in explorer.message.value
    explorer.text.value = "a hat"
    assert "no &#x27;hair&#x27;" in explorer.message.value
    assert (explorer.hair.value, explorer.eyes.value) == ("purple", "green")


def test_nearest_faces_say_what_is_missing_without_data(generator, evaluator, tmp_path):
    explorer = _explorer(generator, evaluator, training_faces_loader=lambda: TrainingFaces(tmp_path, evaluator))
    explorer.show_nearest()
    assert "make data" in explorer.message.value and bytes(explorer.nearest.value) == b""


@pytest.mark.slow
def test_nearest_faces_come_from_the_training_split(generator, evaluator, tmp_path):
    from hw3.data.render.writer import RenderConfig, render_dataset

    render_dataset(RenderConfig(tmp_path / "anime", 60, seed=0, num_test_per_pair=1, workers=1))
    faces = TrainingFaces(tmp_path / "anime", evaluator)
    assert faces.features.shape == (60, 256)
    assert (tmp_path / "anime" / ".cache" / "evaluator" / "train_readout.npz").is_file()
    explorer = _explorer(generator, evaluator, training_faces_loader=lambda: faces)
    explorer.show_nearest()
    assert bytes(explorer.nearest.value).startswith(b"\x89PNG") and explorer.message.value == ""
    explorer.seed.value = 2  # new faces: the old neighbours no longer apply
    assert bytes(explorer.nearest.value) == b""
    # The neighbours are the closest training faces in feature space.
    from hw3.eval.features import extract_readout, to_uint8
    from hw3.eval.memorisation import nearest_training_images

    query = extract_readout(evaluator, to_uint8(explorer.images)).features
    indices, distances = nearest_training_images(query, faces.features, k=3)
    direct = np.sqrt(((query[:, None] - faces.features[None]) ** 2).sum(-1))
    assert np.allclose(distances[:, 0], direct.min(1)) and (indices[:, 0] == direct.argmin(1)).all()
