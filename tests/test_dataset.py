"""The cached image data set: values, bad-row handling in both modes, cache reuse and rebuild."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

import hw3.data.dataset as dataset_module
from hw3.data.dataset import BadRowWarning, TaggedImageDataset, load_split, open_dataset
from hw3.errors import InputError
from hw3.tags import EYE_COLOURS, HAIR_COLOURS

RED, WHITE, BLACK = (255, 0, 0), (255, 255, 255), (0, 0, 0)


def save_image(path, colour=RED, size=64, mode="RGB", format="JPEG"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, (size, size), colour).save(path, format=format, quality=95)


def truncated_jpeg(path):
    """A noisy JPEG cut inside its scan data, so the header reads but the pixels do not."""
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, format="JPEG", quality=95)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 3 // 4])


def make_extra_set(root, lines, images):
    """`images` maps id -> colour; writes `root/images/{id}.jpg` and `root/tags.csv`."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    for image_id, colour in images.items():
        save_image(root / "images" / f"{image_id}.jpg", colour)
    (root / "tags.csv").write_text("".join(line + "\n" for line in lines))
    return root


@pytest.fixture
def good_set(tmp_path):
    lines = ["0,red hair blue eyes", "1,white hair red eyes", "2,black hair gray eyes"]
    return make_extra_set(tmp_path / "extra", lines, {0: RED, 1: WHITE, 2: BLACK})


@pytest.fixture
def decode_calls(monkeypatch):
    """Counts images decoded, to tell a cache hit from a rebuild."""
    calls = []
    real_decode = dataset_module._decode_image

    def counting_decode(path):
        calls.append(path.name)
        return real_decode(path)

    monkeypatch.setattr(dataset_module, "_decode_image", counting_decode)
    return calls


