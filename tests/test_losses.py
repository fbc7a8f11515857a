"""Losses: objectives against hand-worked values, the gradient penalty on critics with known
gradients, pinned bugs (ACGAN on raw logits, wrong tags that equal the right ones), and a
short run on a tiny problem in which the discriminator's loss falls."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from hw3.errors import InputError
from hw3.losses import (
    GANLoss,
    HingeObjective,
    LossConfig,
    NonSaturatingObjective,
    WassersteinObjective,
    auxiliary_classification_loss,
    gradient_penalty,
    mismatched_tags,
)
from hw3.losses.mode_seeking import mode_seeking_loss, paired_tags
from hw3.models import Discriminator, DiscriminatorConfig, DiscriminatorOutput, Generator, GeneratorConfig
from hw3.tags import NUM_EYES, NUM_HAIR, NUM_PAIRS




@dataclass
class Batch:
    real_images: torch.Tensor
    hair: torch.Tensor | None
    eyes: torch.Tensor | None


# The shipped WGAN-GP config's loss (configs/wgan_gp.toml).
WGAN_GP_LOSS = LossConfig(objective="wasserstein", gradient_penalty_weight=10.0, n_critic=5)


def tiny_batch(batch_size: int = 8, seed: int = 0) -> Batch:
    """Images whose left half encodes the hair class and right half the eye class."""
    rng = torch.Generator().manual_seed(seed)
    hair = torch.randint(0, NUM_HAIR, (batch_size,), generator=rng)
    eyes = torch.randint(0, NUM_EYES, (batch_size,), generator=rng)
    images = torch.zeros(batch_size, 3, 64, 64)
    images[..., :32] = (hair.float() / 6 - 1)[:, None, None, None]
    images[..., 32:] = (eyes.float() / 5 - 1)[:, None, None, None]
    return Batch(images, hair, eyes)


def noise(batch_size: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(batch_size, 100, generator=torch.Generator().manual_seed(seed))


# ---------------------------------------------------------------- objectives by hand

LOG2 = math.log(2)


def test_non_saturating_bce_by_hand():
    objective = NonSaturatingObjective()
    zero = torch.zeros(4)
    assert objective.discriminator(zero, zero).item() == pytest.approx(2 * LOG2)
    assert objective.generator(zero).item() == pytest.approx(LOG2)
    # real logit 2 -> log(1 + e^-2); fake logit -1 -> log(1 + e^-1); G on fake -1 -> log(1 + e)
    value = objective.discriminator(torch.tensor([2.0]), torch.tensor([-1.0])).item()
    assert value == pytest.approx(math.log1p(math.exp(-2)) + math.log1p(math.exp(-1)))
    assert objective.generator(torch.tensor([-1.0])).item() == pytest.approx(math.log1p(math.e))
    # Stable for huge logits, and accepts bf16 logits.
    assert objective.real_term(torch.tensor([100.0], dtype=torch.bfloat16)).item() == pytest.approx(0, abs=1e-6)


def test_wasserstein_by_hand():
    objective = WassersteinObjective()
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, 2.0])
    assert objective.discriminator(real, fake).item() == pytest.approx(1 - 2)
    assert objective.generator(fake).item() == pytest.approx(-1)


def test_hinge_by_hand():
    objective = HingeObjective()
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])
    # real: relu(1-2)=0, relu(1-0.5)=0.5 -> 0.25; fake: relu(1-2)=0, relu(1+0)=1 -> 0.5
    assert objective.discriminator(real, fake).item() == pytest.approx(0.75)
    assert objective.generator(fake).item() == pytest.approx(1.0)


# ---------------------------------------------------------------- gradient penalty


def linear_critic(weight: torch.Tensor):
    return lambda images: (images * weight).flatten(1).sum(dim=1)  # D(x) = <w, x>


def test_gradient_penalty_of_a_linear_critic_with_norm_three():
    weight = torch.randn(3, 64, 64, generator=torch.Generator().manual_seed(0))
    weight = (3 * weight / weight.norm()).requires_grad_(True)
    real, fake = torch.rand(5, 3, 64, 64), torch.rand(5, 3, 64, 64)
    penalty, gradient_norm = gradient_penalty(linear_critic(weight), real, fake, torch.Generator().manual_seed(1))
    assert penalty.item() == pytest.approx((3 - 1) ** 2, rel=1e-5)
    assert gradient_norm.item() == pytest.approx(3, rel=1e-5)
    # create_graph: the penalty trains the critic; d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||
    penalty.backward()
    assert torch.allclose(weight.grad, 2 * (3 - 1) * weight.detach() / 3, atol=1e-6)


def test_gradient_penalty_uses_the_norm_over_all_of_chw():
    # Channel norms 0.6, 0.8, 0 make a per-sample norm of exactly 1: penalty 0. A per-channel or
    # per-pixel norm would see values other than 1 and give a positive penalty.
    weight = torch.zeros(3, 64, 64)
    weight[0, 0, :2] = 0.6 / math.sqrt(2)
    weight[1, 5, 7] = 0.8
    real, fake = torch.rand(4, 3, 64, 64), torch.rand(4, 3, 64, 64)
    penalty, _ = gradient_penalty(linear_critic(weight), real, fake, torch.Generator().manual_seed(2))
    assert penalty.item() == pytest.approx(0, abs=1e-10)
    per_channel = weight.flatten(1).norm(dim=1)
    assert ((per_channel - 1) ** 2).mean() > 0.1


def test_gradient_penalty_draws_one_alpha_per_sample_and_differentiates_at_the_interpolates():
    seen = []

    def quadratic_critic(images):  # D(x) = ||x||^2 / 2, so grad D(x_hat) = x_hat
        seen.append(images.detach().clone())
        return 0.5 * images.flatten(1).pow(2).sum(dim=1)

    real, fake = torch.rand(6, 3, 64, 64), -torch.rand(6, 3, 64, 64)
    penalty, _ = gradient_penalty(quadratic_critic, real, fake, torch.Generator().manual_seed(3))
    (interpolates,) = seen
    # x_hat - fake = alpha * (real - fake) with one alpha per sample, in [0, 1].
    ratios = (interpolates - fake) / (real - fake)  # (B, 3, 64, 64)
    alphas = ratios.flatten(1).median(dim=1).values  # (B,)
    assert torch.allclose(ratios, alphas[:, None, None, None].expand_as(ratios), atol=1e-4)
    assert ((alphas >= 0) & (alphas <= 1)).all()
    assert (alphas - alphas[0]).abs().max() > 0.05  # not one alpha for the whole batch
    expected = ((interpolates.flatten(1).norm(dim=1) - 1) ** 2).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)


@pytest.mark.parametrize("float32, pass_dtype", [(False, torch.bfloat16), (True, torch.float32)])
def test_gradient_penalty_pass_follows_autocast_unless_float32(float32, pass_dtype):
    dtypes = []
    conv = nn.Conv2d(3, 1, 64)

    def critic(images):
        dtypes.append(images.dtype)
        output = conv(images).flatten()
        dtypes.append(output.dtype)
        return output

    real, fake = torch.rand(2, 3, 64, 64), torch.rand(2, 3, 64, 64)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        penalty, norm = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0), float32=float32)
    # The interpolates go in as float32; the conv runs in the pass's precision; the norm is float32.
    assert dtypes == [torch.float32, pass_dtype] and penalty.dtype == torch.float32
    exact, exact_norm = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0))
    assert penalty.item() == pytest.approx(exact.item(), rel=0.05 if not float32 else 1e-6)
    assert norm.item() == pytest.approx(exact_norm.item(), rel=0.01 if not float32 else 1e-6)


def test_wgan_gp_loss_adds_weighted_penalty_and_rejects_batch_norm_critics():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8))
    critic = Discriminator(DiscriminatorConfig(ndf=8, norm="layer"))
    loss = GANLoss(WGAN_GP_LOSS)
    assert loss.n_critic == 5
    value, stats = loss.discriminator_loss(generator, critic, tiny_batch(), noise(8), torch.Generator())
    adversarial = stats["d_fake"] - stats["d_real"]
    assert value.item() == pytest.approx((adversarial + 10 * stats["gp"]).item(), rel=1e-5)
    assert stats["wasserstein_estimate"].item() == pytest.approx(-adversarial.item())
    batch_norm_critic = Discriminator(DiscriminatorConfig(ndf=8, norm="batch"))
    with pytest.raises(ValueError, match="batch-norm critic"):
        loss.discriminator_loss(generator, batch_norm_critic, tiny_batch(), noise(8), torch.Generator())


# ---------------------------------------------------------------- matching-aware discriminator


def test_wrong_tags_never_equal_the_right_pair():
    rng = torch.Generator().manual_seed(0)
    hair = torch.randint(0, NUM_HAIR, (256,), generator=rng)
    eyes = torch.randint(0, NUM_EYES, (256,), generator=rng)
    for _ in range(50):
        wrong_hair, wrong_eyes = mismatched_tags(hair, eyes, rng)
        assert not ((wrong_hair == hair) & (wrong_eyes == eyes)).any()
        assert wrong_hair.min() >= 0 and wrong_hair.max() < NUM_HAIR
        assert wrong_eyes.min() >= 0 and wrong_eyes.max() < NUM_EYES


def test_wrong_tags_for_a_batch_of_one_pair_cover_every_other_pair():
    rng = torch.Generator().manual_seed(1)
    hair, eyes = torch.full((4096,), 8), torch.full((4096,), 10)  # blue hair, blue eyes
    wrong_hair, wrong_eyes = mismatched_tags(hair, eyes, rng)
    pairs = wrong_hair * NUM_EYES + wrong_eyes
    assert (pairs != 8 * NUM_EYES + 10).all()
    assert pairs.unique().numel() == NUM_PAIRS - 1


class ConstantGenerator(nn.Module):
    """Every generated image is all -1."""

    is_conditional = True

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(()))

    def forward(self, z, hair, eyes):
        return torch.full((z.shape[0], 3, 64, 64), -1.0)


class TagCheckingCritic(nn.Module):
    """Logit = mean pixel, plus 3 when the tags are not the batch's own."""

    is_conditional = True

    def __init__(self, batch: Batch):
        super().__init__()
        self.batch = batch

    def forward(self, images, hair, eyes):
        wrong = (hair != self.batch.hair) | (eyes != self.batch.eyes)
        return DiscriminatorOutput(images.mean(dim=(1, 2, 3)) + 3 * wrong.float(), None, None)


