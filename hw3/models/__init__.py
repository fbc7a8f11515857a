"""Networks: the DCGAN generator and discriminator, and the tag -> condition-vector encoders."""

from hw3.models.conditioning import (
    CONDITION_ENCODERS,
    ConditionEncoder,
    EmbeddingConditionEncoder,
    FastTextConditionEncoder,
    OneHotConditionEncoder,
    build_condition_encoder,
)
from hw3.models.discriminator import Discriminator, DiscriminatorConfig, DiscriminatorOutput
from hw3.models.generator import Generator, GeneratorConfig
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
    "build_condition_encoder",
    "dcgan_init_",
]
