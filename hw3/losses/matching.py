"""Wrong tags for the matching-aware discriminator (Reed et al. 2016, GAN-CLS)."""

from __future__ import annotations

import torch

from hw3.tags import NUM_EYES, NUM_PAIRS


def mismatched_tags(
    hair: torch.Tensor, eyes: torch.Tensor, rng: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """A (hair, eyes) pair for each sample that always differs from its own pair.

    Shifting the pair index by 1..131 (mod 132) can never land on the original, and every
    other pair is equally likely, even when the whole batch shares one pair.
    """
    pair = hair * NUM_EYES + eyes  # (B,) in 0..131
    shift = torch.randint(1, NUM_PAIRS, pair.shape, generator=rng, device=pair.device)
    wrong_pair = (pair + shift) % NUM_PAIRS
    return wrong_pair // NUM_EYES, wrong_pair % NUM_EYES
