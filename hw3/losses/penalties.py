"""Gradient penalties: WGAN-GP's (Gulrajani et al. 2017, algorithm 1) and the zero-centred R1 / R2
(Mescheder et al. 2018; R3GAN, Huang et al. 2024, applies both)."""

from __future__ import annotations

import contextlib
from typing import Callable

import torch


def _precision(device: torch.device, float32: bool):
    """float32 turns autocast off for the penalty's pass; otherwise the step's autocast holds."""
    return torch.autocast(device_type=device.type, enabled=False) if float32 else contextlib.nullcontext()


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real_images: torch.Tensor,
    fake_images: torch.Tensor,
    rng: torch.Generator,
    float32: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (mean((||grad critic(x_hat)|| - 1)^2), mean ||grad||), unweighted; the norms are
    taken in float32, the pass through the critic in autocast's precision unless `float32`.

    x_hat = alpha * real + (1 - alpha) * fake with one alpha per sample; the norm is taken per
    sample over all of (C, H, W). The graph is kept so the penalty trains the critic.
    """
    batch_size = real_images.shape[0]
    alpha = torch.rand((batch_size, 1, 1, 1), generator=rng, device=real_images.device)  # (B, 1, 1, 1)
    interpolates = alpha * real_images.detach().float() + (1 - alpha) * fake_images.detach().float()
    interpolates.requires_grad_(True)
    with _precision(real_images.device, float32):
        critic_values = critic(interpolates).float()  # (B,)
        (gradients,) = torch.autograd.grad(critic_values.sum(), interpolates, create_graph=True)
    gradient_norms = gradients.float().flatten(start_dim=1).norm(dim=1)  # (B,)
    return ((gradient_norms - 1) ** 2).mean(), gradient_norms.mean().detach()


def zero_centred_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor, float32: bool = False
) -> torch.Tensor:
    """mean ||grad_x critic(x)||^2 over the batch at the given images (R1 on real images, R2 on
    generated ones), summed in float32; the pass in autocast's precision unless `float32`.
    Unweighted: the loss multiplies by gamma / 2."""
    images = images.detach().float().requires_grad_(True)
    with _precision(images.device, float32):
        critic_values = critic(images).float()  # (B,)
        (gradients,) = torch.autograd.grad(critic_values.sum(), images, create_graph=True)
    return gradients.float().flatten(start_dim=1).square().sum(dim=1).mean()
