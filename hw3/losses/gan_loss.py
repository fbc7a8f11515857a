"""The one loss object the training loop calls: it alone knows each GAN variant's formula.

The loop tells it where training stands (`set_progress`, for the R1/R2 schedule), draws z, then
calls `discriminator_loss` n_critic times per `generator_loss`, and `after_discriminator_step`
after each D update. A variant is a `LossConfig`: objective (bce /
wasserstein / hinge / relativistic), matching-aware D (wrong tags count as fake), gradient
penalty (WGAN-GP), weight clipping (WGAN), R1/R2 (R3GAN), auxiliary classifier weight (ACGAN),
mode seeking (MSGAN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import torch
from torch import nn

from hw3.bounds import bounded
from hw3.errors import InputError
from hw3.losses.auxiliary import auxiliary_classification_loss, classification_accuracy
from hw3.losses.matching import MISMATCH_KINDS, WRONG_TAGS
from hw3.losses.objectives import OBJECTIVES
from hw3.losses.mode_seeking import mode_seeking_loss, paired_tags
from hw3.losses.penalties import gradient_penalty, zero_centred_penalty
from hw3.tags import NUM_EYES, NUM_HAIR


@dataclass
class LossConfig:
    objective: str = bounded("bce", choices=tuple(OBJECTIVES))
    matching_aware: bool = False  # D also learns (real image, wrong tags) -> fake
    mismatch: str = bounded("any", choices=MISMATCH_KINDS)  # wrong tags: "any" other pair, or "one_attribute" (hair or eyes only)
    gradient_penalty_weight: float = bounded(0.0, 0.0, 10**6)  # lambda = 10 in Gulrajani et al.
    aux_weight: float = bounded(0.0, 0.0, 10**6)  # > 0 adds ACGAN's hair/eye cross-entropy
    n_critic: int = bounded(1, 1, 100)  # D steps per G step
    # Odena et al. train D's classifier on generated images too; that rewards G for the most
    # classifiable face per tag pair and costs variety. False: D's heads learn from real images only.
    aux_on_generated: bool = True
    # > 0: MSGAN's mode-seeking term on G; half of G's batch repeats the other half's tags.
    mode_seeking_weight: float = bounded(0.0, 0.0, 10**6)
    # The tags G draws for: "batch", those of the real batch (so only pairs the data holds);
    # "every_pair", hair and eyes drawn uniformly and apart, so G is also asked for the 12 held-out
    # pairs the data never shows. D's projection and heads read hair and eyes separately, so they
    # can judge a held-out pair from colours each seen elsewhere.
    generator_tags: str = bounded("batch", choices=("batch", "every_pair"))
    # > 0: WGAN's weight clipping (Arjovsky et al. 2017 use 0.01): every D parameter is clamped
    # to [-c, c] after each D step, a crude Lipschitz bound that the gradient penalty replaced.
    weight_clip: float = bounded(0.0, 0.0, 10**6)
    # Zero-centred gradient penalties gamma / 2 * E||grad D||^2 on real (R1) and fake (R2) images.
    r1_weight: float = bounded(0.0, 0.0, 10**6)
    r2_weight: float = bounded(0.0, 0.0, 10**6)
    # R3GAN's gamma schedule: over the first r_weight_decay_images real images through D, both
    # weights fall along a cosine from r1_weight / r2_weight to r_weight_final, then stay there (the
    # paper: 10x lower after 20M images). 0 images: constant weights. A weight of 0 stays off.
    r_weight_final: float = bounded(0.0, 0.0, 10**6)
    r_weight_decay_images: int = bounded(0, 0, 10**10)
    # The penalty's pass through D runs in the step's precision (bf16 on the fast path): the
    # per-sample norm sums 12,288 squared gradients in float32, so bf16's rounding of each one
    # averages out. True runs that pass in float32 whatever the step's precision, 1.4x slower.
    penalty_float32: bool = False
    # Translator only (hw3.losses.translation): L1 of the round trip back to the face's own tags
    # (StarGAN's lambda_rec = 10), and a penalty on the mean of the translator's change mask.
    cycle_weight: float = bounded(0.0, 0.0, 10**6)
    mask_weight: float = bounded(0.0, 0.0, 10**6)

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise InputError(
                f"LossConfig.objective: unknown '{self.objective}' (expected one of: {', '.join(OBJECTIVES)})"
            )
        if self.mismatch not in MISMATCH_KINDS:
            raise InputError(
                f"LossConfig.mismatch: unknown '{self.mismatch}' (expected one of: {', '.join(MISMATCH_KINDS)})"
            )
        if self.matching_aware and self.objective == "relativistic":
            raise InputError("LossConfig: matching_aware needs separate real and fake terms "
                             "(expected objective bce, hinge or wasserstein)")
        for name in ("gradient_penalty_weight", "aux_weight", "mode_seeking_weight", "weight_clip",
                     "r1_weight", "r2_weight", "r_weight_final", "r_weight_decay_images", "cycle_weight",
                     "mask_weight"):
            if getattr(self, name) < 0:
                raise InputError(f"LossConfig.{name}: {getattr(self, name)} (expected >= 0)")
        if self.n_critic < 1:
            raise InputError(f"LossConfig.n_critic: {self.n_critic} (expected an integer >= 1)")


def penalty_weight_at(config: LossConfig, images_through_d: int) -> tuple[float, float]:
    """(R1, R2) weights after `images_through_d` real images through D, by the cosine schedule above."""
    if config.r_weight_decay_images == 0:
        return config.r1_weight, config.r2_weight
    progress = min(images_through_d / config.r_weight_decay_images, 1.0)
    remaining = 0.5 * (1 + math.cos(math.pi * progress))  # 1 at the start, 0 at the end of the decay

    def weight(start: float) -> float:
        return 0.0 if start == 0 else config.r_weight_final + (start - config.r_weight_final) * remaining

    return weight(config.r1_weight), weight(config.r2_weight)


class TaggedImageBatch(Protocol):
    real_images: torch.Tensor  # (B, 3, 64, 64) in [-1, 1]
    hair: torch.Tensor | None  # (B,) long
    eyes: torch.Tensor | None  # (B,) long


def _is_conditional(network: nn.Module) -> bool:
    # DistributedDataParallel hides the network's attributes behind `.module`.
    while not hasattr(network, "is_conditional") and hasattr(network, "module"):
        network = network.module
    return network.is_conditional


def _without_compile(network: nn.Module) -> nn.Module:
    # torch.compile (AOTAutograd) cannot double-backward, which the gradient penalty needs.
    while hasattr(network, "_orig_mod"):
        network = network._orig_mod
    return network


def _tags_for(network: nn.Module, batch: TaggedImageBatch) -> tuple:
    return (batch.hair, batch.eyes) if _is_conditional(network) else (None, None)


class _Tags(NamedTuple):
    hair: torch.Tensor
    eyes: torch.Tensor


def _generator_tags(config: LossConfig, generator: nn.Module, batch: TaggedImageBatch,
                    rng: torch.Generator) -> TaggedImageBatch:
    """The tags G draws for this step (`LossConfig.generator_tags`); the real batch's by default."""
    if config.generator_tags == "batch" or not _is_conditional(generator) or batch.hair is None:
        return batch
    size, device = batch.hair.shape[0], batch.hair.device
    return _Tags(torch.randint(NUM_HAIR, (size,), generator=rng, device=device),
                 torch.randint(NUM_EYES, (size,), generator=rng, device=device))


