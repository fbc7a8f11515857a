"""R3GAN's networks (blocks, fix-up initialisation, no normalisation, bilinear resampling), its
loss by hand with the gamma schedule, the factory, and a tiny run through the shared loop."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from hw3.errors import InputError
from hw3.losses import GANLoss, LossConfig, penalty_weight_at
from hw3.models import (
    Discriminator, DiscriminatorConfig, DiscriminatorOutput, Generator, GeneratorConfig, R3GANDiscriminator,
    R3GANGenerator, build_discriminator, build_generator,
)
from hw3.models.r3gan import LEAKY_GAIN, BilinearResample, ResidualBlock

REPO = Path(__file__).resolve().parents[1]
TINY_R3GAN = [
    "generator.r3gan_width=8", "discriminator.r3gan_width=8", "generator.r3gan_group_size=4",
    "discriminator.r3gan_group_size=4", "generator.z_dim=8", "generator.embedding_dim=4", "batch_size=4",
    "log_every=1", "sample_every=1000", "checkpoint_every=3", "evaluation.every=0",
]


def tiny_generator(condition: str | None = "embedding", **more) -> R3GANGenerator:
    return build_generator(GeneratorConfig(architecture="r3gan", z_dim=8, condition=condition, embedding_dim=4,
                                           r3gan_width=8, r3gan_group_size=4, **more))


def tiny_discriminator(conditioning: str = "projection", **more) -> R3GANDiscriminator:
    return build_discriminator(DiscriminatorConfig(architecture="r3gan", conditioning=conditioning,
                                                   r3gan_width=8, r3gan_group_size=4, **more))


def tags(batch_size: int = 3):
    rng = torch.Generator().manual_seed(1)
    return torch.randint(12, (batch_size,), generator=rng), torch.randint(11, (batch_size,), generator=rng)


def test_a_block_keeps_its_shape_and_starts_as_its_shortcut():
    block = ResidualBlock(16, group_size=8, expansion=2, num_blocks=10)
    assert block.spatial.groups == 4 and block.expand.out_channels == 32  # 16 * 2 channels in 4 groups of 8
    x = torch.randn(2, 16, 8, 8)
    assert block(x).shape == (2, 16, 8, 8)
    assert torch.equal(block.branch(x), torch.zeros_like(x)) and torch.equal(block(x), x)


def test_fixup_scales_the_branch_by_the_number_of_blocks():
    block = ResidualBlock(64, group_size=16, expansion=4, num_blocks=16)
    for layer in (block.expand, block.spatial):
        fan_in = layer.weight[0].numel()  # 64 for the 1x1, 16 * 9 for the grouped 3x3
        expected = LEAKY_GAIN * 16 ** -0.25 / math.sqrt(fan_in)
        assert layer.weight.std().item() == pytest.approx(expected, rel=0.05)
    assert not block.project.weight.any()
    assert not any(layer.bias.any() for layer in (block.expand, block.spatial, block.project))


def test_every_block_of_both_networks_starts_as_its_shortcut():
    for network in (tiny_generator(), tiny_discriminator()):
        blocks = [m for m in network.modules() if isinstance(m, ResidualBlock)]
        assert len(blocks) == 5  # one per stage at 4, 8, 16, 32, 64 pixels
        for block in blocks:
            x = torch.randn(2, block.expand.in_channels, 4, 4)
            assert torch.equal(block.branch(x), torch.zeros_like(x))


def test_network_shapes_and_range():
    z = torch.randn(3, 8)
    hair, eyes = tags()
    images = tiny_generator()(z, hair, eyes)
    assert images.shape == (3, 3, 64, 64) and images.abs().max() <= 1
    assert tiny_generator(condition=None)(z).shape == (3, 3, 64, 64)
    output = tiny_discriminator(aux_heads=True)(images, hair, eyes)
    assert isinstance(output, DiscriminatorOutput) and output.logits.shape == (3,)
    assert output.hair_logits.shape == (3, 12) and output.eye_logits.shape == (3, 11)
    plain = tiny_discriminator("none")(images)
    assert plain.logits.shape == (3,) and plain.hair_logits is None
    assert tiny_generator().is_conditional and not tiny_generator(condition=None).is_conditional
    assert tiny_discriminator().is_conditional and not tiny_discriminator("none").is_conditional
    with pytest.raises(ValueError, match="conditional but got no tags"):
        tiny_discriminator()(images)


def test_draw_is_forward_from_an_encoded_condition():
    generator, z, (hair, eyes) = tiny_generator(), torch.randn(3, 8), tags()
    condition = generator.condition_encoder(hair, eyes)
    assert torch.equal(generator.draw(z, condition), generator(z, hair, eyes))


def test_the_discriminator_reads_each_tag_through_its_own_projection():
    discriminator, images = tiny_discriminator(), torch.rand(2, 3, 64, 64) * 2 - 1
    hair, eyes = torch.tensor([0, 0]), torch.tensor([0, 0])
    with torch.no_grad():
        before = discriminator(images, hair, eyes).logits
        discriminator.eye_projection.weight[0] += 1.0
        after = discriminator(images, hair, eyes).logits
    assert not torch.equal(before, after)


NORMALISATION = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm, nn.modules.instancenorm._InstanceNorm)


def test_no_normalisation_layer_nor_spectral_norm_anywhere():
    for network in (tiny_generator(), tiny_generator(condition="onehot"), tiny_discriminator(aux_heads=True),
                    tiny_discriminator("none")):
        modules = list(network.modules())
        assert not [m for m in modules if isinstance(m, NORMALISATION)]
        assert not [m for m in modules if parametrize.is_parametrized(m)]
        assert not [name for name, _ in network.named_parameters() if "weight_orig" in name]


def test_bilinear_resampling_and_no_transposed_or_strided_conv():
    for network, scale in ((tiny_generator(), 2.0), (tiny_discriminator(), 0.5)):
        modules = list(network.modules())
        assert [m.scale for m in modules if isinstance(m, BilinearResample)] == [scale] * 4  # 4 -> 64 or back
        assert not [m for m in modules if isinstance(m, nn.ConvTranspose2d)]
        assert all(m.stride == (1, 1) for m in modules if isinstance(m, nn.Conv2d))


def test_resampling_is_torchs_bilinear_interpolation():
    x = torch.randn(2, 5, 16, 16)
    down = F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False, antialias=True)
    assert torch.allclose(BilinearResample(0.5)(x), down, atol=1e-6)
    up = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
    assert torch.equal(BilinearResample(2.0)(x), up)


def test_the_penalties_differentiate_twice_through_the_discriminator():
    discriminator, images = tiny_discriminator(), (torch.rand(2, 3, 64, 64) * 2 - 1).requires_grad_(True)
    hair, eyes = tags(2)
    with torch.no_grad():  # a live last layer, or the double backward has nothing to reach
        for block in discriminator.modules():
            if isinstance(block, ResidualBlock):
                block.project.weight.normal_(0, 0.1)
    (gradient,) = torch.autograd.grad(discriminator(images, hair, eyes).logits.sum(), images, create_graph=True)
    gradient.square().sum().backward()
    assert discriminator.from_rgb.weight.grad.abs().sum() > 0


class LinearCritic(nn.Module):
    """critic(x) = <w, x>: its input gradient is w for every image, so R1 = R2 = ||w||^2."""

    is_conditional = False

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.linspace(-1, 1, 3 * 64 * 64) / 64)

    def forward(self, images, hair=None, eyes=None):
        return DiscriminatorOutput(images.flatten(1) @ self.w, None, None)


class FlatGenerator(nn.Module):
    """Each image one grey level, tanh(z_0)."""

    is_conditional = False

    def forward(self, z, hair=None, eyes=None):
        return torch.tanh(z[:, :1, None, None]).expand(-1, 3, 64, 64)


class Batch:
    def __init__(self, real_images):
        self.real_images, self.hair, self.eyes = real_images, None, None


def test_relativistic_loss_with_scheduled_r1_and_r2_by_hand():
    critic, generator = LinearCritic(), FlatGenerator()
    real = torch.full((2, 3, 64, 64), 0.5)
    real[1] = -0.25
    z = torch.tensor([[0.3], [-1.2]])
    w_sum, w_square = critic.w.sum().item(), critic.w.square().sum().item()
    real_logits = [0.5 * w_sum, -0.25 * w_sum]  # a constant image c scores c * sum(w)
    fake_logits = [math.tanh(0.3) * w_sum, math.tanh(-1.2) * w_sum]
    softplus = lambda t: math.log1p(math.exp(t))  # noqa: E731
    adversarial = sum(softplus(f - r) for f, r in zip(fake_logits, real_logits)) / 2
    config = LossConfig(objective="relativistic", r1_weight=2.0, r2_weight=0.5, r_weight_final=0.2,
                        r_weight_decay_images=1000)
    loss = GANLoss(config)
    value, stats = loss.discriminator_loss(generator, critic, Batch(real), z, torch.Generator())
    assert stats["r1"].item() == pytest.approx(w_square, rel=1e-5)
    assert stats["r2"].item() == pytest.approx(w_square, rel=1e-5)
    assert value.item() == pytest.approx(adversarial + 0.5 * (2.0 + 0.5) * w_square, rel=1e-5)
    loss.set_progress(500)  # halfway through the cosine: 0.2 + (2.0 - 0.2) / 2 and 0.2 + (0.5 - 0.2) / 2
    value, _ = loss.discriminator_loss(generator, critic, Batch(real), z, torch.Generator())
    assert value.item() == pytest.approx(adversarial + 0.5 * (1.1 + 0.35) * w_square, rel=1e-5)
    g_value, _ = loss.generator_loss(generator, critic, Batch(real), z, torch.Generator())
    expected_g = sum(softplus(r - f) for f, r in zip(fake_logits, real_logits)) / 2
    assert g_value.item() == pytest.approx(expected_g, rel=1e-5)


def test_penalty_weight_schedule_by_hand():
    config = LossConfig(r1_weight=2.0, r2_weight=0.5, r_weight_final=0.2, r_weight_decay_images=1000)
    assert penalty_weight_at(config, 0) == (2.0, 0.5)
    # 250 images: 0.5 * (1 + cos(pi / 4)) = 0.8535534 of the way back from the final value
    assert penalty_weight_at(config, 250) == pytest.approx((1.7363961, 0.4560660))
    assert penalty_weight_at(config, 500) == pytest.approx((1.1, 0.35))
    assert penalty_weight_at(config, 1000) == pytest.approx((0.2, 0.2))
    assert penalty_weight_at(config, 10**7) == pytest.approx((0.2, 0.2))  # stays at the final value
    constant = dataclasses.replace(config, r_weight_decay_images=0)
    assert penalty_weight_at(constant, 10**7) == (2.0, 0.5)
    r1_only = dataclasses.replace(config, r2_weight=0.0)
    assert penalty_weight_at(r1_only, 500) == pytest.approx((1.1, 0.0))  # a weight of 0 stays off
    loss = GANLoss(config)
    assert (loss.r1_weight, loss.r2_weight) == (2.0, 0.5)
    loss.set_progress(1000)
    assert (loss.r1_weight, loss.r2_weight) == pytest.approx((0.2, 0.2))


def test_new_fields_declare_their_bounds():
    for cls, names in ((GeneratorConfig, ("r3gan_width", "r3gan_blocks", "r3gan_group_size", "r3gan_expansion")),
                       (DiscriminatorConfig, ("r3gan_width", "r3gan_blocks", "r3gan_group_size", "r3gan_expansion")),
                       (LossConfig, ("r_weight_final", "r_weight_decay_images"))):
        fields = {field.name: field for field in dataclasses.fields(cls)}
        for name in names + (("architecture",) if cls is not LossConfig else ()):
            assert "bounds" in fields[name].metadata, f"{cls.__name__}.{name}"


def test_bad_r3gan_sizes_and_conflicting_fields_are_one_line():
    with pytest.raises(InputError, match="r3gan_width 24 with r3gan_expansion 2 does not split"):
        GeneratorConfig(architecture="r3gan", r3gan_width=24, r3gan_group_size=16)
    with pytest.raises(InputError, match="architecture: unknown 'resnet'"):
        DiscriminatorConfig(architecture="resnet")
    with pytest.raises(InputError, match="no spectral norm"):
        DiscriminatorConfig(architecture="r3gan", spectral_norm=True)
    with pytest.raises(InputError, match="by projection"):
        DiscriminatorConfig(architecture="r3gan", conditioning="concat")


@pytest.mark.parametrize("variant", ["dcgan", "dcgan_sn", "cgan", "acgan", "wgan_gp"])
def test_the_factory_builds_existing_variants_exactly_as_before(variant):
    from hw3.train.config import load_config
    from hw3.train.loop import build_networks

    config = load_config(REPO / "configs" / f"{variant}.toml", ["channels_last=false"])
    generator, discriminator = build_networks(config, torch.device("cpu"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        direct_generator, direct_discriminator = Generator(config.generator), Discriminator(config.discriminator)
    for built, direct in ((generator, direct_generator), (discriminator, direct_discriminator)):
        assert type(built) is type(direct)
        expected = direct.state_dict()
        assert built.state_dict().keys() == expected.keys()
        assert all(torch.equal(value, expected[key]) for key, value in built.state_dict().items())


def test_a_tiny_r3gan_trains_two_steps_on_the_loop_and_exports(tiny_data_root, tmp_path):
    from hw3.sampling.export import export_generator
    from hw3.sampling.generator_file import load_generator
    from hw3.train.checkpoint import latest_checkpoint
    from hw3.train.config import load_config
    from hw3.train.loop import train

    config = load_config(REPO / "configs" / "r3gan.toml", TINY_R3GAN, {
        "data.root": str(tiny_data_root), "out_dir": str(tmp_path / "run"), "num_steps": 2, "device": "cpu"})
    assert config.generator.architecture == config.discriminator.architecture == "r3gan"
    result = train(config, progress=False)
    assert result.step == 2
    exported = export_generator(latest_checkpoint(tmp_path / "run"), tmp_path / "r3gan.safetensors")
    generator, meta = load_generator(exported)
    assert isinstance(generator, R3GANGenerator) and meta["generator"]["architecture"] == "r3gan"
    hair, eyes = tags(2)
    with torch.no_grad():
        images = generator(torch.randn(2, 8), hair, eyes)
    assert images.shape == (2, 3, 64, 64) and torch.isfinite(images).all()
