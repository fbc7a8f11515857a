"""Training configuration: nested dataclasses, read from TOML and overridden from the CLI."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from hw3.errors import InputError
from hw3.losses import LossConfig
from hw3.models import DiscriminatorConfig, GeneratorConfig
from hw3.models.translator import TranslatorConfig
from hw3.train.periodic_eval import PeriodicEvalConfig
from hw3.train.stopping import StoppingConfig


@dataclass
class DataConfig:
    root: str = "data/anime"
    split: str = "train"
    limit: int = 0  # use only the first N images (0: all); smoke runs use a few hundred
    balanced_sampling: bool = False  # draw tag pairs uniformly, so rare colours are seen as often


OPTIMIZERS = ("adam", "rmsprop")


@dataclass
class OptimizerConfig:
    kind: str = "adam"  # or "rmsprop" (Arjovsky et al.: momentum destabilises a clipped critic)
    lr_generator: float = 2e-4
    lr_discriminator: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)  # Radford et al.: beta1 = 0.5 damps oscillation; Adam only

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


TASKS = ("generate", "translate")


@dataclass
class TrainConfig:
    name: str = "dcgan"
    # "generate": a GAN, noise and tags -> face (`generator`); "translate": the style-transfer
    # translator, face and target tags -> face (`translator`, with hw3.losses.translation's loss).
    task: str = "generate"
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    data: DataConfig = field(default_factory=DataConfig)
    evaluation: PeriodicEvalConfig = field(default_factory=PeriodicEvalConfig)
    stopping: StoppingConfig = field(default_factory=StoppingConfig)
    batch_size: int = 64
    num_steps: int = 5000  # generator updates; each takes loss.n_critic discriminator batches
    seed: int = 0
    device: str = "auto"  # auto: CUDA, then Apple MPS, then CPU
    # bf16 autocast where the hardware computes bf16 natively (CPUs with AVX512_BF16 or AMX, GPUs
    # from Ampere on), fp16 with loss scaling on older GPUs, float32 elsewhere (hw3.train.runtime).
    mixed_precision: bool = True
    channels_last: bool = True  # measured 1.4-1.6x faster on CPU (oneDNN) for these nets
    compile: bool = True  # torch.compile where a backend compiler is present (hw3.train.fast_path)
    ema_decay: float = 0.999
    ema_warmup: float = 10.0  # decay ramps as (1 + t) / (warmup + t) so early EMA tracks G
    log_every: int = 25
    sample_every: int = 250
    checkpoint_every: int = 500
    keep_checkpoints: int = 2
    out_dir: str = "runs/dcgan"

    def __post_init__(self):
        if self.task not in TASKS:
            raise InputError(f"task: unknown '{self.task}' (expected one of: {', '.join(TASKS)})")
        if self.task == "translate" and self.evaluation.every > 0:
            # The periodic evaluation draws faces from noise; a translator is measured by
            # `hw3 restyle-measure` instead.
            raise InputError("task = 'translate': evaluation.every must be 0 (expected [evaluation] every = 0)")
        if self.stopping.plateau and self.evaluation.every == 0:
            raise InputError("stopping.plateau = true needs evaluations (expected evaluation.every > 0)")

    @property
    def conditional(self) -> bool:
        return self.task == "translate" or self.generator.condition is not None


def config_to_dict(config: Any) -> dict[str, Any]:
    return dataclasses.asdict(config)


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise InputError(f"{where}: unknown key '{key}' (expected one of: {', '.join(fields)})")
        default = getattr(cls(), key) if dataclasses.is_dataclass(cls) else None
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise InputError(f"{where}: '{key}' must be a table")
            kwargs[key] = _build(type(default), value, f"{where}.{key}")
        else:
            kwargs[key] = _coerce(value, default, f"{where}.{key}")
    return cls(**kwargs)


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):  # `--set compile=off` would otherwise be the true string 'off'
            raise InputError(f"{where}: expected true or false, got {value!r}")
        return value
    if default is None:
        return value
    if isinstance(default, tuple):
        return tuple(value)
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(default, int) and isinstance(value, bool):
        raise InputError(f"{where}: expected int, got {value!r}")
    if not isinstance(value, type(default)):
        raise InputError(f"{where}: expected {type(default).__name__}, got {value!r}")
    return value


def config_from_dict(values: dict[str, Any], where: str = "config") -> TrainConfig:
    return _build(TrainConfig, values, where)


def _set_nested(values: dict[str, Any], dotted_key: str, value: Any) -> None:
    *parents, leaf = dotted_key.split(".")
    node = values
    for parent in parents:
        node = node.setdefault(parent, {})
    node[leaf] = value


def parse_override(text: str) -> tuple[str, Any]:
    """`'generator.ngf=32'` -> ('generator.ngf', 32); values are read as TOML, else as strings."""
    if "=" not in text:
        raise InputError(f"--set '{text}': expected KEY=VALUE, e.g. generator.ngf=32")
    key, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def load_config(
    path: str | Path | None, overrides: list[str] = (), typed_overrides: dict[str, Any] | None = None
) -> TrainConfig:
    """Config from a TOML file, then `--set KEY=VALUE` strings, then typed values by dotted key."""
    values: dict[str, Any] = {}
    where = "config"
    if path is not None:
        path = Path(path)
        where = str(path)
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise InputError(f"{path}: cannot read config ({error.strerror})") from None
        except tomllib.TOMLDecodeError as error:
            raise InputError(f"{path}: {error}") from None
    for override in overrides:
        key, value = parse_override(override)
        _set_nested(values, key, value)
    for key, value in (typed_overrides or {}).items():
        if value is not None:
            _set_nested(values, key, value)
    return config_from_dict(values, where)


# Fields that may change between a checkpoint and its resumption: where things go, how often
# the loop reports, and how long it runs. Everything else changes what is trained.
RESUMABLE_CHANGES = ("out_dir", "num_steps", "device", "compile", "log_every", "sample_every",
                     "checkpoint_every", "keep_checkpoints", "data.root", "evaluation.", "stopping.")


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