@pytest.mark.parametrize("objective, expected", [
    # real (logit 1) + 0.5 * generated (logit -1) + 0.5 * real with wrong tags (logit 1 + 3)
    ("bce", math.log1p(math.exp(-1)) + 0.5 * math.log1p(math.exp(-1)) + 0.5 * math.log1p(math.exp(4))),
    ("wasserstein", -1 + 0.5 * (-1 + 4)),
    ("hinge", 0 + 0.5 * (0 + 5)),
])
def test_matching_aware_discriminator_loss_by_hand(objective, expected):
    batch = tiny_batch()
    batch.real_images = torch.ones_like(batch.real_images)
    loss = GANLoss(LossConfig(objective=objective, matching_aware=True))
    value, stats = loss.discriminator_loss(ConstantGenerator(), TagCheckingCritic(batch), batch, noise(8),
                                           torch.Generator().manual_seed(0))
    assert value.item() == pytest.approx(expected, rel=1e-6)
    assert stats["d_mismatch"].item() == pytest.approx(4.0)


def test_matching_aware_needs_a_conditional_discriminator():
    loss = GANLoss(LossConfig(matching_aware=True))
    with pytest.raises(ValueError, match="conditional discriminator"):
        loss.discriminator_loss(Generator(GeneratorConfig(ngf=8)), Discriminator(DiscriminatorConfig(ndf=8)),
                                tiny_batch(), noise(8), torch.Generator())


