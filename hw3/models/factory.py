"""The one place a network config becomes a network: `architecture` picks the module."""

from __future__ import annotations

from torch import nn

from hw3.models.discriminator import Discriminator, DiscriminatorConfig
from hw3.models.generator import Generator, GeneratorConfig
from hw3.models.r3gan import R3GANDiscriminator, R3GANGenerator


def build_generator(config: GeneratorConfig) -> nn.Module:
    """The untrained G of `config`; "dcgan" is exactly `Generator(config)` (same weights for a seed)."""
    return R3GANGenerator(config) if config.architecture == "r3gan" else Generator(config)


def build_discriminator(config: DiscriminatorConfig) -> nn.Module:
    """The untrained D of `config`; "dcgan" is exactly `Discriminator(config)`."""
    return R3GANDiscriminator(config) if config.architecture == "r3gan" else Discriminator(config)
