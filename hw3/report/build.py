"""`make report`: every figure and table of report/ from the shipped weights and the data.

Evaluation results are kept in report/results/<variant>.json with the sha256 of the weights
they measured, so a second `make report` redraws the figures without re-evaluating.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from hw3.devices import resolve_device
from hw3.errors import InputError
from hw3.eval.evaluator import load_evaluator
from hw3.report.comparison import best_conditional, budget_table, comparison_table
from hw3.report.diffusion_comparison import GRADER_CONDITIONAL, read_flow_comparison, shipped_flow_model
from hw3.report.figures import (
    draw_colour_words, draw_data_figures, draw_diffusion_figures, draw_side_by_side, draw_strips, draw_study_curves, draw_style_grid,
    draw_training_curves,
)
from hw3.report.markdown import report_markdown, word_vector_section, write_html
from hw3.report.pdf import write_pdf
from hw3.report.section_ablations import ablations_section
from hw3.report.section_data import data_section
from hw3.report.section_diffusion import diffusion_section
from hw3.report.section_shipped import read_course_check, shipped_section
from hw3.report.section_limits import conclusions_section, metrics_section
from hw3.report.section_models import models_section
from hw3.report.section_study import study_section
from hw3.report.section_style import read_style_results, style_section
from hw3.report.section_speed import speed_section
from hw3.report.section_tips import tips_section
from hw3.report.study_curves import evaluation_records
from hw3.report.word_vectors import conditioning_table
from hw3.sampling.generator_file import load_generator, training_log_path
from hw3.tags import read_tag_lines
from hw3.files import check_output_dir, write_json_atomic, write_text_atomic
from hw3.reading import read_json_object
from hw3.weights import read_sidecar, sidecar_path

# Report order of the variants it knows; any other shipped generator follows, by name.
VARIANTS = ("dcgan", "dcgan_sn", "cgan_course", "cgan", "wgan_clip", "wgan_gp", "acgan", "r3gan")
# `make text-compare` appends here: one `hw3 evaluate` record per condition encoder.
CONDITIONING_RESULTS = Path("results") / "conditioning" / "results.jsonl"
# `make course-check` copies the faces the course's cascade found here.
COURSE_CHECK_RESULTS = Path("results") / "course_check.txt"


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
    device: str = "cpu"  # where evaluations run; figures are drawn on the CPU


# Raised when the evaluation protocol changes, so cached results of the old one are measured again
# (2: unconditional generators against the training split, FID infinity, score splits of 500).
METRICS_VERSION = 2


def _evaluate(name: str, generator, sidecar: dict, evaluator, config: ReportConfig, datasets,
              figure_dir: Path) -> dict:
    """`hw3 evaluate`'s measurements, reused from report/results/ while the weights are unchanged.
    `evaluator()` returns the tag evaluator, loaded on first use."""
    from hw3.eval.evaluate import evaluate_generator

    cached_path = config.out_dir / "results" / f"{name}.json"
    key = {"weights_sha256": sidecar["sha256"], "num_samples": config.num_samples, "seed": config.seed,
           "metrics_version": METRICS_VERSION}
    if cached_path.is_file():
        cached = read_json_object(cached_path, "results that hw3 report wrote")
        if all(cached.get(k) == v for k, v in key.items()) and (figure_dir / "nearest_training_images.png").is_file():
            return cached

    device = resolve_device(config.device)
    measured = generator if device.type == "cpu" else copy.deepcopy(generator).to(device)

    @torch.no_grad()
    def sample_fn(hair, eyes, z):
        # An unconditional generator draws from the whole training distribution whatever the tags.
        if not generator.is_conditional:
            return measured(z.to(device))
        return measured(z.to(device), hair.to(device), eyes.to(device))

    results = evaluate_generator(sample_fn, evaluator(), *datasets, n=config.num_samples, seed=config.seed,
                                 conditional=generator.is_conditional,
                                 z_dim=generator.config.z_dim, cache_dir=config.data_root / ".cache" / "evaluator",
                                 figure_dir=figure_dir, device=device)
    results.update(key, label=name, step=sidecar["step"], training_command=sidecar["training_command"])
    cached_path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(cached_path, results)
    return results


def shipped_generators(weights_dir: Path) -> dict[str, Path]:
    """Every `<name>.safetensors` in `weights_dir` whose sidecar says it is a generator, known variants first."""
    found = {}
    for path in sorted(weights_dir.glob("*.safetensors")):
        sidecar = sidecar_path(path)
        if sidecar.is_file() and read_sidecar(path).get("kind") == "generator":
            found[path.stem] = path
    order = [name for name in VARIANTS if name in found] + [name for name in found if name not in VARIANTS]
    return {name: found[name] for name in order}


def _evaluate_shipped(paths: dict[str, Path], config: ReportConfig, datasets,
                      figures_dir: Path) -> tuple[dict, dict, dict]:
    """(generators, sidecars, evaluation results) of the shipped generators, by name."""
    generators, sidecars, results = {}, {}, {}
    evaluator = functools.cache(lambda: load_evaluator(config.evaluator, resolve_device(config.device))[0])  # only if something needs measuring
    for name, path in tqdm(paths.items(), desc="report: evaluating", unit="generator"):
        generators[name], sidecars[name] = load_generator(path)
        results[name] = _evaluate(name, generators[name], sidecars[name], evaluator, config, datasets,
                                  figures_dir / name)
    return generators, sidecars, results


def build_report(config: ReportConfig) -> Path:
    """Evaluate each shipped generator, draw every figure, write report.md, report.html and report.pdf."""
    from hw3.data.dataset import load_split

    check_output_dir(config.out_dir, "a folder for the report")
    paths = shipped_generators(config.weights_dir)
    if not paths:
        raise InputError(f"{config.weights_dir}: no shipped generators (expected <variant>.safetensors with a "
                         "generator sidecar, such as acgan.safetensors)")
    tag_lines = [line.tags for line in read_tag_lines(config.tags_file)]
    datasets = (load_split(config.data_root, "test"), load_split(config.data_root, "train"))
    figures_dir = config.out_dir / "figures"
    generators, sidecars, results = _evaluate_shipped(paths, config, datasets, figures_dir)
    conditional = {name: generator.is_conditional for name, generator in generators.items()}

    figures = draw_data_figures(datasets[1], figures_dir)
    figures["side_by_side"] = draw_side_by_side(generators, conditional, tag_lines, datasets[0], config.seed,
                                                figures_dir)
    figures.update(draw_training_curves(paths, figures_dir))
    evaluated = evaluation_records({name: training_log_path(path) for name, path in paths.items()})
    if evaluated:
        figures["study_curves"] = draw_study_curves(evaluated, sidecars, figures_dir)
    best = best_conditional(results, conditional) if any(conditional.values()) else None
    if best is not None:
        figures.update(draw_strips(best, generators[best], config.seed, figures_dir))
    if config.word_vectors.is_file():
        figures["colour_words"] = draw_colour_words(config.word_vectors, figures_dir)
    style_results = read_style_results(config.out_dir / "results")
    if style_results:
        figures["style_grid"] = draw_style_grid(style_results, datasets[0], figures_dir)
    flow_weights = shipped_flow_model(config.weights_dir)  # None when weights/ holds no flow model
    comparison = (None if flow_weights is None
                  else read_flow_comparison(flow_weights, config.out_dir, results, sidecars, evaluated))
    if comparison is not None:
        figures.update(draw_diffusion_figures(comparison, flow_weights,
                                              generators.get(GRADER_CONDITIONAL), tag_lines, config.seed, figures_dir))
    budget = budget_table(sidecars, results)
    sections = {
        "data": data_section(datasets[1], datasets[0], figures),
        "models": models_section(sidecars, {name: sum(p.numel() for p in generator.parameters())
                                            for name, generator in generators.items()}),
        "tips": tips_section(conditioning_table(config.out_dir / CONDITIONING_RESULTS), speed_section(config.out_dir)),
        "word_vectors": word_vector_section(figures),
        "metrics": metrics_section(next(iter(results.values())), len(datasets[0]), _evaluator_accuracy(config)),
        "conclusions": conclusions_section(results, conditional, best, budget is not None),
        "study": study_section(results, sidecars, conditional),
        "style": style_section(figures, style_results),
        "ablations": ablations_section(evaluated, sidecars, conditional, config.out_dir / "results" / "ablations"),
        "diffusion": diffusion_section(comparison, figures),
        "shipped": shipped_section(results, conditional, best, read_course_check(config.out_dir / COURSE_CHECK_RESULTS)),
    }
    markdown = report_markdown(results, sidecars, conditional, best, figures, comparison_table(results, conditional),
                               config, sections, budget)
    report_path = config.out_dir / "report.md"
    write_text_atomic(report_path, markdown)
    write_html(markdown, config.out_dir / "report.html")
    write_pdf(markdown, config.out_dir, config.out_dir / "report.pdf")
    return report_path


def _evaluator_accuracy(config: ReportConfig) -> dict | None:
    sidecar = sidecar_path(config.evaluator)
    if not sidecar.is_file():
        return None
    return read_sidecar(config.evaluator).get("test_accuracy")