# ---------------------------------------------------------------- ACGAN


def test_auxiliary_loss_is_cross_entropy_on_raw_logits():
    hair_logits = torch.tensor([[4.0, 0.0, -2.0] + [0.0] * 9, [0.0] * 11 + [3.0]])
    eye_logits = torch.tensor([[1.0] + [0.0] * 10, [0.0, 5.0] + [0.0] * 9])
    hair, eyes = torch.tensor([0, 5]), torch.tensor([0, 1])
    value = auxiliary_classification_loss(hair_logits, eye_logits, hair, eyes)
    by_hand = (-(torch.log_softmax(hair_logits, 1)[[0, 1], hair]).mean()
               - (torch.log_softmax(eye_logits, 1)[[0, 1], eyes]).mean())
    assert value.item() == pytest.approx(by_hand.item(), rel=1e-6)
    library = F.cross_entropy(hair_logits, hair) + F.cross_entropy(eye_logits, eyes)
    assert value.item() == pytest.approx(library.item())
    # The classic bug: softmax, then CrossEntropyLoss (which applies log-softmax again).
    doubled = F.cross_entropy(hair_logits.softmax(1), hair) + F.cross_entropy(eye_logits.softmax(1), eyes)
    assert abs(doubled.item() - value.item()) > 0.5


