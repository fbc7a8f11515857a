"""DCGAN discriminator / WGAN critic with three ways to read the tags and optional ACGAN heads.

images (B, 3, 64, 64) -> strided convs 64 -> 32 -> 16 -> 8 -> 4 -> features phi (B, 8ndf, 4, 4), then
  "none":       conv 4x4 -> logit
  "concat":     condition tiled to 4x4, joined to phi, conv 1x1 + LeakyReLU, conv 4x4 -> logit
  "projection": conv 4x4 (phi) + <embed_hair(hair), h> + <embed_eyes(eyes), h>  (Miyato & Koyama 2018)
where h = phi averaged over space (B, 8ndf). ACGAN heads read phi flattened (B, 16 * 8ndf), not h,
and return raw class logits: averaging over space mixes the iris into the hair that surrounds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as add_spectral_norm

from hw3.bounds import bounded
from hw3.errors import InputError
from hw3.models.conditioning import (
    CONDITION_ENCODERS,
    DEFAULT_EMBEDDING_DIM,
    TagReadingDiscriminator,
    build_condition_encoder,
)
from hw3.models.generator import ARCHITECTURES, check_r3gan_sizes
from hw3.models.weight_init import dcgan_init_
from hw3.tags import NUM_EYES, NUM_HAIR

CONDITIONINGS = ("none", "concat", "projection")
NORMS = ("batch", "layer", "none")


@dataclass
class DiscriminatorConfig:
    ndf: int = bounded(64, 1, 512)  # channels of the first layer; the last has 8 * ndf
    conditioning: str = bounded("none", choices=CONDITIONINGS)
    condition: str = bounded("onehot", choices=tuple(CONDITION_ENCODERS))  # encoder kind, read by "concat" only
    embedding_dim: int = bounded(DEFAULT_EMBEDDING_DIM, 1, 1024)  # per attribute, for condition="embedding"
    aux_heads: bool = False  # ACGAN: hair (12) and eye (11) classifier heads
    spectral_norm: bool = False
    norm: str = bounded("batch", choices=NORMS)  # a gradient-penalty critic must not use "batch" (per-sample gradients)
    # "dcgan": this module's network; "r3gan": the residual, normalisation-free D of Huang et al.
    # 2024 (hw3/models/r3gan.py), which reads conditioning ("none" or "projection"), aux_heads and
    # the fields below, and has no norm.
    architecture: str = bounded("dcgan", choices=ARCHITECTURES)
    r3gan_width: int = bounded(32, 2, 2048)  # channels of the 32x32 to 4x4 stages; the 64x64 stage has half
    r3gan_blocks: int = bounded(1, 1, 16)  # residual blocks per stage (the paper: 2)
    r3gan_group_size: int = bounded(16, 1, 2048)  # channels per group of each block's 3x3 conv (the paper: 16)
    r3gan_expansion: int = bounded(2, 1, 16)  # a block's inner width / its stage's width (the paper: 2)

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise InputError(f"DiscriminatorConfig.architecture: unknown '{self.architecture}' "
                             f"(expected one of: {', '.join(ARCHITECTURES)})")
        if self.architecture == "r3gan":
            check_r3gan_sizes("DiscriminatorConfig", self.r3gan_width, self.r3gan_group_size, self.r3gan_expansion)
            if self.spectral_norm or self.conditioning == "concat":
                raise InputError("DiscriminatorConfig: architecture 'r3gan' has no spectral norm and reads tags by "
                                 "projection (expected spectral_norm = false and conditioning 'none' or 'projection')")
        for name, allowed in (("conditioning", CONDITIONINGS), ("norm", NORMS),
                              ("condition", tuple(CONDITION_ENCODERS))):
            if getattr(self, name) not in allowed:
                raise InputError(
                    f"DiscriminatorConfig.{name}: unknown value '{getattr(self, name)}' "
                    f"(expected one of: {', '.join(allowed)})"
                )
        for name in ("ndf", "embedding_dim"):
            if getattr(self, name) < 1:
                raise InputError(
                    f"DiscriminatorConfig.{name}: {getattr(self, name)} (expected a positive integer)"
                )


class DiscriminatorOutput(NamedTuple):
    logits: torch.Tensor  # (B,) real/fake logit or critic value
    hair_logits: torch.Tensor | None  # (B, 12) raw logits when aux_heads
    eye_logits: torch.Tensor | None  # (B, 11)


def _norm_layer(norm: str, channels: int) -> nn.Module:
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "layer":
        return nn.GroupNorm(1, channels)  # layer norm over (C, H, W), per-channel gain and shift
    return nn.Identity()


def _down_block(in_channels: int, out_channels: int, norm: str) -> nn.Sequential:
    """Conv 4x4 stride 2 -> norm -> LeakyReLU(0.2); the conv has a bias only without a norm."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=norm == "none"),
        _norm_layer(norm, out_channels),
        nn.LeakyReLU(0.2, inplace=True),
    )


