"""`hw3 data figure`: the run scripts' 5 x 5 figure drawn with a split's own faces."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from PIL import Image

from hw3.cli import main
from hw3.data.dataset import load_split
from hw3.data.face_figure import faces_for_lines
from hw3.errors import InputError
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, read_tag_lines


def pairs_held(dataset) -> Counter:
    return Counter((dataset.hair * NUM_EYES + dataset.eyes).tolist())


def test_each_line_gets_a_real_face_of_its_pair(tiny_data_root, tmp_path):
    dataset = load_split(tiny_data_root, "train", progress=False)
    common = [pair for pair, _ in pairs_held(dataset).most_common(2)]
    lines = [(pair // NUM_EYES, pair % NUM_EYES) for pair in common]
    tags = tmp_path / "tags.txt"
    tags.write_text("".join(f"{i + 1},{HAIR_COLOURS[h]} hair {EYE_COLOURS[e]} eyes\n"
                            for i, (h, e) in enumerate(lines * 3)))
    tag_lines = read_tag_lines(tags)
    faces = faces_for_lines(dataset, tag_lines, seed=0, source=tags)
    assert faces.shape == (6, 64, 64, 3) and faces.dtype == np.uint8
    images = dataset.images.permute(0, 2, 3, 1).numpy()
    for face, line in zip(faces, tag_lines):
        matches = [i for i in range(len(dataset)) if np.array_equal(images[i], face)]
        assert matches and all(int(dataset.hair[i]) * NUM_EYES + int(dataset.eyes[i]) == line.tags.pair_index
                               for i in matches)
    assert np.array_equal(faces, faces_for_lines(dataset, tag_lines, seed=0, source=tags))


def test_without_tags_it_draws_25_different_faces_by_seed(tiny_data_root):
    dataset = load_split(tiny_data_root, "train", progress=False)
    first, again, other = (faces_for_lines(dataset, None, seed) for seed in (3, 3, 4))
    assert first.shape == (25, 64, 64, 3) and np.array_equal(first, again) and not np.array_equal(first, other)
    assert len({face.tobytes() for face in first}) == 25


def test_a_pair_the_split_lacks_names_the_line(tiny_data_root, tmp_path):
    dataset = load_split(tiny_data_root, "train", progress=False)
    held = pairs_held(dataset)
    missing = next(pair for pair in range(len(HAIR_COLOURS) * NUM_EYES) if pair not in held)
    present = held.most_common(1)[0][0]
    tags = tmp_path / "tags.txt"
    tags.write_text(f"1,{HAIR_COLOURS[present // NUM_EYES]} hair {EYE_COLOURS[present % NUM_EYES]} eyes\n"
                    f"2,{HAIR_COLOURS[missing // NUM_EYES]} hair {EYE_COLOURS[missing % NUM_EYES]} eyes\n")
    with pytest.raises(InputError, match=rf"tags.txt:2: no face of .* in .*tags.csv .*test split"):
        faces_for_lines(dataset, read_tag_lines(tags), seed=0, source=tags)


def test_the_command_writes_the_course_figure_and_refuses_bad_input_in_one_line(tiny_data_root, tmp_path, capsys):
    out = tmp_path / "real.png"
    assert main(["data", "figure", "--data", str(tiny_data_root), "--seed", "1", "--out", str(out),
                 "--no-progress"]) == 0
    assert Image.open(out).size == (640, 480)
    first = out.read_bytes()
    assert main(["data", "figure", "--data", str(tiny_data_root), "--seed", "1", "--out", str(out),
                 "--no-progress"]) == 0 and out.read_bytes() == first
    capsys.readouterr()
    assert main(["data", "figure", "--data", str(tmp_path / "absent"), "--out", str(tmp_path / "x.png")]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "absent" in error
    assert not (tmp_path / "x.png").exists()


def test_several_seeds_write_one_figure_each_and_need_a_seed_field(tiny_data_root, tmp_path, capsys):
    pattern = str(tmp_path / "real_seed{seed}.png")
    assert main(["data", "figure", "--data", str(tiny_data_root), "--seed", "0", "1", "--out", pattern,
                 "--no-progress"]) == 0
    first, second = (tmp_path / f"real_seed{seed}.png" for seed in (0, 1))
    assert first.read_bytes() != second.read_bytes()
    single = tmp_path / "single.png"
    assert main(["data", "figure", "--data", str(tiny_data_root), "--seed", "1", "--out", str(single),
                 "--no-progress"]) == 0 and single.read_bytes() == second.read_bytes()
    capsys.readouterr()
    assert main(["data", "figure", "--data", str(tiny_data_root), "--seed", "0", "1",
                 "--out", str(tmp_path / "one.png")]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "{seed}" in error and not (tmp_path / "one.png").exists()
