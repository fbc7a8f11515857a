"""Exponential moving average of the generator's weights, with a warm-up."""

from __future__ import annotations

import copy

import torch
from torch import nn


class GeneratorAverage:
    """Keeps `average` = EMA of `source`'s parameters.

    A plain 0.999 average remembers the random initialisation for thousands of steps, so the
    decay at update t is min(decay, (1 + t) / (warmup + t)): early on the average tracks G.
    """

    def __init__(self, source: nn.Module, decay: float = 0.999, warmup: float = 10.0):
        self.decay = decay
        self.warmup = warmup
        self.average = copy.deepcopy(source).eval().requires_grad_(False)
        self.num_updates = 0

    def current_decay(self) -> float:
        t = self.num_updates
        return min(self.decay, (1.0 + t) / (self.warmup + t))

    @torch.no_grad()
    def update(self, source: nn.Module) -> None:
        decay = self.current_decay()
        average_params = list(self.average.parameters())
        source_params = [p.detach() for p in source.parameters()]
        torch._foreach_lerp_(average_params, source_params, 1.0 - decay)
        # Buffers (batch-norm statistics) are copied; `standing_statistics` refreshes them later.
        for average_buffer, source_buffer in zip(self.average.buffers(), source.buffers()):
            average_buffer.copy_(source_buffer)
        self.num_updates += 1


@torch.no_grad()
def standing_statistics(generator: nn.Module, draw_inputs, num_batches: int = 8) -> None:
    """Recompute batch-norm running statistics of `generator` from its own outputs.

    The averaged weights never ran in training mode, so the running statistics copied from the
    live G do not match them; averaging over fresh batches gives eval-mode samples that do.
    `draw_inputs(i)` returns the (z, hair, eyes) of batch i.
    """
    norms = [m for m in generator.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    saved_momenta = [m.momentum for m in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average over the batches below
    generator.train()
    for index in range(num_batches):
        z, hair, eyes = draw_inputs(index)
        generator(z, hair, eyes)
    generator.eval()
    for norm, momentum in zip(norms, saved_momenta):
        norm.momentum = momentum