class Discriminator(TagReadingDiscriminator):
    def __init__(self, config: DiscriminatorConfig):
        super().__init__()
        self.config = config
        ndf, norm = config.ndf, config.norm
        feature_dim = 8 * ndf
        self.features = nn.Sequential(
            _down_block(3, ndf, "none"),  # 64 -> 32; no norm on the first layer (DCGAN)
            _down_block(ndf, 2 * ndf, norm),  # 32 -> 16
            _down_block(2 * ndf, 4 * ndf, norm),  # 16 -> 8
            _down_block(4 * ndf, 8 * ndf, norm),  # 8 -> 4
        )
        self.condition_encoder = None
        if config.conditioning == "concat":
            self.condition_encoder = build_condition_encoder(config.condition, config.embedding_dim)
            self.joint = nn.Sequential(
                nn.Conv2d(feature_dim + self.condition_encoder.output_dim, feature_dim, 1),
                nn.LeakyReLU(0.2, inplace=True),
            )
        if config.conditioning == "projection":
            self.hair_projection = nn.Embedding(NUM_HAIR, feature_dim)
            self.eye_projection = nn.Embedding(NUM_EYES, feature_dim)
        self.head = nn.Conv2d(feature_dim, 1, 4, 1, 0)  # (B, 8ndf, 4, 4) -> (B, 1, 1, 1)
        if config.aux_heads:
            # Where a colour sits tells iris from hair: trained on real images alone, heads on the
            # flattened map reached 54 % eye accuracy in 400 steps, heads on the pooled h 9 %
            # (scripts/probe_aux_heads.py).
            self.hair_head = nn.Linear(16 * feature_dim, NUM_HAIR)
            self.eye_head = nn.Linear(16 * feature_dim, NUM_EYES)
        dcgan_init_(self)
        if config.conditioning == "projection":
            # Same small scale as the other weights, so the projection term starts near the head's.
            nn.init.normal_(self.hair_projection.weight, std=0.02)
            nn.init.normal_(self.eye_projection.weight, std=0.02)
        if config.spectral_norm:
            self._add_spectral_norm()

    def _add_spectral_norm(self) -> None:
        # The condition encoder feeds inputs, not the image path, so it keeps plain weights; the
        # ACGAN heads do not feed the real/fake logit, whose smoothness is what the norm is for.
        plain_layers = set() if self.condition_encoder is None else set(self.condition_encoder.modules())
        if self.config.aux_heads:
            plain_layers |= {self.hair_head, self.eye_head}
        for layer in list(self.modules()):
            if isinstance(layer, (nn.Conv2d, nn.Linear, nn.Embedding)) and layer not in plain_layers:
                add_spectral_norm(layer)

    def forward(self, images: torch.Tensor, hair: torch.Tensor | None = None,
                eyes: torch.Tensor | None = None) -> DiscriminatorOutput:
        self.check_inputs(images, hair, eyes)
        phi = self.features(images)  # (B, 8ndf, 4, 4)
        # Mean, not Miyato's sum: a constant factor the embeddings absorb, and under the N(0, 0.02)
        # init it starts the projection and class logits at the head's scale instead of 16x above.
        pooled = phi.mean(dim=(2, 3))  # h: (B, 8ndf)
        if self.config.conditioning == "concat":
            condition = self.condition_encoder(hair, eyes).to(phi.dtype)  # (B, C)
            tiled = condition[:, :, None, None].expand(-1, -1, *phi.shape[2:])  # (B, C, 4, 4)
            logits = self.head(self.joint(torch.cat([phi, tiled], dim=1))).flatten()  # (B,)
        else:
            logits = self.head(phi).flatten()  # (B,)
        if self.config.conditioning == "projection":
            projection = self.hair_projection(hair) + self.eye_projection(eyes)  # (B, 8ndf)
            logits = logits + (projection * pooled).sum(dim=1)
        hair_logits = eye_logits = None
        if self.config.aux_heads:
            spatial = phi.flatten(1)  # (B, 16 * 8ndf)
            hair_logits = self.hair_head(spatial)  # (B, 12), unnormalised
            eye_logits = self.eye_head(spatial)  # (B, 11)
        return DiscriminatorOutput(logits, hair_logits, eye_logits)
