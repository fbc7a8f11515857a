"""`hw3 data import` on a replica of the course's data, then the evaluator on what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from course_replica import EXPECTED_EXCLUDED, HELD_OUT, RARE, write_course_replica
from hw3.cli import main
from hw3.data.course.importer import CourseSource, ImportConfig, import_course_data
from hw3.data.course.split import SplitConfig, held_out_pairs_of, split_by_pair
from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.data.dataset import load_split
from hw3.errors import InputError
from hw3.eval.tag_accuracy import pair_counts, tag_accuracy
from hw3.eval.train_evaluator import (
    EvaluatorTrainingConfig, accuracy_report, class_weights, confused_colours, format_accuracy_report,
    train_tag_classifier)
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags, read_tag_lines
from hw3.train.loop import train
from hw3.train.recipes import variant_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def replica(tmp_path_factory) -> dict:
    return write_course_replica(tmp_path_factory.mktemp("course"))


def import_args(replica: dict, out: Path, *extra: str) -> list[str]:
    return ["data", "import", "--faces", str(replica["faces"]), "--faces-tags", str(replica["faces_tags"]),
            "--extra", str(replica["extra"]), "--out", str(out), "--no-progress", *extra]


@pytest.fixture(scope="module")
def imported(replica, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("imported") / "course"
    assert main(import_args(replica, out)) == 0
    return out


def all_files(root: Path) -> dict[str, bytes]:
    """Every file the import wrote (not the decoded-image caches later commands add)."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and ".cache" not in path.parts}


def test_import_counts_every_rule_and_lists_each_excluded_row(replica, imported):
    meta = json.loads((imported / "meta.json").read_text())
    assert meta["excluded"] == EXPECTED_EXCLUDED
    report = (imported / "import_report.txt").read_text()
    faces_tags = replica["faces_tags"]
    # Line numbers are file lines (the BOM and CRLF change nothing); ids start at 0 on line 1.
    for image_id, words in ((replica["missing"], "is missing"), (replica["corrupt"], "cannot be decoded"),
                            (replica["not_image"], "is not an image")):
        assert f"{faces_tags}:{image_id + 1}: image {replica['faces'] / f'{image_id}.jpg'} {words}" in report
    assert "2 hair colour tags ('blue', 'red') (expected exactly one)" in report
    assert f"{replica['extra_tags']}:53: unknown hair colour 'silver'" in report
    assert f"{replica['extra_tags']}:55: image" in report and "same pixels as the face of" in report
    listed = [line for line in report.splitlines() if line.startswith(str(replica["faces_tags"].parent.parent))]
    assert len(listed) == sum(EXPECTED_EXCLUDED.values())
    # The extra set labels no gray eyes; the 33k part does, so the merged data still has them.
    extra = next(source for source in meta["sources"] if source["name"] == "extra")
    assert "gray" in extra["missing_colours"]["eyes"] and "gray" not in meta["missing_colours"]["eyes"]
    assert meta["counts"] == {"train": 108, "test": 33}
    assert {str(pair) for pair in RARE} <= set(meta["pairs_too_rare_for_test"])


def test_imported_data_opens_like_rendered_data(imported):
    train, test = load_split(imported, "train"), load_split(imported, "test")
    assert train.images.shape == (108, 3, 64, 64) and test.images.shape == (33, 3, 64, 64)
    assert train.bad_rows == [] and test.bad_rows == []
    with Image.open(imported / "train" / "images" / "0.jpg") as image:
        assert image.size == (64, 64) and image.mode == "RGB"
    train_pairs = set(zip(train.hair.tolist(), train.eyes.tolist()))
    test_pairs = set(zip(test.hair.tolist(), test.eyes.tolist()))
    held_out = (HELD_OUT.hair_index, HELD_OUT.eye_index)
    assert held_out in test_pairs and held_out not in train_pairs
    full = load_split(imported, "test", tag_format="full")
    assert torch.equal(full.hair, test.hair) and torch.equal(full.eyes, test.eyes)
    assert held_out_pairs_of(imported) == HELD_OUT_PAIRS and held_out_pairs_of(imported / "train") is None
    sources = (imported / "train" / "sources.csv").read_text().splitlines()
    assert len(sources) == 108 and sources[0].endswith("tags.csv:1")
    # 25 report lines, every one a pair the test split holds (the faces shown beside it).
    tag_lines = read_tag_lines(imported / "test_tags.txt")
    assert len(tag_lines) == 25 and {line.tags.pair_index for line in tag_lines} == set(
        (test.hair * 11 + test.eyes).tolist())


