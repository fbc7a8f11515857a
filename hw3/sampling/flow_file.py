"""A flow-matching model's shipped file: its sidecar's `flow_matching` table checked, and the
sampler rebuilt from it. `hw3.sampling.generator_file` sends every file of kind "flow_matching"
here, so `hw3 sample`, `hw3 evaluate`, `hw3.generate` and the run scripts load it like any G.

Sidecar: {"kind": "flow_matching", "flow_matching": {"unet": {...}, "solver": "heun",
"sample_steps": 12, "guidance_scale": 2.0, "evaluation_steps": 4}, "sha256": ..., ...}.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from hw3.config_fields import ConfigFieldError, build_checked, printable
from hw3.errors import InputError
from hw3.models.flow_sampler import FlowMatchingConfig, FlowSampler
from hw3.models.kinds import FLOW_KIND
from hw3.sampling.generator_file import check_fits
from hw3.weights import load_module_weights, tensor_shapes


def flow_config(values: Any, source: str | Path) -> FlowMatchingConfig:
    """The FlowMatchingConfig of a sidecar's table, every field checked against its type and
    bounds; anything else is a one-line InputError naming `source`."""
    if not isinstance(values, dict):
        raise InputError(f"{source}: '{FLOW_KIND}' is not an object (expected the flow model's config, e.g. "
                         '{"unet": {"base_width": 32, ...}, "solver": "heun", "sample_steps": 12})')
    try:
        return build_checked(FlowMatchingConfig, values, prefix=f"{FLOW_KIND}.")
    except ConfigFieldError as error:
        raise InputError(printable(f"{source}: {error}")) from None
    except InputError as error:  # a rule between fields, from a __post_init__
        raise InputError(printable(f"{source}: {error}")) from None


def flow_config_fields(values: Any, source: str | Path) -> dict[str, Any]:
    """`values` once `flow_config` accepts it (what `read_generator_meta` keeps in the meta)."""
    flow_config(values, source)
    return values


def build_flow_sampler(values: dict[str, Any], weights: Path, source: Path,
                       device: torch.device | str = "cpu") -> FlowSampler:
    """The FlowSampler `values` describe, with `weights` loaded, in eval mode on `device`.

    Every width the config implies is a dimension of some tensor in the weights, so an edited
    config with a larger one is refused before the network is built (no allocation without end);
    then the built network's shapes must equal the weights' exactly.
    """
    config = flow_config(values, source)
    found = tensor_shapes(weights)
    largest = max((size for shape in found.values() for size in shape), default=0)
    widest = max(config.unet.widths + [config.unet.embedding_dim])
    if widest > largest:
        raise InputError(f"{source}: the flow model's config asks for width {widest}, larger than any dimension "
                         f"of {weights.name} (largest {largest}; expected the config the weights were exported with)")
    sampler = FlowSampler(config)
    check_fits(sampler, found, weights, source, "flow model")
    load_module_weights(sampler, weights, device)
    return sampler.to(device).eval()

