"""`hw3 grade`: figures cut into faces, pairs laid out over tags files, and fake submissions
that crash, hang, write nothing, write the wrong size, ignore the tags or follow them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from hw3.cli import main
from hw3.data.render.examples import render_example
from hw3.grade.figure import check_figure, cut_cells
from hw3.grade.grading import GradeConfig, grade_submission, score_faces
from hw3.grade.pair_files import pair_files
from hw3.tags import NUM_PAIRS, pair_from_index

REPO = Path(__file__).resolve().parents[1]

# A submission's drawing program: renders the asked pairs (or ignores them) as a 5 x 5 montage.
DRAW = '''
import sys
from pathlib import Path
import numpy as np
from PIL import Image
from hw3.data.render.examples import render_example
from hw3.tags import HairEyeTags

mode, out = sys.argv[1], Path(sys.argv[2])
pairs = []
if len(sys.argv) > 3:
    for line in Path(sys.argv[3]).read_text().splitlines():
        words = line.split(",", 1)[1].split()
        pairs.append(HairEyeTags(words[0], words[2]).pair_index)
pairs = pairs or list(range(0, 125, 5))
if mode == "ignore":
    pairs = [7] * len(pairs)
grid = np.full((332, 332, 3), 255, np.uint8)
for i, pair in enumerate(pairs[:25]):
    face = render_example(0, "test", pair * 40 + i % 40, 40).image
    top, left = 2 + (i // 5) * 66, 2 + (i % 5) * 66
    grid[top:top + 64, left:left + 64] = face
out.parent.mkdir(exist_ok=True)
Image.fromarray(grid if mode != "small" else grid[:100, :100]).save(out)
'''


def jpeg_round_trip(pixels: np.ndarray) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=95)
    return np.asarray(Image.open(buffer))


def make_submission(root: Path, gan: str, cgan: str) -> Path:
    """run_gan.sh / run_cgan.sh with the given bash bodies; `draw MODE OUT [TAGS]` draws."""
    root.mkdir(parents=True)
    (root / "draw.py").write_text(DRAW)
    prelude = f'#!/usr/bin/env bash\ndraw() {{ "{sys.executable}" "$(dirname "$0")/draw.py" "$@"; }}\n'
    (root / "run_gan.sh").write_text(prelude + gan + "\n")
    (root / "run_cgan.sh").write_text(prelude + cgan + "\n")
    return root


def grade(submission: Path, out: Path, time_limit: float = 20, data: Path | None = None,
          faces_per_pair: int = 1) -> dict:
    config = GradeConfig(submission, out, time_limit, faces_per_pair=faces_per_pair, data=data)
    return grade_submission(config)


@pytest.fixture(scope="module")
def rendered_test_split(tmp_path_factory) -> Path:
    """A real reference: 4 rendered faces of every pair in the rendered layout's test split."""
    root = tmp_path_factory.mktemp("reference")
    (root / "test" / "images").mkdir(parents=True)
    lines = []
    for index in range(NUM_PAIRS * 4):
        face = render_example(1, "test", index, 4)
        Image.fromarray(face.image).save(root / "test" / "images" / f"{index}.jpg", quality=95)
        lines.append(f"{index},{face.tags}\n")
    (root / "test" / "tags.csv").write_text("".join(lines))
    return root


def test_pair_files_ask_every_pair_on_different_lines():
    files = pair_files(3)
    assert all(len(pair_file.pairs) == 25 for pair_file in files) and len(files) == 16
    scored = [(pair, line) for pair_file in files for line, pair in enumerate(pair_file.pairs[: pair_file.scored])]
    assert sorted(pair for pair, _ in scored) == sorted(list(range(NUM_PAIRS)) * 3)
    lines_of_pair_0 = [line for pair, line in scored if pair == 0]
    assert len(set(lines_of_pair_0)) == 3
    assert files[0].text().splitlines()[1] == f"2,{pair_from_index(1)}"


