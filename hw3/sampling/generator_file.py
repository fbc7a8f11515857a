"""Generator weights as shipped: EMA weights in safetensors plus a JSON sidecar.

The sidecar holds the generator's config (so the network is rebuilt without the training
code's config files), the training step, seed, command and git commit, and the sha256 of the
weights file, checked on every load. A flow-matching model (sidecar kind "flow_matching") is
a generator too: its table is checked and its sampler built by hw3.sampling.flow_file.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import torch

from hw3.bounds import is_int
from hw3.errors import InputError
from hw3.models import GeneratorConfig
from hw3.models.kinds import FLOW_KIND, build_generator_network, kind_of_recorded_task
from hw3.models.translator import Translator, TranslatorConfig
from hw3.tags import quoted
from hw3.reading import read_json_object
from hw3.train.checkpoint import (
    EMA_GENERATOR_FILE, META_FILE, is_checkpoint, latest_checkpoint,
)
from hw3.weights import (
    check_recorded_sha256, load_module_weights, read_sidecar, sidecar_path, tensor_shapes,
)


def training_log_path(weights_path: str | Path) -> Path:
    """weights/acgan.safetensors -> weights/acgan.log.jsonl: the run's losses, for the report's curves."""
    return Path(weights_path).with_suffix(".log.jsonl")


def checkpoint_of(directory: str | Path) -> Path:
    """A checkpoint directory as given, or a run directory's latest checkpoint (the directory
    itself when it holds none, for the caller to report)."""
    directory = Path(directory)
    if is_checkpoint(directory):
        return directory
    return latest_checkpoint(directory) or directory


def read_generator_meta(path: str | Path) -> tuple[dict[str, Any], Path]:
    """(metadata, weights file) of a shipped generator, a training checkpoint or a run directory,
    checked without building the network: the sidecar or meta.json is a JSON object, a shipped
    file's sha256 is recorded and matches, and the generator config has the fields and types
    GeneratorConfig (or, for kind "flow_matching", FlowMatchingConfig) expects. Every failure is
    a one-line InputError naming the file."""
    path = Path(path)
    if path.is_dir():
        path = checkpoint_of(path)
    if path.is_dir():  # a training checkpoint: its EMA generator and run config
        meta_path = path / META_FILE
        if not meta_path.is_file():
            raise InputError(f"{path}: not a checkpoint or run directory (expected meta.json and "
                             "generator_ema.safetensors, or checkpoints/step_*)")
        run_meta = read_json_object(meta_path, "a training checkpoint's meta.json")
        config = run_meta.get("config")
        if not isinstance(config, dict):
            raise InputError(f"{meta_path}: no 'config' object (expected the run's training config)")
        meta = {"variant": config.get("name"), "generator": config.get("generator"),
                "step": run_meta.get("step"), "seed": run_meta.get("seed")}
        if kind_of_recorded_task(config, meta_path) == FLOW_KIND:
            meta.update({"kind": FLOW_KIND, FLOW_KIND: config.get(FLOW_KIND)})
        weights, source = path / EMA_GENERATOR_FILE, meta_path
    else:
        if not path.is_file():
            raise InputError(f"{path}: no such file (expected a generator .safetensors file with its "
                             ".json sidecar, or a checkpoint directory)")
        meta, weights, source = read_sidecar(path), path, sidecar_path(path)
        check_recorded_sha256(path, meta, source)
    if not weights.is_file():
        raise InputError(f"{weights}: no such file (expected the generator's weights)")
    if meta.get("kind") == FLOW_KIND:
        from hw3.sampling.flow_file import flow_config_fields

        meta[FLOW_KIND] = flow_config_fields(meta.get(FLOW_KIND), source)
    else:
        meta["generator"] = generator_config_fields(meta.get("generator"), source)
    return meta, weights


def draws_with_tags(meta: dict[str, Any]) -> bool:
    """Whether the generator `read_generator_meta` described is conditional (a flow model always is)."""
    return meta.get("kind") == FLOW_KIND or meta["generator"].get("condition") is not None


def generator_config_fields(values: Any, source: str | Path) -> dict[str, Any]:
    """`values` if it is a valid GeneratorConfig as a dict, else a one-line InputError naming `source`."""
    if not isinstance(values, dict):
        raise InputError(f"{source}: 'generator' is not an object (expected the generator config, e.g. "
                         '{"z_dim": 100, "ngf": 32, ...})')
    expected = {field.name: str(field.type) for field in dataclasses.fields(GeneratorConfig)}
    for name, value in values.items():
        if name not in expected:
            raise InputError(f"{source}: unknown generator field {quoted(str(name))} "
                             f"(expected some of: {', '.join(expected)})")
        if not _has_type(value, expected[name]):
            raise InputError(f"{source}: generator field '{name}' is {quoted(json.dumps(value))} "
                             f"(expected {expected[name]})")
    try:
        GeneratorConfig(**values)
    except InputError as error:
        raise InputError(f"{source}: {error}") from None
    return values


def _has_type(value: Any, annotation: str) -> bool:
    """Whether a JSON value fits a dataclass field annotation such as 'int', 'bool' or 'str | None'."""
    kinds = {part.strip() for part in annotation.split("|")}
    return (("None" in kinds and value is None)
            or ("bool" in kinds and isinstance(value, bool))
            or ("int" in kinds and is_int(value))
            or ("float" in kinds and isinstance(value, (int, float)) and not isinstance(value, bool))
            or ("str" in kinds and isinstance(value, str)))


def build_generator(meta: dict[str, Any], weights: Path, source: Path,
                    device: torch.device | str = "cpu") -> torch.nn.Module:
    """The network `meta['generator']` describes, with `weights` loaded, in eval mode on `device`.

    An edited config is a one-line error naming `source`, not an allocation without end or a
    size-mismatch traceback: every size in it that the network uses (z_dim, ngf, ...) shows up
    in a tensor dimension of the weights, so none may exceed the largest one; then the built
    network's shapes must equal the weights' shapes exactly. A flow model is built by
    hw3.sampling.flow_file under the same checks.
    """
    if meta.get("kind") == FLOW_KIND:
        from hw3.sampling.flow_file import build_flow_sampler

        return build_flow_sampler(meta[FLOW_KIND], weights, source, device)
    fields = dict(meta["generator"])
    if fields.get("condition") not in ("embedding", "fasttext"):
        fields.pop("embedding_dim", None)  # sizes nothing when no learned embedding uses it
    # The other architecture's sizes size nothing either.
    if fields.get("architecture", "dcgan") == "r3gan":
        unused = [name for name in fields if name in ("ngf", "kernel_size")]
    else:
        unused = [name for name in fields if name.startswith("r3gan_")]
    for name in unused:
        fields.pop(name)
    found = check_sizes(fields, weights, source, "generator")
    generator = build_generator_network("generator", GeneratorConfig(**meta["generator"]))
    check_fits(generator, found, weights, source, "generator")
    load_module_weights(generator, weights, device)
    return generator.to(device).eval()


def check_sizes(fields: dict[str, Any], weights: Path, source: Path, what: str) -> dict[str, tuple[int, ...]]:
    """No integer in `fields` beyond the largest tensor dimension of `weights` (every size a network
    uses shows up in one), so an edited config cannot allocate without end; -> the tensor shapes."""
    found = tensor_shapes(weights)
    largest = max((size for shape in found.values() for size in shape), default=0)
    for name, value in fields.items():
        if is_int(value) and value > largest:
            raise InputError(f"{source}: {what} field '{name}' is {value}, larger than any dimension of "
                             f"{weights.name} (largest {largest}; expected the config the weights were exported with)")
    return found


def check_fits(network: torch.nn.Module, found: dict[str, tuple[int, ...]], weights: Path, source: Path,
                what: str) -> None:
    """The network a config built has exactly the weights file's tensor shapes, or a one-line
    InputError naming the first tensor that differs."""
    expected = {name: tuple(tensor.shape) for name, tensor in network.state_dict().items()}
    for name in sorted(set(expected) | set(found)):
        if expected.get(name) != found.get(name):
            raise InputError(f"{source}: the {what} config does not fit {weights.name} ({name}: config "
                             f"{expected.get(name, 'absent')}, weights {found.get(name, 'absent')}; expected "
                             "the config the weights were exported with)")


def load_generator(path: str | Path, device: torch.device | str = "cpu") -> tuple[torch.nn.Module, dict[str, Any]]:
    """A generator in eval mode from a shipped file, a training checkpoint or a run directory (its latest)."""
    meta, weights = read_generator_meta(path)
    return build_generator(meta, weights, config_file(path, weights), device), meta


def config_file(path: str | Path, weights: Path) -> Path:
    """The file a generator's config was read from: a checkpoint's meta.json or the sidecar."""
    return weights.parent / META_FILE if Path(path).is_dir() else sidecar_path(weights)


def load_translator(path: str | Path, device: torch.device | str = "cpu") -> Translator:
    """The style-transfer translator of a shipped file (`hw3 export` of a translate run), in eval
    mode; a missing, edited or mismatched file is a one-line InputError naming it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file (expected the translator's weights; train configs/translator.toml "
                         "and export it, or use --method inversion)")
    meta, source = read_sidecar(path), sidecar_path(path)
    if meta.get("kind") != "translator" or not isinstance(meta.get("translator"), dict):
        raise InputError(f"{source}: not a translator's sidecar (expected kind 'translator' and a 'translator' object)")
    check_recorded_sha256(path, meta, source)
    fields = {field.name for field in dataclasses.fields(TranslatorConfig)}
    if set(meta["translator"]) - fields:
        raise InputError(f"{source}: unknown translator fields {sorted(set(meta['translator']) - fields)} "
                         f"(expected some of: {', '.join(sorted(fields))})")
    config = TranslatorConfig(**meta["translator"])
    if config.ngf > 1024 or config.num_residual > 64:
        raise InputError(f"{source}: translator sizes {meta['translator']} are beyond any shipped network")
    translator = Translator(config)
    check_fits(translator, tensor_shapes(path), path, source, "translator")
    load_module_weights(translator, path, device)
    return translator.to(device).eval()
