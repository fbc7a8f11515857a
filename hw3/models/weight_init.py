"""The DCGAN paper's initialisation (Radford et al. 2016, section 4)."""

from __future__ import annotations

from torch import nn

_WEIGHT_LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
_NORM_LAYERS = (nn.BatchNorm2d, nn.GroupNorm)


def dcgan_init_(module: nn.Module) -> None:
    """In place: conv/linear weights N(0, 0.02), norm gains N(1, 0.02), every bias 0.

    Call before spectral norm is registered: afterwards `weight` is computed, not stored.
    Embeddings keep their own initialisation (their scale is chosen where they are built).
    """
    for layer in module.modules():
        if isinstance(layer, _WEIGHT_LAYERS):
            nn.init.normal_(layer.weight, mean=0.0, std=0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, _NORM_LAYERS) and layer.weight is not None:
            nn.init.normal_(layer.weight, mean=1.0, std=0.02)
            nn.init.zeros_(layer.bias)
