"""The one training loop every GAN variant runs; variants differ only in networks and loss.

A flow-matching model (task "diffuse") runs on it as a single player: its loss has n_critic = 0,
so there is no discriminator, no D optimiser and no D step; everything else is shared."""

from __future__ import annotations

import sys
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
from hw3.losses.flow_matching import FlowMatchingLoss
from hw3.losses.translation import TranslationLoss
from hw3.models import build_discriminator
from hw3.models.kinds import build_generator_network, generator_kind
from hw3.train.checkpoint import TrainingState, latest_checkpoint, load_latest_good
from hw3.train.config import TrainConfig, config_changes, config_to_dict
from hw3.train.data_feed import NOISE_STREAM, Batch, BatchFeed, step_generator
from hw3.train.ema import GeneratorAverage
from hw3.train.fast_path import fast_path_record, wrap_for_compile
from hw3.train.stopping import plateau_reached, stop_record
from hw3.train.log import TrainingLog, read_log
from hw3.train.periodic_eval import PeriodicEvaluation, best_evaluation
from hw3.train.runtime import (
    Precision, ProcessGroup, configure_backends, device_description, join_process_group, leave_process_group,
)
from hw3.train.upkeep import Run, TrainingDiverged, upkeep
from hw3.weights import command_line, git_commit


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during the steps: where the run stopped and the checkpoint a resume starts from.
    Still a KeyboardInterrupt, so a caller's `except Exception` does not swallow it."""

    def __init__(self, step: int, last_checkpoint: Path | None):
        super().__init__(f"stopped at step {step}")
        self.step, self.last_checkpoint = step, last_checkpoint


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    last_checkpoint: Path | None
    images_per_second: float
    device: str  # where the steps ran: "cpu", "cuda" or "mps"
    stop_reason: str | None = None  # "plateau", "cap", "time limit" or "num_steps" (hw3.train.stopping)


def build_networks(config: TrainConfig, device: torch.device) -> tuple[nn.Module, nn.Module | None]:
    """(G, D) of the config; D is None for a single-player task (a flow-matching model)."""
    # Initialisation draws from the global RNG inside nn.init; fork it so the seed decides the
    # weights without touching anyone else's random state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        kind = generator_kind(config.task)
        generator = build_generator_network(kind, getattr(config, kind))
        discriminator = None if config.task == "diffuse" else build_discriminator(config.discriminator)
    memory_format = torch.channels_last if config.channels_last else torch.contiguous_format
    return (
        generator.to(device, memory_format=memory_format),
        None if discriminator is None else discriminator.to(device, memory_format=memory_format),
    )


def build_loss(config: TrainConfig) -> GANLoss | TranslationLoss | FlowMatchingLoss:
    if config.task == "diffuse":
        return FlowMatchingLoss(config.flow_loss)
    return TranslationLoss(config.loss) if config.task == "translate" else GANLoss(config.loss)


def _load_training_data(config: TrainConfig, progress: bool = True):
    root = Path(config.data.root)
    if (root / config.data.split).is_dir():
        dataset = load_split(root, config.data.split, progress=progress)
    else:
        dataset = open_dataset(root, progress=progress)
    images, hair, eyes = dataset.images, dataset.hair, dataset.eyes
    if config.data.limit:
        images, hair, eyes = images[: config.data.limit], hair[: config.data.limit], eyes[: config.data.limit]
    return images, hair, eyes


def _run_meta(config: TrainConfig, group: ProcessGroup, device: torch.device) -> dict:
    return {
        "config": config_to_dict(config),
        "seed": config.seed,
        "git_commit": git_commit(),
        "command": command_line(),
        "world_size": group.world_size,
        "device": device_description(device),
    }


def _noise(config: TrainConfig, device: torch.device, group: ProcessGroup, *keys: int):
    rng = step_generator(device, config.seed, NOISE_STREAM, *keys, group.rank)
    z = torch.randn(config.batch_size, config.noise_dim, generator=rng, device=device)
    return z, rng


def train(config: TrainConfig, resume: bool = False, progress: bool = True,
          allow_config_change: bool = False) -> TrainResult:
    group, device = join_process_group(config.device)
    try:
        return _train(config, resume, progress, allow_config_change, group, device)
    finally:
        leave_process_group(group)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _check_resume(config: TrainConfig, run_dir: Path, resume: bool, allow_config_change: bool) -> list[dict]:
    """Refuse to continue a run under another config unless told; -> the recorded changes."""
    latest = latest_checkpoint(run_dir)
    if latest is None:
        return []
    if not resume:
        raise InputError(
            f"{run_dir}: holds checkpoints up to {latest.name} (expected --resume to continue, "
            "or another output directory)"
        )
    from hw3.train.checkpoint import newest_readable_meta

    # The checkpoint load_latest_good will resume from: a damaged newer meta.json is skipped there too.
    resumed, saved = newest_readable_meta(run_dir)
    history = list(saved.get("config_changes", []))
    changes = config_changes(saved.get("config", {}), config)
    if changes and not allow_config_change:
        listed = "; ".join(f"{key} {before!r} -> {after!r}" for key, (before, after) in sorted(changes.items()))
        raise InputError(f"{resumed / 'meta.json'}: the config differs from the checkpoint's: {listed} "
                         "(expected the same config, or --allow-config-change)")
    if changes:
        history.append({"step": int(saved.get("step", 0)),
                        "changes": {key: list(pair) for key, pair in sorted(changes.items())}})
    return history


