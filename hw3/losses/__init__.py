"""GAN losses: adversarial objectives, gradient penalty, ACGAN and matching-aware terms, GANLoss."""

from hw3.losses.auxiliary import auxiliary_classification_loss, classification_accuracy
from hw3.losses.gan_loss import LOSS_PRESETS, GANLoss, LossConfig, TaggedImageBatch
from hw3.losses.matching import mismatched_tags
from hw3.losses.objectives import (
    OBJECTIVES,
    HingeObjective,
    NonSaturatingObjective,
    WassersteinObjective,
)
from hw3.losses.penalties import gradient_penalty

__all__ = [
    "GANLoss",
    "HingeObjective",
    "LOSS_PRESETS",
    "LossConfig",
    "NonSaturatingObjective",
    "OBJECTIVES",
    "TaggedImageBatch",
    "WassersteinObjective",
    "auxiliary_classification_loss",
    "classification_accuracy",
    "gradient_penalty",
    "mismatched_tags",
]
