"""Training configuration: nested dataclasses, read from TOML and overridden from the CLI."""

from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from hw3.bounds import MAX_SEED, bounded
from hw3.config_fields import ConfigFieldError, build_checked, parse_toml, printable, shown
from hw3.errors import InputError
from hw3.reading import read_text
from hw3.losses import LossConfig
from hw3.losses.flow_matching import FlowLossConfig
from hw3.models import DiscriminatorConfig, GeneratorConfig
from hw3.models.flow_sampler import FlowMatchingConfig
from hw3.models.translator import TranslatorConfig
from hw3.train.periodic_eval import PeriodicEvalConfig
from hw3.train.stopping import StoppingConfig


SPLITS = ("train", "test")


@dataclass
class DataConfig:
    root: str = "data/anime"
    split: str = bounded("train", choices=SPLITS)
    limit: int = bounded(0, 0, 10**9)  # use only the first N images (0: all); smoke runs use a few hundred
    balanced_sampling: bool = False  # draw tag pairs uniformly, so rare colours are seen as often


OPTIMIZERS = ("adam", "rmsprop")


@dataclass
class OptimizerConfig:
    # or "rmsprop" (Arjovsky et al.: momentum destabilises a clipped critic)
    kind: str = bounded("adam", choices=OPTIMIZERS)
    lr_generator: float = bounded(2e-4, 0.0, 10.0, low_open=True)
    lr_discriminator: float = bounded(2e-4, 0.0, 10.0, low_open=True)
    # Radford et al.: beta1 = 0.5 damps oscillation; Adam only
    betas: tuple[float, float] = bounded((0.5, 0.999), 0.0, 1.0, high_open=True)

    def __post_init__(self):
        if self.kind not in OPTIMIZERS:
            raise InputError(f"optimizer.kind: unknown '{self.kind}' (expected one of: {', '.join(OPTIMIZERS)})")
        if self.lr_generator <= 0 or self.lr_discriminator <= 0:
            raise InputError("optimizer: learning rates must be > 0")

    def kernel(self, device: torch.device) -> str:
        """Adam's fused kernel (one pass over all parameters) where torch has it, else foreach."""
        return "fused" if self.kind == "adam" and device.type in ("cpu", "cuda") else "foreach"

    def build(self, parameters, learning_rate: float, device: torch.device | None = None) -> torch.optim.Optimizer:
        fused = device is not None and self.kernel(device) == "fused"
        if self.kind == "rmsprop":
            return torch.optim.RMSprop(parameters, lr=learning_rate, foreach=True)
        return torch.optim.Adam(parameters, lr=learning_rate, betas=tuple(self.betas),
                                fused=True if fused else None, foreach=None if fused else True)


TASKS = ("generate", "translate", "diffuse")


