"""`hw3 train` before `make data`: one line that names the missing folder and the command that
renders it, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw3.cli import main
from hw3.data.dataset import open_dataset
from hw3.errors import InputError

REPO = Path(__file__).resolve().parents[1]


def test_a_missing_data_folder_names_make_data(tmp_path):
    missing = tmp_path / "anime"
    with pytest.raises(InputError) as error:
        open_dataset(missing)
    assert str(error.value) == (f"{missing}: no such data folder (expected a folder holding faces/ or images/ "
                                "and tags.csv; run `make data` to render the default set)")


def test_hw3_train_without_the_data_set_says_make_data(tmp_path, capsys):
    status = main(["train", "--config", str(REPO / "configs" / "dcgan.toml"), "--data", str(tmp_path / "anime"),
                   "--out", str(tmp_path / "run"), "--steps", "1", "--device", "cpu", "--no-progress"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith(f"hw3: error: {tmp_path / 'anime'}: no such data folder")
    assert "run `make data`" in lines[0]
