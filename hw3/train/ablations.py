"""Ablations of the study: a study config with a few fields changed, trained for part of the budget.

`configs/ablations/ablations.toml` lists them. A row costs a fraction of the budget and still compares like
with like: the run's in-training evaluations use the study's fixed sample, and the report sets
the last one beside the study run's evaluation at the same number of real images through D.
The exponential moving average of G is ablated without training: the chosen step's raw
generator is measured beside its average, on the same sample.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import torch

from hw3.errors import InputError
from hw3.reading import read_text
from hw3.train.config import TrainConfig, load_config

REPO = Path(__file__).resolve().parents[2]
ABLATIONS_FILE = REPO / "configs" / "ablations" / "ablations.toml"


@dataclass
class Ablation:
    name: str
    variant: str  # the study config it changes: configs/<variant>.toml
    tried: str  # what was changed, in words, for the report
    num_steps: int
    set: list[str] = field(default_factory=list)  # `hw3 train --set` overrides


def read_ablations(path: str | Path = ABLATIONS_FILE) -> list[Ablation]:
    path = Path(path)
    try:
        entries = tomllib.loads(read_text(path, "the ablations' TOML file")).get("ablation", [])
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: cannot read ablations ({error})") from None
    ablations = []
    for index, entry in enumerate(entries, start=1):
        try:
            ablations.append(Ablation(**entry))
        except TypeError as error:
            raise InputError(f"{path}: ablation {index}: {error} (expected name, variant, tried, num_steps, set)") from None
    return ablations


def find_ablation(name: str, path: str | Path = ABLATIONS_FILE) -> Ablation:
    ablations = read_ablations(path)
    for ablation in ablations:
        if ablation.name == name:
            return ablation
    raise InputError(f"{path}: no ablation named {name!r:.60} (expected one of: "
                     f"{', '.join(a.name for a in ablations)})")


def ablation_config(ablation: Ablation, data_root: str | Path, out_dir: str | Path, device: str = "auto") -> TrainConfig:
    return load_config(REPO / "configs" / f"{ablation.variant}.toml", ablation.set, {
        "name": ablation.name, "num_steps": ablation.num_steps, "data.root": str(data_root),
        "out_dir": str(out_dir), "device": device})


def ablation_results(ablation: Ablation, run_dir: Path) -> dict:
    """What the report needs of a finished ablation run: its spec, budget and evaluations."""
    from hw3.train.checkpoint import latest_checkpoint, read_checkpoint_meta
    from hw3.train.log import read_log

    latest = latest_checkpoint(run_dir)
    meta = read_checkpoint_meta(latest)
    return {"name": ablation.name, "variant": ablation.variant, "tried": ablation.tried, "set": ablation.set,
            "num_steps": ablation.num_steps, "budget": meta.get("budget"),
            "evaluations": [r for r in read_log(run_dir / "log.jsonl") if "eval_fid" in r]}


@torch.no_grad()
def without_ema_results(run_dir: Path, data_root: str | Path) -> dict:
    """The chosen step of a study run: its averaged and its raw generator on the study's sample."""
    from hw3.data.dataset import load_split
    from hw3.models import GeneratorConfig, build_generator
    from hw3.train.checkpoint import EMA_GENERATOR_FILE, best_checkpoint_dir, read_checkpoint_meta
    from hw3.train.config import config_from_dict
    from hw3.train.periodic_eval import PeriodicEvaluation
    from hw3.weights import load_module_weights

    best = best_checkpoint_dir(run_dir)
    if not (best / "meta.json").is_file():
        raise InputError(f"{run_dir}: no checkpoints/best (expected a finished study run with evaluations)")
    meta = read_checkpoint_meta(best)
    config = config_from_dict(meta["config"], str(best / "meta.json"))
    train_images = None if config.conditional else load_split(data_root, "train").images
    evaluation = PeriodicEvaluation(config.evaluation, config.conditional, config.generator.z_dim, data_root,
                                    train_images, torch.device("cpu"))
    records = {}
    for label, file in (("ema", EMA_GENERATOR_FILE), ("raw", "generator.safetensors")):
        generator = build_generator(GeneratorConfig(**meta["config"]["generator"]))
        load_module_weights(generator, best / file)
        records[label] = evaluation(generator.eval())
    return {"variant": config.name, "step": meta["step"], "budget": meta.get("budget"), **records}
