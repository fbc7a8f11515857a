"""Networks: the DCGAN and R3GAN generators and discriminators, the factory that picks one by
`architecture`, and the tag -> condition-vector encoders."""

from hw3.models.conditioning import (
    CONDITION_ENCODERS,
    ConditionEncoder,
    EmbeddingConditionEncoder,
    FastTextConditionEncoder,
    OneHotConditionEncoder,
    build_condition_encoder,
)
from hw3.models.discriminator import Discriminator, DiscriminatorConfig, DiscriminatorOutput
from hw3.models.factory import build_discriminator, build_generator
from hw3.models.generator import Generator, GeneratorConfig
from hw3.models.r3gan import R3GANDiscriminator, R3GANGenerator
from hw3.models.weight_init import dcgan_init_

__all__ = [
    "CONDITION_ENCODERS",
    "ConditionEncoder",
    "Discriminator",
    "DiscriminatorConfig",
    "DiscriminatorOutput",
    "EmbeddingConditionEncoder",
    "FastTextConditionEncoder",
    "Generator",
    "GeneratorConfig",
    "OneHotConditionEncoder",
    "R3GANDiscriminator",
    "R3GANGenerator",
    "build_condition_encoder",
    "build_discriminator",
    "build_generator",
    "dcgan_init_",
]