def test_cells_are_cut_from_the_course_figure_and_from_the_montage(tmp_path):
    faces = [render_example(0, "test", pair * 40, 40).image for pair in range(0, 125, 5)]
    figure = Figure(figsize=(6.4, 4.8), dpi=100)  # the course's plt.subplots(5, 5) + savefig
    for axes, face in zip(figure.subplots(5, 5).ravel(), faces):
        axes.imshow(face)
        axes.axis("off")
    figure.savefig(tmp_path / "course.png")
    check, pixels = check_figure(tmp_path / "course.png", "course.png")
    assert (check.status, check.size) == ("ok", (640, 480))
    cells = cut_cells(pixels)
    assert cells.shape == (25, 3, 64, 64)
    # The cut cells are the faces (resampled twice, so close rather than equal).
    error = np.abs(cells.astype(float) - np.stack(faces).transpose(0, 3, 1, 2)).mean(axis=(1, 2, 3))
    assert error.max() < 12
    montage = np.full((332, 332, 3), 255, np.uint8)
    for i, face in enumerate(faces):
        montage[2 + (i // 5) * 66:][:64, 2 + (i % 5) * 66:][:, :64] = face
    Image.fromarray(montage).save(tmp_path / "montage.png")
    check, pixels = check_figure(tmp_path / "montage.png", "montage.png")
    assert check.status == "ok" and np.array_equal(cut_cells(pixels), np.stack(faces).transpose(0, 3, 1, 2))
    Image.fromarray(montage[:300]).save(tmp_path / "small.png")
    assert check_figure(tmp_path / "small.png", "small.png")[0].status == "wrong_size"
    (tmp_path / "text.png").write_text("not a png")
    assert check_figure(tmp_path / "text.png", "text.png")[0].status == "unreadable_png"
    assert cut_cells(np.full((332, 332, 3), 255, np.uint8)) is None


def test_failing_submissions_are_reported_not_raised(tmp_path):
    submission = make_submission(tmp_path / "broken", gan="echo 'model file missing' >&2; exit 3",
                                 cgan="sleep 30")
    results = grade(submission, tmp_path / "out", time_limit=2)
    assert results["gan"]["status"] == "crashed" and results["gan"]["exit_code"] == 3
    assert "model file missing" in results["gan"]["output_tail"]
    assert results["cgan"]["status"] == "timed_out" and 1.5 < results["cgan"]["seconds"] < 10
    assert results["pairs"]["status"] == "skipped"
    summary = (tmp_path / "out" / "grade.md").read_text()
    assert "| `bash run_gan.sh` | crashed |" in summary and "| `bash run_cgan.sh <tags>` | timed out |" in summary
    assert json.loads((tmp_path / "out" / "grade.json").read_text())["gan"]["status"] == "crashed"


def test_no_output_and_wrong_size_are_reported(tmp_path):
    submission = make_submission(tmp_path / "lazy", gan="true", cgan='draw small samples/cgan.png "$1"')
    (submission / "samples").mkdir()
    (submission / "samples" / "gan.png").write_bytes(b"shipped, not drawn by this run")
    results = grade(submission, tmp_path / "out")
    assert results["gan"]["status"] == "no_output"
    assert results["cgan"]["status"] == "wrong_size" and results["cgan"]["figure"]["size"] == [100, 100]


def test_cli_grades_a_submission_that_ignores_the_tags(tmp_path, capsys):
    submission = make_submission(tmp_path / "ignores", gan="draw follow samples/gan.png",
                                 cgan='draw ignore samples/cgan.png "$1"')
    code = main(["grade", str(submission), "--out", str(tmp_path / "out"), "--faces-per-pair", "1",
                 "--data", "none", "--time-limit", "20"])
    assert code == 0
    results = json.loads((tmp_path / "out" / "grade.json").read_text())
    assert results["gan"]["status"] == "ok" and results["gan"]["figure"]["size"] == [332, 332]
    pairs = results["pairs"]
    assert pairs["status"] == "ok" and pairs["num_faces"] == NUM_PAIRS and pairs["files"] == 6
    assert not pairs["follows_tags"] and pairs["tag_accuracy"]["both"] < 0.05
    assert "do not follow the tags" in capsys.readouterr().out
    assert main(["grade", str(tmp_path / "nowhere")]) == 2


def test_a_submission_that_follows_the_tags_scores_high(tmp_path):
    submission = make_submission(tmp_path / "good", gan="draw follow samples/gan.png",
                                 cgan='draw follow samples/cgan.png "$1"')
    results = grade(submission, tmp_path / "out")
    pairs = results["pairs"]
    assert pairs["num_faces"] == NUM_PAIRS and pairs["files"] == 6
    assert pairs["follows_tags"] and pairs["tag_accuracy"]["seen"]["both"] > 0.9
    assert pairs["tag_accuracy"]["held_out"]["both"] > 0.8
    assert pairs["fid"] is None and "FID and the spread ratio are left out" in results["notes"][0]
    assert (tmp_path / "out" / "cgan.png").is_file() and results["cgan"]["cells"] == 25


def test_scores_of_faces_like_the_real_ones_sit_near_the_real_floor(rendered_test_split):
    from hw3.eval.evaluator import load_evaluator

    evaluator, _ = load_evaluator(REPO / "weights" / "evaluator.safetensors")
    pairs = np.repeat(np.arange(NUM_PAIRS), 2)
    # Fresh faces through the same JPEG step as the reference (the evaluator notices JPEG).
    faces = np.stack([jpeg_round_trip(render_example(2, "test", pair * 40 + j % 2, 40).image)
                      for j, pair in enumerate(pairs)]).transpose(0, 3, 1, 2)
    config = GradeConfig(Path("."), Path("."), data=rendered_test_split)
    scores = score_faces(faces, pairs, evaluator, config)
    assert scores["real_reference"] == {"data": str(rendered_test_split), "reference_faces": 264, "floor_faces": 264}
    assert scores["fid"] < 2 * scores["fid_real_floor"] + 1.0
    assert 0.5 < scores["spread_ratio_to_real"] < 1.5 and scores["spread_within_pair"] > 0
    no_data = GradeConfig(Path("."), Path("."), data=None)
    same = score_faces(np.repeat(faces[::2], 2, axis=0), pairs, evaluator, no_data)  # one face per pair, twice
    assert same["spread_within_pair"] == 0.0 and same["fid"] is None and no_data.notes


@pytest.mark.slow
def test_this_repository_grades_cleanly(tmp_path):
    """`hw3 grade .` in small: the shipped scripts, one face per pair (8 script runs)."""
    results = grade(REPO, tmp_path / "out", time_limit=600)
    for step in ("gan", "cgan"):
        assert results[step]["status"] == "ok" and results[step]["cells"] == 25, results[step]
        assert tuple(results[step]["figure"]["size"]) in {(640, 480), (332, 332)}
    pairs = results["pairs"]
    assert pairs["status"] == "ok" and pairs["follows_tags"] and pairs["tag_accuracy"]["seen"]["both"] > 0.8
