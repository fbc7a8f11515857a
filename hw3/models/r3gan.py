"""R3GAN's generator and discriminator (Huang et al. 2024, "The GAN is dead; long live the GAN!").

Residual networks without any normalisation layer, stages at 4, 8, 16, 32 and 64 pixels:
  G: [z, condition] -> 4x4 basis (a learned constant scaled per channel by a linear map of z)
     -> per stage: [1x1 conv where the width changes, bilinear upsampling], residual blocks
     -> 1x1 conv to RGB -> tanh
  D: image -> 1x1 conv -> per stage: residual blocks, [bilinear downsampling, 1x1 conv]
     -> at 4x4 a depthwise 4x4 conv and a linear head; conditional: the head's output projected
     onto a hair and an eye embedding (one logit), as the paper's conditional D does with one class.
Each block is ResNeXt's 1x1 -> grouped 3x3 -> 1x1 with an inverted bottleneck, leaky ReLU inside
the branch only, so the path from input to output stays linear. Fix-up initialisation: the last
conv of every branch starts at zero (each block starts as its shortcut), the other two are scaled
by L^(-1/4) for L blocks in the network (Huang et al. 2024 after Zhang et al. 2019).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from hw3.models.conditioning import TagConditionedGenerator, TagReadingDiscriminator, build_condition_encoder
from hw3.models.discriminator import DiscriminatorConfig, DiscriminatorOutput
from hw3.models.generator import GeneratorConfig
from hw3.tags import NUM_EYES, NUM_HAIR

NUM_STAGES = 5  # 4, 8, 16, 32, 64 pixels
LEAKY_SLOPE = 0.2
LEAKY_GAIN = nn.init.calculate_gain("leaky_relu", LEAKY_SLOPE)


def msr_init_(layer: nn.Module, gain: float = 1.0) -> nn.Module:
    """In place: weights N(0, gain^2 / fan_in) (He et al. 2015), bias 0; gain 0 gives zeros."""
    fan_in = layer.weight[0].numel()  # (C_in / groups) * k * k for a conv, C_in for a linear
    if gain == 0:
        nn.init.zeros_(layer.weight)
    else:
        nn.init.normal_(layer.weight, 0.0, gain / math.sqrt(fan_in))
    if getattr(layer, "bias", None) is not None:
        nn.init.zeros_(layer.bias)
    return layer


class BilinearResample(nn.Module):
    """Bilinear 2x up or down, no learned weights. Downsampling is antialiased bilinear (the tent
    filter [1, 3, 3, 1] / 8 per axis, the adjoint of bilinear upsampling), equal to
    F.interpolate(..., antialias=True) but run as a fixed depthwise filter: on a CPU that is 7x
    faster through the double backward of R1/R2 and keeps channels_last."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale
        tent = torch.tensor([1.0, 3.0, 3.0, 1.0]) / 8
        self.register_buffer("tent", (tent[:, None] * tent[None, :])[None, None], persistent=False)  # (1, 1, 4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.scale > 1:
            return F.interpolate(x, scale_factor=self.scale, mode="bilinear", align_corners=False)
        tent = self.tent.to(x.dtype)
        filtered = F.conv2d(x, tent.expand(x.shape[1], 1, 4, 4), stride=2, padding=1, groups=x.shape[1])
        # At the border the filter runs off the image: renormalise by the weight that fell inside.
        inside = F.conv2d(torch.ones_like(x[:1, :1]), tent, stride=2, padding=1)  # (1, 1, H / 2, W / 2)
        return filtered / inside