def open_quietly(root, image_dir=None, tags_file=None):
    """Open `root/images` + `root/tags.csv` (or the given paths), failing on any skipped row."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", BadRowWarning)
        return TaggedImageDataset(image_dir or root / "images", tags_file or root / "tags.csv")


# ---- values, dtypes, shapes -------------------------------------------------------------------

def test_items_are_scaled_images_and_label_indices(good_set):
    dataset = open_quietly(good_set)
    assert len(dataset) == 3 and dataset.ids == [0, 1, 2] and dataset.bad_rows == []
    assert dataset.images.dtype == torch.uint8 and dataset.images.shape == (3, 3, 64, 64)
    assert dataset.hair.dtype == dataset.eyes.dtype == torch.long
    assert dataset.hair.tolist() == [HAIR_COLOURS.index(c) for c in ("red", "white", "black")]
    assert dataset.eyes.tolist() == [EYE_COLOURS.index(c) for c in ("blue", "red", "gray")]
    image, hair, eyes = dataset[0]
    assert image.dtype == torch.float32 and image.shape == (3, 64, 64)
    assert (hair, eyes) == (HAIR_COLOURS.index("red"), EYE_COLOURS.index("blue"))
    assert image.min() >= -1.0 and image.max() <= 1.0
    # Flat JPEG colours come back within a few levels: red, then white, then black.
    assert torch.allclose(image.mean(dim=(1, 2)), torch.tensor([1.0, -1.0, -1.0]), atol=0.05)
    assert torch.allclose(dataset[1][0], torch.ones(3, 64, 64), atol=0.05)
    assert torch.allclose(dataset[2][0], -torch.ones(3, 64, 64), atol=0.05)


def test_data_loader_batches(good_set):
    images, hair, eyes = next(iter(DataLoader(open_quietly(good_set), batch_size=2)))
    assert images.shape == (2, 3, 64, 64) and hair.shape == eyes.shape == (2,)
    assert hair.dtype == torch.long


def test_other_sizes_and_modes_become_64px_rgb(tmp_path):
    root = tmp_path / "mixed"
    save_image(root / "images" / "0.jpg", (0, 0, 255), size=96)
    save_image(root / "images" / "1.jpg", 128, mode="L")
    save_image(root / "images" / "2.jpg", (0, 0, 0, 0), mode="RGBA", format="PNG")  # transparent
    (root / "tags.csv").write_text("0,blue hair blue eyes\n1,gray hair gray eyes\n2,white hair blue eyes\n")
    dataset = open_quietly(root)
    assert dataset.images.shape == (3, 3, 64, 64)
    assert dataset.images[0].float().mean(dim=(1, 2)).tolist() == pytest.approx([0, 0, 255], abs=3)
    gray = dataset.images[1].float()
    assert torch.equal(gray[0], gray[1]) and torch.equal(gray[1], gray[2])
    assert gray.mean().item() == pytest.approx(128, abs=2)
    assert torch.all(dataset.images[2] == 255)  # transparent pixels over white


# ---- bad rows ---------------------------------------------------------------------------------

@pytest.fixture
def bad_set(tmp_path):
    lines = [
        "0,red hair blue eyes",
        "1,silver hair blue eyes",  # unknown colour
        "2 red hair blue eyes",  # malformed: no comma
        "3,red hair blue eyes",  # image missing
        "4,red hair blue eyes",  # garbage bytes
        "5,red hair blue eyes",  # truncated JPEG
        "6,blue hair red eyes",
    ]
    root = make_extra_set(tmp_path / "bad", lines, {0: RED, 1: RED, 2: RED, 4: RED, 5: RED, 6: WHITE})
    (root / "images" / "4.jpg").write_bytes(b"this is not a jpeg")
    truncated_jpeg(root / "images" / "5.jpg")
    return root


def expected_bad_rows(root):
    tags, images = root / "tags.csv", root / "images"
    return [
        f"{tags}:2: unknown hair colour 'silver' (expected one of: {', '.join(HAIR_COLOURS)})",
        f"{tags}:3: no comma in '2 red hair blue eyes' (expected 'ID,<colour> hair <colour> eyes')",
        f"{tags}:4: image {images / '3.jpg'} is missing (expected one image file per tags line)",
        f"{tags}:5: image {images / '4.jpg'} is not a recognised image (expected a JPEG)",
        # PIL's own reason (with a byte count) sits between these two parts.
        f"{tags}:6: image {images / '5.jpg'} cannot be decoded: image file is truncated",
        "(expected a complete JPEG)",
    ]


def test_skip_mode_warns_and_lists_every_bad_row(bad_set):
    with pytest.warns(BadRowWarning) as caught:
        dataset = TaggedImageDataset(bad_set / "images", bad_set / "tags.csv", on_bad_row="skip")
    assert dataset.ids == [0, 6] and dataset.hair.tolist() == [HAIR_COLOURS.index("red"), HAIR_COLOURS.index("blue")]
    expected = expected_bad_rows(bad_set)
    assert len(dataset.bad_rows) == 5 and dataset.bad_rows[:4] == expected[:4]
    assert dataset.bad_rows[4].startswith(expected[4]) and dataset.bad_rows[4].endswith(expected[5])
    warning = str(caught[0].message)
    assert warning.startswith(f"{bad_set / 'tags.csv'}: skipped 5 of 7 rows (all listed in .bad_rows):")
    assert expected[0] in warning and "3.jpg is missing" in warning


def test_error_mode_stops_at_the_first_tag_problem_before_decoding(bad_set, decode_calls):
    with pytest.raises(InputError) as caught:
        TaggedImageDataset(bad_set / "images", bad_set / "tags.csv", on_bad_row="error")
    assert str(caught.value) == expected_bad_rows(bad_set)[0] + " (and 1 more bad row)"
    assert decode_calls == []


def test_error_mode_reports_a_missing_image(good_set):
    (good_set / "images" / "1.jpg").unlink()
    with pytest.raises(InputError) as caught:
        TaggedImageDataset(good_set / "images", good_set / "tags.csv", on_bad_row="error")
    assert str(caught.value) == (
        f"{good_set / 'tags.csv'}:2: image {good_set / 'images' / '1.jpg'} is missing "
        "(expected one image file per tags line)"
    )


def test_corrupt_image_in_error_mode(good_set):
    truncated_jpeg(good_set / "images" / "2.jpg")
    with pytest.raises(InputError, match=r"tags\.csv:3: image .*2\.jpg cannot be decoded: .* \(expected a complete JPEG\)$"):
        TaggedImageDataset(good_set / "images", good_set / "tags.csv", on_bad_row="error")


def test_no_usable_rows_is_an_input_error(tmp_path):
    root = make_extra_set(tmp_path / "none", ["0,red hair blue eyes"], {})
    with pytest.raises(InputError, match=r"tags\.csv: no usable rows \(.*tags\.csv:1: image .*0\.jpg is missing"):
        TaggedImageDataset(root / "images", root / "tags.csv")


def test_missing_image_folder_is_an_input_error(tmp_path):
    (tmp_path / "tags.csv").write_text("0,red hair blue eyes\n")
    with pytest.raises(InputError, match=r"images: no such image folder"):
        TaggedImageDataset(tmp_path / "images", tmp_path / "tags.csv")


# ---- the cache --------------------------------------------------------------------------------

def test_cache_is_written_atomically_next_to_the_data(good_set):
    dataset = open_quietly(good_set)
    assert dataset.cache_path == good_set / ".cache" / "images.tags.extra.u8.npy"
    assert sorted(p.name for p in (good_set / ".cache").iterdir()) == [
        "images.tags.extra.u8.json", "images.tags.extra.u8.npy",
    ]
    assert np.load(dataset.cache_path).shape == (3, 3, 64, 64)


def test_second_open_reuses_the_cache_with_its_bad_rows(bad_set, decode_calls):
    with pytest.warns(BadRowWarning):
        first = TaggedImageDataset(bad_set / "images", bad_set / "tags.csv")
    assert len(decode_calls) == 5 and not first.loaded_from_cache
    with pytest.warns(BadRowWarning):
        second = TaggedImageDataset(bad_set / "images", bad_set / "tags.csv")
    assert len(decode_calls) == 5 and second.loaded_from_cache
    assert second.bad_rows == first.bad_rows and second.ids == first.ids
    assert torch.equal(second.images, first.images) and torch.equal(second.hair, first.hair)


def test_cache_is_rebuilt_when_the_tags_file_changes(good_set, decode_calls):
    open_quietly(good_set)
    (good_set / "tags.csv").write_text("0,blue hair blue eyes\n1,white hair red eyes\n")
    dataset = open_quietly(good_set)
    assert not dataset.loaded_from_cache and len(decode_calls) == 3 + 2
    assert dataset.ids == [0, 1] and dataset.hair[0] == HAIR_COLOURS.index("blue")


def test_cache_is_rebuilt_when_an_image_changes(good_set, decode_calls):
    open_quietly(good_set)
    image = good_set / "images" / "0.jpg"
    save_image(image, WHITE)
    os.utime(image, ns=(1, 1))  # a different mtime even on coarse clocks
    dataset = open_quietly(good_set)
    assert not dataset.loaded_from_cache and len(decode_calls) == 6
    assert torch.allclose(dataset[0][0], torch.ones(3, 64, 64), atol=0.05)


def test_damaged_cache_is_rebuilt(good_set):
    first = open_quietly(good_set)
    first.cache_path.write_bytes(b"not numpy")
    second = open_quietly(good_set)
    assert not second.loaded_from_cache and torch.equal(second.images, first.images)
    assert open_quietly(good_set).loaded_from_cache


def test_unwritable_cache_warns_and_still_loads(good_set, tmp_path):
    (tmp_path / "a_file").write_text("")
    with pytest.warns(UserWarning, match="cannot write image cache"):
        dataset = TaggedImageDataset(good_set / "images", good_set / "tags.csv", cache_dir=tmp_path / "a_file" / "cache")
    assert len(dataset) == 3


# ---- layouts ----------------------------------------------------------------------------------

def test_open_dataset_recognises_the_33k_layout(tmp_path):
    root = tmp_path / "anime33k"
    for image_id in range(3):
        save_image(root / "faces" / f"{image_id}.jpg", RED)
    (root / "tags.csv").write_text(
        "0,long hair:9\tblue hair:5\tred eyes:3\n"
        "1,blue hair:5\tred hair:4\tred eyes:3\n"  # two hair colours: skipped, not guessed
        "2,smile:9\tblond hair:5\tgrey eyes:3\n"
    )
    with pytest.warns(BadRowWarning, match="skipped 1 of 3 rows"):
        dataset = open_dataset(root)
    assert dataset.ids == [0, 2]
    assert dataset.hair.tolist() == [HAIR_COLOURS.index("blue"), HAIR_COLOURS.index("blonde")]
    assert dataset.bad_rows == [f"{root / 'tags.csv'}:2: 2 hair colour tags ('blue', 'red') (expected exactly one)"]
    assert dataset.cache_path.name == "faces.tags.full.u8.npy"


def test_open_dataset_recognises_the_extra_layout(good_set):
    assert open_dataset(good_set).ids == [0, 1, 2]


def test_rendered_root_and_load_split(tmp_path):
    root = tmp_path / "anime"
    for split, colour in (("train", RED), ("test", WHITE)):
        make_extra_set(root / split, ["0,red hair blue eyes", "1,pink hair aqua eyes"], {0: colour, 1: colour})
        (root / split / "tags_full.csv").write_text("0,red hair:3\tblue eyes:2\n1,pink hair:1\taqua eyes:9\tsmile:4\n")
    train = open_dataset(root)
    assert train.image_dir == root / "train" / "images" and len(train) == 2
    test = load_split(root, "test")
    assert torch.allclose(test[0][0], torch.ones(3, 64, 64), atol=0.05)
    full = load_split(root, "test", tag_format="full")
    assert torch.equal(full.hair, test.hair) and torch.equal(full.eyes, test.eyes)
    assert full.cache_path != test.cache_path
    with pytest.raises(InputError, match=r"valid: no images/ folder"):
        load_split(root, "valid")


def test_open_dataset_rejects_other_layouts(tmp_path):
    with pytest.raises(InputError, match=rf"^{tmp_path}: unrecognised data layout \(expected faces/"):
        open_dataset(tmp_path)
    with pytest.raises(InputError, match=r"nowhere: no such data folder"):
        open_dataset(tmp_path / "nowhere")
    (tmp_path / "faces").mkdir()
    (tmp_path / "images").mkdir()
    (tmp_path / "tags.csv").write_text("0,red hair blue eyes\n")
    with pytest.raises(InputError, match="unrecognised data layout"):  # both folders: ambiguous
        open_dataset(tmp_path)


def test_sidecar_from_another_version_is_ignored(good_set):
    first = open_quietly(good_set)
    first.cache_path.with_suffix(".json").write_text('["not", "a", "sidecar"]')
    assert not open_quietly(good_set).loaded_from_cache
    assert open_quietly(good_set).loaded_from_cache


def test_relative_image_folder(good_set, monkeypatch):
    monkeypatch.chdir(good_set / "images")
    dataset = open_quietly(None, image_dir=".", tags_file="../tags.csv")
    assert len(dataset) == 3 and dataset.cache_path == good_set / ".cache" / "images.tags.extra.u8.npy"


def test_more_bad_rows_than_the_warning_shows_are_all_written_to_a_listing(tmp_path):
    lines = ["0,red hair blue eyes"] + [f"{i},silver hair blue eyes" for i in range(1, 9)]  # 8 unknown colours
    root = make_extra_set(tmp_path / "many", lines, {i: RED for i in range(9)})
    with pytest.warns(BadRowWarning) as caught:
        dataset = TaggedImageDataset(root / "images", root / "tags.csv", on_bad_row="skip")
    message = str(caught[0].message)
    listing = dataset.cache_path.with_name(dataset.cache_path.name.replace(".u8.npy", ".bad_rows.txt"))
    assert f"and 3 more (all 8 in {listing})" in message
    assert listing.read_text().splitlines() == dataset.bad_rows and len(dataset.bad_rows) == 8
    assert all(line.startswith(f"{root / 'tags.csv'}:") for line in dataset.bad_rows)
