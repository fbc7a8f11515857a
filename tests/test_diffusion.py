"""The flow-matching model: its path and loss by hand, its sampler's steps, guidance, condition
dropout, and a tiny run on the shared loop that resumes to the same bytes, exports and draws
identical PNGs through `hw3 sample`, `hw3.generate` and run_cgan.sh."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file
from torch import nn

from cli_run import assert_one_line_exit_2, run
from hw3.errors import InputError
from hw3.losses.flow_matching import FlowLossConfig, FlowMatchingLoss, drop_conditions, probability_path
from hw3.models.flow_sampler import NOISE_DIM, FlowMatchingConfig, FlowSampler
from hw3.models.unet import NULL_EYES, NULL_HAIR, UNet, UNetConfig
from hw3.train.checkpoint import checkpoint_dir, latest_checkpoint
from hw3.train.config import load_config
from hw3.train.data_feed import Batch
from hw3.train.loop import train
from hw3.weights import file_sha256, save_module_weights

REPO = Path(__file__).resolve().parents[1]
TINY_UNET = UNetConfig(base_width=4, channel_multipliers=(1, 2), embedding_dim=8, num_groups=2)
TINY_RUN = [
    "flow_matching.unet.base_width=4", "flow_matching.unet.channel_multipliers=[1, 2]",
    "flow_matching.unet.embedding_dim=8", "flow_matching.unet.num_groups=2", "flow_matching.sample_steps=2",
    "flow_matching.evaluation_steps=1", "batch_size=8", "log_every=1", "sample_every=1000",
    "checkpoint_every=2", "keep_checkpoints=10", "evaluation.every=0",
]


def tiny_run(data_root: Path, out_dir: Path, steps: int):
    return load_config(REPO / "configs" / "diffusion.toml", TINY_RUN, {
        "data.root": str(data_root), "out_dir": str(out_dir), "num_steps": steps, "device": "cpu"})


def test_the_path_and_its_velocity_match_values_worked_by_hand():
    x0 = torch.tensor([[1.0, -1.0], [0.0, 0.5]]).reshape(2, 1, 1, 2)
    noise = torch.tensor([[0.5, 0.5], [-1.0, 2.0]]).reshape(2, 1, 1, 2)
    x_t, target = probability_path(x0, noise, torch.tensor([0.25, 0.5]))
    # 0.75 * [1, -1] + 0.25 * [0.5, 0.5]; 0.5 * [0, 0.5] + 0.5 * [-1, 2]
    assert torch.equal(x_t.flatten(), torch.tensor([0.875, -0.625, -0.5, 1.25]))
    assert torch.equal(target.flatten(), torch.tensor([-0.5, 1.5, -1.0, 1.5]))  # noise - x0
    x_t, _ = probability_path(x0, noise, torch.tensor([0.0, 1.0]))
    assert torch.equal(x_t[0], x0[0]) and torch.equal(x_t[1], noise[1])  # t = 0 is data, t = 1 is noise


class ConstantVelocity(nn.Module):
    """Predicts 1 everywhere and records what it was asked."""

    def forward(self, x, hair, eyes, times=None):
        self.seen = (x.clone(), times.clone(), hair.clone(), eyes.clone())
        return torch.ones_like(x)


def test_the_loss_is_the_mean_squared_error_to_noise_minus_data():
    x0 = torch.tensor([[1.0, -1.0], [0.0, 0.5]]).reshape(2, 1, 1, 2)
    z = torch.tensor([[0.5, 0.5], [-1.0, 2.0]])  # the loop's noise, flattened
    batch = Batch(x0, torch.tensor([3, 4]), torch.tensor([5, 6]))
    loss = FlowMatchingLoss(FlowLossConfig(condition_dropout=0.0, time_sampling="uniform"))
    model = ConstantVelocity()
    value, stats = loss.generator_loss(model, None, batch, z, torch.Generator().manual_seed(0))
    # targets [-0.5, 1.5, -1, 1.5]; (1 - u)^2 = 2.25, 0.25, 4, 0.25 -> mean 1.6875, whatever t is
    assert value.item() == pytest.approx(1.6875) and stats["flow_loss"].item() == pytest.approx(1.6875)
    x_t, t, hair, eyes = model.seen
    assert ((0 <= t) & (t <= 1)).all() and not torch.equal(t[0], t[1])
    assert torch.allclose(x_t, (1 - t)[:, None, None, None] * x0 + t[:, None, None, None] * z.reshape(x0.shape))
    assert hair.tolist() == [3, 4] and eyes.tolist() == [5, 6]  # dropout 0 keeps every tag
    assert loss.n_critic == 0


class LinearVelocity(nn.Module):
    """v(x, t) = 2x + t, recording every call."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, x, t, hair, eyes):
        self.calls.append((x.clone(), t.clone()))
        return 2 * x + t[:, None, None, None]


