"""One GAN variant as notebooks 01-04 show it: its shipped generator, training log and measured
results, or a run trained here, and the figures drawn from them.

A variant is a name: `weights/<name>.safetensors` (and its JSON sidecar), `weights/<name>.log.jsonl`,
`report/results/<name>.json` and `configs/<name>.toml`. Results are shown only for the weights
they measured (the sha256 recorded in the results file), so retrained weights never borrow them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from matplotlib.figure import Figure

from hw3.errors import InputError
from hw3.eval.report import markdown_table
from hw3.eval.tag_accuracy import plot_both_correct_heatmap
from hw3.models import Generator
from hw3.report.curves import plot_training_curves
from hw3.sampling.generator_file import load_generator, training_log_path
from hw3.images import PREVIEW_PAIRS, montage
from hw3.reading import read_json, read_json_object
from hw3.train.runtime import resolve_device
from hw3.weights import read_sidecar

REPO_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the hw3 package
WEIGHTS_DIR = REPO_ROOT / "weights"
RESULTS_DIR = REPO_ROOT / "report" / "results"
CONFIGS_DIR = REPO_ROOT / "configs"
BENCH_TRAIN = REPO_ROOT / "report" / "bench_train.json"  # images/s per variant, from `make bench`
FACES_PER_ROW = 6
FACE_INCHES = 0.66  # a 64 px face and its 2 px gap at 100 dpi: one image pixel per screen pixel


@dataclass(frozen=True)
class VariantFiles:
    """Where a variant's shipped files live, by its name."""

    name: str
    weights: Path
    log: Path
    results: Path
    config: Path

    @classmethod
    def named(cls, name: str, repo_root: Path = REPO_ROOT) -> "VariantFiles":
        weights = repo_root / "weights" / f"{name}.safetensors"
        return cls(name, weights, training_log_path(weights), repo_root / "report" / "results" / f"{name}.json",
                   repo_root / "configs" / f"{name}.toml")


def shipped_generators(weights_dir: Path = WEIGHTS_DIR) -> list[str]:
    """Names of the generators in `weights_dir` (files whose sidecar says kind 'generator'), sorted."""
    names = []
    for path in sorted(Path(weights_dir).glob("*.safetensors")):
        try:
            kind = read_sidecar(path).get("kind")
        except InputError:
            continue  # no sidecar: not a shipped generator
        if kind == "generator":
            names.append(path.stem)
    return names


def results_for_weights(results_path: Path, weights_path: Path) -> dict | None:
    """The measured results in `results_path` if they measured exactly `weights_path`, else None."""
    if not results_path.is_file() or not weights_path.is_file():
        return None
    results = read_json_object(results_path, "results that hw3 evaluate or hw3 report wrote")
    sha256 = read_sidecar(weights_path).get("sha256")
    return results if sha256 is not None and results.get("weights_sha256") == sha256 else None


@dataclass
class VariantRun:
    """A generator to show, where it came from, its training log and measured results."""

    name: str
    generator: Generator
    generator_path: Path  # a shipped file or a run directory, what `hw3.generate(generator=...)` reads
    source: str  # one line: which weights, which step
    log_path: Path | None
    results: dict | None  # measured on exactly these weights, or None
    shipped_results: dict | None  # the shipped weights' results, for comparison after a retrain
    training_config: dict  # the full training config these weights were trained with

    @property
    def is_conditional(self) -> bool:
        return self.generator.is_conditional


def open_variant(name: str, *, train: bool = False, quick: bool = False, quick_steps: int = 300,
                 smoke: bool = False, seed: int = 0, device: str = "cpu", data_root: str | Path = "../data/anime",
                 runs_dir: str | Path = "../runs", repo_root: Path = REPO_ROOT) -> VariantRun:
    """The shipped generator of `name`; with `train` its config trained from scratch (resuming
    from runs_dir/<name>), with `quick` only `quick_steps` steps (runs_dir/<name>_quick); with
    `smoke` and training, a few steps of small networks on a few hundred freshly rendered faces."""
    files = VariantFiles.named(name, repo_root)
    shipped_results = results_for_weights(files.results, files.weights)
    if not (train or quick):
        if not files.weights.is_file():
            raise InputError(f"{files.weights}: no shipped generator (expected a file `hw3 export` writes; "
                             f"or set train = True)")
        generator, meta = load_generator(files.weights, resolve_device(device))
        log_path = files.log if files.log.is_file() else None
        source = (f"shipped {files.weights.relative_to(repo_root)}: step {meta['step']}, "
                  f"trained by `{meta.get('training_command', '?')}`")
        training_config = read_sidecar(files.weights).get("training_config", {})
        return VariantRun(name, generator, files.weights, source, log_path, shipped_results, shipped_results,
                          training_config)

    from hw3.train.loop import train as train_run  # deferred: only a retrain needs the training code
    from hw3.train.recipes import smoke_data_root, variant_config

    root = smoke_data_root(seed) if smoke else Path(data_root)
    if not (root / "train" / "tags.csv").is_file():
        raise InputError(f"{root}: no training data (expected the data set `make data` renders, about 100 s)")
    out_dir = Path(runs_dir) / (name if train else f"{name}_quick")
    config = variant_config(files.config, root, out_dir, seed=seed, device=device,
                            num_steps=None if (train or smoke) else quick_steps, smoke=smoke)
    result = train_run(config, resume=True, progress=not smoke)
    generator, meta = load_generator(result.run_dir, resolve_device(device))
    source = f"trained here: {result.run_dir} at step {meta['step']}, {result.images_per_second:.0f} images/s at the end"
    return VariantRun(name, generator, result.run_dir, source, result.run_dir / "log.jsonl", None, shipped_results,
                      dataclasses.asdict(config))


