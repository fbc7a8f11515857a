"""`hw3.generate`: the faces of the run scripts as PIL images, from Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import hw3
from hw3.errors import InputError

REPO = Path(__file__).resolve().parents[1]


def test_import_hw3_alone_does_not_import_torch():
    code = "import sys, hw3; print('torch' in sys.modules); hw3.generate; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]  # torch comes in when faces are drawn


def test_conditional_faces_are_pil_images_one_per_pair_and_repeatable():
    faces = hw3.generate([("blue", "red"), ("Blond", "grey")], seed=3)
    assert [(face.size, face.mode) for face in faces] == [((64, 64), "RGB")] * 2
    again = hw3.generate([("blue", "red")], seed=3)  # a pair's face does not depend on what follows it
    assert np.array_equal(np.asarray(faces[0]), np.asarray(again[0]))
    assert not np.array_equal(np.asarray(faces[0]), np.asarray(hw3.generate([("blue", "red")], seed=4)[0]))


def test_the_faces_do_not_depend_on_the_thread_count():
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = hw3.generate(3)
        torch.set_num_threads(2)
        two = hw3.generate(3)
    finally:
        torch.set_num_threads(previous)
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(one, two))


def test_unconditional_faces_by_count_with_truncation():
    faces = hw3.generate(4, truncation=0.5)
    assert len(faces) == 4 and faces[0].size == (64, 64)
    assert len(hw3.generate()) == 25


@pytest.mark.parametrize("tags, message", [
    ([("silver", "red")], "tags[0]: unknown hair colour 'silver'"),
    ([("blue", "blue", "red")], "tags[0] ('blue', 'blue', 'red'): expected a (hair, eyes) pair"),
    ("blue hair red eyes", "expected a non-empty list of (hair, eyes) colour pairs"),
    ([], "expected a non-empty list"),
    (0, "tags=0: expected a whole number of faces"),  # the parameter's name, not the command's flag
])
def test_bad_tags_raise_one_line_input_errors(tags, message):
    with pytest.raises(InputError) as error:
        hw3.generate(tags)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_conditional_generator_needs_tags_and_bad_settings_are_refused():
    with pytest.raises(InputError, match=r"a conditional generator needs tags \(expected tags=\[\(hair, eyes\)"):
        hw3.generate(3, generator=REPO / "weights" / "acgan.safetensors")
    with pytest.raises(InputError, match="^truncation=0: expected"):
        hw3.generate([("blue", "red")], truncation=0)
    with pytest.raises(InputError, match="^device='tpu': expected"):
        hw3.generate([("blue", "red")], device="tpu")
