"""What the loop does after each step: previews, evaluation, the stopping rule and checkpoints,
on the shared state of one run (`Run`). hw3.train.loop builds that state and runs the steps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from hw3.images import preview_inputs, save_grid, translation_preview
from hw3.losses import GANLoss
from hw3.losses.flow_matching import FlowMatchingLoss
from hw3.losses.translation import TranslationLoss
from hw3.models.kinds import in_training_view
from hw3.train.checkpoint import TrainingState, add_to_checkpoint_meta, best_checkpoint_dir, save_checkpoint
from hw3.train.config import TrainConfig
from hw3.train.data_feed import PREVIEW_STREAM, BatchFeed, step_generator
from hw3.train.ema import GeneratorAverage, standing_statistics
from hw3.train.log import TrainingLog
from hw3.train.periodic_eval import PeriodicEvaluation, selection_key
from hw3.train.runtime import Precision, ProcessGroup
from hw3.train.stopping import plateau_reached, stop_record


class TrainingDiverged(RuntimeError):
    """A loss or weight became NaN or infinite; the last good checkpoint is kept."""


@dataclass
class Run:
    """Everything the steps and the upkeep share, built once by hw3.train.loop's `_set_up`."""

    config: TrainConfig
    group: ProcessGroup
    device: torch.device
    run_dir: Path
    feed: BatchFeed
    state: TrainingState
    average: GeneratorAverage
    loss: GANLoss | TranslationLoss | FlowMatchingLoss
    precision: Precision
    generator_step: nn.Module  # what the loss calls: wrapped for DDP / compile
    discriminator_step: nn.Module | None  # None: a single-player loss
    log: TrainingLog
    meta: dict
    last_checkpoint: Path | None
    evaluation: PeriodicEvaluation | None
    best: dict | None  # the best evaluation record so far
    evaluations: list[dict]  # every evaluation record so far, for the stopping rule
    stopped: dict | None = None  # hw3.train.stopping.stop_record, once the run has stopped


def budget_of(state: TrainingState, meta: dict) -> dict:
    """What a run has spent: the study compares variants at equal images through D."""
    return {"images_through_d": state.images_through_d, "generator_steps": state.step,
            "wall_seconds": round(state.wall_seconds, 3), "device": meta["device"],
            "world_size": meta["world_size"]}


def _refresh_average(config: TrainConfig, average: nn.Module, device: torch.device) -> None:
    def draw(index: int):
        rng = step_generator(device, config.seed, PREVIEW_STREAM, index)
        z = torch.randn(config.batch_size, config.noise_dim, generator=rng, device=device)
        if not config.conditional:
            return z, None, None
        hair = torch.randint(12, (config.batch_size,), generator=rng, device=device)
        eyes = torch.randint(11, (config.batch_size,), generator=rng, device=device)
        return z, hair, eyes

    standing_statistics(average, draw)


@torch.no_grad()
def _save_preview(config: TrainConfig, average: nn.Module, feed: BatchFeed, path: Path) -> None:
    device = feed.device
    if config.task == "translate":
        save_grid(translation_preview(average, feed.images[:8].float() / 127.5 - 1.0), path, per_row=8)
        return
    z, hair, eyes = preview_inputs(config.noise_dim, config.seed)
    if not config.conditional:
        hair = eyes = None
    else:
        hair, eyes = hair.to(device), eyes.to(device)
    save_grid(in_training_view(average)(z.to(device), hair, eyes), path, per_row=8)


def _all_finite(module: nn.Module | None) -> bool:
    return module is None or all(bool(torch.isfinite(p).all()) for p in module.parameters())


