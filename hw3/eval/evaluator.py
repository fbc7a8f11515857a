"""The tag evaluator: a small residual CNN that reads hair and eye colour off a 64x64 face.

Its penultimate layer (`EvaluatorOutput.features`) is the feature space of every metric in
`hw3.eval`, standing in for ImageNet Inception features, which cannot be downloaded here and
would judge anime faces by the wrong things anyway. Weights live in a safetensors file with a
JSON sidecar (`hw3.weights`); loading reads tensors and JSON only, never code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from hw3.errors import InputError
from hw3.tags import NUM_EYES, NUM_HAIR
from hw3.files import write_json_atomic
from hw3.weights import (
    check_recorded_sha256, file_sha256, load_module_weights, read_sidecar, save_module_weights, sidecar_path,
)


@dataclass
class EvaluatorConfig:
    stem_channels: int = 16  # one full-resolution conv: an iris is only 8-12 px wide at 64 px
    stage_channels: tuple[int, ...] = (32, 64, 128)  # at 32x32, 16x16 and 8x8
    stage_blocks: tuple[int, ...] = (0, 1, 1)  # residual blocks per stage
    feature_dim: int = 256  # the metric feature space


class EvaluatorOutput(NamedTuple):
    features: torch.Tensor  # (B, feature_dim)
    hair_logits: torch.Tensor  # (B, 12)
    eye_logits: torch.Tensor  # (B, 11)


def conv_bn_relu(in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = F.relu(self.bn1(self.conv1(x)), inplace=True)
        return F.relu(x + self.bn2(self.conv2(residual)), inplace=True)


class TagEvaluator(nn.Module):
    """Images in [-1, 1] (B, 3, 64, 64) -> features and hair / eye logits."""

    def __init__(self, config: EvaluatorConfig | None = None):
        super().__init__()
        self.config = config = config or EvaluatorConfig()
        layers: list[nn.Module] = [conv_bn_relu(3, config.stem_channels, stride=1)]
        channels = config.stem_channels
        for stage_channels, num_blocks in zip(config.stage_channels, config.stage_blocks):
            # Strided conv, not pooling: it learns which pixels carry colour before halving.
            layers.append(conv_bn_relu(channels, stage_channels, stride=2))
            layers.extend(ResidualBlock(stage_channels) for _ in range(num_blocks))
            channels = stage_channels
        layers.append(conv_bn_relu(channels, config.feature_dim, stride=2))
        self.body = nn.Sequential(*layers)
        self.hair_head = nn.Linear(config.feature_dim, NUM_HAIR)
        self.eye_head = nn.Linear(config.feature_dim, NUM_EYES)

    def forward(self, images: torch.Tensor) -> EvaluatorOutput:
        feature_maps = self.body(images)  # (B, feature_dim, 4, 4)
        features = feature_maps.mean(dim=(2, 3))  # (B, feature_dim)
        return EvaluatorOutput(features, self.hair_head(features), self.eye_head(features))


def save_evaluator(model: TagEvaluator, path: str | Path, metadata: dict) -> dict:
    """Write the weights, then the sidecar: config, `metadata`, sha256 of the weights file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_module_weights(model, path)
    sidecar = {
        "kind": "tag_evaluator",
        "config": dataclasses.asdict(model.config),
        **metadata,
        "weights_file": path.name,
        "weights_sha256": file_sha256(path),
    }
    write_json_atomic(sidecar_path(path), sidecar)
    return sidecar


def load_evaluator(path: str | Path, device: str | torch.device = "cpu") -> tuple[TagEvaluator, dict]:
    """Rebuild the evaluator from its sidecar's config; refuse weights whose sha256 differs from
    the one recorded, since every metric depends on exactly these weights."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: evaluator weights not found (train them with 'hw3 evaluator train')")
    sidecar = read_sidecar(path)
    check_recorded_sha256(path, sidecar, sidecar_path(path), "weights_sha256")
    model = TagEvaluator(_evaluator_config(sidecar.get("config"), sidecar_path(path)))
    load_module_weights(model, path)
    # Channels-last convolutions run about twice as fast on CPU here.
    return model.to(device, memory_format=torch.channels_last).eval(), sidecar


def _evaluator_config(values, source: Path) -> EvaluatorConfig:
    """The sidecar's 'config' as an EvaluatorConfig, or a one-line InputError naming the sidecar."""
    expected = "the evaluator config hw3 evaluator train writes, e.g. " + str(dataclasses.asdict(EvaluatorConfig()))
    if not isinstance(values, dict) or set(values) - {field.name for field in dataclasses.fields(EvaluatorConfig)}:
        raise InputError(f"{source}: 'config' is {str(values)[:80]} (expected {expected})")
    fields = dict(values)
    for name in ("stage_channels", "stage_blocks"):
        if name in fields:
            sizes = fields[name]
            if not (isinstance(sizes, list) and len(sizes) <= 8
                    and all(type(size) is int and 0 <= size <= 4096 for size in sizes)):
                raise InputError(f"{source}: '{name}' is {str(sizes)[:80]} (expected a list of at most 8 sizes)")
            fields[name] = tuple(sizes)  # JSON has no tuples
    for name in ("stem_channels", "feature_dim"):
        if name in fields and not (type(fields[name]) is int and 1 <= fields[name] <= 4096):
            raise InputError(f"{source}: '{name}' is {str(fields[name])[:80]} (expected a size from 1 to 4096)")
    return EvaluatorConfig(**fields)
