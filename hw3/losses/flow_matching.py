"""Conditional flow matching (Lipman et al. 2023) on the rectified-flow path (Liu et al. 2023):
the single-player loss the training loop runs for task "diffuse".

Convention (t = 0 is data, t = 1 is noise):
    x_t = (1 - t) * x0 + t * noise,       noise ~ N(0, I) (the z the loop draws, as an image)
    target velocity u = d x_t / d t = noise - x0
    loss = mean over pixels and batch of (v(x_t, t, tags) - u)^2
Sampling (hw3/models/flow_sampler.py) integrates dx/dt = v from t = 1 back to t = 0.

With probability `condition_dropout` a sample's hair and eyes are both replaced by the null
indices, so the same network learns the unconditional velocity that classifier-free guidance
needs. The loop calls it like `GANLoss`; `n_critic = 0` tells it that there is no
discriminator: no D network, no D optimiser, one real batch per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from hw3.bounds import bounded
from hw3.losses.gan_loss import TaggedImageBatch
from hw3.models.unet import NULL_EYES, NULL_HAIR

TIME_SAMPLINGS = ("uniform", "logit_normal")


@dataclass
class FlowLossConfig:
    condition_dropout: float = bounded(0.1, 0.0, 1.0)  # Ho & Salimans 2022 drop 10-20 % of conditions
    # "logit_normal": t = sigmoid(N(mean, std)), more steps at mid t, where the velocity is hardest
    # to predict (Esser et al. 2024 found it best for rectified flows); "uniform": t ~ U(0, 1).
    time_sampling: str = bounded("logit_normal", choices=TIME_SAMPLINGS)
    logit_mean: float = bounded(0.0, -10.0, 10.0)
    logit_std: float = bounded(1.0, 0.0, 10.0, low_open=True)


def probability_path(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Faces x0 and noise (B, 3, 64, 64), times t (B,) -> (x_t, target velocity), both (B, 3, 64, 64)."""
    t = t.to(x0.dtype)[:, None, None, None]  # (B, 1, 1, 1)
    return (1.0 - t) * x0 + t * noise, noise - x0


def sample_times(count: int, config: FlowLossConfig, rng: torch.Generator, device: torch.device) -> torch.Tensor:
    """(count,) times in [0, 1] drawn from `rng` by `config.time_sampling`."""
    if config.time_sampling == "uniform":
        return torch.rand(count, generator=rng, device=device)
    normal = torch.randn(count, generator=rng, device=device)
    return torch.sigmoid(config.logit_mean + config.logit_std * normal)


def drop_conditions(hair: torch.Tensor, eyes: torch.Tensor, probability: float,
                    rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(hair, eyes) with both tags of each sample set to the null indices with `probability`."""
    dropped = torch.rand(hair.shape[0], generator=rng, device=hair.device) < probability  # (B,) bool
    return (torch.where(dropped, torch.full_like(hair, NULL_HAIR), hair),
            torch.where(dropped, torch.full_like(eyes, NULL_EYES), eyes))


class FlowMatchingLoss:
    n_critic = 0  # no discriminator steps: the loop skips D entirely

    def __init__(self, config: FlowLossConfig):
        self.config = config

    def set_progress(self, images_through_d: int) -> None:
        pass  # nothing scheduled

    def discriminator_loss(self, *args, **kwargs):
        raise RuntimeError("FlowMatchingLoss has no discriminator (n_critic = 0); the loop must not call this")

    def after_discriminator_step(self, discriminator: nn.Module | None) -> None:
        pass

    def generator_loss(self, sampler: nn.Module, discriminator: None, batch: TaggedImageBatch,
                       z: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """`sampler` is the FlowSampler (or its DDP / compiled wrapper); z (B, 3 * 64 * 64) is the noise."""
        x0 = batch.real_images  # (B, 3, 64, 64)
        noise = z.reshape(x0.shape).to(x0.dtype)
        t = sample_times(x0.shape[0], self.config, rng, x0.device)
        hair, eyes = drop_conditions(batch.hair, batch.eyes, self.config.condition_dropout, rng)
        x_t, target = probability_path(x0, noise, t)
        prediction = sampler(x_t, hair, eyes, times=t)
        loss = (prediction.float() - target.float()).square().mean()  # float32 even under bf16 autocast
        return loss, {"flow_loss": loss.detach()}