def _evaluate(run: Run) -> dict:
    """Measure the EMA generator; keep its checkpoint as `best` if the rule prefers it."""
    record = run.evaluation(in_training_view(run.average.average))
    record.update(step=run.state.step, images_through_d=run.state.images_through_d,
                  wall_seconds=round(run.state.wall_seconds, 3))
    rule = run.config.evaluation.min_seen_accuracy
    record["best"] = run.best is None or selection_key(record, rule) < selection_key(run.best, rule)
    if record["best"]:
        run.best = record
        save_checkpoint(run.run_dir, run.state, {**run.meta, "budget": budget_of(run.state, run.meta),
                                                 "evaluation": record},
                        keep=run.config.keep_checkpoints, final=best_checkpoint_dir(run.run_dir))
    run.log.append(record)
    run.evaluations.append(record)
    evidence = plateau_reached(run.evaluations, run.config.stopping) if run.stopped is None else None
    if evidence is not None:
        run.stopped = stop_record("plateau", run.state.step, run.state.images_through_d, run.config.stopping, evidence)
    return record


def _evaluation_due(run: Run, images_before: int, done: bool) -> bool:
    """Every `evaluation.every` steps, at the end, and on reaching each of `evaluation.at_images`."""
    if run.evaluation is None:
        return False
    config, state = run.config, run.state
    crossed = any(images_before < budget <= state.images_through_d for budget in config.evaluation.at_images)
    return state.step % config.evaluation.every == 0 or done or crossed


def _stop_decision(run: Run, done: bool) -> None:
    """Sets `run.stopped` at the image cap or the last step; every process agrees with rank 0."""
    state, rule = run.state, run.config.stopping
    if run.stopped is None and rule.max_images and state.images_through_d >= rule.max_images:
        run.stopped = stop_record("cap", state.step, state.images_through_d, rule)
    if run.stopped is None and rule.max_seconds and state.wall_seconds >= rule.max_seconds:
        run.stopped = stop_record("time limit", state.step, state.images_through_d, rule)
    if run.stopped is None and done:
        run.stopped = stop_record("num_steps", state.step, state.images_through_d, rule)
    if run.group.distributed:
        flag = torch.tensor([run.stopped is not None], dtype=torch.int32, device=run.device)
        torch.distributed.broadcast(flag, src=0)
        if flag.item() and run.stopped is None:
            run.stopped = stop_record("rank 0 stopped", state.step, state.images_through_d, rule)


def upkeep(run: Run, done: bool, images_before: int) -> None:
    """Previews, evaluation, the stopping rule and checkpoints due at this step (on rank 0;
    every rank waits)."""
    config, state, group = run.config, run.state, run.group
    # The cap and the time limit are decided first, so the step a run stops at is evaluated and
    # can be its best: a stop between evaluations would otherwise leave its last images unmeasured.
    _stop_decision(run, done)
    eval_due = group.is_main and _evaluation_due(run, images_before, done or run.stopped is not None)
    if eval_due:
        _refresh_average(config, run.average.average, run.device)
        _evaluate(run)
    done = run.stopped is not None
    preview_due = state.step % config.sample_every == 0 or done
    checkpoint_due = state.step % config.checkpoint_every == 0 or done
    if group.is_main and (preview_due or checkpoint_due) and not eval_due:
        _refresh_average(config, run.average.average, run.device)
    if group.is_main and preview_due:
        _save_preview(config, run.average.average, run.feed, run.run_dir / "samples" / f"step_{state.step:07d}.png")
    if checkpoint_due:
        if group.is_main:
            if not (_all_finite(state.generator) and _all_finite(state.discriminator)):
                raise TrainingDiverged(
                    f"step {state.step}: weights became NaN or infinite; not saved. Last good "
                    f"checkpoint: {run.last_checkpoint or 'none yet'}"
                )
            meta = {**run.meta, "budget": budget_of(state, run.meta)}
            if run.stopped is not None:
                meta["stopping"] = run.stopped
            run.last_checkpoint = save_checkpoint(run.run_dir, state, meta, keep=config.keep_checkpoints)
            if run.stopped is not None and best_checkpoint_dir(run.run_dir).is_dir():
                add_to_checkpoint_meta(best_checkpoint_dir(run.run_dir), {"stopping": run.stopped})
        group.barrier()
