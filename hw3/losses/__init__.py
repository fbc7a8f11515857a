"""GAN losses: adversarial objectives, gradient penalty, ACGAN and matching-aware terms, GANLoss."""

from hw3.losses.auxiliary import auxiliary_classification_loss, classification_accuracy
from hw3.losses.gan_loss import GANLoss, LossConfig, TaggedImageBatch, penalty_weight_at
from hw3.losses.matching import mismatched_tags
from hw3.losses.objectives import (
    OBJECTIVES,
    HingeObjective,
    NonSaturatingObjective,
    RelativisticPairingObjective,
    WassersteinObjective,
)
from hw3.losses.penalties import gradient_penalty, zero_centred_penalty

__all__ = [
    "GANLoss",
    "HingeObjective",
    "LossConfig",
    "NonSaturatingObjective",
    "RelativisticPairingObjective",
    "OBJECTIVES",
    "TaggedImageBatch",
    "WassersteinObjective",
    "auxiliary_classification_loss",
    "classification_accuracy",
    "gradient_penalty",
    "penalty_weight_at",
    "zero_centred_penalty",
    "mismatched_tags",
]