@pytest.mark.parametrize("solver", ["euler", "heun"])
def test_the_first_solver_step_matches_one_worked_by_hand(solver):
    velocity = LinearVelocity()
    config = FlowMatchingConfig(unet=TINY_UNET, solver=solver, sample_steps=4, guidance_scale=1.0)
    sampler = FlowSampler(config, velocity)
    z = torch.linspace(-0.5, 0.5, NOISE_DIM, dtype=torch.float64)[None]
    hair, eyes = torch.tensor([0]), torch.tensor([0])
    sampler(z, hair, eyes)
    x = z.reshape(1, 3, 64, 64)
    v1 = 2 * x + 1.0  # at t = 1
    if solver == "euler":
        assert len(velocity.calls) == 4
        expected = x - 0.25 * v1
        next_x, next_t = velocity.calls[1]
    else:
        assert len(velocity.calls) == 8
        guess = x - 0.25 * v1
        assert torch.allclose(velocity.calls[1][0], guess) and velocity.calls[1][1].item() == 0.75
        expected = x - 0.25 * 0.5 * (v1 + 2 * guess + 0.75)
        next_x, next_t = velocity.calls[2]
    assert velocity.calls[0][1].item() == 1.0 and next_t.item() == 0.75
    assert torch.allclose(next_x, expected, atol=1e-12)


def random_tiny_unet() -> UNet:
    torch.manual_seed(0)
    unet = UNet(TINY_UNET)
    for parameter in unet.parameters():  # zero-initialised layers would make every prediction 0
        nn.init.normal_(parameter, std=0.3)
    return unet.eval()


def test_guidance_at_scale_zero_is_the_unconditional_prediction():
    unet = random_tiny_unet()
    x, t = torch.randn(3, 3, 64, 64), torch.tensor([0.9, 0.5, 0.1])
    hair, eyes = torch.tensor([1, 8, 11]), torch.tensor([0, 10, 4])
    null_hair, null_eyes = torch.full_like(hair, NULL_HAIR), torch.full_like(eyes, NULL_EYES)
    with torch.no_grad():
        conditional, unconditional = unet(x, t, hair, eyes), unet(x, t, null_hair, null_eyes)
        assert (conditional - unconditional).abs().max() > 1e-2, "the tags must change the velocity"

        def guided(scale: float) -> torch.Tensor:
            config = FlowMatchingConfig(unet=TINY_UNET, guidance_scale=scale)
            return FlowSampler(config, unet).guided_velocity(x, t, hair, eyes)

        assert torch.allclose(guided(0.0), unconditional, atol=1e-5)
        assert torch.allclose(guided(1.0), conditional, atol=1e-5)
        assert torch.allclose(guided(3.0), unconditional + 3 * (conditional - unconditional), atol=1e-4)


