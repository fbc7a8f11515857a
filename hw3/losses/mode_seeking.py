"""Mode-seeking term (Mao et al. 2019, MSGAN): two noises with the same tags must give faces that
differ in proportion to how far apart the noises are.

A classifier loss on G rewards the single most readable face per tag pair; this term charges
G for every pair of noises it maps to near-identical faces.
"""

from __future__ import annotations

import torch


def paired_tags(hair: torch.Tensor, eyes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B,) tags -> (B,) tags whose second half repeats the first: sample i and i + B/2 share tags."""
    half = hair.shape[0] // 2
    return torch.cat([hair[:half], hair[:half]]), torch.cat([eyes[:half], eyes[:half]])


def mode_seeking_loss(images: torch.Tensor, z: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """images (B, 3, H, W), z (B, z_dim) with sample i and i + B/2 sharing tags -> scalar to minimise:
    1 / (mean |image_i - image_j| / mean |z_i - z_j| + eps), averaged over the B/2 pairs."""
    half = images.shape[0] // 2
    image_distance = (images[:half] - images[half:2 * half]).abs().flatten(1).mean(dim=1).float()  # (B/2,)
    noise_distance = (z[:half] - z[half:2 * half]).abs().mean(dim=1).float()  # (B/2,)
    return (1 / (image_distance / noise_distance + eps)).mean()
