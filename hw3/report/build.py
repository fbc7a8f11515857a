"""`make report`: every figure and table of report/ from the shipped weights and the data.

Evaluation results are kept in report/results/<variant>.json with the sha256 of the weights
they measured, so a second `make report` redraws the figures without re-evaluating.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from hw3.errors import InputError
from hw3.eval.evaluator import load_evaluator
from hw3.report.comparison import best_conditional, comparison_table
from hw3.report.curves import plot_training_curves
from hw3.report.markdown import report_markdown, write_html
from hw3.report.side_by_side import real_faces_for, side_by_side_figure
from hw3.report.strips import latent_strips, tag_strips
from hw3.report.word_vectors import colour_word_figure, conditioning_table
from hw3.sampling.faces import draw_faces
from hw3.sampling.generator_file import load_generator, training_log_path
from hw3.sampling.images import grid_pixels
from hw3.tags import HairEyeTags, read_tag_lines
from hw3.weights import write_json_atomic

VARIANTS = ("dcgan", "cgan", "wgan_gp", "acgan")
LATENT_ROWS = (HairEyeTags("blonde", "blue"), HairEyeTags("pink", "aqua"), HairEyeTags("black", "red"))
TAG_WALKS = ((HairEyeTags("blonde", "blue"), HairEyeTags("black", "blue")),
             (HairEyeTags("blue", "blue"), HairEyeTags("blue", "red")),
             (HairEyeTags("pink", "green"), HairEyeTags("aqua", "yellow")))
STRIP_STEPS = 8
# `make text-compare` appends here: one `hw3 evaluate` record per condition encoder.
CONDITIONING_RESULTS = Path("results") / "conditioning" / "results.jsonl"


@dataclass
class ReportConfig:
    weights_dir: Path = Path("weights")
    data_root: Path = Path("data/anime")
    out_dir: Path = Path("report")
    tags_file: Path = Path("testing_tags.txt")
    evaluator: Path = Path("weights/evaluator.safetensors")
    word_vectors: Path = Path("weights/word_vectors/fasttext.safetensors")
    num_samples: int = 10000
    seed: int = 0


def _evaluate(name: str, generator, sidecar: dict, evaluator, config: ReportConfig, datasets,
              figure_dir: Path) -> dict:
    """`hw3 evaluate`'s measurements, reused from report/results/ while the weights are unchanged.
    `evaluator()` returns the tag evaluator, loaded on first use."""
    from hw3.eval.evaluate import evaluate_generator

    cached_path = config.out_dir / "results" / f"{name}.json"
    key = {"weights_sha256": sidecar["sha256"], "num_samples": config.num_samples, "seed": config.seed}
    if cached_path.is_file():
        cached = json.loads(cached_path.read_text(encoding="utf-8"))
        if all(cached.get(k) == v for k, v in key.items()) and (figure_dir / "tag_accuracy.png").is_file():
            return cached

    @torch.no_grad()
    def sample_fn(hair, eyes, z):
        # An unconditional generator draws from the whole training distribution whatever the tags.
        return generator(z, hair, eyes) if generator.is_conditional else generator(z)

    results = evaluate_generator(sample_fn, evaluator(), *datasets, n=config.num_samples, seed=config.seed,
                                 z_dim=generator.config.z_dim, cache_dir=config.data_root / ".cache" / "evaluator",
                                 figure_dir=figure_dir)
    results.update(key, label=name, step=sidecar["step"], training_command=sidecar["training_command"])
    cached_path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(cached_path, results)
    return results


def _save(figure, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path.name


def build_report(config: ReportConfig) -> Path:
    """Evaluate each shipped generator, draw every figure, write report.md and report.html."""
    from hw3.data.dataset import load_split

    paths = {name: config.weights_dir / f"{name}.safetensors" for name in VARIANTS}
    paths = {name: path for name, path in paths.items() if path.is_file()}
    if not paths:
        raise InputError(f"{config.weights_dir}: no shipped generators (expected {', '.join(VARIANTS)}.safetensors)")
    tag_lines = [line.tags for line in read_tag_lines(config.tags_file)]
    datasets = (load_split(config.data_root, "test"), load_split(config.data_root, "train"))
    figures_dir = config.out_dir / "figures"
    generators, sidecars, results = {}, {}, {}
    evaluator = functools.cache(lambda: load_evaluator(config.evaluator)[0])  # only if something needs measuring

    for name, path in tqdm(paths.items(), desc="report: evaluating", unit="generator"):
        generators[name], sidecars[name] = load_generator(path)
        results[name] = _evaluate(name, generators[name], sidecars[name], evaluator, config, datasets,
                                  figures_dir / name)
    conditional = {name: generator.is_conditional for name, generator in generators.items()}

    panels = {"real (test split)": real_faces_for(tag_lines, datasets[0], config.seed)}
    panels.update({name: draw_faces(generator, tag_lines if conditional[name] else None, len(tag_lines), config.seed)
                   for name, generator in generators.items()})
    figures = {"side_by_side": _save(side_by_side_figure(panels), figures_dir / "side_by_side.png")}
    for name, path in paths.items():
        if training_log_path(path).is_file():
            figure = plot_training_curves(training_log_path(path), title=f"{name}: training curves")
            figures[f"{name}_curves"] = _save(figure, figures_dir / f"{name}_curves.png")
    best = best_conditional(results, conditional) if any(conditional.values()) else None
    if best is not None:
        latent = latent_strips(generators[best], list(LATENT_ROWS), STRIP_STEPS, config.seed)
        figures["latent_strips"] = _save_strip(latent, figures_dir / "latent_interpolation.png",
                                               f"{best}: noise walks, tags fixed")
        walks = tag_strips(generators[best], list(TAG_WALKS), STRIP_STEPS, config.seed)
        figures["tag_strips"] = _save_strip(walks, figures_dir / "tag_interpolation.png",
                                            f"{best}: tag walks, noise fixed")
    if config.word_vectors.is_file():
        from hw3.text.storage import load_word_vectors

        figures["colour_words"] = _save(colour_word_figure(load_word_vectors(config.word_vectors)),
                                        figures_dir / "colour_words.png")
    markdown = report_markdown(results, sidecars, conditional, best, figures,
                               comparison_table(results, conditional), config,
                               conditioning_table(config.out_dir / CONDITIONING_RESULTS))
    report_path = config.out_dir / "report.md"
    report_path.write_text(markdown, encoding="utf-8")
    write_html(markdown, config.out_dir / "report.html")
    return report_path


def _save_strip(images: torch.Tensor, path: Path, title: str) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(STRIP_STEPS * 0.9, len(images) / STRIP_STEPS * 0.9 + 0.4))
    axes = figure.add_axes((0, 0, 1, 0.9))
    axes.imshow(grid_pixels(images, STRIP_STEPS))
    axes.set_axis_off()
    figure.suptitle(title, fontsize=9)
    return _save(figure, path)
