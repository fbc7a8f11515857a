"""A small U-Net that predicts a flow's velocity at a noisy face, conditioned on time and tags.

x (B, 3, 64, 64), t (B,) in [0, 1], hair (B,), eyes (B,)
  -> conv 3x3 -> per level: residual blocks at width base_width * multiplier, then a stride-2
     conv (64 -> 32 -> 16 -> 8 with four levels); the last level's output is kept for the way up
  -> middle: residual block, [attention], residual block at the coarsest size
  -> per level, coarsest first: joined to that level's kept features, residual blocks, then
     nearest-neighbour 2x and a 3x3 conv
  -> group norm, SiLU, conv 3x3 -> velocity (B, 3, 64, 64)

Time and tags meet in one embedding (B, E): sinusoidal features of t through a small MLP, plus a
learned vector for the hair colour and one for the eye colour. Each tag table has one extra
"null" row (NULL_HAIR, NULL_EYES) meaning "no tag": training swaps it in at random, so one
network gives both the conditional and the unconditional velocity that classifier-free
guidance mixes. Every residual block reads the embedding as a per-channel scale and shift of
its second group norm (Dhariwal & Nichol 2021).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from hw3.bounds import bounded
from hw3.errors import InputError
from hw3.tags import NUM_EYES, NUM_HAIR

NULL_HAIR = NUM_HAIR  # row 12 of the hair table: no hair tag
NULL_EYES = NUM_EYES  # row 11 of the eye table: no eye tag
MAX_LEVELS = 5  # 64 -> 4 pixels at the coarsest level
ATTENTION_SIZE = 16  # where the optional self-attention runs: 256 positions, cheap enough
MAX_WIDTH = 2048  # channels of any level; far above a CPU-sized net, so a typo fails instead of filling memory


@dataclass
class UNetConfig:
    base_width: int = bounded(32, 1, 512)  # channels at 64 x 64
    channel_multipliers: tuple[int, ...] = bounded((1, 2, 2, 2), 1, 16, max_items=MAX_LEVELS)  # one per level
    blocks_per_level: int = bounded(1, 1, 8)
    embedding_dim: int = bounded(128, 1, 2048)  # the time + tags embedding E
    num_groups: int = bounded(8, 1, 512)  # group norm groups; every level's width must split into them
    attention_at_16: bool = False  # self-attention at 16 x 16, on the way down and up

    def __post_init__(self):
        multipliers = tuple(self.channel_multipliers)
        if not 1 <= len(multipliers) <= MAX_LEVELS:
            raise InputError(f"UNetConfig.channel_multipliers: {list(multipliers)} (expected 1 to {MAX_LEVELS} "
                             "levels, e.g. [1, 2, 2, 2])")
        for width in self.widths:
            if width > MAX_WIDTH:
                raise InputError(f"UNetConfig: width {width} (base_width * multiplier; expected at most {MAX_WIDTH})")
            if width % self.num_groups:
                raise InputError(f"UNetConfig: width {width} does not split into num_groups {self.num_groups} "
                                 "(expected base_width * every multiplier divisible by num_groups)")

    @property
    def widths(self) -> list[int]:
        return [self.base_width * multiplier for multiplier in self.channel_multipliers]


def time_features(t: torch.Tensor, dim: int) -> torch.Tensor:
    """t (B,) in [0, 1] -> (B, dim) sines and cosines at geometric frequencies (Vaswani et al. 2017);
    t is scaled by 1000 so the fastest ones still turn many times over [0, 1]."""
    half = dim // 2
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=t.dtype, device=t.device) / half)
    angles = 1000.0 * t[:, None] * frequencies[None, :]  # (B, half)
    return torch.cat([angles.sin(), angles.cos()], dim=1)  # (B, 2 * half)


class ResidualBlock(nn.Module):
    def __init__(self, in_width: int, out_width: int, embedding_dim: int, groups: int):
        super().__init__()
        self.norm_in = nn.GroupNorm(groups, in_width)
        self.conv_in = nn.Conv2d(in_width, out_width, 3, padding=1)
        self.scale_shift = nn.Linear(embedding_dim, 2 * out_width)
        self.norm_out = nn.GroupNorm(groups, out_width)
        self.conv_out = nn.Conv2d(out_width, out_width, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)  # each block starts as the identity: a deep stack trains from step 1
        nn.init.zeros_(self.conv_out.bias)
        self.skip = nn.Identity() if in_width == out_width else nn.Conv2d(in_width, out_width, 1)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(F.silu(self.norm_in(x)))  # (B, out, H, W)
        scale, shift = self.scale_shift(F.silu(embedding))[:, :, None, None].chunk(2, dim=1)  # (B, out, 1, 1) each
        h = self.norm_out(h) * (1 + scale) + shift
        return self.skip(x) + self.conv_out(F.silu(h))


class SelfAttention(nn.Module):
    """Multi-head self-attention over the H * W positions, heads of 32 channels, as a residual."""

    def __init__(self, width: int, groups: int):
        super().__init__()
        self.heads = max(1, width // 32)
        self.norm = nn.GroupNorm(groups, width)
        self.qkv = nn.Conv2d(width, 3 * width, 1)
        self.out = nn.Conv2d(width, width, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, width, height, breadth = x.shape
        qkv = self.qkv(self.norm(x)).reshape(batch, 3, self.heads, width // self.heads, height * breadth)
        q, k, v = (qkv[:, i].transpose(-1, -2) for i in range(3))  # (B, heads, HW, width / heads) each
        attended = F.scaled_dot_product_attention(q, k, v)
        return x + self.out(attended.transpose(-1, -2).reshape(batch, width, height, breadth))


class Level(nn.Module):
    """One resolution's residual blocks (and attention where it is on)."""

    def __init__(self, in_width: int, width: int, count: int, config: UNetConfig, attention: bool):
        super().__init__()
        widths = [in_width] + [width] * count
        self.blocks = nn.ModuleList(ResidualBlock(a, b, config.embedding_dim, config.num_groups)
                                    for a, b in zip(widths[:-1], widths[1:]))
        self.attention = SelfAttention(width, config.num_groups) if attention else nn.Identity()

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, embedding)
        return self.attention(x)


