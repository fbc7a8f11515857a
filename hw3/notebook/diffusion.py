"""The flow-matching model as notebook 08 shows it: the shipped weights, what they cost to train,
faces beside the shipped conditional GAN's, a guidance strip, and the report's comparison."""

from __future__ import annotations

from pathlib import Path

import torch
from matplotlib.figure import Figure

from hw3.images import draw_noise, grid_pixels, tag_tensors
from hw3.models.flow_sampler import FlowSampler
from hw3.report.diffusion_comparison import (
    GRADER_CONDITIONAL, guidance_sweep, read_flow_comparison, training_cpu_hours)
from hw3.report.diffusion_figures import compute_comparison_figure
from hw3.report.section_diffusion import diffusion_section
from hw3.report.figures import flow_beside_gan_figure
from hw3.report.study_curves import evaluation_records
from hw3.reading import read_json_object
from hw3.sampling.generator_file import load_generator, training_log_path
from hw3.tags import HairEyeTags
from hw3.weights import read_sidecar

REPO_ROOT = Path(__file__).resolve().parents[2]
WEIGHTS_DIR = REPO_ROOT / "weights"
REPORT_DIR = REPO_ROOT / "report"


def open_flow_model(weights: Path = WEIGHTS_DIR / "diffusion.safetensors", steps: int | None = None) -> FlowSampler:
    """The shipped flow model, drawing with its sidecar's sampler or with `steps` solver steps."""
    sampler, _ = load_generator(weights)
    return sampler if steps is None else sampler.with_steps(steps)


def training_summary(weights: Path = WEIGHTS_DIR / "diffusion.safetensors") -> str:
    """One paragraph: images trained on, CPU-hours, where and why it stopped, and how it draws."""
    sidecar = read_sidecar(weights)
    budget, stopping, flow = sidecar.get("budget") or {}, sidecar.get("stopping") or {}, sidecar["flow_matching"]
    hours = training_cpu_hours(sidecar)
    return (f"{weights.name}: {budget.get('images_through_d', 0):,} real images in "
            f"{'an unrecorded time' if hours is None else f'{hours:.2f} CPU-hours'} on {budget.get('device', '?')}, "
            f"stopped at {stopping.get('reason', '?')}; draws with {flow['solver']} in {flow['sample_steps']} steps "
            f"at guidance {flow['guidance_scale']:g}.")


def faces_beside_the_gan(flow: FlowSampler, tag_lines: list[HairEyeTags], seed: int,
                         gan_weights: Path = WEIGHTS_DIR / f"{GRADER_CONDITIONAL}.safetensors") -> Figure:
    """The tag lines drawn by the shipped conditional GAN and by the flow model, float64 replay."""
    gan, _ = load_generator(gan_weights)
    return flow_beside_gan_figure(flow, gan, tag_lines, seed)


@torch.no_grad()
def guidance_figure(flow: FlowSampler, tags: HairEyeTags, scales: list[float], seed: int, count: int = 5) -> Figure:
    """One row per guidance scale: the same `count` noise images drawn for `tags`."""
    z = draw_noise(count, flow.config.z_dim, seed)
    hair, eyes = tag_tensors([tags] * count)
    rows = []
    for scale in scales:
        rows.append(flow.with_settings(guidance_scale=scale)(z, hair, eyes))
    figure = Figure(figsize=(1.0 * count + 1.2, 1.05 * len(scales)))
    axis = figure.add_subplot(1, 1, 1)
    axis.imshow(grid_pixels(torch.cat(rows), count))
    axis.set_yticks([34 + 66 * row for row in range(len(scales))], [f"guidance {s:g}" for s in scales], fontsize=8)
    axis.set_xticks([])
    axis.set_title(f"{tags.hair} hair, {tags.eyes} eyes", fontsize=9)
    figure.tight_layout()
    return figure


def comparison(report_dir: Path = REPORT_DIR, weights_dir: Path = WEIGHTS_DIR):
    """The report's comparison of the shipped flow model with the shipped conditional GAN, read
    from the committed results, logs and bench files (nothing is measured here)."""
    name = GRADER_CONDITIONAL
    gan_weights = weights_dir / f"{name}.safetensors"
    results = {name: read_json_object(report_dir / "results" / f"{name}.json", "hw3 report's results")}
    logs = evaluation_records({name: training_log_path(gan_weights)})
    return read_flow_comparison(weights_dir / "diffusion.safetensors", report_dir, results,
                                {name: read_sidecar(gan_weights)}, logs)


def comparison_markdown(made) -> str:
    """The report's section, with its figure links left out (the notebook draws the figure)."""
    return "\n".join(line for line in diffusion_section(made, {}) if not line.startswith("## "))


def comparison_figure(made) -> Figure:
    sweep = guidance_sweep(made.evaluations)
    return compute_comparison_figure(made.curves(), made.sampling_points(), sweep)
