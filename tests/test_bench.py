"""`hw3 bench`: its arguments, its table, and the timing of an outside script."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hw3.bench.external_dcgan import _time_iterations
from hw3.bench.train_speed import read_base
from hw3.cli import main
from hw3.errors import InputError

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("arguments, message", [
    (["--steps", "0"], "--steps 0: expected 1 to"),
    (["--steps", "-1"], "--steps -1: expected 1 to"),
    (["--batch-size", "0"], "--batch-size 0: expected 1 to"),
    (["--paths", "fast,bogus"], "--paths 'fast,bogus': expected a comma-separated list of: fast, fp32"),
    (["--variants", "nope"], "--variants: no config"),
    (["--rounds", "0"], "--rounds 0: expected 1 to 20"),
    (["--base-tree", "/nonexistent/tree"], "--base-tree /nonexistent/tree: no hw3/__main__.py there"),
    (["--base-tree", ".", "--base", "b.json"], "--base and --base-tree: give one"),
])
def test_bad_bench_arguments_are_one_line(tiny_data_root, arguments, message, capsys):
    assert main(["bench", "train", "--data", str(tiny_data_root), *arguments]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_bench_needs_rendered_data_and_a_file_to_write(tiny_data_root, tmp_path, capsys):
    assert main(["bench", "train", "--data", str(tmp_path / "absent")]) == 2
    assert "run `make data`" in capsys.readouterr().err
    assert main(["bench", "train", "--data", str(tiny_data_root), "--out", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err
    assert main(["bench", "sample", "--repeats", "0"]) == 2
    assert "--repeats 0: expected 1 to 100" in capsys.readouterr().err


def test_a_bench_row_has_both_paths_and_their_ratio(tiny_data_root, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "train", "--data", str(tiny_data_root), "--variants", "acgan", "--batch-size", "8",
                 "--steps", "2", "--out", str(out)]) == 0
    (row,) = json.loads(out.read_text())
    assert row["variant"] == "acgan" and row["images_per_second"] == row["fast_images_per_second"] > 0
    assert row["fast_over_fp32"] == pytest.approx(row["fast_images_per_second"] / row["fp32_images_per_second"])
    printed = capsys.readouterr().out
    assert "| variant | fp32 images/s | fast images/s | fast / fp32 |" in printed
    base = tmp_path / "base.json"
    base.write_text(json.dumps([{"variant": "acgan", "images_per_second": row["fast_images_per_second"] / 2}]))
    assert read_base(base) == {"acgan": row["fast_images_per_second"] / 2}


def test_a_base_file_that_is_not_bench_results_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    for text in ("{}", "[{\"variant\": 1}]", "not json", "\udcff"):
        bad.write_text(text, errors="surrogateescape")
        with pytest.raises(InputError, match="bench results file"):
            read_base(bad)


def test_outside_iterations_are_timed_from_their_lines(tmp_path):
    script = tmp_path / "fake_main.py"
    script.write_text("import time\nfor i in range(40):\n    print(f'[0/1][{i}/40] Loss_D: 1.0', flush=True)\n"
                      "    time.sleep(0.01)\n")
    rate = _time_iterations([sys.executable, str(script)], warmup=5, timed=20)
    assert 10 < rate < 100  # one line every ~10 ms
    with pytest.raises(InputError, match="printed 40 iteration lines"):
        _time_iterations([sys.executable, str(script)], warmup=5, timed=100)


def test_the_sample_bench_times_another_generator_on_the_graders_tags(tmp_path, capsys):
    from hw3.bench.sample_speed import timed_commands, writing_elsewhere

    commands = timed_commands([Path("weights/diffusion.safetensors")])
    assert list(commands) == ["cgan", "gan", "weights/diffusion.safetensors", "torch import"]
    assert commands["weights/diffusion.safetensors"] == ["bash", "run_cgan.sh", "testing_tags.txt", "--generator",
                                                         "weights/diffusion.safetensors"]
    # Timed runs write into a folder of their own, never over the committed samples/*.png.
    assert writing_elsewhere(commands["weights/diffusion.safetensors"], tmp_path, 2)[-2:] == [
        "--out", str(tmp_path / "timed_2.png")]
    assert writing_elsewhere(commands["torch import"], tmp_path, 3) == commands["torch import"]
    assert main(["bench", "sample", "--generator", str(tmp_path / "absent.safetensors")]) == 2
    err = capsys.readouterr().err.strip()
    assert "absent.safetensors: no such weights file" in err and len(err.splitlines()) == 1


def test_rounds_interleave_the_base_beside_each_variant_and_keep_each_rows_best(tiny_data_root, tmp_path,
                                                                              monkeypatch):
    from hw3.bench import commands

    calls, folders, rates = [], set(), iter([30.0, 50.0, 40.0, 70.0, 80.0, 60.0])

    def fake(label):
        def measure(*arguments):
            request = arguments[-2]
            folders.add(arguments[-1])
            calls.append(f"{request.variant}:{label if label == 'base' else request.path}")
            return next(rates)
        return measure

    monkeypatch.setattr(commands, "measure_in_subprocess", fake("tree"))
    monkeypatch.setattr(commands, "measure_base_in_subprocess", fake("base"))
    (tmp_path / "base" / "hw3").mkdir(parents=True)
    (tmp_path / "base" / "hw3" / "__main__.py").write_text("")
    out = tmp_path / "bench.json"
    assert main(["bench", "train", "--data", str(tiny_data_root), "--variants", "acgan", "--rounds", "2",
                 "--base-tree", str(tmp_path / "base"), "--out", str(out)]) == 0
    # The base runs right beside the variant's own rows, the order reversed in the second round.
    assert calls == ["acgan:base", "acgan:fp32", "acgan:fast", "acgan:fast", "acgan:fp32", "acgan:base"]
    assert len(folders) == 2  # each round trains in run folders of its own
    (row,) = json.loads(out.read_text())
    assert row["base_rounds"] == [30.0, 60.0] and row["fp32_rounds"] == [50.0, 80.0]
    assert row["fast_rounds"] == [40.0, 70.0]
    assert (row["base_images_per_second"], row["fp32_images_per_second"], row["fast_images_per_second"]) == (
        60.0, 80.0, 70.0)
    assert row["over_base"] == pytest.approx(70.0 / 60.0) and row["fast_over_fp32"] == pytest.approx(70.0 / 80.0)


def test_the_base_tree_is_measured_by_its_own_bench_in_its_own_folder(tmp_path):
    from hw3.bench.train_speed import SpeedRequest, measure_base_in_subprocess

    tree = tmp_path / "base"
    (tree / "hw3").mkdir(parents=True)
    # A stand-in for another commit's `hw3 bench train`: it writes one row per --variants name,
    # and only finds its configs when run from its own tree.
    (tree / "configs").mkdir()
    (tree / "hw3" / "__main__.py").write_text(
        "import json, pathlib, sys\n"
        "arguments = sys.argv[1:]\n"
        "out, variant = arguments[arguments.index('--out') + 1], arguments[arguments.index('--variants') + 1]\n"
        "assert pathlib.Path('configs').is_dir()\n"
        "pathlib.Path(out).write_text(json.dumps([{'variant': variant, 'images_per_second': 123.5}]))\n")
    request = SpeedRequest("acgan", "base", Path("configs/acgan.toml"), tmp_path / "data", 8, 2, "cpu")
    assert measure_base_in_subprocess(tree, request, tmp_path) == 123.5
    (tree / "hw3" / "__main__.py").write_text("import sys\nsys.exit('no such variant')\n")
    with pytest.raises(InputError, match="acgan in the base tree .* failed: no such variant"):
        measure_base_in_subprocess(tree, request, tmp_path)
