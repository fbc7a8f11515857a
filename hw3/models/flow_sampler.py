"""A flow-matching model as a generator: noise and tags -> a face, like every GAN's G.

The velocity network (hw3/models/unet.py) learns v(x, t) = d x_t / d t along the straight path
x_t = (1 - t) x0 + t noise from a face x0 (t = 0) to Gaussian noise (t = 1); see
hw3/losses/flow_matching.py. Drawing a face integrates that ODE backwards, from the noise at
t = 1 to t = 0, with a fixed solver on `sample_steps` equal steps, so the face is a pure
function of (z, tags): the float64 replay in hw3/sampling/faces.py applies to it unchanged.

z is the flattened noise image (B, 3 * 64 * 64), drawn by `hw3.images.draw_noise` like any z.
Classifier-free guidance (Ho & Salimans 2022) mixes the conditional velocity with the
unconditional one (both tags null): v = v_uncond + s * (v_cond - v_uncond); s = 1 is the plain
conditional model, s = 0 the unconditional one, s > 1 trades variety for tag fidelity.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import torch
from torch import nn

from hw3.bounds import bounded
from hw3.models.conditioning import check_tags
from hw3.models.unet import NULL_EYES, NULL_HAIR, UNet, UNetConfig

FACE_SHAPE = (3, 64, 64)
NOISE_DIM = 3 * 64 * 64  # z is one noise image, flattened
SOLVERS = ("euler", "heun")


@dataclass
class FlowMatchingConfig:
    unet: UNetConfig = field(default_factory=UNetConfig)
    # Heun (second order, two velocity passes a step) reaches a given error in far fewer passes
    # than Euler on these nearly straight paths (Karras et al. 2022).
    solver: str = bounded("heun", choices=SOLVERS)
    sample_steps: int = bounded(12, 1, 1000)  # what `hw3 sample` and the run scripts integrate with
    guidance_scale: float = bounded(2.0, 0.0, 20.0)
    # Steps for the in-training evaluation and previews: they draw 1,320 and 64 faces, so cheaper
    # than the shipped draw; their FIDs compare steps of one run, not the shipped faces.
    evaluation_steps: int = bounded(4, 1, 1000)

    @property
    def z_dim(self) -> int:
        return NOISE_DIM


class FlowSampler(nn.Module):
    """`forward(z, hair, eyes)` -> faces (B, 3, 64, 64) in [-1, 1]; with `times`, the velocity
    the loss trains instead: `forward(x_t, hair, eyes, times=t)` -> (B, 3, 64, 64). One module
    plays both, so DDP and torch.compile wrap the training pass exactly as they wrap a GAN's G."""

    is_conditional = True

    def __init__(self, config: FlowMatchingConfig, velocity: UNet | None = None):
        super().__init__()
        self.config = config
        self.velocity = velocity if velocity is not None else UNet(config.unet)

    def with_steps(self, steps: int) -> FlowSampler:
        """The same velocity network (shared, not copied) drawing with `steps` solver steps."""
        return self.with_settings(sample_steps=steps)

    def with_settings(self, **settings) -> FlowSampler:
        """The same velocity network (shared, not copied) drawing with other sampler fields of
        FlowMatchingConfig (sample_steps, guidance_scale, solver)."""
        return FlowSampler(dataclasses.replace(self.config, **settings), self.velocity).eval()

    def forward(self, inputs: torch.Tensor, hair: torch.Tensor | None = None, eyes: torch.Tensor | None = None,
                times: torch.Tensor | None = None) -> torch.Tensor:
        if times is not None:
            return self.velocity(inputs, times, hair, eyes)
        if inputs.dim() != 2 or inputs.shape[1] != NOISE_DIM:
            raise ValueError(f"FlowSampler: z has shape {tuple(inputs.shape)} (expected (B, {NOISE_DIM}))")
        if hair is not None or eyes is not None:
            check_tags("FlowSampler", True, inputs.shape[0], hair, eyes)
        return self.sample(inputs.reshape(-1, *FACE_SHAPE), hair, eyes)

    def guided_velocity(self, x: torch.Tensor, t: torch.Tensor, hair: torch.Tensor | None,
                        eyes: torch.Tensor | None) -> torch.Tensor:
        """x (B, 3, 64, 64), t (B,) -> the guided velocity (B, 3, 64, 64); no tags: the unconditional one."""
        if hair is None:
            null = torch.full((x.shape[0],), NULL_HAIR, dtype=torch.long, device=x.device)
            return self.velocity(x, t, null, torch.full_like(null, NULL_EYES))
        scale = self.config.guidance_scale
        if scale == 1.0:  # the conditional velocity alone; the unconditional pass would cancel out
            return self.velocity(x, t, hair, eyes)
        # One pass of 2B: the conditional half and the unconditional half (both tags null).
        both = self.velocity(torch.cat([x, x]), torch.cat([t, t]), torch.cat([hair, torch.full_like(hair, NULL_HAIR)]),
                             torch.cat([eyes, torch.full_like(eyes, NULL_EYES)]))
        conditional, unconditional = both.chunk(2)
        return unconditional + scale * (conditional - unconditional)

    def sample(self, noise: torch.Tensor, hair: torch.Tensor | None, eyes: torch.Tensor | None) -> torch.Tensor:
        """noise (B, 3, 64, 64) at t = 1 -> faces (B, 3, 64, 64) at t = 0, clamped to [-1, 1]."""
        steps = self.config.sample_steps
        times = torch.linspace(1.0, 0.0, steps + 1, dtype=noise.dtype, device=noise.device)
        x = noise
        for index in range(steps):
            t, t_next = times[index].expand(x.shape[0]), times[index + 1].expand(x.shape[0])
            dt = times[index + 1] - times[index]  # negative: time runs from noise to data
            v = self.guided_velocity(x, t, hair, eyes)
            if self.config.solver == "euler":
                x = x + dt * v
            else:  # Heun: average the slope at both ends of the step
                x_euler = x + dt * v
                x = x + dt * 0.5 * (v + self.guided_velocity(x_euler, t_next, hair, eyes))
        return x.clamp(-1.0, 1.0)
