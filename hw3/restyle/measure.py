"""`hw3 restyle-measure`: how well restyling works on rendered test faces, in numbers.

For each of `num_faces` test faces (spread evenly over the split, so over all 132 pairs) and
each of its `targets_per_face` target pairs (two held-out pairs and three seen ones, drawn from
the face's own seed, never its own pair), the face is inverted once under its true tags and
redrawn under each target. Measured:

- **tags**: both target colours read back by the evaluator, over all, seen and held-out pairs;
- **identity**: in evaluator features with the 23 directions the hair and eye heads read
  projected out (what is left describes the face, not its colours), the restyled face is nearer
  to its input than to at least 95 % of the other test faces that have the target tags (40 per
  pair); reported as the share of restyled faces that pass, and the median share of those other
  faces that are nearer than the input;
- **locality**: mean absolute change, in 0..255 levels averaged over RGB, on the pixels the
  renderer drew as neither hair nor eyes (hair, iris, pupil, eye white, highlight and hair
  accessories, widened by one pixel, are left out; the renderer's part map gives them exactly).
  Given against the input (which includes the reconstruction's own error) and against the
  reconstruction (what changing the tags alone moves);
- **time**: seconds per face for the inversion and its redraws, on one thread.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from tqdm import tqdm

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.restyle.inversion import InversionConfig
from hw3.restyle.measure_results import summarise
from hw3.restyle.restyle import DEFAULT_METHOD, Restyler, fixed_threads
from hw3.tags import NUM_PAIRS, HairEyeTags, pair_from_index
from hw3.errors import InputError
from hw3.files import append_text, write_text_atomic
from hw3.reading import read_json_lines, read_json_object

if TYPE_CHECKING:
    from hw3.data.dataset import TaggedImageDataset

CHANGING_PARTS = ("HAIR", "IRIS", "PUPIL", "EYE_WHITE", "EYE_HIGHLIGHT", "ACCESSORY")


@dataclass
class MeasureConfig:
    data: Path = Path("data/anime")
    num_faces: int = 200
    targets_per_face: int = 5
    held_out_per_face: int = 2
    seed: int = 0


def face_indices(num_test: int, num_faces: int) -> list[int]:
    return [int(i) for i in np.linspace(0, num_test - 1, num_faces).round()]


def target_pairs(own: HairEyeTags, index: int, config: MeasureConfig) -> list[HairEyeTags]:
    """Held-out pairs first, then seen ones; none equal to `own`; from (seed, index) alone."""
    rng = np.random.default_rng([config.seed, index])
    held_out = [p for p in HELD_OUT_PAIRS if p != own]
    seen = [pair_from_index(i) for i in range(NUM_PAIRS)
            if pair_from_index(i) not in HELD_OUT_PAIRS and pair_from_index(i) != own]
    chosen = [held_out[i] for i in rng.choice(len(held_out), config.held_out_per_face, replace=False)]
    chosen += [seen[i] for i in rng.choice(len(seen), config.targets_per_face - config.held_out_per_face, replace=False)]
    return chosen


def kept_mask(data_meta: dict, index: int) -> np.ndarray:
    """(64, 64) bool: pixels that show neither hair nor eyes, even one pixel away."""
    from scipy.ndimage import maximum_filter

    from hw3.data.render.canvas import Part
    from hw3.data.render.examples import render_example

    face = render_example(data_meta["seed"], "test", index, data_meta["num_test_per_pair"])
    parts = face.part_map  # (128, 128)
    changing = np.isin(parts, [Part[name] for name in CHANGING_PARTS])
    changing = changing.reshape(64, 2, 64, 2).any(axis=(1, 3))  # any of the 2 x 2 supersamples
    return ~maximum_filter(changing, size=3)


def colour_free(features: torch.Tensor, evaluator) -> torch.Tensor:
    """Features (N, F) with the span of the hair and eye heads' weight rows projected out."""
    heads = torch.cat([evaluator.hair_head.weight, evaluator.eye_head.weight]).double()  # (23, F)
    basis, _ = torch.linalg.qr(heads.T)  # (F, 23), orthonormal
    features = features.double()
    return features - (features @ basis) @ basis.T


def read_done_rows(rows_path: Path | None, key: str) -> list[dict]:
    """Rows an interrupted run of the same settings wrote (its first line is their key)."""
    if rows_path is None or not rows_path.is_file():
        return []
    try:
        # A line cut short by a kill is skipped; the rows are rewritten whole before any is added.
        records = read_json_lines(rows_path, "the rows an earlier hw3 restyle-measure wrote")
    except InputError:
        return []  # not a rows file any more: measured again, and written over
    if not records or records[0].get("key") != key:
        return []
    return [row for row in records[1:] if isinstance(row.get("face"), int)]


@dataclass
class RenderedTestSplit:
    """The rendered test split as the measures read it."""

    dataset: TaggedImageDataset  # `.images` uint8 (N_test, 3, 64, 64), `.ids`
    images: torch.Tensor  # (N_test, 3, 64, 64) in [-1, 1]
    pairs: np.ndarray  # (N_test,) pair index of each face
    features: torch.Tensor  # (N_test, F) colour-free evaluator features


