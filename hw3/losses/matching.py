"""Wrong tags for the matching-aware discriminator (Reed et al. 2016, GAN-CLS)."""

from __future__ import annotations

import torch

from hw3.tags import NUM_EYES, NUM_HAIR, NUM_PAIRS

MISMATCH_KINDS = ("any", "one_attribute")


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


def one_attribute_mismatch(
    hair: torch.Tensor, eyes: torch.Tensor, rng: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Wrong tags that change exactly one attribute: half the samples get another hair colour,
    half another eye colour, each uniformly among the other colours.

    Drawn over all 131 other pairs, only 10 of them (7.6 %) keep the hair and change the eyes,
    so D rarely has to read eye colour to call a pair wrong; here half the negatives do.
    """
    change_eyes = torch.rand(hair.shape, generator=rng, device=hair.device) < 0.5
    hair_shift = torch.randint(1, NUM_HAIR, hair.shape, generator=rng, device=hair.device)
    eye_shift = torch.randint(1, NUM_EYES, eyes.shape, generator=rng, device=eyes.device)
    wrong_hair = torch.where(change_eyes, hair, (hair + hair_shift) % NUM_HAIR)
    wrong_eyes = torch.where(change_eyes, (eyes + eye_shift) % NUM_EYES, eyes)
    return wrong_hair, wrong_eyes


WRONG_TAGS = {"any": mismatched_tags, "one_attribute": one_attribute_mismatch}
