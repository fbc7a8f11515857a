"""Train a tag classifier of the evaluator's design on tagged images, and report its accuracy.

Used for the evaluator itself (`hw3 evaluator train`, on the training split) and for the
Classification Accuracy Score (a fresh classifier on generated images). Augmentation moves and
mirrors faces but never touches colour, because colour is the label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from hw3.eval.evaluator import EvaluatorConfig, TagEvaluator
from hw3.eval.features import extract_readout, to_evaluator_input
from hw3.eval.tag_accuracy import tag_accuracy
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_PAIRS


@dataclass
class EvaluatorTrainingConfig:
    steps: int = 1200  # about two passes over 30k images; ~8 minutes on 2 busy CPU cores
    batch_size: int = 64
    learning_rate: float = 2e-3  # peak of the one-cycle schedule
    weight_decay: float = 5e-4
    max_shift: int = 4  # pixels; faces in the data sit within a few pixels of centre
    # Draw images with weight count(pair) ** -pair_balance: at 0 the skewed training mix, at 1
    # every pair equally often. Between, hair says less about eyes (and back), so each head
    # learns its own colour, which is what held-out pairs need, without repeating the few
    # images of the rarest pairs too often.
    pair_balance: float = 0.5
    seed: int = 0


def augment(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """uint8 (B, 3, 64, 64) -> float -1..1 (B, 3, 64, 64): random shift (edge pixels repeated)
    and random left-right mirror, each image on its own."""
    batch = to_evaluator_input(images).contiguous()
    size = batch.shape[-1]
    if max_shift > 0:
        padded = F.pad(batch, (max_shift,) * 4, mode="replicate")  # (B, 3, 64 + 2s, 64 + 2s)
        offsets = torch.randint(0, 2 * max_shift + 1, (2, len(batch)), generator=generator)
        rows = (offsets[0, :, None] + torch.arange(size))[:, None, :, None]  # (B, 1, 64, 1)
        cols = (offsets[1, :, None] + torch.arange(size))[:, None, None, :]  # (B, 1, 1, 64)
        batch_index = torch.arange(len(batch))[:, None, None, None]
        channel_index = torch.arange(3)[None, :, None, None]
        batch = padded[batch_index, channel_index, rows, cols]  # (B, 3, 64, 64)
    mirror = torch.rand(len(batch), generator=generator) < 0.5
    batch = torch.where(mirror[:, None, None, None], batch.flip(-1), batch)
    return batch.contiguous(memory_format=torch.channels_last)


def pair_balanced_weights(hair: torch.Tensor, eyes: torch.Tensor, exponent: float) -> torch.Tensor:
    """(N,) sampling weight of each image: count of its (hair, eyes) pair to the power -exponent."""
    pairs = hair * NUM_EYES + eyes
    counts = torch.bincount(pairs, minlength=NUM_PAIRS).double()
    return counts[pairs] ** -exponent


def tag_loss(model: TagEvaluator, images: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor) -> torch.Tensor:
    output = model(images)
    return F.cross_entropy(output.hair_logits, hair) + F.cross_entropy(output.eye_logits, eyes)


def train_tag_classifier(
    images: torch.Tensor,
    hair: torch.Tensor,
    eyes: torch.Tensor,
    model_config: EvaluatorConfig | None = None,
    config: EvaluatorTrainingConfig | None = None,
    progress: bool = True,
) -> tuple[TagEvaluator, list[float]]:
    """images uint8 (N, 3, 64, 64) with hair (N,) and eye (N,) indices -> trained model (eval
    mode) and the loss of every step. CPU; the whole run is fixed by `config.seed`."""
    config = config or EvaluatorTrainingConfig()
    # Layer initialisation draws from torch's global generator: seed it inside a fork, so the
    # caller's random state is left as it was.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = TagEvaluator(model_config).to(memory_format=torch.channels_last)
    generator = torch.Generator().manual_seed(config.seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.learning_rate, total_steps=config.steps)
    weights = pair_balanced_weights(hair, eyes, config.pair_balance)
    losses: list[float] = []
    model.train()
    bar = tqdm(range(config.steps), desc="training tag classifier", unit="step", disable=not progress)
    for _ in bar:
        index = torch.multinomial(weights, config.batch_size, replacement=True, generator=generator)
        loss = tag_loss(model, augment(images[index], config.max_shift, generator), hair[index], eyes[index])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        schedule.step()
        losses.append(loss.item())
        if len(losses) % 50 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
    return model.eval(), losses


def _per_colour(correct: np.ndarray, labels: np.ndarray, colours: tuple[str, ...]) -> dict[str, float]:
    return {colour: float(correct[labels == i].mean()) for i, colour in enumerate(colours) if (labels == i).any()}


def accuracy_report(
    model: TagEvaluator, images: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor, held_out_pairs=None
) -> dict:
    """Accuracy per attribute, for both together, on seen and held-out pairs (see
    `tag_accuracy`), and per colour (keyed by colour name)."""
    readout = extract_readout(model, images)
    hair, eyes = hair.numpy(), eyes.numpy()
    accuracy = tag_accuracy(readout.hair_logits, readout.eye_logits, hair, eyes, held_out_pairs)
    hair_correct = readout.hair_logits.argmax(axis=1) == hair
    eyes_correct = readout.eye_logits.argmax(axis=1) == eyes
    return {
        "num_images": int(len(hair)),
        "hair": accuracy.hair,
        "eyes": accuracy.eyes,
        "both": accuracy.both,
        "seen_pairs": accuracy.seen,
        "held_out_pairs": accuracy.held_out,
        "per_hair_colour": _per_colour(hair_correct, hair, HAIR_COLOURS),
        "per_eye_colour": _per_colour(eyes_correct, eyes, EYE_COLOURS),
    }


def format_accuracy_report(report: dict) -> str:
    lines = [
        f"accuracy on {report['num_images']} images: hair {report['hair']:.2%}, "
        f"eyes {report['eyes']:.2%}, both {report['both']:.2%}",
        "both correct on seen pairs {:.2%}, on held-out pairs {:.2%}".format(
            report["seen_pairs"]["both"], report["held_out_pairs"]["both"]
        ),
        "",
        "| hair colour | accuracy |", "| --- | --- |",
        *(f"| {colour} | {value:.2%} |" for colour, value in report["per_hair_colour"].items()),
        "", "| eye colour | accuracy |", "| --- | --- |",
        *(f"| {colour} | {value:.2%} |" for colour, value in report["per_eye_colour"].items()),
    ]
    return "\n".join(lines)
