"""The style-transfer translator: network, StarGAN loss worked out by hand, training on the shared
loop, export and loading, and restyling with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from hw3.cli import main
from hw3.errors import InputError
from hw3.losses import LossConfig
from hw3.losses.translation import TranslationLoss, target_tags
from hw3.models import Discriminator, DiscriminatorConfig
from hw3.models.discriminator import DiscriminatorOutput
from hw3.images import tag_tensors
from hw3.models.translator import Translator, TranslatorConfig
from hw3.sampling.export import export_generator
from hw3.sampling.generator_file import load_translator
from hw3.tags import HairEyeTags
from hw3.train.config import load_config
from hw3.train.data_feed import Batch
from hw3.train.loop import train

REPO = Path(__file__).resolve().parents[1]
TINY = ["translator.ngf=4", "translator.num_residual=1", "discriminator.ndf=8", "batch_size=8", "log_every=1",
        "sample_every=2", "checkpoint_every=2"]


def faces(count: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(count, 3, 64, 64, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_translator_shapes_and_a_closed_mask_at_the_start():
    torch.manual_seed(0)
    translator = Translator(TranslatorConfig(ngf=8, num_residual=1))
    images = faces(3)
    hair, eyes = torch.tensor([0, 5, 11]), torch.tensor([0, 4, 10])
    translated, mask = translator(images, hair, eyes, return_mask=True)
    assert translated.shape == (3, 3, 64, 64) and mask.shape == (3, 1, 64, 64)
    mask = mask.detach()
    assert float(mask.min()) >= 0 and float(mask.max()) <= 1
    # The mask starts near sigmoid(-3) = 0.047: the untrained translator mostly copies its input.
    assert float(mask.mean()) == pytest.approx(0.047, abs=0.02)
    assert float((translated - images).abs().mean().detach()) < 0.1
    # And the output is exactly the blend the module docstring states.
    colourless = translator(images, hair, eyes)
    assert torch.equal(colourless, translated)


def test_translator_output_depends_on_the_target_tags():
    torch.manual_seed(0)
    translator = Translator(TranslatorConfig(ngf=8, num_residual=1))
    images = faces(1).expand(2, -1, -1, -1)
    out = translator(images, torch.tensor([0, 3]), torch.tensor([0, 0]))
    assert not torch.allclose(out[0], out[1])


@pytest.mark.parametrize("values, message", [
    ({"ngf": 0}, "positive"), ({"num_residual": -1}, "non-negative"), ({"ngf": 2.5}, "integer"),
])
def test_translator_config_rejects_bad_sizes(values, message):
    with pytest.raises(InputError, match=message):
        TranslatorConfig(**values)


class FixedCritic(torch.nn.Module):
    """A critic whose outputs are set by the test: logit = mean pixel, fixed class logits."""

    def __init__(self):
        super().__init__()
        self.hair_logits = torch.linspace(-1, 1, 12)
        self.eye_logits = torch.linspace(1, -1, 11)

    def forward(self, images, hair=None, eyes=None):
        n = images.shape[0]
        return DiscriminatorOutput(images.mean(dim=(1, 2, 3)), self.hair_logits.expand(n, -1),
                                   self.eye_logits.expand(n, -1))


class ShiftTranslator(torch.nn.Module):
    """Adds 0.1 x (hair index) to every pixel, with a mask of 0.25 everywhere."""

    is_conditional = True

    def forward(self, images, hair, eyes, return_mask=False):
        out = images + 0.1 * hair.float()[:, None, None, None]
        mask = torch.full_like(images[:, :1], 0.25)
        return (out, mask) if return_mask else out


def test_generator_loss_matches_the_formula_worked_by_hand():
    config = LossConfig(objective="hinge", aux_weight=2.0, cycle_weight=10.0, mask_weight=0.5)
    loss = TranslationLoss(config)
    real = torch.zeros(4, 3, 64, 64)
    own_hair, own_eyes = torch.tensor([1, 2, 3, 4]), torch.tensor([0, 1, 2, 3])
    rng_seed = 7
    value, stats = loss.generator_loss(ShiftTranslator(), FixedCritic(), Batch(real, own_hair, own_eyes), None,
                                       torch.Generator().manual_seed(rng_seed))
    hair, eyes = target_tags(4, torch.Generator().manual_seed(rng_seed), torch.device("cpu"))
    critic = FixedCritic()
    fake_logits = 0.1 * hair.float()  # the mean pixel of each translated face
    adversarial = -fake_logits.mean()  # hinge G term
    tags = (F.cross_entropy(critic.hair_logits.expand(4, -1), hair) + F.cross_entropy(critic.eye_logits.expand(4, -1), eyes))
    cycle = (0.1 * (hair + own_hair).float()).mean()  # the round trip adds own hair on top: |x' - x| per face
    expected = adversarial + 2.0 * tags + 10.0 * cycle + 0.5 * 0.25
    assert float(value) == pytest.approx(float(expected), rel=1e-6)
    assert float(stats["g_cycle"]) == pytest.approx(float(cycle), rel=1e-6)


def test_discriminator_loss_matches_the_formula_worked_by_hand():
    config = LossConfig(objective="hinge", aux_weight=2.0, cycle_weight=10.0)
    loss = TranslationLoss(config)
    real = torch.full((4, 3, 64, 64), 0.5)
    own_hair, own_eyes = torch.tensor([1, 2, 3, 4]), torch.tensor([0, 1, 2, 3])
    value, _ = loss.discriminator_loss(ShiftTranslator(), FixedCritic(), Batch(real, own_hair, own_eyes), None,
                                       torch.Generator().manual_seed(3))
    hair, _ = target_tags(4, torch.Generator().manual_seed(3), torch.device("cpu"))
    critic = FixedCritic()
    real_term = F.relu(1 - torch.full((4,), 0.5)).mean()
    fake_term = F.relu(1 + 0.5 + 0.1 * hair.float()).mean()
    tags = (F.cross_entropy(critic.hair_logits.expand(4, -1), own_hair)
            + F.cross_entropy(critic.eye_logits.expand(4, -1), own_eyes))
    assert float(value) == pytest.approx(float(real_term + fake_term + 2.0 * tags), rel=1e-6)


@pytest.mark.parametrize("values, message", [
    ({"objective": "wasserstein", "aux_weight": 1.0}, "expected bce or hinge"),
    ({"aux_weight": 0.0}, "aux_weight must be > 0"),
    ({"aux_weight": 1.0, "gradient_penalty_weight": 10.0}, "gradient_penalty_weight is not used"),
])
def test_translation_loss_refuses_settings_it_would_ignore(values, message):
    with pytest.raises(InputError, match=message):
        TranslationLoss(LossConfig(**values))


def test_a_translate_config_refuses_the_gan_evaluation():
    with pytest.raises(InputError, match="evaluation.every must be 0"):
        load_config(REPO / "configs" / "translator.toml", ["evaluation.every=100"])
    with pytest.raises(InputError, match="--set task=paint: unknown 'paint'"):
        load_config(REPO / "configs" / "translator.toml", ["task=paint"])


def test_a_tiny_translator_trains_exports_and_restyles(tiny_data_root, tmp_path):
    config = load_config(REPO / "configs" / "translator.toml", TINY, {
        "data.root": str(tiny_data_root), "out_dir": str(tmp_path / "run"), "num_steps": 4, "device": "cpu"})
    result = train(config, progress=False)
    assert result.step == 4
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    losses = [r for r in records if "g_cycle" in r]
    assert len(losses) == 4 and all(0 < r["mask_mean"] < 1 for r in losses)
    assert (tmp_path / "run" / "samples" / "step_0000004.png").is_file()

    weights = export_generator(result.last_checkpoint, tmp_path / "translator.safetensors")
    sidecar = json.loads(weights.with_suffix(".json").read_text())
    assert sidecar["kind"] == "translator" and sidecar["translator"] == {"ngf": 4, "num_residual": 1}
    translator = load_translator(weights)

    from hw3.restyle.restyle import fixed_threads, translate_face

    face = faces(1, seed=5)
    targets = [HairEyeTags("blue", "red"), HairEyeTags("white", "aqua")]
    evaluator = None  # own tags given: the evaluator is not needed
    first = translate_face(translator, evaluator, face, targets, HairEyeTags("pink", "green"))
    second = translate_face(translator, evaluator, face, targets, HairEyeTags("pink", "green"))
    assert first.faces.shape == (2, 3, 64, 64) and torch.equal(first.faces, second.faces)
    hair, eyes = tag_tensors(targets)
    with fixed_threads(), torch.no_grad():
        direct = translator(face.expand(2, -1, -1, -1), hair, eyes)
    assert first.faces.dtype == torch.float64
    assert torch.allclose(first.faces.float(), direct, atol=1e-5)
    assert first.reconstruction_error == pytest.approx(float((first.reconstruction - face).abs().mean()))


def test_load_translator_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_translator(tmp_path / "missing.safetensors")
    torch.manual_seed(0)
    translator = Translator(TranslatorConfig(ngf=4, num_residual=1))
    from hw3.weights import file_sha256, save_module_weights

    path = tmp_path / "t.safetensors"
    save_module_weights(translator, path)
    sidecar = {"kind": "translator", "translator": {"ngf": 8, "num_residual": 1}, "sha256": file_sha256(path)}
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    with pytest.raises(InputError, match="does not fit"):
        load_translator(path)
    sidecar["kind"] = "generator"
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    with pytest.raises(InputError, match="not a translator"):
        load_translator(path)


def test_an_unconditional_critic_with_heads_is_what_the_translator_config_builds():
    config = load_config(REPO / "configs" / "translator.toml")
    critic = Discriminator(config.discriminator)
    assert not critic.is_conditional and config.discriminator.aux_heads
    assert DiscriminatorConfig(**vars(config.discriminator)).spectral_norm


def test_restyle_with_an_unknown_method_is_one_line(tmp_path, capsys):
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n")
    argv = ["restyle", "--input", str(REPO / "examples" / "style_input.png"), "--tags", str(tags),
            "--out", str(tmp_path / "s.png"), "--method", "magic"]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "expected one of: translator, inversion" in error


def test_restyle_with_the_shipped_translator_gives_identical_bytes_twice(tmp_path):
    argv = ["restyle", "--input", str(REPO / "examples" / "style_input.png"), "--tags",
            str(REPO / "examples" / "style_tags.txt"), "--method", "translator"]
    for name in ("a", "b"):
        assert main(argv + ["--out", str(tmp_path / f"{name}.png")]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