@pytest.mark.parametrize("aux_on_generated", [True, False])
def test_acgan_losses_match_a_direct_computation(aux_on_generated):
    """With aux_on_generated=False (the real-only classifier) D's loss drops the generated
    images' cross-entropy; G's loss keeps it either way."""
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8, condition="onehot"))
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, aux_heads=True))
    batch, z = tiny_batch(), noise(8)
    loss = GANLoss(LossConfig(aux_weight=0.7, aux_on_generated=aux_on_generated))
    d_value, d_stats = loss.discriminator_loss(generator, discriminator, batch, z, torch.Generator())
    with torch.no_grad():
        fake = generator(z, batch.hair, batch.eyes)
        real_output, fake_output = discriminator(batch.real_images), discriminator(fake)

    def cross_entropy(output):
        return F.cross_entropy(output.hair_logits, batch.hair) + F.cross_entropy(output.eye_logits, batch.eyes)

    d_aux = cross_entropy(real_output) + (cross_entropy(fake_output) if aux_on_generated else 0)
    expected_d = F.softplus(-real_output.logits).mean() + F.softplus(fake_output.logits).mean() + 0.7 * d_aux
    assert d_value.item() == pytest.approx(expected_d.item(), rel=1e-5)
    accuracy = (real_output.hair_logits.argmax(1) == batch.hair).float().mean()
    assert d_stats["aux_acc_hair"].item() == pytest.approx(accuracy.item())
    g_value, g_stats = loss.generator_loss(generator, discriminator, batch, z, torch.Generator())
    expected_g = F.softplus(-fake_output.logits).mean() + 0.7 * cross_entropy(fake_output)
    assert g_value.item() == pytest.approx(expected_g.item(), rel=1e-5)
    assert set(g_stats) == {"g_loss", "g_fake", "g_aux", "aux_acc_hair_fake", "aux_acc_eyes_fake"}


def test_mode_seeking_term_by_hand():
    z = torch.zeros(4, 100)
    z[2:] = 2.0  # |z_i - z_j| = 2 for both pairs
    images = torch.zeros(4, 3, 64, 64)
    images[2] = 0.5  # pair 0 differs by 0.5 per pixel, pair 1 by 0.1
    images[3] = 0.1
    expected = (1 / (0.5 / 2 + 1e-5) + 1 / (0.1 / 2 + 1e-5)) / 2
    assert mode_seeking_loss(images, z).item() == pytest.approx(expected, rel=1e-5)
    assert paired_tags(torch.tensor([1, 2, 3, 4]), torch.tensor([5, 6, 7, 8]))[1].tolist() == [5, 6, 5, 6]