def test_second_import_gives_identical_files_and_replaces_the_first(replica, imported, tmp_path):
    again = tmp_path / "course"
    assert main(import_args(replica, again)) == 0
    assert all_files(again) == all_files(imported)
    assert main(import_args(replica, again, "--held-out", "none")) == 0  # over an earlier import
    assert json.loads((again / "meta.json").read_text())["held_out_pairs"] == [] and held_out_pairs_of(again) == ()


def test_import_refuses_bad_input_with_one_line(replica, tmp_path, capsys):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(import_args(replica, foreign)) == 2
    assert main(["data", "import", "--extra", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert main(["data", "import", "--out", str(tmp_path / "o")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0] == (f"hw3: error: --out {foreign}: holds files that are not an earlier import "
                         "(expected an empty folder)")
    assert len(errors) == 3 and "Traceback" not in "\n".join(errors)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_split_is_stratified_deterministic_and_keeps_held_out_pairs_out_of_training():
    pairs = [0] * 100 + [5] * 24 + [7] * 30 + [9] * 3
    held = HairEyeTags(HAIR_COLOURS[0], EYE_COLOURS[7])  # pair 7
    config = SplitConfig(seed=3, held_out_pairs=(held,), test_per_pair=20)
    split = split_by_pair(pairs, config)
    test_pairs = np.bincount(np.asarray(pairs)[split.test], minlength=10)
    assert test_pairs[0] == 20 and test_pairs[5] == 0 and test_pairs[7] == 20 and test_pairs[9] == 0
    assert split.too_rare == [5, 9] and len(split.unused) == 10
    assert not set(split.train) & set(split.test) and 7 not in {pairs[i] for i in split.train}
    assert split_by_pair(pairs, config) == split
    assert split_by_pair(pairs, SplitConfig(seed=4, held_out_pairs=(held,), test_per_pair=20)).test != split.test


def test_sparse_pairs_are_left_out_of_pair_rates_and_marked():
    hair, eyes = np.array([0, 0, 0, 1]), np.array([0, 0, 0, 1])
    hair_logits, eye_logits = np.eye(12)[[0, 0, 0, 2]], np.eye(11)[[0, 0, 0, 1]]
    plain = tag_accuracy(hair_logits, eye_logits, hair, eyes, held_out_pairs=())
    assert plain.seen["both"] == 0.75 and plain.sparse_pairs == []
    real = np.zeros((12, 11))
    real[0, 0], real[1, 1] = 50, 3  # pair (1, 1) has three real faces: no number for it
    marked = tag_accuracy(hair_logits, eye_logits, hair, eyes, held_out_pairs=(), real_pair_counts=real)
    assert marked.sparse_pairs == [12] and marked.seen["both"] == 1.0 and marked.both == 0.75
    assert np.isnan(marked.both_matrix[1, 1]) and marked.both_matrix[0, 0] == 1.0
    assert pair_counts(hair, eyes)[0, 0] == 3


def test_class_weights_and_confusion_flags():
    labels = torch.tensor([0] * 90 + [1] * 10)
    weights = class_weights(labels, torch.ones(100), 3, power=1.0, max_weight=10.0)
    assert weights[1] / weights[0] == pytest.approx(9.0) and weights[2] == 1.0  # absent class left at 1
    assert class_weights(labels, torch.ones(100), 3, power=0.0, max_weight=10.0) is None
    matrix = np.array([[80, 20, 0], [0, 50, 0], [0, 0, 4]])
    flags = confused_colours(matrix, ("a", "b", "c"))
    assert [(flag["colour"], flag["read_as"]) for flag in flags] == [("a", "b"), ("c", None)]
    assert flags[0]["share"] == pytest.approx(0.2)


def test_evaluator_trains_on_imported_data_with_class_weights(imported, tmp_path, capsys):
    train, test = load_split(imported, "train"), load_split(imported, "test")
    config = EvaluatorTrainingConfig(steps=3, batch_size=16, class_weight_power=1.0)
    model, losses = train_tag_classifier(train.images, train.hair, train.eyes, config=config, progress=False)
    assert len(losses) == 3 and all(np.isfinite(losses))
    report = accuracy_report(model, test.images, test.hair, test.eyes)
    assert np.asarray(report["hair_confusion"]).sum() == 33 and np.asarray(report["eye_confusion"]).shape == (11, 11)
    assert str(HELD_OUT) in report["sparse_pairs"]  # 8 held-out faces in the test split: under 10
    text = format_accuracy_report(report)
    assert "| hair \\ read as |" in text and "left out of the pair rates" in text
    # And the command line takes the imported folder unchanged.
    out = tmp_path / "evaluator.safetensors"
    assert main(["evaluator", "train", "--data", str(imported), "--out", str(out), "--steps", "2",
                 "--batch-size", "8"]) == 0
    assert out.is_file() and "accuracy on 33 images" in capsys.readouterr().out


@pytest.mark.slow
def test_a_generator_trains_and_is_evaluated_on_imported_data(imported, tmp_path, capsys):
    config = variant_config(REPO / "configs" / "acgan.toml", imported, tmp_path / "run", device="cpu",
                            num_steps=1, smoke=True)
    result = train(config, progress=False)
    out_dir = tmp_path / "evaluation"
    assert main(["evaluate", "--generator", str(result.last_checkpoint), "--data", str(imported),
                 "--evaluator", str(REPO / "weights" / "evaluator.safetensors"),
                 "--num-samples", "264", "--out-dir", str(out_dir)]) == 0
    record = json.loads((out_dir / "results.jsonl").read_text().splitlines()[-1])
    assert record["num_generated"] == 264 and record["fid"] >= 0


LINE_PARTS = st.sampled_from([
    "0", "1", "2", "3", "9", "x", ",", "\t", ":", ":12", " ", "\r", "\ufeff", "blue hair", "red eyes", "blond hair",
    "grey eyes", "silver hair", "long hair:5", "blue hair:9", "red eyes:7", "green eyes:3", "eyes", "hair", "é",
    "0,blue hair:9\tred eyes:7", "1,blond hair:2\tgrey eyes:1\tsmile:5", "2,pink hair:1\tblue eyes:3\r"])


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.lists(LINE_PARTS, max_size=6).map("".join), max_size=8))
def test_any_tags_file_imports_or_fails_with_one_line(lines, tmp_path_factory):
    """Every line is kept or listed as excluded exactly once; nothing else ever happens."""
    root = tmp_path_factory.mktemp("random")
    (root / "faces").mkdir()
    for image_id in range(3):
        Image.fromarray(np.full((96, 96, 3), 40 * image_id, np.uint8)).save(root / "faces" / f"{image_id}.jpg")
    (root / "tags.csv").write_text("\n".join(lines), encoding="utf-8")
    source = CourseSource("faces", root / "faces", root / "tags.csv", "full")
    try:
        summary = import_course_data(ImportConfig((source,), root / "out", progress=False))
    except InputError as error:
        assert "\n" not in str(error)
        return
    text = "\n".join(lines).removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    non_blank = [line for line in text.split("\n") if line.strip()]
    assert sum(summary.counts.values()) + sum(summary.excluded.values()) == len(non_blank)
    report = (root / "out" / "import_report.txt").read_text().splitlines()
    listed = [line for line in report if line.startswith(f"{root / 'tags.csv'}:")]
    assert len(listed) == sum(summary.excluded.values())