class UNet(nn.Module):
    def __init__(self, config: UNetConfig):
        super().__init__()
        self.config = config
        widths, count, embedding_dim = config.widths, config.blocks_per_level, config.embedding_dim
        sizes = [64 // 2**level for level in range(len(widths))]
        attend = [config.attention_at_16 and size == ATTENTION_SIZE for size in sizes]
        self.time_mlp = nn.Sequential(nn.Linear(2 * (embedding_dim // 2), embedding_dim), nn.SiLU(),
                                      nn.Linear(embedding_dim, embedding_dim))
        self.hair_embedding = nn.Embedding(NUM_HAIR + 1, embedding_dim)  # + the null row
        self.eye_embedding = nn.Embedding(NUM_EYES + 1, embedding_dim)
        self.stem = nn.Conv2d(3, widths[0], 3, padding=1)
        self.down = nn.ModuleList(Level(widths[max(i - 1, 0)], widths[i], count, config, attend[i])
                                  for i in range(len(widths)))
        self.downsample = nn.ModuleList(nn.Conv2d(w, w, 3, stride=2, padding=1) for w in widths[:-1])
        self.middle = Level(widths[-1], widths[-1], 2, config, config.attention_at_16 and sizes[-1] == ATTENTION_SIZE)
        self.up = nn.ModuleList(Level(2 * widths[i], widths[i], count, config, attend[i]) for i in range(len(widths)))
        self.upsample = nn.ModuleList(nn.Conv2d(widths[i + 1], widths[i], 3, padding=1)
                                      for i in range(len(widths) - 1))
        self.head = nn.Sequential(nn.GroupNorm(config.num_groups, widths[0]), nn.SiLU(),
                                  nn.Conv2d(widths[0], 3, 3, padding=1))
        nn.init.zeros_(self.head[-1].weight)  # velocity 0 at the start: the loss begins at E|noise - x0|^2
        nn.init.zeros_(self.head[-1].bias)

    def embed(self, t: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
        features = time_features(t, 2 * (self.config.embedding_dim // 2))
        return self.time_mlp(features) + self.hair_embedding(hair) + self.eye_embedding(eyes)  # (B, E)

    def forward(self, x: torch.Tensor, t: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
        """x (B, 3, 64, 64), t (B,), hair and eyes (B,) long (NULL_HAIR / NULL_EYES: no tag)
        -> velocity (B, 3, 64, 64)."""
        embedding = self.embed(t.to(x.dtype), hair, eyes)
        h = self.stem(x)  # (B, widths[0], 64, 64)
        kept = []
        for level, down in enumerate(self.down):
            h = down(h, embedding)  # (B, widths[level], 64 / 2^level, same)
            kept.append(h)
            if level < len(self.downsample):
                h = self.downsample[level](h)  # half the size
        h = self.middle(h, embedding)
        for level in reversed(range(len(self.up))):
            h = self.up[level](torch.cat([h, kept[level]], dim=1), embedding)  # (B, widths[level], ...)
            if level > 0:
                h = self.upsample[level - 1](F.interpolate(h, scale_factor=2.0, mode="nearest"))  # twice the size
        return self.head(h)