def test_mode_seeking_generator_loss_pairs_the_tags_and_adds_the_weighted_term():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8, condition="onehot"))
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection", aux_heads=True, norm="none"))
    batch, z = tiny_batch(), noise(8)
    value, stats = GANLoss(LossConfig(aux_weight=0.5, mode_seeking_weight=0.3)).generator_loss(
        generator, discriminator, batch, z, torch.Generator())
    hair, eyes = torch.cat([batch.hair[:4]] * 2), torch.cat([batch.eyes[:4]] * 2)
    with torch.no_grad():
        fake = generator(z, hair, eyes)
        output = discriminator(fake, hair, eyes)
    aux = F.cross_entropy(output.hair_logits, hair) + F.cross_entropy(output.eye_logits, eyes)
    expected = F.softplus(-output.logits).mean() + 0.5 * aux + 0.3 * mode_seeking_loss(fake, z)
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)
    assert stats["g_mode_seeking"].item() == pytest.approx(mode_seeking_loss(fake, z).item(), rel=1e-5)


def test_acgan_needs_aux_heads():
    loss = GANLoss(LossConfig(aux_weight=1.0))
    with pytest.raises(ValueError, match="aux_heads=True"):
        loss.generator_loss(Generator(GeneratorConfig(ngf=8, condition="onehot")),
                            Discriminator(DiscriminatorConfig(ndf=8)), tiny_batch(), noise(8), torch.Generator())


# ---------------------------------------------------------------- the loop's view


def test_stats_are_detached_scalars_and_unconditional_models_ignore_batch_tags():
    generator, discriminator = Generator(GeneratorConfig(ngf=8)), Discriminator(DiscriminatorConfig(ndf=8))
    loss = GANLoss(LossConfig())
    for method in (loss.discriminator_loss, loss.generator_loss):
        value, stats = method(generator, discriminator, tiny_batch(), noise(8), torch.Generator())
        assert value.requires_grad and value.shape == ()
        assert all(stat.shape == () and not stat.requires_grad for stat in stats.values())
    untagged = tiny_batch()
    untagged.hair = untagged.eyes = None
    loss.generator_loss(generator, discriminator, untagged, noise(8), torch.Generator())


def test_one_step_changes_weights_and_the_d_step_leaves_g_untouched():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8, condition="embedding", embedding_dim=4))
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection", spectral_norm=True))
    loss = GANLoss(LossConfig(objective="hinge", matching_aware=True))
    batch, rng = tiny_batch(), torch.Generator().manual_seed(0)
    d_value, _ = loss.discriminator_loss(generator, discriminator, batch, noise(8), rng)
    d_value.backward()
    assert all(parameter.grad is None for parameter in generator.parameters())
    d_before = [parameter.detach().clone() for parameter in discriminator.parameters()]
    torch.optim.Adam(discriminator.parameters(), lr=1e-3).step()
    assert all(not torch.equal(a, b) for a, b in zip(d_before, discriminator.parameters()))
    g_value, _ = loss.generator_loss(generator, discriminator, batch, noise(8, seed=2), rng)
    g_value.backward()
    g_before = [parameter.detach().clone() for parameter in generator.parameters()]
    torch.optim.Adam(generator.parameters(), lr=1e-3).step()
    changed = [not torch.equal(a, b) for a, b in zip(g_before, generator.parameters())]
    assert sum(changed) == len(changed)


@pytest.mark.parametrize("generator_config, discriminator_config, loss_config", [
    (GeneratorConfig(ngf=8), DiscriminatorConfig(ndf=8), LossConfig()),
    (GeneratorConfig(ngf=8, condition="onehot"), DiscriminatorConfig(ndf=8, conditioning="concat"),
     LossConfig(matching_aware=True)),
])
def test_a_short_run_on_a_tiny_problem_lowers_the_discriminator_loss(generator_config, discriminator_config,
                                                                     loss_config):
    torch.manual_seed(0)
    generator, discriminator = Generator(generator_config), Discriminator(discriminator_config)
    loss, batch, rng = GANLoss(loss_config), tiny_batch(16), torch.Generator().manual_seed(0)
    optimisers = [torch.optim.Adam(network.parameters(), lr=2e-4, betas=(0.5, 0.999))
                  for network in (generator, discriminator)]
    d_losses = []
    for _ in range(40):
        z = torch.randn(16, 100, generator=rng)
        d_value, stats = loss.discriminator_loss(generator, discriminator, batch, z, rng)
        optimisers[1].zero_grad()
        d_value.backward()
        optimisers[1].step()
        d_losses.append(stats["d_loss"].item())
        g_value, _ = loss.generator_loss(generator, discriminator, batch, torch.randn(16, 100, generator=rng), rng)
        optimisers[0].zero_grad()
        g_value.backward()
        optimisers[0].step()
    assert sum(d_losses[-5:]) / 5 < 0.85 * sum(d_losses[:5]) / 5


