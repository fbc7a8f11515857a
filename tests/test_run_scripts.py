"""The grader's view: run_cgan.sh / run_gan.sh on the shipped weights, and the weights themselves."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from safetensors import safe_open

from hw3.sampling.generator_file import load_generator
from hw3.tags import read_tag_lines
from hw3.weights import file_sha256

REPO = Path(__file__).resolve().parents[1]
GENERATORS = ("dcgan", "cgan", "wgan_gp", "acgan")


def run_script(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def test_run_cgan_gives_identical_bytes_twice_and_the_committed_grid(tmp_path):
    outputs = [tmp_path / "first.png", tmp_path / "second.png"]
    for out in outputs:
        result = run_script(str(REPO / "run_cgan.sh"), "testing_tags.txt", "--out", str(out))
        assert result.returncode == 0, result.stderr
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert pixels(outputs[0]).shape == (5 * 66 + 2, 5 * 66 + 2, 3)  # 5 x 5 faces of 64 px, 2 px apart
    # samples/cgan.png is this command's output (within rounding: other CPUs may round a pixel).
    assert np.abs(pixels(outputs[0]) - pixels(REPO / "samples" / "cgan.png")).max() <= 2


def test_run_gan_gives_identical_bytes_twice_and_the_committed_grid(tmp_path):
    outputs = [tmp_path / "first.png", tmp_path / "second.png"]
    for out in outputs:
        assert run_script(str(REPO / "run_gan.sh"), "--out", str(out)).returncode == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert np.abs(pixels(outputs[0]) - pixels(REPO / "samples" / "gan.png")).max() <= 2


def test_run_cgan_works_from_another_directory_with_a_relative_tags_path(tmp_path):
    (tmp_path / "mine.txt").write_text("1,blue hair red eyes\n2,pink hair aqua eyes\n3,gray hair black eyes\n"
                                       "4,blonde hair green eyes\n5,red hair red eyes\n6,white hair gray eyes\n"
                                       "7,black hair blue eyes\n")
    result = run_script(str(REPO / "run_cgan.sh"), "mine.txt", "--out", "grid.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pixels(tmp_path / "grid.png").shape == (2 * 66 + 2, 5 * 66 + 2, 3)  # 7 lines: rows of 5, then 2


def test_a_line_draws_the_same_face_whatever_follows_it(tmp_path):
    lines = (REPO / "testing_tags.txt").read_text().splitlines()
    (tmp_path / "one.txt").write_text(lines[0] + "\n")
    assert run_script(str(REPO / "run_cgan.sh"), "one.txt", "--out", "one.png", cwd=tmp_path).returncode == 0
    assert run_script(str(REPO / "run_cgan.sh"), str(REPO / "testing_tags.txt"), "--out", "all.png",
                      cwd=tmp_path).returncode == 0
    one, full = pixels(tmp_path / "one.png"), pixels(tmp_path / "all.png")
    assert one.shape == (68, 68, 3)
    assert np.array_equal(one[2:66, 2:66], full[2:66, 2:66])


@pytest.mark.parametrize("content, message", [
    ("1,blue hair red eyes\n2,silver hair red eyes\n", "bad.txt:2: unknown hair colour 'silver'"),
    ("1,long blonde hair with green eyes\n", "bad.txt:1:"),
    ("", "bad.txt:1: no tag lines"),
])
def test_bad_tags_exit_2_with_one_line_and_leave_the_old_grid(tmp_path, content, message):
    (tmp_path / "bad.txt").write_text(content)
    out = tmp_path / "cgan.png"
    out.write_bytes(b"earlier grid")
    result = run_script(str(REPO / "run_cgan.sh"), "bad.txt", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert out.read_bytes() == b"earlier grid"


def test_run_cgan_without_a_tags_file_prints_its_usage():
    result = run_script(str(REPO / "run_cgan.sh"))
    assert result.returncode == 2 and "usage: bash run_cgan.sh TAGS_FILE" in result.stderr


def test_testing_tags_cover_every_colour_and_the_held_out_pairs():
    from hw3.data.pairs import HELD_OUT_PAIRS

    tags = [line.tags for line in read_tag_lines(REPO / "testing_tags.txt")]
    assert len(tags) == 25
    assert len({t.hair for t in tags}) == 12 and len({t.eyes for t in tags}) == 11
    assert sum(t in HELD_OUT_PAIRS for t in tags) >= 6


@pytest.mark.parametrize("variant", GENERATORS)
def test_shipped_generator_loads_through_safetensors_with_its_recorded_hash(variant):
    path = REPO / "weights" / f"{variant}.safetensors"
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert file_sha256(path) == sidecar["sha256"]
    with safe_open(str(path), framework="pt") as weights:
        assert all(not key.startswith(("module.", "_orig_mod.")) for key in weights.keys())
    for field in ("training_command", "git_commit", "seed", "step", "training_config"):
        assert sidecar[field] not in (None, ""), field
    generator, meta = load_generator(path)
    assert generator.is_conditional == (variant != "dcgan") and meta["variant"] == variant