def test_condition_dropout_uses_the_null_indices_at_the_configured_rate():
    count = 20_000
    hair, eyes = torch.randint(12, (count,)), torch.randint(11, (count,))
    dropped_hair, dropped_eyes = drop_conditions(hair, eyes, 0.1, torch.Generator().manual_seed(7))
    dropped = dropped_hair == NULL_HAIR
    assert torch.equal(dropped, dropped_eyes == NULL_EYES)  # both tags go together
    assert 0.09 < dropped.float().mean().item() < 0.11
    assert torch.equal(dropped_hair[~dropped], hair[~dropped]) and torch.equal(dropped_eyes[~dropped], eyes[~dropped])
    again, _ = drop_conditions(hair, eyes, 0.1, torch.Generator().manual_seed(7))
    assert torch.equal(again, dropped_hair)
    assert (drop_conditions(hair, eyes, 0.0, torch.Generator())[0] == hair).all()
    assert (drop_conditions(hair, eyes, 1.0, torch.Generator())[0] == NULL_HAIR).all()


def test_a_tiny_flow_model_trains_without_a_discriminator_and_resumes_to_the_same_bytes(tiny_data_root, tmp_path):
    result = train(tiny_run(tiny_data_root, tmp_path / "straight", 4), progress=False)
    assert result.step == 4
    records = [json.loads(line) for line in (tmp_path / "straight" / "log.jsonl").read_text().splitlines()]
    assert len(records) == 4 and all(np.isfinite(r["flow_loss"]) and r["flow_loss"] > 0 for r in records)
    assert records[-1]["images_through_d"] == 4 * 8
    checkpoint = latest_checkpoint(tmp_path / "straight")
    assert not (checkpoint / "discriminator.safetensors").exists()
    state = torch.load(checkpoint / "training_state.pt", weights_only=True)
    assert "optimizer_discriminator" not in state and state["step"] == 4

    train(tiny_run(tiny_data_root, tmp_path / "split", 2), progress=False)
    train(tiny_run(tiny_data_root, tmp_path / "split", 4), resume=True, progress=False)
    split = latest_checkpoint(tmp_path / "split")
    for name in ("generator", "generator_ema"):
        a, b = load_file(str(checkpoint / f"{name}.safetensors")), load_file(str(split / f"{name}.safetensors"))
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), name
    initial = load_file(str(checkpoint_dir(tmp_path / "split", 2) / "generator.safetensors"))
    assert any(not torch.equal(initial[k], a[k]) for k in a), "steps 3 and 4 changed nothing"