# ---------------------------------------------------------------- config


def test_loss_config_validation():
    for make, message in [(lambda: LossConfig(objective="lsgan"), "LossConfig.objective"),
                          (lambda: LossConfig(n_critic=0), "LossConfig.n_critic"),
                          (lambda: LossConfig(gradient_penalty_weight=-1), "gradient_penalty_weight"),
                          (lambda: LossConfig(weight_clip=-0.01), "weight_clip"),
                          (lambda: LossConfig(mismatch="all"), "LossConfig.mismatch"),
                          (lambda: LossConfig(objective="relativistic", matching_aware=True), "matching_aware")]:
        with pytest.raises(InputError, match=message):
            make()


def test_gradient_penalty_works_with_a_compiled_critic():
    # AOTAutograd cannot double-backward; the penalty must reach the plain module underneath.
    generator = Generator(GeneratorConfig(ngf=8))
    critic = torch.compile(Discriminator(DiscriminatorConfig(ndf=8, norm="layer")), backend="aot_eager")
    loss = GANLoss(WGAN_GP_LOSS)
    value, stats = loss.discriminator_loss(generator, critic, tiny_batch(4), noise(4), torch.Generator())
    value.backward()
    assert torch.isfinite(stats["gp"])


# ---------------------------------------------------------------- WGAN clipping, R3GAN, one-attribute wrong tags


def test_one_attribute_mismatch_changes_exactly_one_tag_and_covers_both():
    hair = torch.zeros(4000, dtype=torch.long)
    eyes = torch.full((4000,), 3, dtype=torch.long)
    from hw3.losses.matching import one_attribute_mismatch
    wrong_hair, wrong_eyes = one_attribute_mismatch(hair, eyes, torch.Generator().manual_seed(0))
    hair_changed, eyes_changed = wrong_hair != hair, wrong_eyes != eyes
    assert bool((hair_changed ^ eyes_changed).all())  # exactly one of the two, never both or neither
    assert 0.45 < eyes_changed.float().mean().item() < 0.55
    assert set(wrong_eyes[eyes_changed].tolist()) == set(range(NUM_EYES)) - {3}
    assert set(wrong_hair[hair_changed].tolist()) == set(range(NUM_HAIR)) - {0}


def test_weight_clipping_clamps_every_discriminator_parameter():
    critic = Discriminator(DiscriminatorConfig(ndf=8, norm="none"))
    with torch.no_grad():
        for parameter in critic.parameters():
            parameter.normal_(std=1.0)
    GANLoss(LossConfig(objective="wasserstein", weight_clip=0.01)).after_discriminator_step(critic)
    largest = max(parameter.abs().max().item() for parameter in critic.parameters())
    assert largest == pytest.approx(0.01)
    untouched = Discriminator(DiscriminatorConfig(ndf=8, norm="none"))
    before = [p.clone() for p in untouched.parameters()]
    GANLoss(LossConfig()).after_discriminator_step(untouched)
    assert all(torch.equal(a, b) for a, b in zip(before, untouched.parameters()))


def test_relativistic_pairing_objective_by_hand():
    from hw3.losses import RelativisticPairingObjective
    real, fake = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0])
    objective = RelativisticPairingObjective()
    # softplus(fake - real) = log(1 + e^(f - r)): pairs (2, 1) and (0, 1)
    expected_d = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(1))) / 2
    assert objective.discriminator(real, fake).item() == pytest.approx(expected_d)
    expected_g = (math.log(1 + math.exp(1)) + math.log(1 + math.exp(-1))) / 2
    assert objective.relativistic_generator(fake, real).item() == pytest.approx(expected_g)


