"""`hw3 sample` and `hw3 export`: byte-identical grids, strict tags, untouched output on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw3.cli import main
from hw3.train.loop import train
from hw3.train.recipes import variant_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exported_generator(tiny_data_root, tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("run")
    config = variant_config(REPO / "configs" / "cgan.toml", tiny_data_root, run_dir, device="cpu",
                            num_steps=1, smoke=True)
    config.batch_size = 8
    train(config, progress=False)
    out = run_dir / "cgan.safetensors"
    assert main(["export", "--run", str(run_dir), "--out", str(out)]) == 0
    return out


def test_same_seed_gives_identical_png_bytes(exported_generator, tmp_path):
    tags = tmp_path / "tags.txt"
    tags.write_text("".join(f"{i},blue hair red eyes\n" for i in range(1, 8)))
    for name in ("a.png", "b.png"):
        assert main(["sample", "--generator", str(exported_generator), "--tags", str(tags),
                     "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert main(["sample", "--generator", str(exported_generator), "--tags", str(tags),
                 "--out", str(tmp_path / "c.png"), "--seed", "1"]) == 0
    assert (tmp_path / "c.png").read_bytes() != (tmp_path / "a.png").read_bytes()


def test_bad_tags_exit_2_and_leave_the_old_png(exported_generator, tmp_path, capsys):
    out = tmp_path / "grid.png"
    out.write_bytes(b"earlier grid")
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n2,silver hair red eyes\n")
    assert main(["sample", "--generator", str(exported_generator), "--tags", str(tags), "--out", str(out)]) == 2
    assert out.read_bytes() == b"earlier grid"
    assert "tags.txt:2: unknown hair colour 'silver'" in capsys.readouterr().err


def test_tampered_weights_are_refused(exported_generator, tmp_path):
    copy = tmp_path / "copy.safetensors"
    data = bytearray(exported_generator.read_bytes())
    data[-1] ^= 1
    copy.write_bytes(bytes(data))
    copy.with_suffix(".json").write_text(exported_generator.with_suffix(".json").read_text())
    assert main(["sample", "--generator", str(copy), "--count", "4", "--out", str(tmp_path / "x.png")]) == 2
