"""Networks: parameter counts by hand, shapes for every configuration, autocast, state dicts."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from hw3.errors import InputError
from hw3.models import (
    CONDITION_ENCODERS,
    Discriminator,
    DiscriminatorConfig,
    Generator,
    GeneratorConfig,
    build_condition_encoder,
)
from hw3.tags import NUM_EYES, NUM_HAIR




def count_parameters(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def conv_weights(in_channels: int, out_channels: int, kernel: int = 4) -> int:
    return in_channels * out_channels * kernel * kernel


def tags(batch_size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    rng = torch.Generator().manual_seed(seed)
    return (torch.randint(0, NUM_HAIR, (batch_size,), generator=rng),
            torch.randint(0, NUM_EYES, (batch_size,), generator=rng))


# ---------------------------------------------------------------- parameter counts


def test_unconditional_generator_parameter_count_matches_the_dcgan_paper_layout():
    # Biasless transposed convs 100 -> 512 -> 256 -> 128 -> 64 -> 3, and BN gain + shift per channel.
    convs = (conv_weights(100, 512) + conv_weights(512, 256) + conv_weights(256, 128)
             + conv_weights(128, 64) + conv_weights(64, 3))
    batch_norms = 2 * (512 + 256 + 128 + 64)
    assert convs == 3_574_784 and batch_norms == 1_920
    assert count_parameters(Generator(GeneratorConfig())) == 3_576_704


def test_conditional_generator_parameter_counts():
    widths = (512, 256, 128, 64)
    later_convs = conv_weights(512, 256) + conv_weights(256, 128) + conv_weights(128, 64) + conv_weights(64, 3)
    # One-hot condition (23) joins z; conditional BN: two biasless 23 -> C linears, no own affine.
    with_cbn = conv_weights(123, 512) + later_convs + sum(2 * 23 * c for c in widths)
    assert with_cbn == 3_807_360
    assert count_parameters(Generator(GeneratorConfig(condition="onehot"))) == with_cbn
    plain_bn = conv_weights(123, 512) + later_convs + sum(2 * c for c in widths)
    config = GeneratorConfig(condition="onehot", conditional_batch_norm=False)
    assert count_parameters(Generator(config)) == plain_bn == 3_765_120
    # Learned embeddings: 12*32 + 11*32 weights, a 64-d condition.
    embedding = (12 + 11) * 32 + conv_weights(164, 512) + later_convs + sum(2 * 64 * c for c in widths)
    assert count_parameters(Generator(GeneratorConfig(condition="embedding", embedding_dim=32))) == embedding


def test_discriminator_parameter_count():
    # First conv and the logit conv carry a bias (no norm follows them); BN convs do not.
    convs = (conv_weights(3, 64) + 64 + conv_weights(64, 128) + conv_weights(128, 256)
             + conv_weights(256, 512) + conv_weights(512, 1) + 1)
    batch_norms = 2 * (128 + 256 + 512)
    assert convs + batch_norms == 2_765_633
    assert count_parameters(Discriminator(DiscriminatorConfig())) == 2_765_633
    concat = DiscriminatorConfig(conditioning="concat", aux_heads=True)
    # The heads read the flattened 4x4 map: 16 * 512 inputs each.
    joint_and_heads = (512 + 23) * 512 + 512 + (16 * 512 * 12 + 12) + (16 * 512 * 11 + 11)
    assert count_parameters(Discriminator(concat)) == 2_765_633 + joint_and_heads
    projection = DiscriminatorConfig(conditioning="projection", norm="none")
    no_norm = convs + 128 + 256 + 512  # conv biases replace the norms
    assert count_parameters(Discriminator(projection)) == no_norm + (12 + 11) * 512


# ---------------------------------------------------------------- generator


def test_generator_shapes_range_and_tag_checks():
    z = torch.randn(3, 100, generator=torch.Generator().manual_seed(1))
    hair, eyes = tags(3)
    images = Generator(GeneratorConfig(ngf=8))(z)
    assert images.shape == (3, 3, 64, 64)
    assert images.abs().max() <= 1
    conditional = Generator(GeneratorConfig(ngf=8, condition="embedding", embedding_dim=4))
    assert conditional(z, hair, eyes).shape == (3, 3, 64, 64)
    with pytest.raises(ValueError, match="conditional but got no tags"):
        conditional(z)
    with pytest.raises(ValueError, match="unconditional but got hair/eye tags"):
        Generator(GeneratorConfig(ngf=8))(z, hair, eyes)
    with pytest.raises(ValueError, match="expected torch.int64 of shape"):
        conditional(z, hair[:2], eyes[:2])
    with pytest.raises(ValueError, match=r"expected \(B, 100\)"):
        conditional(z[:, :50], hair, eyes)


def test_generator_init_follows_the_paper():
    generator = Generator(GeneratorConfig())
    conv = generator.blocks[1].conv.weight
    assert abs(conv.mean().item()) < 1e-3 and conv.std().item() == pytest.approx(0.02, rel=0.02)
    gain = generator.blocks[0].norm.weight
    assert gain.mean().item() == pytest.approx(1, abs=0.01) and gain.std().item() == pytest.approx(0.02, rel=0.3)
    assert torch.all(generator.blocks[0].norm.bias == 0)


def test_conditional_batch_norm_lets_the_eye_tag_change_the_image():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8, condition="onehot")).eval()
    z = torch.randn(1, 100).expand(2, 100)
    images = generator(z, torch.tensor([3, 3]), torch.tensor([0, 10]))
    assert not torch.allclose(images[0], images[1])
    # The eye one-hot reaches every block's gain, not only the input.
    for block in generator.blocks:
        assert block.norm.gain.weight.shape[1] == NUM_HAIR + NUM_EYES


# ---------------------------------------------------------------- discriminator

ALL_DISCRIMINATORS = list(itertools.product(
    ("none", "concat", "projection"), (False, True), (False, True), ("batch", "layer", "none")
))


@pytest.mark.parametrize("conditioning, aux_heads, spectral_norm, norm", ALL_DISCRIMINATORS)
def test_discriminator_output_shapes(conditioning, aux_heads, spectral_norm, norm):
    config = DiscriminatorConfig(ndf=8, conditioning=conditioning, aux_heads=aux_heads,
                                 spectral_norm=spectral_norm, norm=norm, condition="embedding", embedding_dim=4)
    discriminator = Discriminator(config)
    images = torch.rand(3, 3, 64, 64) * 2 - 1
    output = discriminator(images, *(tags(3) if conditioning != "none" else ()))
    assert output.logits.shape == (3,)
    if aux_heads:
        assert output.hair_logits.shape == (3, 12) and output.eye_logits.shape == (3, 11)
    else:
        assert output.hair_logits is None and output.eye_logits is None
    assert discriminator.features(images).shape == (3, 64, 4, 4)  # phi: (B, 8ndf, 4, 4)


def test_discriminator_tag_checks():
    images = torch.zeros(2, 3, 64, 64)
    with pytest.raises(ValueError, match="conditional but got no tags"):
        Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection"))(images)
    with pytest.raises(ValueError, match="unconditional"):
        Discriminator(DiscriminatorConfig(ndf=8))(images, *tags(2))
    with pytest.raises(ValueError, match=r"expected \(B, 3, 64, 64\)"):
        Discriminator(DiscriminatorConfig(ndf=8))(torch.zeros(2, 3, 32, 32))


def test_projection_logit_difference_is_the_embedding_difference_dotted_with_pooled_features():
    torch.manual_seed(0)
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection", norm="none"))
    image = torch.rand(1, 3, 64, 64).expand(2, -1, -1, -1)
    logits = discriminator(image, torch.tensor([2, 5]), torch.tensor([4, 4])).logits
    pooled = discriminator.features(image[:1]).mean(dim=(2, 3))[0]  # (8ndf,)
    embedding = discriminator.hair_projection.weight
    expected = torch.dot(embedding[2] - embedding[5], pooled)
    assert (logits[0] - logits[1]).item() == pytest.approx(expected.item(), rel=1e-4, abs=1e-6)


def test_concat_discriminator_reads_the_tags():
    torch.manual_seed(0)
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, conditioning="concat", norm="none"))
    image = torch.rand(1, 3, 64, 64).expand(2, -1, -1, -1)
    logits = discriminator(image, torch.tensor([1, 1]), torch.tensor([0, 7])).logits
    assert logits[0] != logits[1]


def test_aux_heads_return_raw_logits():
    torch.manual_seed(0)
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, aux_heads=True, norm="none"))
    output = discriminator(torch.rand(4, 3, 64, 64) * 2 - 1)
    # Softmax outputs would be positive and sum to 1 per row; raw logits do neither.
    assert (output.hair_logits < 0).any()
    assert not torch.allclose(output.hair_logits.sum(dim=1), torch.ones(4))
    assert not torch.allclose(output.eye_logits.exp().sum(dim=1), torch.ones(4))


def test_spectral_norm_covers_every_real_fake_layer_and_normalises_it():
    config = DiscriminatorConfig(ndf=8, conditioning="projection", aux_heads=True, spectral_norm=True, norm="none")
    discriminator = Discriminator(config)
    aux_heads = {discriminator.hair_head, discriminator.eye_head}
    layers = [m for m in discriminator.modules()
              if isinstance(m, (nn.Conv2d, nn.Linear, nn.Embedding)) and m not in aux_heads]
    assert len(layers) == 4 + 1 + 2  # convs, head, two projections
    for head in aux_heads:  # the classifier heads never reach the real/fake logit
        assert not torch.nn.utils.parametrize.is_parametrized(head, "weight")
    for layer in layers:
        assert torch.nn.utils.parametrize.is_parametrized(layer, "weight")
        largest = torch.linalg.matrix_norm(layer.weight.detach().flatten(1), ord=2).item()
        assert largest == pytest.approx(1.0, abs=0.1)


def test_spectral_norm_leaves_the_concat_condition_encoder_alone():
    config = DiscriminatorConfig(ndf=8, conditioning="concat", condition="embedding", spectral_norm=True)
    discriminator = Discriminator(config)
    assert not torch.nn.utils.parametrize.is_parametrized(discriminator.condition_encoder.hair_embedding)
    assert torch.nn.utils.parametrize.is_parametrized(discriminator.joint[0], "weight")


# ---------------------------------------------------------------- memory format, autocast, state dicts


@pytest.mark.parametrize("dtype", [torch.bfloat16])
def test_channels_last_and_autocast_forward(dtype):
    torch.manual_seed(0)
    hair, eyes = tags(2)
    generator = Generator(GeneratorConfig(ngf=8, condition="onehot")).to(memory_format=torch.channels_last)
    critics = [
        Discriminator(DiscriminatorConfig(ndf=8, conditioning="concat", norm="batch", aux_heads=True)),
        Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection", norm="layer", spectral_norm=True)),
    ]
    z = torch.randn(2, 100)
    reference = generator(z, hair, eyes)
    with torch.autocast("cpu", dtype=dtype):
        images = generator(z, hair, eyes).contiguous(memory_format=torch.channels_last)
        assert images.shape == (2, 3, 64, 64) and torch.isfinite(images).all()
        assert (images.float() - reference).abs().max() < 0.1  # bf16 is coarse, not wrong
        for critic in critics:
            critic = critic.to(memory_format=torch.channels_last)
            output = critic(images, hair, eyes)
            assert output.logits.shape == (2,) and torch.isfinite(output.logits).all()


def test_state_dicts_are_plain_and_round_trip():
    for model in (Generator(GeneratorConfig(ngf=8, condition="embedding")),
                  Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection", spectral_norm=True,
                                                    aux_heads=True))):
        state = model.state_dict()
        assert not any(key.startswith(("module.", "_orig_mod.")) for key in state)
        twin = type(model)(model.config)
        twin.load_state_dict(state)
        model.eval(), twin.eval()
        if isinstance(model, Generator):
            arguments = (torch.randn(2, 100), *tags(2))
            assert torch.equal(model(*arguments), twin(*arguments))
        else:
            arguments = (torch.rand(2, 3, 64, 64), *tags(2))
            assert torch.equal(model(*arguments).logits, twin(*arguments).logits)


# ---------------------------------------------------------------- condition encoders and configs


def test_condition_encoders():
    hair, eyes = torch.tensor([0, 11]), torch.tensor([10, 3])
    onehot = build_condition_encoder("onehot")
    vectors = onehot(hair, eyes)
    assert onehot.output_dim == 23 and vectors.shape == (2, 23) and vectors.dtype == torch.float32
    assert vectors[0].nonzero().flatten().tolist() == [0, 12 + 10]
    assert vectors[1].nonzero().flatten().tolist() == [11, 12 + 3]
    learned = build_condition_encoder("embedding", embedding_dim=5)
    assert learned.output_dim == 10 and learned(hair, eyes).shape == (2, 10)
    assert set(CONDITION_ENCODERS) >= {"onehot", "embedding"}
    with pytest.raises(InputError, match="unknown kind 'fasttxt'"):
        build_condition_encoder("fasttxt")


@pytest.mark.parametrize("make, message", [
    (lambda: GeneratorConfig(condition="word2vec"), "GeneratorConfig.condition"),
    (lambda: GeneratorConfig(ngf=0), "GeneratorConfig.ngf"),
    (lambda: DiscriminatorConfig(conditioning="concatenate"), "DiscriminatorConfig.conditioning"),
    (lambda: DiscriminatorConfig(norm="instance"), "DiscriminatorConfig.norm"),
    (lambda: DiscriminatorConfig(condition="bag"), "DiscriminatorConfig.condition"),
])
def test_bad_configs_raise_one_line_input_errors(make, message):
    with pytest.raises(InputError, match=message) as caught:
        make()
    assert "\n" not in str(caught.value) and "expected" in str(caught.value)
