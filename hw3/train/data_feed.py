"""Batches for the training loop, from images preloaded on the device as uint8.

Batch k of a run is a pure function of (seed, k, rank): a resumed run sees exactly the batches
an uninterrupted one would have, with no sampler state to save.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from hw3.errors import InputError
from hw3.tags import NUM_EYES

# Streams of randomness drawn from one seed; see `stream_seed`.
DATA_STREAM, NOISE_STREAM, PREVIEW_STREAM = 1, 2, 3


def stream_seed(*keys: int) -> int:
    """A well-mixed 63-bit seed from integer keys (seed, stream, step, rank…)."""
    return int(np.random.SeedSequence(list(keys)).generate_state(2, dtype=np.uint64)[0] >> 1)


def step_generator(device: torch.device, *keys: int) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(stream_seed(*keys))


@dataclass
class Batch:
    real_images: torch.Tensor  # (B, 3, 64, 64) float in [-1, 1]
    hair: torch.Tensor | None  # (B,) long, None for unconditional models
    eyes: torch.Tensor | None


class BatchFeed:
    def __init__(
        self,
        images: torch.Tensor,  # (N, 3, 64, 64) uint8
        hair: torch.Tensor,
        eyes: torch.Tensor,
        batch_size: int,
        seed: int,
        device: torch.device,
        conditional: bool,
        balanced: bool = False,
        channels_last: bool = False,
        rank: int = 0,
        world_size: int = 1,
    ):
        global_batch = batch_size * world_size
        if len(images) < global_batch:
            raise InputError(
                f"data set has {len(images)} images, fewer than one batch of {global_batch} "
                "(expected at least batch_size x processes)"
            )
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.images = images.to(device)
        self.hair = hair.to(device)
        self.eyes = eyes.to(device)
        self.batch_size, self.seed, self.device = batch_size, seed, device
        self.conditional, self.balanced = conditional, balanced
        self.rank, self.world_size = rank, world_size
        self.batches_per_epoch = len(images) // global_batch
        self._epoch, self._permutation = -1, None
        if balanced:
            pair = (hair * NUM_EYES + eyes).cpu()
            self._by_pair = torch.argsort(pair, stable=True).to(device)
            present, counts = torch.unique(pair, return_counts=True)
            self._pair_counts = counts.to(device)
            self._pair_offsets = (torch.cumsum(counts, 0) - counts).to(device)

    def _indices(self, k: int) -> torch.Tensor:
        if self.balanced:
            # Uniform over the tag pairs present, then uniform within the pair.
            rng = step_generator(self.device, self.seed, DATA_STREAM, k, self.rank)
            pair = torch.randint(len(self._pair_counts), (self.batch_size,), generator=rng, device=self.device)
            within = torch.rand(self.batch_size, generator=rng, device=self.device)
            position = (within * self._pair_counts[pair]).long()
            return self._by_pair[self._pair_offsets[pair] + position]
        epoch, position = divmod(k, self.batches_per_epoch)
        if epoch != self._epoch:
            rng = torch.Generator().manual_seed(stream_seed(self.seed, DATA_STREAM, epoch))
            self._permutation = torch.randperm(len(self.images), generator=rng).to(self.device)
            self._epoch = epoch
        start = (position * self.world_size + self.rank) * self.batch_size
        return self._permutation[start : start + self.batch_size]

    def batch(self, k: int) -> Batch:
        indices = self._indices(k)
        images = self.images[indices].float().div_(127.5).sub_(1.0)
        images = images.contiguous(memory_format=self.memory_format)
        if not self.conditional:
            return Batch(images, None, None)
        return Batch(images, self.hair[indices], self.eyes[indices])