class ResidualBlock(nn.Module):
    """x + conv1x1(act(grouped conv3x3(act(conv1x1(x))))), the branch widened by `expansion`."""

    def __init__(self, channels: int, group_size: int, expansion: int, num_blocks: int):
        super().__init__()
        inner = channels * expansion
        self.expand = nn.Conv2d(channels, inner, 1)
        self.spatial = nn.Conv2d(inner, inner, 3, padding=1, groups=inner // group_size)
        self.project = nn.Conv2d(inner, channels, 1)
        # Fix-up: the L blocks' variances add up; L^(-1/(2m-2)) with m = 3 layers keeps the sum bounded.
        gain = LEAKY_GAIN * num_blocks ** (-1 / 4)
        msr_init_(self.expand, gain)
        msr_init_(self.spatial, gain)
        msr_init_(self.project, 0.0)

    def branch(self, x: torch.Tensor) -> torch.Tensor:
        y = F.leaky_relu(self.expand(x), LEAKY_SLOPE)  # (B, e*C, H, W)
        y = F.leaky_relu(self.spatial(y), LEAKY_SLOPE)
        return self.project(y)  # (B, C, H, W)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.branch(x)


def stage_widths(width: int) -> list[int]:
    """Channels at 4, 8, 16, 32, 64 pixels: the paper's FFHQ-64 layout, the last stage at half width."""
    return [width] * (NUM_STAGES - 1) + [width // 2]


def _blocks(channels: int, config, num_blocks: int) -> list[nn.Module]:
    return [ResidualBlock(channels, config.r3gan_group_size, config.r3gan_expansion, num_blocks)
            for _ in range(config.r3gan_blocks)]


class R3GANGenerator(TagConditionedGenerator):
    def __init__(self, config: GeneratorConfig):
        super().__init__()
        self.config = config
        self.condition_encoder = (None if config.condition is None
                                  else build_condition_encoder(config.condition, config.embedding_dim))
        condition_dim = 0 if self.condition_encoder is None else self.condition_encoder.output_dim
        widths = stage_widths(config.r3gan_width)
        num_blocks = NUM_STAGES * config.r3gan_blocks
        self.basis = nn.Parameter(torch.randn(widths[0], 4, 4))  # the 4x4 constant, N(0, 1)
        self.basis_scale = msr_init_(nn.Linear(config.z_dim + condition_dim, widths[0], bias=False))
        stages = [nn.Sequential(*_blocks(widths[0], config, num_blocks))]
        for before, after in zip(widths, widths[1:]):
            widen = [msr_init_(nn.Conv2d(before, after, 1, bias=False))] if before != after else []
            stages.append(nn.Sequential(*widen, BilinearResample(2.0), *_blocks(after, config, num_blocks)))
        self.stages = nn.ModuleList(stages)
        self.to_rgb = msr_init_(nn.Conv2d(widths[-1], 3, 1))

    def draw(self, z: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        """Images from noise and an encoded condition (B, C), as `Generator.draw`."""
        if condition is not None:
            z = torch.cat([z, condition], dim=1)  # (B, z_dim + C)
        x = self.basis[None] * self.basis_scale(z)[:, :, None, None]  # (B, W, 4, 4)
        for stage in self.stages:
            x = stage(x)  # ... -> (B, W / 2, 64, 64)
        return torch.tanh(self.to_rgb(x))  # (B, 3, 64, 64)


class R3GANDiscriminator(TagReadingDiscriminator):
    def __init__(self, config: DiscriminatorConfig):
        super().__init__()
        self.config = config
        widths = stage_widths(config.r3gan_width)[::-1]  # 64, 32, 16, 8, 4 pixels
        num_blocks = NUM_STAGES * config.r3gan_blocks
        self.from_rgb = msr_init_(nn.Conv2d(3, widths[0], 1))
        stages = []
        for before, after in zip(widths, widths[1:]):
            widen = [msr_init_(nn.Conv2d(before, after, 1, bias=False))] if before != after else []
            stages.append(nn.Sequential(*_blocks(before, config, num_blocks), BilinearResample(0.5), *widen))
        stages.append(nn.Sequential(*_blocks(widths[-1], config, num_blocks)))
        self.stages = nn.ModuleList(stages)
        channels = widths[-1]
        # The paper's 4x4 basis of D: one 4x4 filter per channel, then a linear map.
        self.basis = msr_init_(nn.Conv2d(channels, channels, 4, groups=channels, bias=False))
        out_dim = channels if self.is_conditional else 1
        self.head = msr_init_(nn.Linear(channels, out_dim))
        if self.is_conditional:
            self.hair_projection = nn.Embedding(NUM_HAIR, channels)
            self.eye_projection = nn.Embedding(NUM_EYES, channels)
            # Two summed N(0, 1 / (2C)) vectors: a dot product with C features of unit scale starts at unit scale.
            for embedding in (self.hair_projection, self.eye_projection):
                nn.init.normal_(embedding.weight, 0.0, 1 / math.sqrt(2 * channels))
        if config.aux_heads:
            # On the flattened 4x4 map, as the DCGAN discriminator's heads: where a colour sits tells iris from hair.
            self.hair_head = msr_init_(nn.Linear(16 * channels, NUM_HAIR))
            self.eye_head = msr_init_(nn.Linear(16 * channels, NUM_EYES))

    def forward(self, images: torch.Tensor, hair: torch.Tensor | None = None,
                eyes: torch.Tensor | None = None) -> DiscriminatorOutput:
        self.check_inputs(images, hair, eyes)
        x = self.from_rgb(images)  # (B, W / 2, 64, 64)
        for stage in self.stages:
            x = stage(x)  # ... -> (B, W, 4, 4)
        features = self.head(self.basis(x).flatten(1))  # (B, W) or (B, 1)
        if self.is_conditional:
            projection = self.hair_projection(hair) + self.eye_projection(eyes)  # (B, W)
            logits = (features * projection).sum(dim=1)  # (B,)
        else:
            logits = features.flatten()  # (B,)
        hair_logits = eye_logits = None
        if self.config.aux_heads:
            spatial = x.flatten(1)  # (B, 16W)
            hair_logits, eye_logits = self.hair_head(spatial), self.eye_head(spatial)  # (B, 12), (B, 11)
        return DiscriminatorOutput(logits, hair_logits, eye_logits)
