"""ACGAN auxiliary classifier loss (Odena et al. 2017) on the discriminator's raw class logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def auxiliary_classification_loss(
    hair_logits: torch.Tensor, eye_logits: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor
) -> torch.Tensor:
    """Hair + eye cross-entropy. F.cross_entropy applies log-softmax itself: logits go in raw."""
    return F.cross_entropy(hair_logits.float(), hair) + F.cross_entropy(eye_logits.float(), eyes)


def classification_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return (logits.argmax(dim=1) == labels).float().mean().detach()
