"""Train a tag classifier of the evaluator's design on tagged images, and report its accuracy.

Used for the evaluator itself (`hw3 evaluator train`, on the training split) and for the
Classification Accuracy Score (a fresh classifier on generated images). Augmentation moves and
mirrors faces but never touches colour, because colour is the label.

Imbalanced labels (the course's own data: a few colours dominate, some pairs have a handful of
faces, some none): images are drawn pair-balanced (`pair_balance`), and with
`class_weight_power` > 0 each colour's cross-entropy is weighted by its drawn frequency to the
power -`class_weight_power`, so colours that stay rare after balancing still count. The report
gives per-colour accuracy, both confusion matrices and the colour pairs the classifier mixes up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from hw3.eval.evaluator import EvaluatorConfig, TagEvaluator
from hw3.eval.features import extract_readout, to_evaluator_input
from hw3.eval.tag_accuracy import MIN_REAL_FACES_PER_PAIR, pair_counts, tag_accuracy
from hw3.tags import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, NUM_PAIRS, pair_from_index


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
    # 0: plain cross-entropy. 1: every colour weighs the same in the loss, however rarely drawn.
    class_weight_power: float = 0.0
    max_class_weight: float = 10.0  # a colour with three faces must not swamp the loss
    seed: int = 0


CONFUSION_FLAG_RATE = 0.10  # a colour read as another this often is flagged
MIN_FACES_PER_COLOUR = 10  # fewer test faces than this: the colour is flagged as not measured


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


def class_weights(labels: torch.Tensor, sample_weights: torch.Tensor, num_classes: int, power: float,
                  max_weight: float) -> torch.Tensor | None:
    """(num_classes,) float32 loss weights: each class's share of the drawn images to the power
    -`power`, scaled to mean 1 over the classes present, capped at `max_weight`; None at power 0."""
    if power == 0.0:
        return None
    drawn = torch.zeros(num_classes, dtype=torch.float64).index_add_(0, labels, sample_weights.double())
    present = drawn > 0
    weights = torch.ones(num_classes, dtype=torch.float64)
    weights[present] = (drawn[present] / drawn.sum()) ** -power
    weights[present] /= weights[present].mean()
    return weights.clamp(max=max_weight).float()


def tag_loss(model: TagEvaluator, images: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor,
             hair_weights: torch.Tensor | None = None, eye_weights: torch.Tensor | None = None) -> torch.Tensor:
    output = model(images)
    return (F.cross_entropy(output.hair_logits, hair, weight=hair_weights)
            + F.cross_entropy(output.eye_logits, eyes, weight=eye_weights))


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
    hair_weights = class_weights(hair, weights, NUM_HAIR, config.class_weight_power, config.max_class_weight)
    eye_weights = class_weights(eyes, weights, NUM_EYES, config.class_weight_power, config.max_class_weight)
    losses: list[float] = []
    model.train()
    bar = tqdm(range(config.steps), desc="training tag classifier", unit="step", disable=not progress)
    for _ in bar:
        index = torch.multinomial(weights, config.batch_size, replacement=True, generator=generator)
        loss = tag_loss(model, augment(images[index], config.max_shift, generator), hair[index], eyes[index],
                        hair_weights, eye_weights)
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


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """(C, C) int64: row = true colour, column = colour read."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (true, predicted), 1)
    return matrix