def _set_up(config: TrainConfig, resume: bool, allow_config_change: bool, group: ProcessGroup, progress: bool,
            device: torch.device) -> Run:
    run_dir = Path(config.out_dir)
    config_history = _check_resume(config, run_dir, resume, allow_config_change)
    configure_backends(device)
    feed = _batch_feed(config, group, device, progress, run_dir)
    generator, discriminator = build_networks(config, device)
    average = GeneratorAverage(generator, config.ema_decay, config.ema_warmup)
    optimizer = config.optimizer
    state = TrainingState(
        generator, discriminator, average.average,
        optimizer.build(generator.parameters(), optimizer.lr_generator, device),
        None if discriminator is None
        else optimizer.build(discriminator.parameters(), optimizer.lr_discriminator, device),
    )
    resumed_from = load_latest_good(run_dir, state, device, _warn) if resume else None
    if resume and resumed_from is None and latest_checkpoint(run_dir) is not None:
        raise InputError(f"{run_dir}: no checkpoint could be loaded (expected at least one complete step_* "
                         "directory, or another output directory)")
    average.num_updates = state.ema_updates
    log = TrainingLog(run_dir / "log.jsonl", enabled=group.is_main, truncate_after=state.step)

    precision = Precision(device, config.mixed_precision)
    meta = _run_meta(config, group, device)
    meta["fast_path"] = fast_path_record(config, precision.dtype, device)
    generator_step, discriminator_step = _step_networks(config, group, device, generator, discriminator,
                                                        meta["fast_path"]["compile"])
    if config_history:
        meta["config_changes"] = config_history
    if config.stopping.plateau and config.evaluation.every == 0 and group.is_main:
        # Quick runs of a study config turn evaluations off; the plateau rule then has nothing to read.
        _warn("stopping.plateau is on but evaluation.every = 0: no plateau can be seen, so the run "
              "goes to num_steps (or stopping.max_images)")
    evaluation = best = None
    evaluations: list[dict] = []
    if group.is_main and config.evaluation.every > 0:
        evaluation = PeriodicEvaluation(config.evaluation, config.conditional, config.noise_dim,
                                        config.data.root, feed.images, device, progress)
        if log.path.exists():
            evaluations = [record for record in read_log(log.path) if "eval_fid" in record]
            best = best_evaluation(evaluations, config.evaluation.min_seen_accuracy)
    loss = build_loss(config)
    run = Run(config, group, device, run_dir, feed, state, average, loss,
              precision, generator_step, discriminator_step, log, meta,
              resumed_from, evaluation, best, evaluations)
    run.stopped = _stopped_before(config, state, evaluations)
    return run


def _batch_feed(config: TrainConfig, group: ProcessGroup, device: torch.device, progress: bool,
                run_dir: Path) -> BatchFeed:
    if group.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        images, hair, eyes = _load_training_data(config, progress)  # builds the decode cache once
    group.barrier()
    if not group.is_main:
        images, hair, eyes = _load_training_data(config, progress)
    return BatchFeed(
        images, hair, eyes, config.batch_size, config.seed, device, config.conditional,
        balanced=config.data.balanced_sampling, channels_last=config.channels_last,
        rank=group.rank, world_size=group.world_size,
    )


def _step_networks(config: TrainConfig, group: ProcessGroup, device: torch.device, generator: nn.Module,
                   discriminator: nn.Module, compile_record: dict) -> tuple:
    """What the loss calls: the networks wrapped for DDP, then compiled where this machine can."""
    networks = {"generator": generator, "discriminator": discriminator}
    networks = {name: network for name, network in networks.items() if network is not None}
    if group.distributed:
        ids = [device.index] if device.type == "cuda" else None
        networks = {name: DistributedDataParallel(network, device_ids=ids) for name, network in networks.items()}
    if config.compile:
        networks = wrap_for_compile(networks, device, compile_record, _warn if group.is_main else lambda message: None)
    return networks["generator"], networks.get("discriminator")


def _stopped_before(config: TrainConfig, state: TrainingState, evaluations: list[dict]) -> dict | None:
    """A resumed run that had already met its stopping rule stays stopped."""
    evidence = plateau_reached(evaluations, config.stopping)
    if evidence is not None:
        return stop_record("plateau", state.step, state.images_through_d, config.stopping, evidence)
    if config.stopping.max_images and state.images_through_d >= config.stopping.max_images:
        return stop_record("cap", state.step, state.images_through_d, config.stopping)
    return None


