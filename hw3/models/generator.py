"""DCGAN generator (Radford et al. 2016), optionally conditioned on hair/eye tags.

z (B, z_dim) [+ condition (B, C)] -> transposed convs 1 -> 4 -> 8 -> 16 -> 32 -> 64 with batch norm
and ReLU, tanh output in [-1, 1]. A conditional generator joins the condition vector to z and,
by default, also sets every batch norm's gain and shift from it (conditional batch norm).
`stem="dense"` with `kernel_size=5` is the course slides' generator: Dense to 4 x 4 x 8ngf, then
5 x 5 transposed convolutions.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from hw3.bounds import bounded
from hw3.errors import InputError
from hw3.models.conditioning import (
    CONDITION_ENCODERS,
    DEFAULT_EMBEDDING_DIM,
    TagConditionedGenerator,
    build_condition_encoder,
)
from hw3.models.weight_init import dcgan_init_

ARCHITECTURES = ("dcgan", "r3gan")


def check_r3gan_sizes(who: str, width: int, group_size: int, expansion: int) -> None:
    """Both stage widths (width and width / 2), expanded, must split into whole groups."""
    if width % 2 or (width // 2 * expansion) % group_size:
        raise InputError(f"{who}: r3gan_width {width} with r3gan_expansion {expansion} does not split into "
                         f"groups of r3gan_group_size {group_size} (expected an even width with "
                         f"width / 2 * expansion a multiple of the group size)")


@dataclass
class GeneratorConfig:
    z_dim: int = bounded(100, 1, 1024)
    ngf: int = bounded(64, 1, 512)  # channels of the last hidden layer; the first has 8 * ngf
    condition: str | None = bounded(None, choices=tuple(CONDITION_ENCODERS))  # None (unconditional) or a kind
    embedding_dim: int = bounded(DEFAULT_EMBEDDING_DIM, 1, 1024)  # per attribute, for condition="embedding"
    # Eye colour covers a few pixels, so a condition seen only at the input fades; feeding it to
    # every layer's batch-norm gain/shift keeps it in reach of the last layers that paint eyes.
    conditional_batch_norm: bool = True  # used only when condition is not None
    # "conv": 4x4 transposed conv from 1x1; "dense": Linear to 4 x 4 x 8ngf
    stem: str = bounded("conv", choices=("conv", "dense"))
    kernel_size: int = bounded(4, choices=(4, 5))  # 4 (DCGAN) or 5 (the course slides)
    # "dcgan": this module's network; "r3gan": the residual, normalisation-free G of Huang et al.
    # 2024 (hw3/models/r3gan.py), which reads z_dim, condition and embedding_dim and the fields below.
    architecture: str = bounded("dcgan", choices=ARCHITECTURES)
    r3gan_width: int = bounded(32, 2, 2048)  # channels of the 4x4 to 32x32 stages; the 64x64 stage has half
    r3gan_blocks: int = bounded(1, 1, 16)  # residual blocks per stage (the paper: 2)
    r3gan_group_size: int = bounded(16, 1, 2048)  # channels per group of each block's 3x3 conv (the paper: 16)
    r3gan_expansion: int = bounded(2, 1, 16)  # a block's inner width / its stage's width (the paper: 2)

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise InputError(f"GeneratorConfig.architecture: unknown '{self.architecture}' "
                             f"(expected one of: {', '.join(ARCHITECTURES)})")
        if self.architecture == "r3gan":
            check_r3gan_sizes("GeneratorConfig", self.r3gan_width, self.r3gan_group_size, self.r3gan_expansion)
        if self.stem not in ("conv", "dense"):
            raise InputError(f"GeneratorConfig.stem: unknown '{self.stem}' (expected conv or dense)")
        if self.kernel_size not in (4, 5):
            raise InputError(f"GeneratorConfig.kernel_size: {self.kernel_size} (expected 4 or 5)")
        if self.condition is not None and self.condition not in CONDITION_ENCODERS:
            raise InputError(
                f"GeneratorConfig.condition: unknown kind '{self.condition}' "
                f"(expected None or one of: {', '.join(CONDITION_ENCODERS)})"
            )
        for name in ("z_dim", "ngf", "embedding_dim"):
            if getattr(self, name) < 1:
                raise InputError(f"GeneratorConfig.{name}: {getattr(self, name)} (expected a positive integer)")


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm whose per-channel gain and shift are linear in the condition vector."""

    def __init__(self, num_features: int, condition_dim: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_features, affine=False)
        # gain = 1 + W c: with W ~ N(0, 0.02) this starts like the paper's BN gains N(1, 0.02).
        self.gain = nn.Linear(condition_dim, num_features, bias=False)
        self.shift = nn.Linear(condition_dim, num_features, bias=False)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        gain = 1 + self.gain(condition)[:, :, None, None]  # (B, C, 1, 1)
        shift = self.shift(condition)[:, :, None, None]
        return self.norm(x) * gain + shift


