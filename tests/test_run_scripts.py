"""The grader's view: run_cgan.sh / run_gan.sh on the shipped weights, and the weights themselves."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open

from hw3.sampling.generator_file import load_generator
from hw3.tags import read_tag_lines
from hw3.weights import file_sha256

REPO = Path(__file__).resolve().parents[1]
UNCONDITIONAL = ("dcgan", "dcgan_sn")
GENERATORS = tuple(path.stem for path in sorted((REPO / "weights").glob("*.safetensors"))
                   if json.loads(path.with_suffix(".json").read_text()).get("kind") == "generator")


def run_script(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def course_axes_boxes(rows: int = 5, columns: int = 5) -> list[tuple[slice, slice]]:
    """Pixel boxes (rows, columns) of the course's `plt.subplots(5, 5)` axes holding 64 x 64
    images, in reading order, laid out by matplotlib itself at its default figure size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns)
    for ax in axes.flat:
        ax.imshow(np.zeros((64, 64, 3)))
        ax.axis("off")
    figure.canvas.draw()
    height = figure.canvas.get_width_height()[1]
    boxes = []
    for ax in axes.flat:
        box = ax.get_window_extent()  # after drawing: the box the equal aspect settled on
        boxes.append((slice(round(height - box.y1) + 1, round(height - box.y0) - 1),
                      slice(round(box.x0) + 1, round(box.x1) - 1)))
    return boxes


def check_course_figure(path: Path, faces: int, rows: int) -> None:
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (640, 480)  # matplotlib's default figure size
    assert not {"Software", "Creation Time"} & set(image.info)  # nothing that changes between runs
    picture = pixels(path)
    boxes = course_axes_boxes()
    drawn = [index for index, (row_slice, column_slice) in enumerate(boxes)
             if picture[row_slice, column_slice].std() > 10]
    assert drawn == list(range(faces)) and len({boxes[i][0].start for i in drawn}) == rows
    for row_slice, column_slice in boxes:  # each axes box about 64 px square, as the course draws it
        assert 55 <= row_slice.stop - row_slice.start <= 70 and 55 <= column_slice.stop - column_slice.start <= 70
    outside = np.ones(picture.shape[:2], dtype=bool)
    for row_slice, column_slice in boxes:
        outside[row_slice.start - 2:row_slice.stop + 2, column_slice.start - 2:column_slice.stop + 2] = False
    assert (picture[outside] >= 250).all()  # nothing drawn between or around the axes


@pytest.mark.parametrize("script, committed", [
    (["run_cgan.sh", "testing_tags.txt"], "cgan_original.png"),
    (["run_gan.sh"], "gan_original.png"),
])
def test_run_scripts_write_the_course_figure_with_identical_bytes_twice(tmp_path, script, committed):
    outputs = [tmp_path / "first.png", tmp_path / "second.png"]
    for out in outputs:
        result = run_script(str(REPO / script[0]), *script[1:], "--out", str(out))
        assert result.returncode == 0, result.stderr
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    check_course_figure(outputs[0], faces=25, rows=5)
    # The committed results are this command's output, byte for byte, and so is what the script
    # writes without --out.
    assert outputs[0].read_bytes() == (REPO / "samples" / committed).read_bytes()
    assert outputs[0].read_bytes() == (REPO / "samples" / committed.replace("_original", "")).read_bytes()


def test_run_cgan_grid_layout_is_the_tight_montage_of_the_same_faces(tmp_path):
    grid = tmp_path / "grid.png"
    assert run_script(str(REPO / "run_cgan.sh"), "testing_tags.txt", "--layout", "grid", "--out", str(grid)).returncode == 0
    assert pixels(grid).shape == (5 * 66 + 2, 5 * 66 + 2, 3)  # 5 x 5 faces of 64 px, 2 px apart
    from hw3 import generate

    tags = [(line.tags.hair, line.tags.eyes) for line in read_tag_lines(REPO / "testing_tags.txt")]
    faces = generate(tags)  # the Python API draws the very same pixels
    for index, face in enumerate(faces):
        top, left = 2 + (index // 5) * 66, 2 + (index % 5) * 66
        assert np.array_equal(pixels(grid)[top:top + 64, left:left + 64], np.asarray(face, dtype=np.int16))


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


def one_line_exit_2(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_run_cgan_without_its_weights_is_one_line(tmp_path):
    """A copy of the scripts beside no weights folder: the shipped file is never touched."""
    (tmp_path / "scripts").mkdir()
    for name in ("run_cgan.sh", "run_gan.sh", "scripts/hw3.sh"):
        (tmp_path / name).write_text((REPO / name).read_text())
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    result = run_script(str(tmp_path / "run_cgan.sh"), str(REPO / "testing_tags.txt"))
    one_line_exit_2(result, "weights/acgan.safetensors: no such file")
    one_line_exit_2(run_script(str(tmp_path / "run_gan.sh")), "weights/dcgan_sn.safetensors: no such file")
    assert not (tmp_path / "samples" / "cgan.png").exists()


@pytest.mark.parametrize("args, message", [
    (["run_gan.sh", "--count", "0"], "--count 0: expected a whole number of faces from 1 to"),
    (["run_cgan.sh", str(REPO / "testing_tags.txt"), "--count", "3"], "a conditional generator draws one face per tag line"),
    (["run_cgan.sh", str(REPO / "testing_tags.txt"), "--truncation", "0"], "--truncation 0.0: expected a finite number"),
    (["run_cgan.sh", str(REPO / "testing_tags.txt"), "--seed", "-1"], "--seed -1: expected a non-negative integer"),
    (["run_gan.sh", "--generator", "nowhere/acgan.safetensors"], "nowhere/acgan.safetensors: no such file"),
])
def test_run_scripts_refuse_bad_options_in_one_line(tmp_path, args, message):
    out = tmp_path / "out.png"
    out.write_bytes(b"earlier figure")
    result = run_script(str(REPO / args[0]), *args[1:], "--out", str(out), cwd=tmp_path)
    one_line_exit_2(result, message)
    assert out.read_bytes() == b"earlier figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no temporary file left


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
    assert generator.is_conditional == (variant not in UNCONDITIONAL) and meta["variant"] == variant
    # Every shipped generator replays in float64, the run scripts' path, whatever its tag encoder.
    from hw3.sampling.faces import draw_faces

    tags = [line.tags for line in read_tag_lines(REPO / "testing_tags.txt")][:2] if generator.is_conditional else None
    faces = draw_faces(generator, tags, 2, seed=0)
    assert faces.dtype == torch.float64 and faces.shape == (2, 3, 64, 64) and bool(torch.isfinite(faces).all())


def test_the_run_scripts_draw_with_the_variants_the_report_ranks_best():
    import re

    from hw3.report.comparison import best_conditional

    results = {path.stem: json.loads(path.read_text()) for path in (REPO / "report" / "results").glob("*.json")
               if (REPO / "weights" / f"{path.stem}.safetensors").is_file()}
    conditional = {name: result["conditional"] for name, result in results.items()}
    shipped = {script: re.search(r"weights/(\w+)\.safetensors", (REPO / script).read_text()).group(1)
               for script in ("run_cgan.sh", "run_gan.sh")}
    assert shipped["run_cgan.sh"] == best_conditional(results, conditional)
    unconditional = [name for name in results if not conditional[name]]
    assert shipped["run_gan.sh"] == min(unconditional, key=lambda name: results[name]["fid"])
