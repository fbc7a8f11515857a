"""The tag evaluator: shapes, weights files, augmentation, training, the CLI, and the shipped weights."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from hw3.errors import InputError
from hw3.eval import commands
from hw3.eval.evaluator import EvaluatorConfig, TagEvaluator, load_evaluator, save_evaluator
from hw3.weights import file_sha256, sidecar_path
from hw3.eval.features import extract_readout
from hw3.eval.train_evaluator import EvaluatorTrainingConfig, augment, tag_loss, train_tag_classifier
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR

TINY = EvaluatorConfig(stem_channels=4, stage_channels=(8, 16), stage_blocks=(0, 1), feature_dim=16)


def colour_faces(hair: torch.Tensor, eyes: torch.Tensor, seed: int) -> torch.Tensor:
    """uint8 (N, 3, 64, 64): a hair-coloured top half and two eye-coloured squares on grey."""
    rng = np.random.default_rng(seed)
    hair_palette = rng.integers(0, 256, (NUM_HAIR, 3), dtype=np.uint8)
    eye_palette = rng.integers(0, 256, (NUM_EYES, 3), dtype=np.uint8)
    images = np.full((len(hair), 64, 64, 3), 128, dtype=np.uint8)
    images[:, :28] = hair_palette[hair.numpy()][:, None, None]
    for left in (18, 38):
        images[:, 34:42, left : left + 8] = eye_palette[eyes.numpy()][:, None, None]
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()


def random_tags(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    hair = torch.randint(0, NUM_HAIR, (n,), generator=generator)
    return hair, torch.randint(0, NUM_EYES, (n,), generator=generator)


def test_forward_shapes_and_feature_dim():
    model = TagEvaluator().eval()
    assert 128 <= model.config.feature_dim <= 256
    output = model(torch.zeros(2, 3, 64, 64))
    assert output.features.shape == (2, model.config.feature_dim)
    assert output.hair_logits.shape == (2, NUM_HAIR) and output.eye_logits.shape == (2, NUM_EYES)


def test_save_load_round_trip_and_tamper_check(tmp_path):
    model = TagEvaluator(TINY)
    model(torch.randn(8, 3, 64, 64))  # train mode: moves the batch-norm running statistics off their start
    model.eval()
    path = tmp_path / "evaluator.safetensors"
    sidecar = save_evaluator(model, path, {"seed": 3})
    assert sidecar["weights_sha256"] == file_sha256(path) and sidecar["config"]["feature_dim"] == 16
    loaded, loaded_sidecar = load_evaluator(path)
    assert loaded_sidecar == json.loads(sidecar_path(path).read_text()) and loaded.config == TINY
    images = torch.randint(0, 256, (4, 3, 64, 64), dtype=torch.uint8)
    np.testing.assert_array_equal(extract_readout(model, images).features, extract_readout(loaded, images).features)
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(InputError, match="sha256"):
        load_evaluator(path)


def test_augmentation_moves_pixels_but_makes_no_new_colours():
    images = torch.randint(0, 256, (6, 3, 64, 64), dtype=torch.uint8)
    augmented = augment(images, max_shift=4, generator=torch.Generator().manual_seed(0))
    assert augmented.shape == (6, 3, 64, 64)
    for original, moved in zip(images, augmented):
        original_colours = {tuple(c) for c in (original.float() / 127.5 - 1).flatten(1).T.tolist()}
        moved_colours = {tuple(c) for c in moved.flatten(1).T.tolist()}
        assert moved_colours <= original_colours
    assert not torch.equal(augmented, augment(images, 0, torch.Generator().manual_seed(0)))


def test_one_training_step_lowers_the_loss():
    hair, eyes = random_tags(32, seed=0)
    images = augment(colour_faces(hair, eyes, seed=0), 0, torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    model = TagEvaluator(TINY)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    before = tag_loss(model, images, hair, eyes)
    optimiser.zero_grad()
    before.backward()
    optimiser.step()
    assert tag_loss(model, images, hair, eyes).item() < before.item()


def test_short_training_learns_colours_and_is_repeatable():
    hair, eyes = random_tags(512, seed=1)
    images = colour_faces(hair, eyes, seed=1)
    config = EvaluatorTrainingConfig(steps=60, batch_size=32, learning_rate=1e-2, seed=4)
    model, losses = train_tag_classifier(images, hair, eyes, TINY, config, progress=False)
    assert np.mean(losses[-10:]) < 0.8 * np.mean(losses[:10])  # chance level is ln 12 + ln 11 = 4.88
    _, repeated = train_tag_classifier(images, hair, eyes, TINY, config, progress=False)
    assert losses == repeated


def write_rendered_layout(root: Path, per_split: int) -> None:
    for split, seed in (("train", 0), ("test", 1)):
        hair, eyes = random_tags(per_split, seed)
        images = colour_faces(hair, eyes, seed=7)
        (root / split / "images").mkdir(parents=True)
        lines = []
        for index, image in enumerate(images):
            Image.fromarray(image.permute(1, 2, 0).numpy()).save(root / split / "images" / f"{index}.jpg", quality=95)
            lines.append(f"{index},{HAIR_COLOURS[hair[index]]} hair {EYE_COLOURS[eyes[index]]} eyes")
        (root / split / "tags.csv").write_text("\n".join(lines) + "\n")


def test_cli_trains_writes_sidecar_and_tests(tmp_path, capsys):
    write_rendered_layout(tmp_path / "data", per_split=40)
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "weights" / "evaluator.safetensors"
    data = str(tmp_path / "data")
    args = parser.parse_args(["evaluator", "train", "--data", data, "--out", str(out), "--steps", "2", "--seed", "5"])
    assert args.run(args) == 0
    sidecar = json.loads(sidecar_path(out).read_text())
    assert sidecar["seed"] == 5 and sidecar["training"]["steps"] == 2
    assert sidecar["weights_sha256"] == file_sha256(out) and len(sidecar["train_fingerprint"]) == 64
    assert sidecar["command"] and 0 <= sidecar["test_accuracy"]["hair"] <= 1
    args = parser.parse_args(["evaluator", "test", "--data", data, "--weights", str(out)])
    assert args.run(args) == 0
    assert "accuracy on 40 images" in capsys.readouterr().out


# --- the shipped weights, on fresh faces from the renderer ----------------------------------

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "evaluator.safetensors"
FACES_PER_PAIR = 4


@pytest.fixture(scope="module")
def test_split_faces():
    """The first faces of every pair of the test split `hw3 data render --seed 0` writes, drawn
    again here and passed through the same JPEG settings, so the test needs no data folder."""
    import io

    from hw3.data.render.examples import render_example
    from hw3.data.render.writer import JPEG_QUALITY, RenderConfig

    per_pair = RenderConfig(out_dir=Path("."), num_train=0).num_test_per_pair
    images, hair, eyes = [], [], []
    for pair in range(NUM_HAIR * NUM_EYES):
        for offset in range(FACES_PER_PAIR):
            face = render_example(0, "test", pair * per_pair + offset, per_pair)
            buffer = io.BytesIO()
            Image.fromarray(face.image).save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
            images.append(np.asarray(Image.open(buffer).convert("RGB")).transpose(2, 0, 1))
            hair.append(face.tags.hair_index)
            eyes.append(face.tags.eye_index)
    return torch.from_numpy(np.stack(images)), torch.tensor(hair), torch.tensor(eyes)


def test_shipped_evaluator_reads_the_tags_of_test_faces(test_split_faces):
    from hw3.eval.tag_accuracy import tag_accuracy

    model, sidecar = load_evaluator(WEIGHTS)  # refuses weights whose sha256 differs from the sidecar's
    assert sidecar["weights_sha256"] == file_sha256(WEIGHTS)
    assert sidecar["test_accuracy"]["hair"] >= 0.99 and sidecar["test_accuracy"]["eyes"] >= 0.97
    images, hair, eyes = test_split_faces
    readout = extract_readout(model, images)
    accuracy = tag_accuracy(readout.hair_logits, readout.eye_logits, hair.numpy(), eyes.numpy())
    assert accuracy.hair >= 0.98 and accuracy.eyes >= 0.95 and accuracy.held_out["both"] >= 0.9
    rng = np.random.default_rng(0)
    shuffled_hair, shuffled_eyes = rng.permutation(hair.numpy()), rng.permutation(eyes.numpy())
    shuffled = tag_accuracy(readout.hair_logits, readout.eye_logits, shuffled_hair, shuffled_eyes)
    assert shuffled.hair < 0.2 and shuffled.eyes < 0.2 and shuffled.both < 0.05


def test_shipped_evaluator_fid_tells_blurred_faces_from_real_ones(test_split_faces):
    from hw3.eval.evaluate import split_halves
    from hw3.eval.fid import fid

    model, _ = load_evaluator(WEIGHTS)
    images, hair, eyes = test_split_faces
    half_a, half_b = split_halves((hair * NUM_EYES + eyes).numpy(), seed=0)
    blur = torch.full((3, 1, 5, 5), 1 / 25)
    blurred = torch.nn.functional.conv2d(
        torch.nn.functional.pad(images[half_b].float(), (2, 2, 2, 2), mode="replicate"), blur, groups=3)
    features_a = extract_readout(model, images[half_a]).features
    real_fid = fid(features_a, extract_readout(model, images[half_b]).features)
    blurred_fid = fid(features_a, extract_readout(model, blurred.round().to(torch.uint8)).features)
    assert real_fid * 3 < blurred_fid
