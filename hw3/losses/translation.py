"""StarGAN's loss (Choi et al. 2018) for the style-transfer translator, on the same loop as the GANs.

The loop's calls are the same as for `GANLoss`; the noise z it draws is not used, because the
translator's randomness is the face it is given and the target tags, drawn here per step:

- D step: adversarial real/fake on real faces and translated ones, plus ACGAN-style hair and
  eye cross-entropy on the real faces under their own tags (D learns to read colours);
- G step: adversarial on translated faces, the same cross-entropy on them under the target
  tags (G learns to paint them), the L1 round trip |G(G(x, target), own) - x| (cycle_weight;
  what keeps the face's identity), and the mean of the change mask (mask_weight; what keeps
  the pixels the colours do not concern).
"""

from __future__ import annotations

import torch
from torch import nn

from hw3.errors import InputError
from hw3.losses.auxiliary import auxiliary_classification_loss, classification_accuracy
from hw3.losses.gan_loss import LossConfig, TaggedImageBatch
from hw3.losses.objectives import OBJECTIVES
from hw3.tags import NUM_EYES, NUM_HAIR


def target_tags(batch_size: int, rng: torch.Generator, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniform hair and eyes, drawn independently: held-out pairs are targets too, as for ACGAN's G."""
    hair = torch.randint(NUM_HAIR, (batch_size,), generator=rng, device=device)
    eyes = torch.randint(NUM_EYES, (batch_size,), generator=rng, device=device)
    return hair, eyes


class TranslationLoss:
    n_critic = 1

    def __init__(self, config: LossConfig):
        if config.objective not in ("bce", "hinge"):
            raise InputError(f"translator loss: objective '{config.objective}' (expected bce or hinge)")
        unused = [name for name in ("matching_aware", "gradient_penalty_weight", "weight_clip", "r1_weight",
                                    "r2_weight", "r_weight_final", "r_weight_decay_images", "mode_seeking_weight")
                  if getattr(config, name)]
        if unused or config.n_critic != 1:
            raise InputError(f"translator loss: {', '.join(unused) or 'n_critic'} is not used by the translator "
                             "(expected aux_weight, cycle_weight and mask_weight only)")
        if config.aux_weight <= 0:
            raise InputError("translator loss: aux_weight must be > 0 (the tag loss is what makes it translate)")
        self.config = config
        self.objective = OBJECTIVES[config.objective]()

    def discriminator_loss(self, translator: nn.Module, discriminator: nn.Module, batch: TaggedImageBatch,
                           z: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real = batch.real_images
        hair, eyes = target_tags(real.shape[0], rng, real.device)
        with torch.no_grad():
            translated = translator(real, hair, eyes)  # (B, 3, 64, 64)
        real_output, fake_output = discriminator(real), discriminator(translated)
        if real_output.hair_logits is None:
            raise ValueError("translator loss: the discriminator needs aux_heads=True")
        tag_loss = auxiliary_classification_loss(real_output.hair_logits, real_output.eye_logits,
                                                 batch.hair, batch.eyes)
        loss = self.objective.discriminator(real_output.logits, fake_output.logits) + self.config.aux_weight * tag_loss
        return loss, {
            "d_real": real_output.logits.float().mean().detach(), "d_fake": fake_output.logits.float().mean().detach(),
            "d_aux": tag_loss.detach(), "d_loss": loss.detach(),
            "aux_acc_hair": classification_accuracy(real_output.hair_logits, batch.hair),
            "aux_acc_eyes": classification_accuracy(real_output.eye_logits, batch.eyes),
        }

    def set_progress(self, images_through_d: int) -> None:
        pass  # nothing scheduled: the translator's loss has no penalty weights

    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        pass

    def generator_loss(self, translator: nn.Module, discriminator: nn.Module, batch: TaggedImageBatch,
                       z: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        real = batch.real_images
        hair, eyes = target_tags(real.shape[0], rng, real.device)
        translated, mask = translator(real, hair, eyes, return_mask=True)
        fake_output = discriminator(translated)
        tag_loss = auxiliary_classification_loss(fake_output.hair_logits, fake_output.eye_logits, hair, eyes)
        loss = self.objective.generator(fake_output.logits) + self.config.aux_weight * tag_loss
        stats = {"g_fake": fake_output.logits.float().mean().detach(), "g_aux": tag_loss.detach(),
                 "mask_mean": mask.float().mean().detach(),
                 "aux_acc_hair_fake": classification_accuracy(fake_output.hair_logits, hair),
                 "aux_acc_eyes_fake": classification_accuracy(fake_output.eye_logits, eyes)}
        if self.config.cycle_weight > 0:
            round_trip = translator(translated, batch.hair, batch.eyes)
            cycle = (round_trip.float() - real.float()).abs().mean()
            loss = loss + self.config.cycle_weight * cycle
            stats["g_cycle"] = cycle.detach()
        if self.config.mask_weight > 0:
            loss = loss + self.config.mask_weight * mask.float().mean()
        stats["g_loss"] = loss.detach()
        return loss, stats