def _mean(values: torch.Tensor) -> torch.Tensor:
    return values.detach().float().mean()


class GANLoss:
    def __init__(self, config: LossConfig):
        self.config = config
        self.objective = OBJECTIVES[config.objective]()
        self.set_progress(0)

    def set_progress(self, images_through_d: int) -> None:
        """Where training stands, for the penalty weights' schedule; the loop calls it before each step."""
        self.r1_weight, self.r2_weight = penalty_weight_at(self.config, images_through_d)

    @property
    def n_critic(self) -> int:
        return self.config.n_critic

    def _check_networks(self, generator: nn.Module, discriminator: nn.Module) -> None:
        config = self.config
        if config.matching_aware and not _is_conditional(discriminator):
            raise ValueError("GANLoss: matching_aware needs a conditional discriminator (conditioning != 'none')")
        if config.aux_weight > 0 and not _is_conditional(generator):
            raise ValueError("GANLoss: aux_weight > 0 needs a conditional generator (condition != None)")
        penalised = config.gradient_penalty_weight > 0 or config.r1_weight > 0 or config.r2_weight > 0
        if penalised and any(
            isinstance(layer, nn.modules.batchnorm._BatchNorm) for layer in discriminator.modules()
        ):
            # Batch norm mixes samples, so a per-sample input gradient is no longer defined.
            raise ValueError(
                "GANLoss: gradient penalty with a batch-norm critic (expected norm='layer' or 'none')"
            )

    def _auxiliary(self, output, batch: TaggedImageBatch) -> torch.Tensor:
        if output.hair_logits is None:
            raise ValueError("GANLoss: aux_weight > 0 needs a discriminator with aux_heads=True")
        return auxiliary_classification_loss(output.hair_logits, output.eye_logits, batch.hair, batch.eyes)

    def discriminator_loss(self, generator: nn.Module, discriminator: nn.Module, batch: TaggedImageBatch,
                           z: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        self._check_networks(generator, discriminator)
        config, objective = self.config, self.objective
        real_images = batch.real_images
        critic_tags = _tags_for(discriminator, batch)
        drawn = _generator_tags(config, generator, batch, rng)
        with torch.no_grad():
            fake_images = generator(z, *_tags_for(generator, drawn))  # (B, 3, 64, 64)
        # Separate passes for real and fake, as in the DCGAN reference: batch norm sees one kind at a time.
        real_output = discriminator(real_images, *critic_tags)
        fake_output = discriminator(fake_images, *_tags_for(discriminator, drawn))
        stats = {"d_real": _mean(real_output.logits), "d_fake": _mean(fake_output.logits)}
        if config.matching_aware:
            wrong_hair, wrong_eyes = WRONG_TAGS[config.mismatch](batch.hair, batch.eyes, rng)
            mismatch_logits = discriminator(real_images, wrong_hair, wrong_eyes).logits
            # Two kinds of fake share the fake half of the loss (Reed et al. 2016, algorithm 1).
            fake_terms = 0.5 * (objective.fake_term(fake_output.logits) + objective.fake_term(mismatch_logits))
            loss = objective.real_term(real_output.logits) + fake_terms
            stats["d_mismatch"] = _mean(mismatch_logits)
        else:
            loss = objective.discriminator(real_output.logits, fake_output.logits)
        if config.objective == "wasserstein":
            stats["wasserstein_estimate"] = stats["d_real"] - stats["d_fake"]
        if config.gradient_penalty_weight > 0:
            critic = _without_compile(discriminator)
            penalty, gradient_norm = gradient_penalty(
                lambda images: critic(images, *critic_tags).logits, real_images, fake_images, rng,
                float32=config.penalty_float32,
            )
            loss = loss + config.gradient_penalty_weight * penalty
            stats["gp"], stats["gradient_norm"] = penalty.detach(), gradient_norm
        for weight, images, name in ((self.r1_weight, real_images, "r1"), (self.r2_weight, fake_images, "r2")):
            if weight > 0:
                critic = _without_compile(discriminator)
                penalty = zero_centred_penalty(lambda x: critic(x, *critic_tags).logits, images,
                                               float32=config.penalty_float32)
                loss = loss + 0.5 * weight * penalty
                stats[name] = penalty.detach()
        if config.aux_weight > 0:
            aux_loss = self._auxiliary(real_output, batch)
            if config.aux_on_generated:
                aux_loss = aux_loss + self._auxiliary(fake_output, drawn)
            loss = loss + config.aux_weight * aux_loss
            stats["d_aux"] = aux_loss.detach()
            stats["aux_acc_hair"] = classification_accuracy(real_output.hair_logits, batch.hair)
            stats["aux_acc_eyes"] = classification_accuracy(real_output.eye_logits, batch.eyes)
        stats["d_loss"] = loss.detach()
        return loss, stats

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        """WGAN's weight clipping, applied after every optimiser step of D."""
        if self.config.weight_clip > 0:
            for parameter in discriminator.parameters():
                parameter.clamp_(-self.config.weight_clip, self.config.weight_clip)

    def generator_loss(self, generator: nn.Module, discriminator: nn.Module, batch: TaggedImageBatch,
                       z: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        self._check_networks(generator, discriminator)
        seek_modes = self.config.mode_seeking_weight > 0
        real_batch = batch
        batch = _generator_tags(self.config, generator, batch, rng)
        if seek_modes and _is_conditional(generator):
            batch = _Tags(*paired_tags(batch.hair, batch.eyes))
        fake_images = generator(z, *_tags_for(generator, batch))  # (B, 3, 64, 64)
        critic_tags = _tags_for(discriminator, batch)
        fake_output = discriminator(fake_images, *critic_tags)
        if self.config.objective == "relativistic":
            # The real side of the pairing is a constant for G, but it still depends on the batch.
            with torch.no_grad():
                real_logits = discriminator(real_batch.real_images, *_tags_for(discriminator, real_batch)).logits
            loss = self.objective.relativistic_generator(fake_output.logits, real_logits)
        else:
            loss = self.objective.generator(fake_output.logits)
        stats = {"g_fake": _mean(fake_output.logits)}
        if seek_modes:
            seeking = mode_seeking_loss(fake_images, z)
            loss = loss + self.config.mode_seeking_weight * seeking
            stats["g_mode_seeking"] = seeking.detach()
        if self.config.aux_weight > 0:
            aux_loss = self._auxiliary(fake_output, batch)
            loss = loss + self.config.aux_weight * aux_loss
            stats["g_aux"] = aux_loss.detach()
            stats["aux_acc_hair_fake"] = classification_accuracy(fake_output.hair_logits, batch.hair)
            stats["aux_acc_eyes_fake"] = classification_accuracy(fake_output.eye_logits, batch.eyes)
        stats["g_loss"] = loss.detach()
        return loss, stats
