"""The procedural anime-face data set: pair distribution, colours, files, determinism, CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from hw3.errors import Interrupted
from skimage.draw import polygon as skimage_polygon

from hw3.cli import main
from hw3.data.pairs import HELD_OUT_PAIRS, training_pair_probabilities
from hw3.data.render import EYE_RGB, HAIR_RGB, render_face, writer
from hw3.data.render.examples import example_rng, example_tags
from hw3.data.render.geometry import ellipse
from hw3.data.render.raster import fill_polygon, fill_polygons
from hw3.data.render.writer import RenderConfig, render_dataset
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_PAIRS, HairEyeTags, pair_from_index, parse_colour_phrase

NUM_TRAIN, NUM_TEST_PER_PAIR = 40, 1


def read_short_tags(path: Path) -> list[tuple[int, HairEyeTags]]:
    """`0,aqua hair aqua eyes` lines -> [(id, tags)]."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        image_id, phrase = line.split(",", 1)
        rows.append((int(image_id), parse_colour_phrase(phrase)))
    return rows


def read_full_tags(path: Path) -> list[tuple[int, list[tuple[str, int]]]]:
    """`0,aqua hair:12<TAB>aqua eyes:7<TAB>...` lines -> [(id, [(tag, count), ...])]."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        image_id, fields = line.split(",", 1)
        tags = []
        for field in fields.split("\t"):
            tag, count = field.rsplit(":", 1)
            tags.append((tag, int(count)))
        rows.append((int(image_id), tags))
    return rows


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, Path]:
    """The same tiny data set rendered with one worker and with two."""
    roots = []
    for workers in (1, 2):
        root = tmp_path_factory.mktemp(f"render_{workers}")
        render_dataset(RenderConfig(root, NUM_TRAIN, seed=3, num_test_per_pair=NUM_TEST_PER_PAIR, workers=workers))
        roots.append(root)
    return roots[0], roots[1]


def test_training_probabilities_are_skewed_and_zero_exactly_on_held_out_pairs():
    probabilities = training_pair_probabilities()
    assert probabilities.shape == (len(HAIR_COLOURS), len(EYE_COLOURS))
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    held_out = np.zeros_like(probabilities, dtype=bool)
    for pair in HELD_OUT_PAIRS:
        held_out[pair.hair_index, pair.eye_index] = True
    assert len(set(HELD_OUT_PAIRS)) == len(HELD_OUT_PAIRS) >= 10
    assert np.all(probabilities[held_out] == 0.0)
    assert np.all(probabilities[~held_out] > 0.0)
    # Every colour still occurs in training, with several partners.
    assert np.all((probabilities > 0).sum(axis=1) >= 9) and np.all((probabilities > 0).sum(axis=0) >= 9)
    assert probabilities.max() > 10 * probabilities[~held_out].min()  # skewed, like a real corpus
    np.testing.assert_array_equal(probabilities, training_pair_probabilities())


def test_training_tags_follow_the_distribution_and_skip_held_out_pairs():
    counts = np.zeros(NUM_PAIRS)
    for index in range(6000):
        counts[example_tags("train", index, example_rng(0, "train", index), NUM_TEST_PER_PAIR).pair_index] += 1
    held_out = [pair.pair_index for pair in HELD_OUT_PAIRS]
    assert counts[held_out].sum() == 0
    total_variation = 0.5 * np.abs(counts / counts.sum() - training_pair_probabilities().ravel()).sum()
    assert total_variation < 0.08


def _random_polygon(rng: np.random.Generator) -> np.ndarray:
    num_points = int(rng.integers(3, 25))
    angles = np.sort(rng.uniform(0, 2 * np.pi, num_points))
    radii = rng.uniform(5, 80, num_points)
    centre = rng.uniform(20, 108, 2)
    return np.stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)], axis=1)


def _full_canvas(mask) -> np.ndarray:
    canvas = np.zeros((128, 128), dtype=bool)
    if mask is not None:
        canvas[mask.rows, mask.cols] = mask.inside
    return canvas


def test_fill_polygon_matches_skimage_alone_and_in_batches():
    rng = np.random.default_rng(0)
    polygons = [_random_polygon(rng) for _ in range(24)]
    expected = []
    for points in polygons:
        # skimage puts pixel centres on integer coordinates, ours at +0.5.
        rows, cols = skimage_polygon(points[:, 1] - 0.5, points[:, 0] - 0.5, (128, 128))
        reference = np.zeros((128, 128), dtype=bool)
        reference[rows, cols] = True
        expected.append(reference)
        np.testing.assert_array_equal(_full_canvas(fill_polygon(points, [len(points)], 128, 128)), reference)
    batched = fill_polygons([(points, [len(points)]) for points in polygons], 128, 128)
    for mask, reference in zip(batched, expected):
        np.testing.assert_array_equal(_full_canvas(mask), reference)
    # Two contours in one shape: the inner one cuts a hole (a ring, as for glasses).
    ring = fill_polygon(np.concatenate([ellipse(64, 64, 30, 20), ellipse(64, 64, 20, 10)]), [24, 24], 128, 128)
    assert not _full_canvas(ring)[64, 64] and _full_canvas(ring)[64, 38]


def _nearest(colour: np.ndarray, palette: np.ndarray) -> int:
    return int(np.argmin(((palette - colour) ** 2).sum(axis=1)))


def test_rendered_hair_and_iris_colours_follow_the_tags():
    # Every pair once, so every hair and eye colour is checked 11 or 12 times with fixed seeds.
    for pair_index in range(NUM_PAIRS):
        tags = pair_from_index(pair_index)
        face = render_face(tags, np.random.default_rng([7, pair_index]))
        assert face.image.shape == (64, 64, 3) and face.image.dtype == np.uint8
        pixels = face.image.reshape(-1, 3) / 255.0
        hair = face.hair_coverage.ravel() == 1.0
        iris = face.iris_coverage.ravel() == 1.0
        assert hair.sum() >= 300, f"{tags}: only {hair.sum()} hair pixels"
        assert iris.sum() >= 8, f"{tags}: only {iris.sum()} iris pixels"
        hair_guess = HAIR_COLOURS[_nearest(pixels[hair].mean(axis=0), HAIR_RGB)]
        eye_guess = EYE_COLOURS[_nearest(pixels[iris].mean(axis=0), EYE_RGB)]
        assert (hair_guess, eye_guess) == (tags.hair, tags.eyes), f"{tags} rendered as {hair_guess} / {eye_guess}"


def test_same_seed_gives_identical_files_whatever_the_worker_count(rendered):
    one_worker, two_workers = rendered
    for name in ("meta.json", "train/tags.csv", "train/tags_full.csv", "test/tags.csv", "test/tags_full.csv"):
        assert (one_worker / name).read_bytes() == (two_workers / name).read_bytes(), name
    for split, count in (("train", NUM_TRAIN), ("test", NUM_PAIRS * NUM_TEST_PER_PAIR)):
        images = sorted((one_worker / split / "images").iterdir())
        assert len(images) == count
        for image in images:
            assert image.read_bytes() == (two_workers / split / "images" / image.name).read_bytes(), image.name


def test_splits_layout_and_tag_files(rendered):
    root = rendered[0]
    meta = json.loads((root / "meta.json").read_text())
    assert meta["seed"] == 3 and meta["counts"] == {"train": NUM_TRAIN, "test": NUM_PAIRS * NUM_TEST_PER_PAIR}
    assert meta["held_out_pairs"] == [str(pair) for pair in HELD_OUT_PAIRS]
    for split in ("train", "test"):
        short = read_short_tags(root / split / "tags.csv")
        full = read_full_tags(root / split / "tags_full.csv")
        ids = [image_id for image_id, _ in short]
        assert ids == list(range(meta["counts"][split])) == [image_id for image_id, _ in full]
        assert all((root / split / "images" / f"{image_id}.jpg").is_file() for image_id in ids)
        tag_counts = Counter(tag for _, tags in full for tag, _ in tags)
        for (_, pair), (_, tags) in zip(short, full):
            assert [tag for tag, _ in tags[:2]] == [f"{pair.hair} hair", f"{pair.eyes} eyes"]
            assert all(count == tag_counts[tag] for tag, count in tags)  # COUNT = images with the tag
            assert any(tag in ("short hair", "long hair") for tag, _ in tags)
        if split == "train":
            assert not set(pair for _, pair in short) & set(HELD_OUT_PAIRS)
        else:
            assert Counter(pair.pair_index for _, pair in short) == Counter({i: NUM_TEST_PER_PAIR for i in range(NUM_PAIRS)})


def test_interrupted_render_leaves_no_tags_file(tmp_path, monkeypatch):
    render_dataset(RenderConfig(tmp_path, 3, num_test_per_pair=1))
    assert (tmp_path / "train" / "tags.csv").is_file()
    original = writer.render_jpeg

    def fail_midway(task, **kwargs):
        if task == ("train", 2):
            raise KeyboardInterrupt
        return original(task, **kwargs)

    monkeypatch.setattr(writer, "render_jpeg", fail_midway)
    with pytest.raises(Interrupted, match="before any tags file was written"):
        render_dataset(RenderConfig(tmp_path, 3, seed=1, num_test_per_pair=1))
    for name in ("train/tags.csv", "train/tags_full.csv", "test/tags.csv", "test/tags_full.csv", "meta.json"):
        assert not (tmp_path / name).exists(), name


def test_cli_renders_the_layout(tmp_path, capsys):
    out = tmp_path / "anime"
    assert main(["data", "render", "--out", str(out), "--n", "6", "--seed", "1", "--n-test-per-pair", "1", "--workers", "1"]) == 0
    assert "rendered 6+132 images" in capsys.readouterr().out
    assert len(list((out / "train" / "images").glob("*.jpg"))) == 6
    assert len(list((out / "test" / "images").glob("*.jpg"))) == NUM_PAIRS
    assert json.loads((out / "meta.json").read_text())["counts"]["train"] == 6


@pytest.mark.parametrize("flag, value", [("--n", "-5"), ("--n-test-per-pair", "0"), ("--workers", "0")])
def test_cli_rejects_bad_counts_with_one_line(tmp_path, capsys, flag, value):
    arguments = {"--n": "4", "--n-test-per-pair": "1", "--workers": "1"} | {flag: value}
    argv = ["data", "render", "--out", str(tmp_path / "x")] + [item for pair in arguments.items() for item in pair]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and flag in error and value in error
    assert not (tmp_path / "x").exists()
