"""Which network plays G for a training task: the one place that maps a task to it."""

from __future__ import annotations

from torch import nn

GENERATOR_KINDS = ("generator", "translator")


def generator_kind(task: str | None) -> str:
    """'translator' for a style-transfer run (task 'translate'): face and target tags -> face;
    'generator' for every GAN (task 'generate'): noise and tags -> face."""
    return "translator" if task == "translate" else "generator"


def build_generator_network(kind: str, config) -> nn.Module:
    """The untrained network of `kind` from its config dataclass (GeneratorConfig or TranslatorConfig)."""
    from hw3.models.factory import build_generator
    from hw3.models.translator import Translator

    return Translator(config) if kind == "translator" else build_generator(config)
