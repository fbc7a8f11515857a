"""The report's figures, drawn from the shipped generators and the data and written under
report/figures/; each `draw_*` returns the file names the markdown links to."""

from __future__ import annotations

from pathlib import Path

import torch

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.files import write_atomically
from hw3.images import grid_pixels
from hw3.report.curves import plot_training_curves
from hw3.report.section_style import METHOD_RESULTS, style_grid, style_grid_figure
from hw3.report.side_by_side import real_faces_for, side_by_side_figure
from hw3.report.strips import latent_strips, strip_figure, tag_strips
from hw3.report.study_curves import study_curves_figure
from hw3.report.word_vectors import colour_word_figure
from hw3.sampling.faces import draw_faces
from hw3.sampling.generator_file import training_log_path
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, HairEyeTags

LATENT_ROWS = (HairEyeTags("blonde", "blue"), HairEyeTags("pink", "aqua"), HairEyeTags("black", "red"))
TAG_WALKS = ((HairEyeTags("blonde", "blue"), HairEyeTags("black", "blue")),
             (HairEyeTags("blue", "blue"), HairEyeTags("blue", "red")),
             (HairEyeTags("pink", "green"), HairEyeTags("aqua", "yellow")))
STRIP_STEPS = 8


def save_figure(figure, path: Path) -> str:
    """Write the figure; -> its path relative to the figures folder. Pyplot figures are closed."""
    import matplotlib.pyplot as plt

    write_atomically(path, lambda temporary: figure.savefig(temporary, format="png", dpi=110))
    plt.close(figure)
    return path.name


def draw_data_figures(train, figures_dir: Path) -> dict[str, str]:
    from hw3.report.data_figures import faces_per_colour, tag_histograms

    return {"tag_histograms": save_figure(tag_histograms(train.hair, train.eyes, "training split"),
                                          figures_dir / "data_colour_counts.png"),
            "hair_faces": save_figure(faces_per_colour(train.images, train.hair, HAIR_COLOURS, "hair"),
                                      figures_dir / "data_faces_per_hair_colour.png"),
            "eye_faces": save_figure(faces_per_colour(train.images, train.eyes, EYE_COLOURS, "eyes"),
                                     figures_dir / "data_faces_per_eye_colour.png")}


def draw_side_by_side(generators: dict, conditional: dict[str, bool], tag_lines: list[HairEyeTags], test,
                      seed: int, figures_dir: Path) -> str:
    """A real test face per tag line, then the same lines drawn by every generator."""
    panels = {"real (test split)": real_faces_for(tag_lines, test, seed)}
    panels.update({name: draw_faces(generator, tag_lines if conditional[name] else None, len(tag_lines), seed)
                   for name, generator in generators.items()})
    return save_figure(side_by_side_figure(panels), figures_dir / "side_by_side.png")


def draw_training_curves(paths: dict[str, Path], figures_dir: Path) -> dict[str, str]:
    """The losses of every shipped generator whose training log is beside it."""
    figures = {}
    for name, path in paths.items():
        if training_log_path(path).is_file():
            figure = plot_training_curves(training_log_path(path), title=f"{name}: training curves")
            figures[f"{name}_curves"] = save_figure(figure, figures_dir / f"{name}_curves.png")
    return figures


def draw_study_curves(evaluated: dict[str, list[dict]], sidecars: dict[str, dict], figures_dir: Path) -> str:
    return save_figure(study_curves_figure(evaluated, {name: sidecars[name]["step"] for name in evaluated}),
                       figures_dir / "evaluation_during_training.png")


def _pair_label(pair: HairEyeTags) -> str:
    return f"{pair.hair} hair, {pair.eyes} eyes" + (" (held out)" if pair in HELD_OUT_PAIRS else "")


def draw_strips(name: str, generator, seed: int, figures_dir: Path) -> dict[str, str]:
    """Noise walks with the tags fixed and tag walks with the noise fixed, for one conditional generator."""
    latent = latent_strips(generator, list(LATENT_ROWS), STRIP_STEPS, seed)
    latent_name = _save_strip(latent, figures_dir / "latent_interpolation.png", f"{name}: noise walks, tags fixed",
                              [_pair_label(pair) for pair in LATENT_ROWS])
    walks = tag_strips(generator, list(TAG_WALKS), STRIP_STEPS, seed)
    walks_name = _save_strip(walks, figures_dir / "tag_interpolation.png", f"{name}: tag walks, noise fixed",
                             [f"{_pair_label(start)} →\n{_pair_label(end)}" for start, end in TAG_WALKS])
    return {"latent_strips": latent_name, "tag_strips": walks_name}


def _save_strip(images: torch.Tensor, path: Path, title: str, row_labels: list[str]) -> str:
    return save_figure(strip_figure(grid_pixels(images, STRIP_STEPS), title, row_labels), path)


def draw_colour_words(word_vectors: Path, figures_dir: Path) -> str:
    from hw3.text.storage import load_word_vectors

    return save_figure(colour_word_figure(load_word_vectors(word_vectors)), figures_dir / "colour_words.png")


def draw_style_grid(style_results: dict[str, dict], test, figures_dir: Path) -> str:
    """The same test faces restyled by each method that has measured results."""
    from hw3.restyle.restyle import Restyler

    restylers = {method: Restyler(method) for method in METHOD_RESULTS if method in style_results}
    return save_figure(style_grid_figure(*style_grid(restylers, test)), figures_dir / "style_transfer.png")


def draw_diffusion_figures(comparison, flow_weights: Path, grader_generator, tag_lines: list[HairEyeTags], seed: int,
                           figures_dir: Path) -> dict[str, str]:
    """The flow model against the GANs (compute, sampling time, guidance), and the grader's tag
    lines drawn by the shipped conditional GAN and by the flow model, both replayed in float64."""
    from hw3.report.diffusion_comparison import guidance_sweep
    from hw3.report.diffusion_figures import compute_comparison_figure
    from hw3.sampling.generator_file import load_generator

    sweep = guidance_sweep(comparison.evaluations)
    figures = {"diffusion_compute": save_figure(
        compute_comparison_figure(comparison.curves(), comparison.sampling_points(), sweep),
        figures_dir / "diffusion_compute.png")}
    flow_sampler, _ = load_generator(flow_weights)
    figures["diffusion_faces"] = save_figure(flow_beside_gan_figure(flow_sampler, grader_generator, tag_lines, seed),
                                             figures_dir / "diffusion_faces.png")
    return figures


def flow_beside_gan_figure(flow_sampler, gan, tag_lines: list[HairEyeTags], seed: int):
    """The tag lines drawn by the shipped conditional GAN (None: left out) and by the flow model,
    both the float64 replay."""
    from hw3.report.diffusion_comparison import GRADER_CONDITIONAL

    panels = {} if gan is None else {GRADER_CONDITIONAL: draw_faces(gan, tag_lines, len(tag_lines), seed)}
    panels["diffusion (flow matching)"] = draw_faces(flow_sampler, tag_lines, len(tag_lines), seed)
    return side_by_side_figure(panels)
