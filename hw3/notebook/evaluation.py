"""What notebook 05 evaluates: every shipped generator (weights/*.safetensors), and optionally the
latest checkpoint of every run under runs/, each measured by `evaluate_generator` unless a
results file already holds its measurement (report/results/<name>.json made by `make report`,
or an earlier run of the notebook in its out_dir), so the default path re-samples nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from hw3.notebook.variant import REPO_ROOT, RESULTS_DIR, WEIGHTS_DIR, shipped_generators
from hw3.sampling.generator_file import load_generator
from hw3.files import write_json_atomic
from hw3.reading import read_json_object
from hw3.train.checkpoint import EMA_GENERATOR_FILE
from hw3.weights import file_sha256, read_sidecar


@dataclass
class Measured:
    name: str
    source: str  # where the generator came from and where its numbers came from
    results: dict
    conditional: bool


def generator_paths(weights_dir: Path = WEIGHTS_DIR, runs_dir: Path | None = None) -> dict[str, Path]:
    """{name: path}: the shipped generators, then (with `runs_dir`) each run holding a checkpoint,
    named 'run <name>'."""
    from hw3.train.checkpoint import latest_checkpoint

    paths = {name: Path(weights_dir) / f"{name}.safetensors" for name in shipped_generators(weights_dir)}
    if runs_dir is not None and Path(runs_dir).is_dir():
        for run in sorted(Path(runs_dir).iterdir()):
            checkpoint = latest_checkpoint(run) if run.is_dir() else None
            if checkpoint is not None:
                paths[f"run {run.name}"] = checkpoint
    return paths


def shown(path: Path) -> str:
    """A path as a reader of the repository knows it: relative to the repository when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def _weights_key(path: Path) -> str:
    """sha256 of the generator weights a path holds (the sidecar's record for a shipped file)."""
    if path.is_dir():
        return file_sha256(path / EMA_GENERATOR_FILE)
    return str(read_sidecar(path).get("sha256"))


def cached_results(name: str, path: Path, num_samples: int, seed: int, out_dir: Path,
                   results_dir: Path = RESULTS_DIR) -> tuple[dict, str] | None:
    """A stored measurement of exactly these weights with these settings, and where it was found."""
    candidates = [out_dir / f"{name}.json"]
    if not path.is_dir():
        candidates.append(results_dir / f"{name}.json")
    key = _weights_key(path)
    for candidate in candidates:
        if not candidate.is_file():
            continue
        results = read_json_object(candidate, "results that hw3 evaluate or hw3 report wrote")
        if (results.get("weights_sha256") == key and results.get("num_samples", results.get("num_generated")) == num_samples
                and results.get("seed") == seed):
            return results, shown(candidate)
    return None


def measure(name: str, path: Path, *, data_root: Path, evaluator, num_samples: int, seed: int, device: str,
            out_dir: Path, results_dir: Path = RESULTS_DIR) -> Measured:
    """The generator's results: stored ones when they measured these weights, else `evaluate_generator`
    (about 2 min for 10,000 faces on 2 CPU cores), written to out_dir/<name>.json."""
    generator, meta = load_generator(path, device)
    found = cached_results(name, path, num_samples, seed, out_dir, results_dir)
    if found is not None:
        results, where = found
        return Measured(name, f"{shown(path)} (step {meta['step']}); results from {where}", results,
                        generator.is_conditional)
    from hw3.data.dataset import load_split
    from hw3.eval.evaluate import evaluate_generator

    @torch.no_grad()
    def sample_fn(hair, eyes, z):
        # An unconditional generator draws from the whole training distribution whatever the tags.
        return generator(z, hair, eyes) if generator.is_conditional else generator(z)

    results = evaluate_generator(sample_fn, evaluator(), load_split(data_root, "test"), load_split(data_root, "train"),
                                 n=num_samples, seed=seed, z_dim=generator.config.z_dim,
                                 cache_dir=Path(data_root) / ".cache" / "evaluator", figure_dir=out_dir / name,
                                 progress=False)
    results.update(weights_sha256=_weights_key(path), num_samples=num_samples, label=name, step=meta["step"])
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / f"{name}.json", results)
    written = shown(out_dir / f"{name}.json")
    return Measured(name, f"{shown(path)} (step {meta['step']}); measured now, written to {written}", results,
                    generator.is_conditional)