class QuadraticCritic(nn.Module):
    """critic(x) = 0.5 * a * ||x||^2 per sample: its input gradient a * x is known by hand."""

    def __init__(self, a: float):
        super().__init__()
        self.a = a
        self.is_conditional = False

    def forward(self, images, hair=None, eyes=None):
        values = 0.5 * self.a * images.flatten(1).square().sum(dim=1)
        return DiscriminatorOutput(values, None, None)


def test_zero_centred_penalty_matches_the_gradient_by_hand():
    from hw3.losses import zero_centred_penalty
    critic = QuadraticCritic(3.0)
    images = torch.randn(4, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    penalty = zero_centred_penalty(lambda x: critic(x).logits, images)
    expected = (9.0 * images.flatten(1).square().sum(dim=1)).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)


def test_r3gan_loss_is_relativistic_plus_half_weighted_r1_and_r2():
    torch.manual_seed(0)
    generator = Generator(GeneratorConfig(ngf=8))
    critic = Discriminator(DiscriminatorConfig(ndf=8, norm="none"))
    loss = GANLoss(LossConfig(objective="relativistic", r1_weight=2.0, r2_weight=4.0))
    value, stats = loss.discriminator_loss(generator, critic, tiny_batch(), noise(8), torch.Generator())
    assert {"r1", "r2"} <= set(stats)
    with torch.no_grad():
        real = critic(tiny_batch().real_images).logits
        fake = critic(generator(noise(8))).logits
    adversarial = torch.nn.functional.softplus(fake - real).mean()
    assert value.item() == pytest.approx((adversarial + 1.0 * stats["r1"] + 2.0 * stats["r2"]).item(), rel=1e-4)
    g_value, _ = loss.generator_loss(generator, critic, tiny_batch(), noise(8), torch.Generator())
    assert g_value.item() == pytest.approx(torch.nn.functional.softplus(real - fake).mean().item(), rel=1e-4)
    with pytest.raises(ValueError, match="batch-norm critic"):
        loss.discriminator_loss(generator, Discriminator(DiscriminatorConfig(ndf=8)), tiny_batch(), noise(8),
                                torch.Generator())


class _RecordingGenerator(nn.Module):
    """A conditional stand-in for G that keeps the tags it was asked for."""

    is_conditional = True

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.asked: list[tuple[torch.Tensor, torch.Tensor]] = []

    def forward(self, z, hair, eyes):
        self.asked.append((hair.clone(), eyes.clone()))
        return torch.tanh(self.scale * z[:, :1, None, None].expand(-1, 3, 64, 64))


def test_every_pair_asks_g_for_held_out_pairs_the_batch_never_holds():
    from hw3.eval.tag_accuracy import default_held_out_pairs

    held_out = {pair.pair_index for pair in default_held_out_pairs()}
    discriminator = Discriminator(DiscriminatorConfig(ndf=8, conditioning="projection", aux_heads=True, norm="none"))
    batch = Batch(torch.zeros(256, 3, 64, 64), torch.zeros(256, dtype=torch.long), torch.zeros(256, dtype=torch.long))
    z = noise(256)
    for choice, expect_batch in (("batch", True), ("every_pair", False)):
        generator = _RecordingGenerator()
        loss = GANLoss(LossConfig(objective="hinge", aux_weight=1.0, aux_on_generated=False, generator_tags=choice))
        loss.discriminator_loss(generator, discriminator, batch, z, torch.Generator().manual_seed(3))
        loss.generator_loss(generator, discriminator, batch, z, torch.Generator().manual_seed(4))
        for hair, eyes in generator.asked:
            pairs = set((hair * NUM_EYES + eyes).tolist())
            if expect_batch:
                assert pairs == {0}
            else:
                assert len(pairs) > 100 and pairs & held_out, "uniform over all 132 pairs, held-out ones included"
    # D judges the fakes under the tags G drew, not the real batch's.
    generator = _RecordingGenerator()
    config = LossConfig(objective="hinge", generator_tags="every_pair")
    value, _ = GANLoss(config).generator_loss(generator, discriminator, batch, z, torch.Generator().manual_seed(4))
    hair, eyes = generator.asked[0]
    with torch.no_grad():
        expected = -discriminator(generator(z, hair, eyes), hair, eyes).logits.mean()
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)
