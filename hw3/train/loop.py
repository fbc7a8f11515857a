"""The one training loop every GAN variant runs; variants differ only in networks and loss."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from hw3.data.dataset import load_split, open_dataset
from hw3.errors import InputError
from hw3.losses import GANLoss
from hw3.models import Discriminator, Generator
from hw3.sampling.images import preview_inputs, save_grid
from hw3.train.checkpoint import TrainingState, latest_checkpoint, load_checkpoint, save_checkpoint
from hw3.train.config import TrainConfig, config_to_dict
from hw3.train.data_feed import NOISE_STREAM, PREVIEW_STREAM, Batch, BatchFeed, step_generator
from hw3.train.ema import GeneratorAverage, standing_statistics
from hw3.train.log import TrainingLog
from hw3.train.runtime import ProcessGroup, autocast, join_process_group, leave_process_group
from hw3.weights import command_line, git_commit


class TrainingDiverged(RuntimeError):
    """A loss or weight became NaN or infinite; the last good checkpoint is kept."""


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    last_checkpoint: Path | None
    images_per_second: float
    device: str  # where the steps ran: "cpu", "cuda" or "mps"


def build_networks(config: TrainConfig, device: torch.device) -> tuple[nn.Module, nn.Module]:
    # Initialisation draws from the global RNG inside nn.init; fork it so the seed decides the
    # weights without touching anyone else's random state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        generator = Generator(config.generator)
        discriminator = Discriminator(config.discriminator)
    memory_format = torch.channels_last if config.channels_last else torch.contiguous_format
    return (
        generator.to(device, memory_format=memory_format),
        discriminator.to(device, memory_format=memory_format),
    )


def _load_training_data(config: TrainConfig):
    root = Path(config.data.root)
    if (root / config.data.split).is_dir():
        dataset = load_split(root, config.data.split)
    else:
        dataset = open_dataset(root)
    images, hair, eyes = dataset.images, dataset.hair, dataset.eyes
    if config.data.limit:
        images, hair, eyes = images[: config.data.limit], hair[: config.data.limit], eyes[: config.data.limit]
    return images, hair, eyes


def _run_meta(config: TrainConfig, group: ProcessGroup) -> dict:
    return {
        "config": config_to_dict(config),
        "seed": config.seed,
        "git_commit": git_commit(),
        "command": command_line(),
        "world_size": group.world_size,
    }


def _noise(config: TrainConfig, device: torch.device, group: ProcessGroup, *keys: int):
    rng = step_generator(device, config.seed, NOISE_STREAM, *keys, group.rank)
    z = torch.randn(config.batch_size, config.generator.z_dim, generator=rng, device=device)
    return z, rng


def _refresh_average(config: TrainConfig, average: nn.Module, device: torch.device) -> None:
    def draw(index: int):
        rng = step_generator(device, config.seed, PREVIEW_STREAM, index)
        z = torch.randn(config.batch_size, config.generator.z_dim, generator=rng, device=device)
        if not config.conditional:
            return z, None, None
        hair = torch.randint(12, (config.batch_size,), generator=rng, device=device)
        eyes = torch.randint(11, (config.batch_size,), generator=rng, device=device)
        return z, hair, eyes

    standing_statistics(average, draw)


@torch.no_grad()
def _save_preview(config: TrainConfig, average: nn.Module, device: torch.device, path: Path) -> None:
    z, hair, eyes = preview_inputs(config.generator.z_dim, config.seed)
    if not config.conditional:
        hair = eyes = None
    else:
        hair, eyes = hair.to(device), eyes.to(device)
    save_grid(average(z.to(device), hair, eyes), path, per_row=8)


def _all_finite(module: nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


def train(config: TrainConfig, resume: bool = False, progress: bool = True) -> TrainResult:
    group, device = join_process_group(config.device)
    try:
        return _train(config, resume, progress, group, device)
    finally:
        leave_process_group(group)


def _train(config: TrainConfig, resume: bool, progress: bool, group: ProcessGroup, device: torch.device) -> TrainResult:
    run_dir = Path(config.out_dir)
    resumed_from = latest_checkpoint(run_dir)
    if resumed_from is not None and not resume:
        raise InputError(
            f"{run_dir}: holds checkpoints up to {resumed_from.name} (expected --resume to continue, "
            "or another output directory)"
        )
    if group.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        images, hair, eyes = _load_training_data(config)  # builds the decode cache once
    group.barrier()
    if not group.is_main:
        images, hair, eyes = _load_training_data(config)
    feed = BatchFeed(
        images, hair, eyes, config.batch_size, config.seed, device, config.conditional,
        balanced=config.data.balanced_sampling, channels_last=config.channels_last,
        rank=group.rank, world_size=group.world_size,
    )
    generator, discriminator = build_networks(config, device)
    average = GeneratorAverage(generator, config.ema_decay, config.ema_warmup)
    betas = tuple(config.optimizer.betas)
    state = TrainingState(
        generator, discriminator, average.average,
        torch.optim.Adam(generator.parameters(), lr=config.optimizer.lr_generator, betas=betas),
        torch.optim.Adam(discriminator.parameters(), lr=config.optimizer.lr_discriminator, betas=betas),
    )
    if resumed_from is not None:
        load_checkpoint(resumed_from, state, device)
        average.num_updates = state.ema_updates
    log = TrainingLog(run_dir / "log.jsonl", enabled=group.is_main, truncate_after=state.step)

    # What the loss calls: wrapped for DDP / compile; what is saved: the plain modules above.
    generator_step, discriminator_step = generator, discriminator
    if group.distributed:
        ids = [device.index] if device.type == "cuda" else None
        generator_step = DistributedDataParallel(generator, device_ids=ids)
        discriminator_step = DistributedDataParallel(discriminator, device_ids=ids)
    if config.compile:
        generator_step, discriminator_step = torch.compile(generator_step), torch.compile(discriminator_step)
    loss = GANLoss(config.loss)
    meta = _run_meta(config, group)
    last_checkpoint = resumed_from
    finite = torch.ones((), dtype=torch.bool, device=device)
    images_seen, clock = 0, time.perf_counter()
    images_per_second = 0.0

    bar = tqdm(total=config.num_steps, initial=state.step, disable=not (progress and group.is_main),
               desc=config.name, unit="step", dynamic_ncols=True)
    while state.step < config.num_steps:
        step = state.step
        for critic_index in range(loss.n_critic):
            batch: Batch = feed.batch(step * loss.n_critic + critic_index)
            z, rng = _noise(config, device, group, step, critic_index)
            with autocast(device, config.mixed_precision):
                d_loss, d_stats = loss.discriminator_loss(generator_step, discriminator_step, batch, z, rng)
            state.optimizer_discriminator.zero_grad(set_to_none=True)
            d_loss.backward()
            state.optimizer_discriminator.step()

        z, rng = _noise(config, device, group, step, loss.n_critic)
        if not group.distributed:  # DDP expects every parameter's gradient on every backward
            discriminator.requires_grad_(False)
        with autocast(device, config.mixed_precision):
            g_loss, g_stats = loss.generator_loss(generator_step, discriminator_step, batch, z, rng)
        state.optimizer_generator.zero_grad(set_to_none=True)
        g_loss.backward()
        state.optimizer_generator.step()
        discriminator.requires_grad_(True)
        average.update(generator)
        state.ema_updates = average.num_updates
        finite &= torch.isfinite(d_loss.detach()) & torch.isfinite(g_loss.detach())
        state.step += 1
        images_seen += config.batch_size * loss.n_critic * group.world_size  # real images through D
        bar.update(1)
        done = state.step == config.num_steps

        if state.step % config.log_every == 0 or done:
            if not bool(finite):  # one host sync per log interval, not per step
                raise TrainingDiverged(
                    f"step {state.step}: a loss became NaN or infinite; stopped. Last good checkpoint: "
                    f"{last_checkpoint or 'none yet'}"
                )
            elapsed = time.perf_counter() - clock
            images_per_second = images_seen / max(elapsed, 1e-9)
            record = {k: float(v) for k, v in {**d_stats, **g_stats}.items()}
            record.update(step=state.step, images_per_second=round(images_per_second, 1))
            log.append(record)
            bar.set_postfix({k: f"{v:.3g}" for k, v in record.items() if k != "step"}, refresh=False)
            images_seen, clock = 0, time.perf_counter()
        preview_due = state.step % config.sample_every == 0 or done
        checkpoint_due = state.step % config.checkpoint_every == 0 or done
        upkeep_started = time.perf_counter()
        if group.is_main and (preview_due or checkpoint_due):
            _refresh_average(config, average.average, device)
        if group.is_main and preview_due:
            _save_preview(config, average.average, device, run_dir / "samples" / f"step_{state.step:07d}.png")
        if checkpoint_due:
            if group.is_main:
                if not (_all_finite(generator) and _all_finite(discriminator)):
                    raise TrainingDiverged(
                        f"step {state.step}: weights became NaN or infinite; not saved. Last good "
                        f"checkpoint: {last_checkpoint or 'none yet'}"
                    )
                last_checkpoint = save_checkpoint(run_dir, state, meta, keep=config.keep_checkpoints)
            group.barrier()
        clock += time.perf_counter() - upkeep_started  # images/s measures training steps only
    bar.close()
    return TrainResult(run_dir, state.step, last_checkpoint, images_per_second, device.type)