def confused_colours(matrix: np.ndarray, colours: tuple[str, ...], rate: float = CONFUSION_FLAG_RATE,
                     min_faces: int = MIN_FACES_PER_COLOUR) -> list[dict]:
    """Colours the classifier cannot tell apart: every (true, read as) with a share >= `rate` of
    the true colour's faces, and every colour with fewer than `min_faces` faces (not measured)."""
    flags = []
    totals = matrix.sum(axis=1)
    for true_index, colour in enumerate(colours):
        if 0 < totals[true_index] < min_faces:
            flags.append({"colour": colour, "read_as": None, "share": None, "faces": int(totals[true_index]),
                          "why": f"only {totals[true_index]} test faces (expected at least {min_faces})"})
        if totals[true_index] == 0:
            continue
        for read_index, read_colour in enumerate(colours):
            share = matrix[true_index, read_index] / totals[true_index]
            if read_index != true_index and share >= rate:
                flags.append({"colour": colour, "read_as": read_colour, "share": float(share),
                              "faces": int(totals[true_index]),
                              "why": f"{share:.0%} of {colour} read as {read_colour}"})
    return flags


def accuracy_report(
    model: TagEvaluator, images: torch.Tensor, hair: torch.Tensor, eyes: torch.Tensor, held_out_pairs=None
) -> dict:
    """Accuracy per attribute, for both together, on seen and held-out pairs (see
    `tag_accuracy`; pairs with fewer than MIN_REAL_FACES_PER_PAIR test faces are left out of
    those and listed), per colour (keyed by colour name), confusion matrices and flags."""
    readout = extract_readout(model, images)
    hair, eyes = hair.numpy(), eyes.numpy()
    accuracy = tag_accuracy(readout.hair_logits, readout.eye_logits, hair, eyes, held_out_pairs,
                            real_pair_counts=pair_counts(hair, eyes))
    hair_read, eyes_read = readout.hair_logits.argmax(axis=1), readout.eye_logits.argmax(axis=1)
    hair_correct, eyes_correct = hair_read == hair, eyes_read == eyes
    hair_confusion = confusion_matrix(hair, hair_read, NUM_HAIR)
    eye_confusion = confusion_matrix(eyes, eyes_read, NUM_EYES)
    return {
        "num_images": int(len(hair)),
        "hair": accuracy.hair,
        "eyes": accuracy.eyes,
        "both": accuracy.both,
        "seen_pairs": accuracy.seen,
        "held_out_pairs": accuracy.held_out,
        "per_hair_colour": _per_colour(hair_correct, hair, HAIR_COLOURS),
        "per_eye_colour": _per_colour(eyes_correct, eyes, EYE_COLOURS),
        "hair_confusion": hair_confusion.tolist(),
        "eye_confusion": eye_confusion.tolist(),
        "confused_hair_colours": confused_colours(hair_confusion, HAIR_COLOURS),
        "confused_eye_colours": confused_colours(eye_confusion, EYE_COLOURS),
        "sparse_pairs": [str(pair_from_index(pair)) for pair in accuracy.sparse_pairs],
        "min_faces_per_pair": MIN_REAL_FACES_PER_PAIR,
    }


def _confusion_lines(matrix: list[list[int]], colours: tuple[str, ...], what: str) -> list[str]:
    short = [colour[:6] for colour in colours]
    return [f"| {what} \\ read as | " + " | ".join(short) + " |", "|---" * (len(colours) + 1) + "|",
            *(f"| {colour} | " + " | ".join(str(value) for value in row) + " |"
              for colour, row in zip(colours, matrix))]


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
    if "hair_confusion" not in report:  # a report saved before confusion matrices existed
        return "\n".join(lines)
    lines += ["", *_confusion_lines(report["hair_confusion"], HAIR_COLOURS, "hair"),
              "", *_confusion_lines(report["eye_confusion"], EYE_COLOURS, "eyes"), ""]
    flags = report["confused_hair_colours"] + report["confused_eye_colours"]
    told_apart = f"every colour told apart (none read as another in {CONFUSION_FLAG_RATE:.0%} or more)"
    lines += [f"cannot tell apart: {flag['why']}" for flag in flags] or [told_apart]
    if report["sparse_pairs"]:
        lines.append(f"left out of the pair rates (fewer than {report['min_faces_per_pair']} test faces): "
                     + ", ".join(report["sparse_pairs"]))
    return "\n".join(lines)