def _training_step(run: Run) -> dict[str, torch.Tensor]:
    """One generator update and its n_critic discriminator updates; -> the loss statistics.
    With n_critic = 0 (a flow-matching model) the update learns from a batch of its own."""
    config, state, loss, step = run.config, run.state, run.loss, run.state.step
    loss.set_progress(state.images_through_d)  # scheduled weights (R3GAN's gamma) follow the budget
    finite, d_stats = torch.ones((), dtype=torch.bool, device=run.device), {}
    batch = run.feed.batch(step) if loss.n_critic == 0 else None  # a GAN's G reuses D's last batch
    for critic_index in range(loss.n_critic):
        batch: Batch = run.feed.batch(step * loss.n_critic + critic_index)
        z, rng = _noise(config, run.device, run.group, step, critic_index)
        with run.precision.autocast():
            d_loss, d_stats = loss.discriminator_loss(run.generator_step, run.discriminator_step, batch, z, rng)
        state.optimizer_discriminator.zero_grad(set_to_none=True)
        run.precision.backward_and_step(d_loss, state.optimizer_discriminator)
        loss.after_discriminator_step(state.discriminator)
        finite = torch.isfinite(d_loss.detach())

    z, rng = _noise(config, run.device, run.group, step, loss.n_critic)
    critic = state.discriminator
    if critic is not None and not run.group.distributed:  # DDP expects every parameter's gradient on every backward
        critic.requires_grad_(False)
    with run.precision.autocast():
        g_loss, g_stats = loss.generator_loss(run.generator_step, run.discriminator_step, batch, z, rng)
    state.optimizer_generator.zero_grad(set_to_none=True)
    run.precision.backward_and_step(g_loss, state.optimizer_generator)
    if critic is not None:
        critic.requires_grad_(True)
    run.average.update(state.generator)
    state.ema_updates = run.average.num_updates
    state.step += 1
    # Real images seen: through D for a GAN, through the model once per step for a single player.
    state.images_through_d += config.batch_size * max(loss.n_critic, 1) * run.group.world_size
    return {**d_stats, **g_stats, "_finite": finite & torch.isfinite(g_loss.detach())}


def _train(config: TrainConfig, resume: bool, progress: bool, allow_config_change: bool, group: ProcessGroup,
           device: torch.device) -> TrainResult:
    run = _set_up(config, resume, allow_config_change, group, progress, device)
    state = run.state
    finite = torch.ones((), dtype=torch.bool, device=device)
    images_at_clock, clock = state.images_through_d, time.perf_counter()
    wall_clock = time.perf_counter()
    images_per_second = 0.0
    bar = tqdm(total=config.num_steps, initial=state.step, disable=not (progress and group.is_main),
               desc=config.name, unit="step", dynamic_ncols=True)
    try:
        while state.step < config.num_steps and run.stopped is None:
            images_before = state.images_through_d
            stats = _training_step(run)
            finite &= stats.pop("_finite")
            bar.update(1)
            done = state.step == config.num_steps
            if state.step % config.log_every == 0 or done:
                if not bool(finite):  # one host sync per log interval, not per step
                    raise TrainingDiverged(
                        f"step {state.step}: a loss became NaN or infinite; stopped. Last good checkpoint: "
                        f"{run.last_checkpoint or 'none yet'}"
                    )
                images_per_second = (state.images_through_d - images_at_clock) / max(time.perf_counter() - clock, 1e-9)
                record = {k: float(v) for k, v in stats.items()}
                record.update(step=state.step, images_per_second=round(images_per_second, 1),
                              images_through_d=state.images_through_d)
                run.log.append(record)
                bar.set_postfix({k: f"{v:.3g}" for k, v in record.items() if k not in ("step", "images_through_d")},
                                refresh=False)
                images_at_clock, clock = state.images_through_d, time.perf_counter()
            now = time.perf_counter()
            state.wall_seconds += now - wall_clock  # the budget's clock: steps and upkeep alike
            wall_clock = now
            upkeep(run, done, images_before)
            clock += time.perf_counter() - now  # images/s measures training steps only
    except KeyboardInterrupt:
        bar.close()  # the message goes on a line of its own
        raise TrainingInterrupted(state.step, run.last_checkpoint) from None
    bar.close()
    if run.stopped is not None and run.stopped["reason"] != "num_steps" and group.is_main:
        print(f"{config.name}: stopped at step {state.step:,} ({state.images_through_d:,} real images through D): "
              f"{run.stopped['reason']}", file=sys.stderr)
    return TrainResult(run.run_dir, state.step, run.last_checkpoint, images_per_second, device.type,
                       None if run.stopped is None else run.stopped["reason"])
