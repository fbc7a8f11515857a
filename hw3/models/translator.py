"""Image-to-image translator for style transfer: a face and target tags -> the face in those colours.

StarGAN's generator (Choi et al. 2018) made small enough to train on a laptop CPU, with two
changes that suit a task which recolours a few regions and must leave the rest alone:

images (B, 3, 64, 64) + target one-hots tiled (B, 23, 64, 64)
  -> conv 3x3 (ngf) @64 -> conv 4x4/2 (2ngf) @32 -> conv 4x4/2 (4ngf) @16, instance norm + ReLU
  -> target one-hots joined again, conv 1x1, then `num_residual` residual blocks @16
  -> transposed conv 4x4/2 @32, joined to the @32 encoder features (U-Net skip)
  -> transposed conv 4x4/2 @64, joined to the @64 encoder features
  -> conv 3x3 -> colour (3, tanh) and mask (1, sigmoid)
output = mask * colour + (1 - mask) * input   (GANimation's attention mask, Pumarola et al. 2018)

The skips carry the face's detail past the bottleneck, and the mask lets every pixel the
target does not concern be copied through exactly. The tags are given again at the bottleneck
because the eyes are a few pixels: a condition seen only at the input fades (as in the
generator's conditional batch norm).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from hw3.bounds import bounded, is_int
from hw3.errors import InputError
from hw3.models.conditioning import check_tags
from hw3.tags import NUM_EYES, NUM_HAIR

NUM_TAG_CHANNELS = NUM_HAIR + NUM_EYES  # 23


@dataclass
class TranslatorConfig:
    ngf: int = bounded(32, 1, 512)  # channels at 64 x 64; 2ngf at 32 and 4ngf at 16
    num_residual: int = bounded(2, 0, 64)  # residual blocks at 16 x 16

    def __post_init__(self):
        for name in ("ngf", "num_residual"):
            value = getattr(self, name)
            if not is_int(value) or value < (1 if name == "ngf" else 0):
                raise InputError(f"TranslatorConfig.{name}: {value!r} (expected a "
                                 f"{'positive' if name == 'ngf' else 'non-negative'} integer)")


def _tag_planes(hair: torch.Tensor, eyes: torch.Tensor, size: int, dtype: torch.dtype) -> torch.Tensor:
    one_hots = torch.cat([F.one_hot(hair, NUM_HAIR), F.one_hot(eyes, NUM_EYES)], dim=1).to(dtype)  # (B, 23)
    return one_hots[:, :, None, None].expand(-1, -1, size, size)  # (B, 23, size, size)


def _conv_block(in_channels: int, out_channels: int, kernel: int, stride: int, padding: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride, padding, bias=False),
        nn.InstanceNorm2d(out_channels, affine=True),  # per face: one face's colours never set another's
        nn.ReLU(inplace=True),
    )


def _up_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False),
        nn.InstanceNorm2d(out_channels, affine=True),
        nn.ReLU(inplace=True),
    )


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            _conv_block(channels, channels, 3, 1, 1),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.InstanceNorm2d(channels, affine=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Translator(nn.Module):
    def __init__(self, config: TranslatorConfig):
        super().__init__()
        self.config = config
        ngf = config.ngf
        self.encode_64 = _conv_block(3 + NUM_TAG_CHANNELS, ngf, 3, 1, 1)
        self.encode_32 = _conv_block(ngf, 2 * ngf, 4, 2, 1)
        self.encode_16 = _conv_block(2 * ngf, 4 * ngf, 4, 2, 1)
        self.join_tags = _conv_block(4 * ngf + NUM_TAG_CHANNELS, 4 * ngf, 1, 1, 0)
        self.residual = nn.Sequential(*(ResidualBlock(4 * ngf) for _ in range(config.num_residual)))
        self.decode_32 = _up_block(4 * ngf, 2 * ngf)
        self.decode_64 = _up_block(4 * ngf, ngf)  # input: decoded 2ngf + skip 2ngf
        self.to_colour_and_mask = nn.Conv2d(2 * ngf, 4, 3, 1, 1)  # input: decoded ngf + skip ngf
        for layer in self.modules():
            if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(layer.weight, 0.0, 0.02)
        # Start with the mask nearly closed: at first the translator copies its input, and it
        # opens the mask only where the tag and cycle losses ask it to.
        nn.init.constant_(self.to_colour_and_mask.bias[3:], -3.0)
        nn.init.zeros_(self.to_colour_and_mask.bias[:3])

    is_conditional = True

    def forward(self, images: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor,
                return_mask: bool = False):
        """images (B, 3, 64, 64) in [-1, 1], target tags (B,) -> translated (B, 3, 64, 64)
        [and the mask (B, 1, 64, 64) in [0, 1]]."""
        if images.dim() != 4 or images.shape[1:] != (3, 64, 64):
            raise ValueError(f"Translator: images have shape {tuple(images.shape)} (expected (B, 3, 64, 64))")
        check_tags("Translator", True, images.shape[0], hair, eyes)
        features_64 = self.encode_64(torch.cat([images, _tag_planes(hair, eyes, 64, images.dtype)], dim=1))
        features_32 = self.encode_32(features_64)  # (B, 2ngf, 32, 32)
        features_16 = self.encode_16(features_32)  # (B, 4ngf, 16, 16)
        bottleneck = self.join_tags(torch.cat([features_16, _tag_planes(hair, eyes, 16, images.dtype)], dim=1))
        decoded_32 = self.decode_32(self.residual(bottleneck))  # (B, 2ngf, 32, 32)
        decoded_64 = self.decode_64(torch.cat([decoded_32, features_32], dim=1))  # (B, ngf, 64, 64)
        out = self.to_colour_and_mask(torch.cat([decoded_64, features_64], dim=1))  # (B, 4, 64, 64)
        colour, mask = torch.tanh(out[:, :3]), torch.sigmoid(out[:, 3:])
        translated = mask * colour + (1.0 - mask) * images
        return (translated, mask) if return_mask else translated
