"""Draw a tagged image set from a conditional generator through one plain callable.

`sample_fn(hair, eyes, z) -> images` takes hair (B,) and eye (B,) index tensors and noise
z (B, z_dim) on the CPU, and returns images (B, 3, 64, 64), float in [-1, 1] or uint8. Any
generator checkpoint plugs in by wrapping its network in such a function; the metrics never
see the network itself.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from tqdm import tqdm

from hw3.eval.features import to_uint8
from hw3.tags import NUM_EYES, NUM_PAIRS

SampleFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
SAMPLE_BATCH_SIZE = 250


def balanced_tags(num_images: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """-> hair (N,), eyes (N,): the 132 pairs in turn (counts differ by at most one), shuffled."""
    generator = torch.Generator().manual_seed(seed)
    pairs = torch.arange(num_images) % NUM_PAIRS
    pairs = pairs[torch.randperm(num_images, generator=generator)]
    return pairs // NUM_EYES, pairs % NUM_EYES


@torch.no_grad()
def generate_images(
    sample_fn: SampleFn,
    hair: torch.Tensor,
    eyes: torch.Tensor,
    z_dim: int,
    seed: int,
    batch_size: int = SAMPLE_BATCH_SIZE,
    progress: bool = False,
) -> torch.Tensor:
    """-> uint8 (N, 3, 64, 64), quantised as an image file would be, so generated and real
    images reach the evaluator the same way. The same seed gives the same noise."""
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(len(hair), z_dim, generator=generator)  # (N, z_dim)
    batches = []
    for start in tqdm(range(0, len(hair), batch_size), desc="sampling", unit="batch", disable=not progress):
        part = slice(start, start + batch_size)
        images = sample_fn(hair[part], eyes[part], z[part]).cpu()
        batches.append(images if images.dtype == torch.uint8 else to_uint8(images))
    return torch.cat(batches)