def upsampling_conv(in_channels: int, out_channels: int, kernel_size: int) -> nn.ConvTranspose2d:
    """A transposed conv that doubles height and width, for kernel 4 or 5."""
    if kernel_size == 4:
        return nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False)
    # Kernel 5 needs padding 2 and one extra output row/column to land on exactly 2x.
    return nn.ConvTranspose2d(in_channels, out_channels, 5, 2, 2, output_padding=1, bias=False)


class DenseStem(nn.Module):
    """z [+ condition] (B, D) -> Linear -> (B, C, 4, 4) -> batch norm -> ReLU (the course's first layer)."""

    def __init__(self, in_features: int, out_channels: int):
        super().__init__()
        self.linear = nn.Linear(in_features, out_channels * 16, bias=False)
        self.norm = nn.BatchNorm2d(out_channels)
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        x = self.linear(x.flatten(1)).view(-1, self.out_channels, 4, 4)  # (B, C, 4, 4)
        return torch.relu(self.norm(x))


class UpBlock(nn.Module):
    """Transposed conv -> batch norm (plain or conditional) -> ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, padding: int,
                 condition_dim: int | None, kernel_size: int = 4):
        super().__init__()
        # No conv bias: the batch norm that follows subtracts it anyway.
        if stride == 2:
            self.conv = upsampling_conv(in_channels, out_channels, kernel_size)
        else:
            self.conv = nn.ConvTranspose2d(in_channels, out_channels, 4, stride, padding, bias=False)
        self.norm = (nn.BatchNorm2d(out_channels) if condition_dim is None
                     else ConditionalBatchNorm2d(out_channels, condition_dim))

    def forward(self, x: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        x = self.conv(x)
        x = self.norm(x) if condition is None else self.norm(x, condition)
        return torch.relu(x)


class Generator(TagConditionedGenerator):
    def __init__(self, config: GeneratorConfig):
        super().__init__()
        self.config = config
        ngf = config.ngf
        self.condition_encoder = (None if config.condition is None
                                  else build_condition_encoder(config.condition, config.embedding_dim))
        condition_dim = 0 if self.condition_encoder is None else self.condition_encoder.output_dim
        norm_condition_dim = condition_dim if (condition_dim and config.conditional_batch_norm) else None
        k = config.kernel_size
        stem = (DenseStem(config.z_dim + condition_dim, 8 * ngf) if config.stem == "dense"
                else UpBlock(config.z_dim + condition_dim, 8 * ngf, 1, 0, norm_condition_dim))  # 1 -> 4
        self.blocks = nn.ModuleList([
            stem,
            UpBlock(8 * ngf, 4 * ngf, 2, 1, norm_condition_dim, k),  # 4 -> 8
            UpBlock(4 * ngf, 2 * ngf, 2, 1, norm_condition_dim, k),  # 8 -> 16
            UpBlock(2 * ngf, ngf, 2, 1, norm_condition_dim, k),  # 16 -> 32
        ])
        self.to_rgb = upsampling_conv(ngf, 3, k)  # 32 -> 64
        dcgan_init_(self)

    def draw(self, z: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        """Images from noise and an encoded condition (B, C); a mix of two tags' conditions
        draws the faces between them (the report's tag interpolation)."""
        norm_condition = None
        if condition is not None:
            z = torch.cat([z, condition], dim=1)  # (B, z_dim + C)
            if self.config.conditional_batch_norm:
                norm_condition = condition
        x = z[:, :, None, None]  # (B, z_dim [+ C], 1, 1)
        for block in self.blocks:
            x = block(x, norm_condition)  # ... -> (B, ngf, 32, 32)
        return torch.tanh(self.to_rgb(x))  # (B, 3, 64, 64)