def samples_figure(run: VariantRun, seed: int = 0, truncation: float | None = None) -> Figure:
    """Faces of the generator as `hw3.generate` (and so the run scripts) draws them: for a
    conditional one a row per preview tag pair (labelled), FACES_PER_ROW noises per row;
    otherwise five rows of fresh noise."""
    import hw3

    device = str(next(run.generator.parameters()).device)
    if run.is_conditional:
        tags = [pair for pair in PREVIEW_PAIRS for _ in range(FACES_PER_ROW)]
        labels = [f"{pair.hair} hair, {pair.eyes} eyes" for pair in PREVIEW_PAIRS]
    else:
        tags, labels = 5 * FACES_PER_ROW, []
    faces = hw3.generate(tags, seed=seed, truncation=truncation, generator=run.generator_path, device=device)
    grid = montage(np.stack([np.asarray(face) for face in faces]), FACES_PER_ROW)
    rows = -(-len(faces) // FACES_PER_ROW)
    label_width = 1.7 if labels else 0.1  # inches left of the faces for the row labels
    width, height = FACES_PER_ROW * FACE_INCHES + label_width + 0.1, rows * FACE_INCHES + 0.4
    figure = Figure(figsize=(width, height))
    axes = figure.add_axes((label_width / width, 0.05 / height, 1 - (label_width + 0.1) / width, 1 - 0.4 / height))
    axes.imshow(grid, interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([2 + 66 * row + 32 for row in range(len(labels))], labels, fontsize=7)
    axes.set_title(f"{run.name}: seed {seed}" + ("" if truncation is None else f", truncation {truncation}"), fontsize=9)
    return figure


def curves_figure(run: VariantRun) -> Figure:
    if run.log_path is None or not run.log_path.is_file():
        raise InputError(f"{run.name}: no training log (expected {VariantFiles.named(run.name).log})")
    return plot_training_curves(run.log_path, title=f"{run.name}: training curves")


def _measured(run: VariantRun) -> tuple[dict | None, str]:
    if run.results is not None:
        return run.results, "these weights"
    return run.shipped_results, "the shipped weights (the generator above was trained here and is not measured)"


def results_markdown(run: VariantRun) -> str:
    """The measured results as a markdown table, saying whose results they are."""
    results, whose = _measured(run)
    if results is None:
        return (f"No measured results for {run.name} yet: `hw3 evaluate --generator weights/{run.name}.safetensors` "
                f"or `make report` writes them.")
    table = results_table(results, run.name)
    command = results.get("training_command", "")
    return (f"Measured by `hw3 evaluate` on {whose} (step {results.get('step', '?')}"
            + (f", trained by `{command}`" if command else "") + "):\n\n" + table)


def results_table(results: dict, name: str) -> str:
    """`hw3 evaluate`'s markdown table, or one line saying the results file is older than the table."""
    try:
        return markdown_table(results)
    except KeyError as missing:  # written by an older `hw3 evaluate` than the table reads
        return (f"report/results/{name}.json predates this table (it has no {missing}): "
                f"`make report` measures {name} again.")


def heatmap_figure(run: VariantRun) -> Figure:
    """The 12 x 11 both-tags-correct matrix from the measured results."""
    results, whose = _measured(run)
    if results is None or "both_correct_matrix" not in results:
        raise InputError(f"{run.name}: no measured tag accuracy (expected report/results/{run.name}.json)")
    title = f"{run.name}: both tags correct" + ("" if run.results is not None else " (shipped weights)")
    return heatmap_from_results(results, title)


def heatmap_from_results(results: dict, title: str) -> Figure:
    """`plot_both_correct_heatmap` drawn from a results file instead of the evaluator's outputs."""
    matrix = np.array([[np.nan if value is None else value for value in row] for row in results["both_correct_matrix"]])
    sparse_pairs = results.get("tag_accuracy", {}).get("sparse_pairs", [])
    return plot_both_correct_heatmap(SimpleNamespace(both_matrix=matrix, sparse_pairs=sparse_pairs), title=title)


def training_settings(run: VariantRun) -> str:
    """The loss and optimiser settings these weights were trained with, one `section.key = value` a line."""
    lines = [f"steps = {run.training_config.get('num_steps', '?')}, batch_size = {run.training_config.get('batch_size', '?')}"]
    for section in ("loss", "optimizer"):
        lines += [f"{section}.{key} = {value}" for key, value in run.training_config.get(section, {}).items()]
    return "\n".join(lines)


def training_time_estimate(name: str, num_steps: int | None = None, repo_root: Path = REPO_ROOT) -> str:
    """How long `configs/<name>.toml` takes to train on this machine's kind of CPU, from the
    images/s that `make bench` measured (report/bench_train.json) and the config's steps."""
    from hw3.train.config import load_config

    config = load_config(VariantFiles.named(name, repo_root).config)
    steps = num_steps or config.num_steps
    images = steps * config.batch_size * config.loss.n_critic  # real images through D
    bench_path = repo_root / "report" / "bench_train.json"
    rows = read_json(bench_path, "the speeds that make bench wrote") if bench_path.is_file() else []
    speeds = {row.get("variant"): row.get("images_per_second") for row in rows if isinstance(row, dict)} \
        if isinstance(rows, list) else {}
    if name not in speeds:
        return f"{steps} steps ({images:,} real images through D); `make bench` has not timed {name}"
    return (f"{steps} steps ({images:,} real images through D): about {images / speeds[name] / 60:.0f} min "
            f"on 2 CPU cores at the {speeds[name]:.0f} images/s `make bench` measured")