@pytest.fixture(scope="module")
def exported_flow_model(tiny_data_root, tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("flow_run")
    train(tiny_run(tiny_data_root, run_dir, 2), progress=False)
    out = run_dir / "diffusion.safetensors"
    status, stderr = run(["export", "--run", str(run_dir), "--out", str(out)])
    assert status == 0, stderr
    return out


def test_an_exported_flow_model_draws_the_same_png_bytes_through_every_door(exported_flow_model, tmp_path):
    sidecar = json.loads(exported_flow_model.with_suffix(".json").read_text())
    assert sidecar["kind"] == "flow_matching" and sidecar["flow_matching"]["sample_steps"] == 2
    assert sidecar["flow_matching"]["unet"]["base_width"] == 4 and "generator" not in sidecar
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n2,blonde hair green eyes\n3,pink hair aqua eyes\n")
    for name in ("a.png", "b.png"):
        status, stderr = run(["sample", "--generator", str(exported_flow_model), "--tags", str(tags),
                              "--layout", "grid", "--out", str(tmp_path / name)])
        assert status == 0, stderr
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()

    import hw3

    faces = hw3.generate([("blue", "red"), ("blonde", "green"), ("pink", "aqua")], generator=exported_flow_model)
    grid = np.asarray(Image.open(tmp_path / "a.png"))
    assert np.array_equal(grid[2:66, 2:66], np.asarray(faces[0]))  # the grid's first cell, 2 px in
    assert np.array_equal(grid[2:66, 68:132], np.asarray(faces[1]))
    assert not np.array_equal(np.asarray(faces[0]), np.asarray(faces[1]))

    script = subprocess.run(["bash", str(REPO / "run_cgan.sh"), str(tags), "--generator", str(exported_flow_model),
                             "--layout", "grid", "--out", str(tmp_path / "script.png")],
                            capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert script.returncode == 0, script.stderr
    assert (tmp_path / "script.png").read_bytes() == (tmp_path / "a.png").read_bytes()


def test_a_flow_model_needs_tags(exported_flow_model, tmp_path):
    status, stderr = run(["sample", "--generator", str(exported_flow_model), "--count", "3",
                          "--out", str(tmp_path / "x.png")])
    assert_one_line_exit_2(status, stderr, "a conditional generator needs a tags file")


def tiny_flow_file(tmp_path: Path, edit=lambda sidecar: None) -> Path:
    torch.manual_seed(0)
    config = FlowMatchingConfig(unet=TINY_UNET, sample_steps=2)
    path = tmp_path / "edited.safetensors"
    save_module_weights(FlowSampler(config), path)
    from dataclasses import asdict

    sidecar = {"kind": "flow_matching", "flow_matching": asdict(config), "sha256": file_sha256(path)}
    edit(sidecar)
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda s: s["flow_matching"]["unet"].update(base_width=8), "edited.json: the flow model config does not fit"),
    (lambda s: s["flow_matching"]["unet"].update(base_width=4000), "edited.json: flow_matching.unet.base_width"),
    (lambda s: s["flow_matching"]["unet"].update(embedding_dim=9999), "edited.json: flow_matching.unet.embedding_dim"),
    (lambda s: s["flow_matching"]["unet"].update(embedding_dim=64), "asks for width 64, larger than any dimension"),
    (lambda s: s["flow_matching"]["unet"].update(channel_multipliers=[1, 2, 2]), "does not fit"),
    (lambda s: s["flow_matching"]["unet"].update(num_groups=3), "does not split into num_groups 3"),
    (lambda s: s["flow_matching"].update(solver="rk4"), "edited.json: flow_matching.solver: unknown 'rk4'"),
    (lambda s: s["flow_matching"].update(sample_steps="many"), "edited.json: flow_matching.sample_steps"),
    (lambda s: s["flow_matching"].update(colour="blue"), "edited.json: flow_matching.colour: unknown key"),
    (lambda s: s.update(flow_matching=[1]), "edited.json: 'flow_matching' is not an object"),
    (lambda s: s.update(kind="generator"), "edited.json: 'generator' is not an object"),
    (lambda s: s.update(sha256="0" * 64), "sha256 differs"),
])
def test_an_edited_flow_sidecar_is_refused_in_one_line_naming_it(tmp_path, edit, message):
    path = tiny_flow_file(tmp_path, edit)
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n")
    out = tmp_path / "out.png"
    status, stderr = run(["sample", "--generator", str(path), "--tags", str(tags), "--out", str(out)])
    assert_one_line_exit_2(status, stderr, message)
    assert not out.exists()


def test_the_unedited_tiny_flow_file_loads_as_a_conditional_generator(tmp_path):
    from hw3.sampling.generator_file import load_generator

    sampler, meta = load_generator(tiny_flow_file(tmp_path))
    assert isinstance(sampler, FlowSampler) and sampler.is_conditional and not sampler.training
    assert sampler.config.unet == TINY_UNET and sampler.config.sample_steps == 2 and meta["kind"] == "flow_matching"


def test_the_shipped_config_builds_the_measured_network():
    config = load_config(REPO / "configs" / "diffusion.toml")
    assert config.task == "diffuse" and config.conditional and config.noise_dim == NOISE_DIM
    from hw3.train.loop import build_networks

    sampler, critic = build_networks(config, torch.device("cpu"))
    assert critic is None and isinstance(sampler, FlowSampler)
    assert config.stopping.plateau and config.stopping.max_images == 3_200_000