@dataclass
class TrainConfig:
    name: str = "dcgan"
    # "generate": a GAN, noise and tags -> face (`generator`); "translate": the style-transfer
    # translator, face and target tags -> face (`translator`, with hw3.losses.translation's loss);
    # "diffuse": a flow-matching model, noise and tags -> face by an ODE (`flow_matching`, with
    # hw3.losses.flow_matching's loss `flow_loss`; no discriminator).
    task: str = bounded("generate", choices=TASKS)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    flow_matching: FlowMatchingConfig = field(default_factory=FlowMatchingConfig)
    flow_loss: FlowLossConfig = field(default_factory=FlowLossConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    data: DataConfig = field(default_factory=DataConfig)
    evaluation: PeriodicEvalConfig = field(default_factory=PeriodicEvalConfig)
    stopping: StoppingConfig = field(default_factory=StoppingConfig)
    batch_size: int = bounded(64, 1, 4096)
    num_steps: int = bounded(5000, 1, 10**8)  # generator updates; each takes loss.n_critic discriminator batches
    seed: int = bounded(0, 0, MAX_SEED)
    device: str = bounded("auto", pattern=r"auto|cpu|mps|cuda(:\d{1,3})?",
                          expected="auto, cpu, cuda, cuda:N or mps")  # auto: CUDA, then Apple MPS, then CPU
    # bf16 autocast where the hardware computes bf16 natively (CPUs with AVX512_BF16 or AMX, GPUs
    # from Ampere on), fp16 with loss scaling on older GPUs, float32 elsewhere (hw3.train.runtime).
    mixed_precision: bool = True
    channels_last: bool = True  # measured 1.4-1.6x faster on CPU (oneDNN) for these nets
    compile: bool = True  # torch.compile where a backend compiler is present (hw3.train.fast_path)
    ema_decay: float = bounded(0.999, 0.0, 1.0, high_open=True)  # 1 would freeze the average at G's init
    # decay ramps as (1 + t) / (warmup + t) so early EMA tracks G; 0 would divide by zero at t = 0
    ema_warmup: float = bounded(10.0, 0.0, 10**6, low_open=True)
    log_every: int = bounded(25, 1, 10**8)
    sample_every: int = bounded(250, 1, 10**8)
    checkpoint_every: int = bounded(500, 1, 10**8)
    keep_checkpoints: int = bounded(2, 1, 10**6)
    out_dir: str = "runs/dcgan"

    def __post_init__(self):
        if self.task not in TASKS:
            raise InputError(f"task: unknown '{self.task}' (expected one of: {', '.join(TASKS)})")
        if self.task == "translate" and self.evaluation.every > 0:
            # The periodic evaluation draws faces from noise; a translator is measured by
            # `hw3 restyle-measure` instead.
            raise InputError("task = 'translate': evaluation.every must be 0 (expected [evaluation] every = 0)")

    @property
    def conditional(self) -> bool:
        return self.task in ("translate", "diffuse") or self.generator.condition is not None

    @property
    def noise_dim(self) -> int:
        """Width of the z the loop draws per image: a GAN's z_dim, or a flow model's noise image."""
        return self.flow_matching.z_dim if self.task == "diffuse" else self.generator.z_dim


def config_to_dict(config: Any) -> dict[str, Any]:
    return dataclasses.asdict(config)


def config_from_dict(values: dict[str, Any], where: str = "config", sources: dict[str, str] | None = None) -> TrainConfig:
    """The config of `values` once every field is checked (`hw3.config_fields`); an error names
    `where` (the file), or the flag or `--set` in `sources` that gave the bad key."""
    try:
        return build_checked(TrainConfig, values)
    except ConfigFieldError as error:
        raise InputError(_located(error, where, sources or {})) from None
    except InputError as error:  # a rule between fields, from a __post_init__
        raise InputError(printable(f"{where}: {error}")) from None


def _located(error: ConfigFieldError, where: str, sources: dict[str, str]) -> str:
    for key, source in reversed(sources.items()):  # the last one given wins
        if error.key == key and error.named:
            return printable(f"{source}: {error.problem} (expected {error.expected})")
        if error.key == key:
            return printable(f"{source}: expected {error.expected}")
        if error.key.startswith(key + ".") or key.startswith(error.key + "."):
            return printable(f"{source}: {error}")
    return printable(f"{where}: {error}")


def _set_nested(values: dict[str, Any], dotted_key: str, value: Any) -> None:
    *parents, leaf = dotted_key.split(".")
    node = values
    for parent in parents:
        if not isinstance(node.get(parent), dict):  # `--set num_steps.x=1`: the check then says num_steps is no table
            node[parent] = {}
        node = node[parent]
    node[leaf] = value


def parse_override(text: str) -> tuple[str, Any]:
    """`'generator.ngf=32'` -> ('generator.ngf', 32); values are read as TOML, else as strings."""
    if "=" not in text:
        raise InputError(printable(f"--set {text!r}: expected KEY=VALUE, e.g. generator.ngf=32", 200))
    key, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = parse_toml(f"value = {raw}", "--set")["value"]
    except InputError:  # not one TOML value: the text itself
        value = raw
    return key, value


def load_config(path: str | Path | None, overrides: list[str] = (), typed_overrides: dict[str, Any] | None = None,
                flags: dict[str, str] | None = None) -> TrainConfig:
    """Config from a TOML file, then `--set KEY=VALUE` strings, then typed values by dotted key;
    `flags` names the command-line flag of each typed value, for the error message."""
    values: dict[str, Any] = {}
    where = "config"
    if path is not None:
        path = Path(path)
        where = str(path)
        try:
            text = read_text(path, "a TOML config")  # bounded: `--config /dev/zero` never ends
        except OSError as error:
            raise InputError(f"{path}: cannot read config ({error.strerror})") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text (expected a TOML config)") from None
        values = parse_toml(text, where)
    sources: dict[str, str] = {}
    for override in overrides:
        key, value = parse_override(override)
        _set_nested(values, key, value)
        sources[key] = f"--set {printable(override, 80)}"
    for key, value in (typed_overrides or {}).items():
        if value is not None:
            _set_nested(values, key, value)
            flag = (flags or {}).get(key)
            sources[key] = f"{flag} {printable(shlex.quote(str(value)), 80)}" if flag else f"{key}={shown(value)}"
    return config_from_dict(values, where, sources)


# Fields that may change between a checkpoint and its resumption: where things go, how often
# the loop reports, and how long it runs. Everything else changes what is trained.
# A flow model's solver settings say how faces are drawn, not what is learned.
RESUMABLE_CHANGES = ("out_dir", "num_steps", "device", "compile", "log_every", "sample_every",
                     "checkpoint_every", "keep_checkpoints", "data.root", "evaluation.", "stopping.",
                     "flow_matching.solver", "flow_matching.sample_steps", "flow_matching.guidance_scale",
                     "flow_matching.evaluation_steps")


def flatten_config(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(flatten_config(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = list(value) if isinstance(value, tuple) else value
    return flat


def config_changes(saved: dict[str, Any], current: TrainConfig) -> dict[str, tuple[Any, Any]]:
    """{dotted key: (saved, current)} for the training-relevant fields that differ; keys that one
    side lacks (a config written before the field existed) are not counted."""
    before, after = flatten_config(saved), flatten_config(config_to_dict(current))
    return {key: (before[key], after[key]) for key in before.keys() & after.keys()
            if before[key] != after[key] and not key.startswith(RESUMABLE_CHANGES)}
