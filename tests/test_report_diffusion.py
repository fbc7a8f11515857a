"""The report's flow-model section: its readers, its verdict and table worked from hand-made
records, and its figure's lines and points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hw3.report.diffusion_comparison import (
    FlowComparison, diffusion_results, fid_at_cpu_hours, gan_at_count, fid_by_cpu_hours, flow_evaluations, guidance_sweep, sampling_seconds,
    threads_of, training_cpu_hours)
from hw3.report.diffusion_figures import compute_comparison_figure
from hw3.report.section_diffusion import diffusion_section, verdict


def results(fid: float, seen: float, held_out: float, recall: float = 0.8, precision: float = 0.6, **more) -> dict:
    return {"fid": fid, "tag_accuracy": {"seen": {"both": seen}, "held_out": {"both": held_out}}, "recall": recall,
            "precision": precision, "diversity_ratio": 1.0, "memorisation_distance_ratio": 1.3, "conditional": True,
            "num_generated": 500, **more}


def flow_record(guidance: float, steps: int = 12, sha: str = "abc", **metrics) -> dict:
    return {**results(**{"fid": 3.0, "seen": 0.9, "held_out": 0.8, **metrics}),
            "sampler": {"steps": steps, "guidance": guidance, "solver": "heun"}, "weights_sha256": sha}


FLOW_SIDECAR = {"kind": "flow_matching", "sha256": "abc",
                "flow_matching": {"solver": "heun", "sample_steps": 12, "guidance_scale": 2.0, "evaluation_steps": 4},
                "budget": {"images_through_d": 200_000, "wall_seconds": 7200.0, "device": "cpu: AMD EPYC, 1 threads"},
                "stopping": {"reason": "time limit"}}
GAN_SIDECAR = {"budget": {"images_through_d": 400_000, "wall_seconds": 1800.0, "device": "cpu: AMD EPYC, 2 threads"}}


def test_cpu_hours_are_wall_clock_times_the_threads_the_device_names():
    assert threads_of({"device": "cpu: AMD EPYC, 2 threads"}) == 2 and threads_of({}) == 1
    assert training_cpu_hours(GAN_SIDECAR) == pytest.approx(1.0)  # 1,800 s on 2 threads
    assert training_cpu_hours({"budget": {"wall_seconds": 60.0, "device": "cuda: H200"}}) is None
    points = fid_by_cpu_hours([{"eval_fid": 9.0, "wall_seconds": 3600.0}, {"loss": 1.0},
                               {"eval_fid": 5.0, "wall_seconds": 7200.0}], threads=2)
    assert points == [(2.0, 9.0), (4.0, 5.0)]
    assert fid_at_cpu_hours(points, 3.0) == (2.0, 9.0) and fid_at_cpu_hours(points, 1.0) is None


def test_the_sample_bench_and_the_evaluations_are_read_by_command_and_by_weights(tmp_path):
    (tmp_path / "bench_sample.json").write_text(json.dumps([
        {"command": "bash run_cgan.sh testing_tags.txt", "median_seconds": 4.0},
        {"command": "bash run_gan.sh", "median_seconds": 3.5},
        {"command": "bash run_cgan.sh testing_tags.txt --generator weights/diffusion.safetensors",
         "median_seconds": 150.0}]))
    assert sampling_seconds(tmp_path) == {"cgan": 4.0, "gan": 3.5, "weights/diffusion.safetensors": 150.0}
    (tmp_path / "results" / "diffusion").mkdir(parents=True)
    gan = {**results(2.2, 0.97, 0.86), "label": "acgan-500-faces"}
    records = [flow_record(1.0, sha="old"), flow_record(1.0), flow_record(0.0), flow_record(1.0, fid=2.5),
               flow_record(1.0, steps=4), gan, {**gan, "label": "acgan-1000-faces", "num_generated": 1000}]
    (tmp_path / "results" / "diffusion" / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    kept = flow_evaluations(diffusion_results(tmp_path), "abc")
    assert len(kept) == 4 and all(r["weights_sha256"] == "abc" for r in kept)
    sweep = guidance_sweep(kept, steps=12)  # one per scale, the newest, by scale
    assert [r["sampler"]["guidance"] for r in sweep] == [0.0, 1.0] and sweep[1]["fid"] == 2.5
    assert [r["sampler"]["guidance"] for r in guidance_sweep(kept)] == [0.0, 1.0]  # 12 steps: the widest sweep
    assert [r["sampler"]["steps"] for r in guidance_sweep(kept, steps=4)] == [4]
    assert gan_at_count(diffusion_results(tmp_path), "acgan", 500) == gan
    assert gan_at_count(diffusion_results(tmp_path), "acgan", 2000) is None and diffusion_results(tmp_path / "x") == []


def test_the_verdict_says_metric_by_metric_where_the_flow_model_wins_and_loses():
    lines = verdict(results(fid=3.0, seen=0.95, held_out=0.90, recall=0.8), results(fid=2.0, seen=0.98,
                    held_out=0.85, recall=0.8), "acgan")
    assert lines == ["It beats acgan on both tags on held-out pairs (90.0 % against 85.0 %).",
                     "It loses to acgan on FID (3.00 against 2.00); both tags on seen pairs (95.0 % against 98.0 %)."]


def comparison(evaluations: list[dict]) -> FlowComparison:
    gan_log = [{"eval_fid": 8.0, "wall_seconds": 900.0}, {"eval_fid": 2.5, "wall_seconds": 1800.0}]
    flow_log = [{"eval_fid": 40.0, "wall_seconds": 3600.0}, {"eval_fid": 12.0, "wall_seconds": 7200.0}]
    return FlowComparison(FLOW_SIDECAR, flow_log, evaluations, {"acgan": results(2.0, 0.98, 0.85)},
                          {"acgan": GAN_SIDECAR}, {"acgan": gan_log},
                          {"cgan": 4.0, "weights/diffusion.safetensors": 150.0})


def test_the_section_tables_the_shipped_setting_and_compares_at_equal_compute():
    made = comparison([flow_record(0.0, fid=6.0), flow_record(2.0, fid=3.0, seen=0.99, held_out=0.9)])
    markdown = "\n".join(diffusion_section(made, {"diffusion_compute": "diffusion_compute.png"}))
    assert "| acgan (500 faces) | 400,000 | 1.00 | 2.00 | 98.0 % | 85.0 % | 1.00 | 80.0 % | 1.30 | 4.0 |" in markdown
    assert "| diffusion, flow matching (500 faces) | 200,000 | 2.00 | 3.00 | 99.0 % | 90.0 % | 1.00 | 80.0 % | 1.30 | 150.0 |" in markdown
    # acgan trained 1.00 CPU-hours, the flow model 2.00: compared by 1.00, where each evaluated last.
    assert "By 1.00 CPU-hours, acgan's last in-training evaluation (after 1.00) gave FID 2.50, the flow model's " \
           "(after 1.00) 40.00" in markdown
    assert "stopped at its time limit before the study rule could apply" in markdown
    assert "| 0 | 6.00 |" in markdown and "| 2 | 3.00 |" in markdown
    assert "figures/diffusion_compute.png" in markdown and "It beats acgan on" in markdown


def test_unmeasured_weights_say_which_command_measures_them():
    markdown = "\n".join(diffusion_section(comparison([flow_record(1.0)]), {}))
    assert "`make diffusion-evaluate`" in markdown and "| model |" not in markdown
    assert diffusion_section(None, {}) == []


def test_the_figure_draws_each_model_and_the_sweep():
    made = comparison([flow_record(0.0, fid=6.0), flow_record(2.0, fid=3.0)])
    figure = compute_comparison_figure(made.curves(), made.sampling_points(), guidance_sweep(made.evaluations, 12))
    training, drawing, guidance = figure.axes[:3]
    lines = {line.get_label(): line for line in training.lines}
    assert sorted(lines) == ["acgan", "diffusion"]
    assert list(lines["diffusion"].get_xdata()) == [1.0, 2.0] and list(lines["acgan"].get_xdata()) == [0.5, 1.0]
    assert sorted(collection.get_label() for collection in drawing.collections) == ["acgan", "diffusion"]
    points = {c.get_label(): tuple(c.get_offsets()[0]) for c in drawing.collections}
    assert points == {"acgan": (4.0, 2.0), "diffusion": (150.0, 3.0)}
    assert [line.get_label() for line in guidance.lines] == ["seen pairs", "held-out pairs"]
    assert list(guidance.lines[0].get_ydata()) == [6.0, 3.0]


def test_weights_exported_mid_run_say_the_run_goes_on():
    sidecar = {**FLOW_SIDECAR, "training_config": {"stopping": {"plateau": True}}}
    sidecar.pop("stopping", None)
    made = comparison([flow_record(2.0)])
    made.sidecar = sidecar
    markdown = "\n".join(diffusion_section(made, {}))
    assert "these are its best evaluation so far, exported while the run goes on toward the study's rule" in markdown
    assert "stopped at" not in markdown