@pytest.mark.parametrize("overrides, message", [
    (["flow_matching.unet.num_groups=5"], "width 32 does not split into num_groups 5"),
    (["flow_matching.unet.channel_multipliers=[]"], "expected 1 to 5 levels"),
    (["flow_matching.unet.base_width=512", "flow_matching.unet.channel_multipliers=[1, 8]"],
     "width 4096 (base_width * multiplier; expected at most 2048)"),
    (["flow_matching.solver=rk4"], "--set flow_matching.solver=rk4: unknown 'rk4' (expected one of: euler, heun)"),
    (["flow_loss.condition_dropout=1.5"], "--set flow_loss.condition_dropout=1.5"),
    (["flow_loss.time_sampling=cosine"], "unknown 'cosine'"),
])
def test_a_bad_flow_config_is_one_line_naming_it(overrides, message):
    with pytest.raises(InputError) as error:
        load_config(REPO / "configs" / "diffusion.toml", overrides)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_in_training_evaluation_measures_the_flow_model_with_its_cheap_step_count(tiny_data_root, tmp_path,
                                                                                    monkeypatch):
    drawn_with = []
    original = FlowSampler.sample

    def counting(self, noise, hair, eyes):
        drawn_with.append((self.config.sample_steps, noise.shape[0]))
        return original(self, noise, hair, eyes)

    monkeypatch.setattr(FlowSampler, "sample", counting)
    config = tiny_run(tiny_data_root, tmp_path / "run", 2)
    config.evaluation.every, config.evaluation.num_samples, config.evaluation.num_reference = 2, 12, 12
    train(config, progress=False)
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    evaluated = [r for r in records if "eval_fid" in r]
    assert len(evaluated) == 1 and np.isfinite(evaluated[0]["eval_fid"]) and "eval_both_seen" in evaluated[0]
    assert (1, 12) in drawn_with and (1, 64) in drawn_with  # the evaluation's 12 faces and the 64-face preview
    assert all(steps == 1 for steps, _ in drawn_with)  # never the shipped sample_steps = 2


def test_evaluate_sets_a_flow_models_guidance_and_steps_and_refuses_them_for_a_gan(tmp_path):
    from hw3.sampling.evaluate_command import sampler_settings, with_sampler_settings
    from hw3.sampling.generator_file import load_generator

    path = tiny_flow_file(tmp_path)
    sampler, _ = load_generator(path)
    swept = with_sampler_settings(sampler, path, None, 0.0)
    assert swept.config.guidance_scale == 0.0 and swept.config.sample_steps == 2
    assert swept.velocity is sampler.velocity and not swept.training
    assert sampler_settings(with_sampler_settings(sampler, path, 5, 3.5)) == {"steps": 5, "guidance": 3.5}
    assert with_sampler_settings(sampler, path, None, None) is sampler
    z = torch.randn(2, NOISE_DIM, generator=torch.Generator().manual_seed(0))
    hair, eyes = torch.tensor([1, 2]), torch.tensor([3, 4])
    trained_like = FlowSampler(sampler.config, random_tiny_unet()).eval()  # tags change its velocity
    unguided = with_sampler_settings(trained_like, path, None, 0.0)
    with torch.no_grad():  # scale 0 draws what the unconditional velocity alone draws, whatever the tags
        faces = unguided(z, hair, eyes)
        assert torch.equal(faces, unguided(z, torch.tensor([5, 6]), torch.tensor([0, 1])))
        assert not torch.equal(faces, trained_like(z, hair, eyes))

    gan = REPO / "weights" / "dcgan.safetensors"
    status, stderr = run(["evaluate", "--generator", str(gan), "--guidance-scale", "2", "--out-dir", str(tmp_path)])
    assert_one_line_exit_2(status, stderr, "--sample-steps and --guidance-scale set a flow model's sampler")
    status, stderr = run(["evaluate", "--generator", str(path), "--guidance-scale", "21", "--out-dir", str(tmp_path)])
    assert_one_line_exit_2(status, stderr, "--guidance-scale")
