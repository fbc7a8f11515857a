"""Which network plays G for a training task: the one place that maps a task to it."""

from __future__ import annotations

from torch import nn

from hw3.errors import InputError

GENERATOR_KINDS = ("generator", "translator", "flow_matching")
FLOW_KIND = "flow_matching"  # also the sidecar's "kind" and the config table's name


def generator_kind(task: str | None) -> str:
    """'translator' for a style-transfer run (task 'translate'): face and target tags -> face;
    'flow_matching' for a flow-matching run (task 'diffuse'): noise and tags -> face by an ODE;
    'generator' for every GAN (task 'generate'): noise and tags -> face."""
    return {"translate": "translator", "diffuse": FLOW_KIND}.get(task, "generator")


def kind_of_recorded_task(config: dict, source) -> str:
    """`generator_kind` of a training config read from a file (a checkpoint's meta.json): a task
    that is not one the loop trains is a one-line InputError naming `source`."""
    task = config.get("task")
    if task is not None and task not in ("generate", "translate", "diffuse"):
        raise InputError(f"{source}: config.task is {str(task)[:40]!r} (expected generate, translate or diffuse)")
    return generator_kind(task)


def build_generator_network(kind: str, config) -> nn.Module:
    """The untrained network of `kind` from its config dataclass (GeneratorConfig,
    TranslatorConfig or FlowMatchingConfig)."""
    from hw3.models.factory import build_generator
    from hw3.models.flow_sampler import FlowSampler
    from hw3.models.translator import Translator

    if kind == FLOW_KIND:
        return FlowSampler(config)
    return Translator(config) if kind == "translator" else build_generator(config)


def in_training_view(network: nn.Module) -> nn.Module:
    """What previews and in-training evaluations draw with: a flow model with its cheaper
    `evaluation_steps` (sharing its weights); any other network as it is."""
    from hw3.models.flow_sampler import FlowSampler

    if isinstance(network, FlowSampler):
        return network.with_steps(network.config.evaluation_steps)
    return network
