"""What notebooks 00-05 call: shipped files by variant name, results only for the weights they
measured, figures returned (never a backend forced at import)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from hw3.errors import InputError
from hw3.notebook.evaluation import cached_results, generator_paths
from hw3.notebook.variant import (
    VariantFiles, curves_figure, heatmap_figure, open_variant, results_for_weights, results_markdown, samples_figure,
    shipped_generators, training_settings, training_time_estimate,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_figure_modules_leave_the_backend_alone():
    """Importing them must not switch matplotlib to Agg: a notebook's inline backend must survive."""
    code = ("import matplotlib; import hw3.report.curves, hw3.report.data_figures; "
            "print(matplotlib.get_backend())")
    env = {**os.environ, "MPLBACKEND": "svg"}
    backend = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert backend.strip() == "svg"


@pytest.mark.slow
def test_data_figures_return_figures():
    from hw3.report.data_figures import faces_per_colour, tag_histograms

    images = torch.randint(0, 256, (24, 3, 64, 64), dtype=torch.uint8)
    labels = torch.arange(24) % 12
    assert isinstance(faces_per_colour(images, labels, tuple("abcdefghijkl"), "hair", per_row=2), Figure)
    assert isinstance(tag_histograms(labels, labels % 11), Figure)


def test_shipped_generators_are_listed_by_name_and_the_evaluator_is_not(tmp_path):
    names = shipped_generators()
    assert {"dcgan", "cgan", "wgan_gp", "acgan"} <= set(names) and "evaluator" not in names
    shutil.copy(REPO / "weights" / "dcgan.safetensors", tmp_path / "other.safetensors")
    shutil.copy(REPO / "weights" / "dcgan.json", tmp_path / "other.json")
    (tmp_path / "loose.safetensors").write_bytes(b"")  # no sidecar: not a shipped generator
    assert shipped_generators(tmp_path) == ["other"]
    assert list(generator_paths(tmp_path)) == ["other"]


def test_results_belong_only_to_the_weights_they_measured(tmp_path):
    files = VariantFiles.named("acgan")
    assert results_for_weights(files.results, files.weights)["label"] == "acgan"
    results = json.loads(files.results.read_text())
    results["weights_sha256"] = "0" * 64
    (tmp_path / "acgan.json").write_text(json.dumps(results))
    assert results_for_weights(tmp_path / "acgan.json", files.weights) is None
    assert cached_results("acgan", files.weights, 10000, 0, tmp_path / "nowhere") is not None
    assert cached_results("acgan", files.weights, 5000, 0, tmp_path / "nowhere") is None  # other settings


def test_the_shipped_variant_opens_with_its_figures_and_results():
    run = open_variant("acgan")
    assert run.is_conditional and run.results is run.shipped_results and run.results is not None
    assert "weights/acgan.safetensors" in run.source and "loss.objective = hinge" in training_settings(run)
    samples = samples_figure(run, seed=0)
    assert samples.axes[0].images[0].get_array().shape[:2] == (8 * 66 + 2, 6 * 66 + 2)  # 8 pairs x 6 faces
    assert [t.get_text() for t in samples.axes[0].get_yticklabels()][0] == "blue hair, blue eyes"
    assert isinstance(curves_figure(run), Figure) and isinstance(heatmap_figure(run), Figure)
    table = results_markdown(run)
    assert "| both, held-out pairs |" in table or "`make report` measures acgan again" in table


def test_results_older_than_the_table_ask_for_a_new_measurement():
    run = open_variant("acgan")
    run.results = {key: value for key, value in run.results.items() if key != "fid"}
    assert "report/results/acgan.json predates this table (it has no 'fid')" in results_markdown(run)


def test_an_unconditional_variant_draws_rows_of_fresh_noise():
    run = open_variant("dcgan")
    assert not run.is_conditional
    assert samples_figure(run).axes[0].images[0].get_array().shape[:2] == (5 * 66 + 2, 6 * 66 + 2)


def test_a_missing_variant_is_one_line_naming_the_file():
    with pytest.raises(InputError, match=r"weights/nothing\.safetensors: no shipped generator"):
        open_variant("nothing")


def test_training_without_data_is_one_line_naming_the_folder(tmp_path):
    with pytest.raises(InputError, match=r"no training data \(expected the data set `make data` renders"):
        open_variant("acgan", quick=True, data_root=tmp_path / "absent", runs_dir=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_training_time_comes_from_the_config_and_the_bench():
    text = training_time_estimate("acgan", num_steps=300)
    assert text.startswith("300 steps (19,200 real images through D): about ")
    assert "min on 2 CPU cores" in text