def measure(config: MeasureConfig, inversion: InversionConfig | None = None, progress: bool = True,
            rows_path: Path | None = None, time_limit_s: float | None = None, method: str = DEFAULT_METHOD) -> dict:
    """Restyle and measure; with `rows_path`, each face's rows are appended there as they are
    made and a later call with the same settings resumes; with `time_limit_s`, stop starting new
    faces after that long and summarise the faces done."""
    import time

    from hw3.data.dataset import TaggedImageDataset

    inversion = inversion or InversionConfig()
    key = json.dumps([{k: str(v) for k, v in asdict(config).items()}, asdict(inversion), method], sort_keys=True)
    rows = _resumed_rows(rows_path, key, config.targets_per_face)
    done = {row["face"] for row in rows}
    started = time.perf_counter()

    data_meta = read_json_object(config.data / "meta.json", "the rendered data set's meta.json")
    test = TaggedImageDataset(config.data / "test" / "images", config.data / "test" / "tags.csv", on_bad_row="error")
    restyler = Restyler(method, inversion)
    faces = _test_split(test, restyler.evaluator)
    for position in tqdm(face_indices(len(test), config.num_faces), desc="restyle", disable=not progress):
        if position in done:
            continue
        if time_limit_s is not None and time.perf_counter() - started > time_limit_s:
            break
        face_rows = _face_rows(position, restyler, faces, data_meta, config)
        rows += face_rows
        if rows_path is not None:
            append_text(rows_path, "".join(json.dumps(row) + "\n" for row in face_rows))
    return summarise(rows, config, inversion, method)


def _resumed_rows(rows_path: Path | None, key: str, targets_per_face: int) -> list[dict]:
    """The whole faces' rows an interrupted run of the same settings wrote; `rows_path` is rewritten
    to hold just those, under `key`, before any row is added."""
    rows = read_done_rows(rows_path, key)
    rows = rows[: len(rows) - len(rows) % targets_per_face]  # whole faces only
    if rows_path is not None:
        write_text_atomic(rows_path, "".join(json.dumps(r) + "\n" for r in [{"key": key}, *rows]))
    return rows


def _test_split(test: TaggedImageDataset, evaluator) -> RenderedTestSplit:
    with fixed_threads(), torch.no_grad():
        real = torch.cat([evaluator(test.images[s:s + 100].float() / 127.5 - 1).features
                          for s in range(0, len(test), 100)])
        real = colour_free(real, evaluator)  # (N_test, F)
    pair_of = (test.hair * 11 + test.eyes).numpy()
    images = test.images.float() / 127.5 - 1  # (N_test, 3, 64, 64)
    return RenderedTestSplit(test, images, pair_of, real)


def _face_rows(position: int, restyler: Restyler, faces: RenderedTestSplit, data_meta: dict,
               config: MeasureConfig) -> list[dict]:
    """One test face restyled to each of its target pairs, and every measure of each result."""
    evaluator, test, images, pair_of, real = restyler.evaluator, faces.dataset, faces.images, faces.pairs, faces.features
    own = pair_from_index(int(pair_of[position]))
    targets = target_pairs(own, position, config)
    face = test.images[position:position + 1].float() / 127.5 - 1
    result = restyler(face, targets, own)
    restyled, reconstruction = result.faces.float(), result.reconstruction.float()  # the translator's are float64
    with fixed_threads(), torch.no_grad():
        output = evaluator(restyled)
        restyled_features = colour_free(output.features, evaluator)
    kept = torch.from_numpy(kept_mask(data_meta, test.ids[position]))
    change_input = ((restyled - face).abs().mean(1) * 127.5)[:, kept].mean(1)
    change_reconstruction = ((restyled - reconstruction).abs().mean(1) * 127.5)[:, kept].mean(1)
    masked_features = _masked_features(evaluator, restyled, face, images, pair_of, targets, kept)
    face_rows = []
    for k, target in enumerate(targets):
        others = np.flatnonzero((pair_of == target.pair_index) & (np.arange(len(test)) != position))
        to_self = float((restyled_features[k] - real[position]).norm())
        to_others = (real[others] - restyled_features[k]).norm(dim=1).numpy()
        restyled_masked, input_masked, others_masked = masked_features[k]
        masked_self = float((restyled_masked - input_masked).norm())
        masked_others = (others_masked - restyled_masked).norm(dim=1).numpy()
        pixel_self = float((restyled[k] - face[0]).abs().mean(0)[kept].mean())
        pixel_others = (images[others] - restyled[k]).abs().mean(1)[:, kept].mean(1).numpy()
        face_rows.append({
            "face": position, "target": str(target), "held_out": target in HELD_OUT_PAIRS,
            "both_tags": bool(int(output.hair_logits[k].argmax()) == target.hair_index
                              and int(output.eye_logits[k].argmax()) == target.eye_index),
            "others_nearer": float((to_others < to_self).mean()),
            "others_nearer_masked": float((masked_others < masked_self).mean()),
            "others_nearer_pixels": float((pixel_others < pixel_self).mean()),
            "change_vs_input": float(change_input[k]), "change_vs_reconstruction": float(change_reconstruction[k]),
            "seconds": result.seconds / len(targets),  # the face's time, spread over its targets
            "reconstruction_l1": result.reconstruction_error * 127.5,
        })
    return face_rows


def _masked_features(evaluator, restyled, face, images, pair_of, targets, kept):
    """Per target: colour-free evaluator features of (restyled face, input, other faces with the
    target tags), each with the input's hair and eyes painted mid-grey (0 in [-1, 1])."""
    keep = kept.to(images.dtype)[None, None]  # (1, 1, 64, 64)
    out = []
    with fixed_threads(), torch.no_grad():
        for k, target in enumerate(targets):
            others = images[np.flatnonzero(pair_of == target.pair_index)]
            batch = torch.cat([restyled[k:k + 1], face, others]) * keep
            features = colour_free(evaluator(batch).features, evaluator)
            out.append((features[0], features[1], features[2:]))
    return out
