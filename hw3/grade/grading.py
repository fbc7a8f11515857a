"""Grade one submission: its two scripts as the course runs them, then its conditional script
over every (hair, eyes) pair, scored in the evaluator's feature space."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.errors import InputError
from hw3.grade.figure import cut_cells, check_figure
from hw3.grade.pair_files import LINES_PER_FILE, pair_files
from hw3.grade.runner import COURSE_TIME_LIMIT_S, ScriptRun, copy_submission, run_script
from hw3.tags import NUM_EYES, NUM_PAIRS, pair_from_index, read_tag_lines

REPO = Path(__file__).resolve().parents[2]
TAGS_NAME = "hw3_grade_tags.txt"  # written into the submission's copy, passed as a relative path
CHANCE = {"hair": 1 / 12, "eyes": 1 / 11, "both": 1 / 132}


@dataclass
class GradeConfig:
    submission: Path
    out_dir: Path
    time_limit_s: float = COURSE_TIME_LIMIT_S  # per script run
    tags_file: Path = REPO / "testing_tags.txt"
    faces_per_pair: int = 5
    evaluator: Path = REPO / "weights" / "evaluator.safetensors"
    data: Path | None = REPO / "data" / "anime"  # real test split for FID and spread; None: skipped
    seed: int = 0
    notes: list[str] = field(default_factory=list)


def grade_submission(config: GradeConfig) -> dict:
    """-> the JSON-ready results; also written, with the markdown summary, to `config.out_dir`."""
    from hw3.eval.evaluator import load_evaluator
    from hw3.grade.summary import markdown_summary
    from hw3.files import write_json_atomic, write_text_atomic

    submission = Path(config.submission)
    if not submission.is_dir():
        raise InputError(
            f"{submission}: no such submission folder (expected a folder holding run_gan.sh and run_cgan.sh)")
    # Every input is checked before any script runs: a bad tags file is the grader's mistake, and
    # would otherwise be scored as the submission's crash.
    tags_text = _checked_tags_text(config.tags_file)
    evaluator, sidecar = load_evaluator(config.evaluator)
    out_dir = Path(config.out_dir)
    (out_dir / "logs").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {"submission": str(submission.resolve()), "time_limit_s": config.time_limit_s,
                     "faces_per_pair": config.faces_per_pair, "evaluator": str(config.evaluator),
                     "evaluator_sha256": sidecar["weights_sha256"], "data": str(config.data)}
    with tempfile.TemporaryDirectory(prefix="hw3-grade-") as temporary:
        workdir = copy_submission(submission, Path(temporary) / submission.resolve().name)
        results["gan"], _ = _run_and_check(workdir, "run_gan.sh", [], "samples/gan.png", config, "run_gan")
        results["cgan"], _ = _run_and_check(workdir, "run_cgan.sh", [TAGS_NAME], "samples/cgan.png", config,
                                            "run_cgan", tags_text)
        for name in ("gan", "cgan"):
            if results[name]["status"] == "ok":
                shutil.copyfile(workdir / "samples" / f"{name}.png", out_dir / f"{name}.png")
        results["pairs"] = _grade_pairs(workdir, config, evaluator) if results["cgan"]["status"] == "ok" else {
            "status": "skipped", "message": "run_cgan.sh did not give a usable samples/cgan.png"}
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["notes"] = list(config.notes)
    write_json_atomic(out_dir / "grade.json", results)
    write_text_atomic(out_dir / "grade.md", markdown_summary(results))
    return results


def _checked_tags_text(tags_file: Path) -> str:
    """The tags file's text once it parses strictly; else the parser's one-line `FILE:LINE:` error."""
    read_tag_lines(tags_file)
    return Path(tags_file).read_text(encoding="utf-8")


def _run_and_check(workdir: Path, script: str, args: list[str], output: str, config: GradeConfig, log_name: str,
                   tags_text: str | None = None) -> tuple[dict, np.ndarray | None]:
    """Run one script with a fresh tags file and no earlier output; -> (step record, face cells)."""
    if tags_text is not None:
        (workdir / TAGS_NAME).write_text(tags_text, encoding="utf-8")
    (workdir / output).unlink(missing_ok=True)  # a shipped PNG must not count as this run's output
    run = run_script(workdir, script, args, config.time_limit_s, Path(config.out_dir) / "logs" / f"{log_name}.log")
    record = {**run.as_dict(), "figure": None, "cells": None}
    if run.status != "ok":
        record["message"] = _run_message(run, config.time_limit_s)
        return record, None
    figure, pixels = check_figure(workdir / output, output)
    record["figure"] = figure.as_dict()
    record["status"], record["message"] = figure.status, figure.message
    if pixels is None:
        return record, None
    cells = cut_cells(pixels)
    record["cells"] = 0 if cells is None else len(cells)
    if cells is None:
        record["status"] = "no_grid"
        record["message"] = f"{output}: no 5 x 5 grid of face images found"
    return record, cells


def _run_message(run: ScriptRun, time_limit_s: float) -> str:
    if run.status == "timed_out":
        return f"{run.script} was stopped after the {time_limit_s:g} s limit"
    if run.status == "missing_script":
        return f"{run.script} is not in the submission"
    return f"{run.script} exited with status {run.exit_code}"


def _grade_pairs(workdir: Path, config: GradeConfig, evaluator) -> dict:
    files = pair_files(config.faces_per_pair)
    faces, pairs, runs = [], [], []
    for number, pair_file in enumerate(files, start=1):
        record, cells = _run_and_check(workdir, "run_cgan.sh", [TAGS_NAME], "samples/cgan.png", config,
                                       f"pairs_{number:02d}", pair_file.text())
        runs.append({key: record[key] for key in ("status", "seconds", "message") if key in record})
        if cells is None:
            return {"status": record["status"], "message": f"tags file {number} of {len(files)}: "
                    + record.get("message", ""), "runs": runs, "output_tail": record.get("output_tail", "")}
        faces.append(cells[: pair_file.scored])
        pairs.extend(pair_file.pairs[: pair_file.scored])
    seconds = [run["seconds"] for run in runs]
    scores = score_faces(np.concatenate(faces), np.asarray(pairs), evaluator, config)
    return {"status": "ok", "files": len(files), "lines_per_file": LINES_PER_FILE, "num_faces": len(pairs),
            "run_seconds": {"total": round(sum(seconds), 1), "median": float(np.median(seconds)),
                            "max": max(seconds)}, **scores}


def score_faces(faces: np.ndarray, pairs: np.ndarray, evaluator, config: GradeConfig) -> dict:
    """faces uint8 (N, 3, 64, 64) asked for `pairs` (N,) -> tag accuracy on seen and held-out
    pairs, spread within a pair, FID against the real test split (when there is one)."""
    from hw3.eval.diversity import diversity_ratio, mean_pairwise_distance
    from hw3.eval.features import extract_readout
    from hw3.eval.tag_accuracy import tag_accuracy

    readout = extract_readout(evaluator, torch.from_numpy(faces))
    hair, eyes = pairs // NUM_EYES, pairs % NUM_EYES
    accuracy = tag_accuracy(readout.hair_logits, readout.eye_logits, hair, eyes, HELD_OUT_PAIRS)
    spreads = [mean_pairwise_distance(readout.features[pairs == pair]) for pair in range(NUM_PAIRS)
               if (pairs == pair).sum() >= 2]
    scores = {
        "tag_accuracy": {"hair": accuracy.hair, "eyes": accuracy.eyes, "both": accuracy.both,
                         "seen": accuracy.seen, "held_out": accuracy.held_out, "chance": CHANCE},
        "follows_tags": bool(accuracy.hair > 2 * CHANCE["hair"] and accuracy.eyes > 2 * CHANCE["eyes"]),
        "both_correct_by_pair": {str(pair_from_index(pair)): float(value) for pair, value
                                 in enumerate(accuracy.both_matrix.ravel()) if not np.isnan(value)},
        "spread_within_pair": float(np.mean(spreads)) if spreads else None,
        "spread_ratio_to_real": None, "collapsed_pairs": None, "fid": None, "fid_real_floor": None,
        "real_reference": None,
    }
    real = _real_test_readout(evaluator, config)
    if real is None:
        config.notes.append(f"no real test split at {config.data}: FID and the spread ratio are left out")
        return scores
    real_readout, real_pairs = real
    if spreads and np.bincount(real_pairs, minlength=NUM_PAIRS).max() >= 2:
        diversity = diversity_ratio(readout.features, pairs, real_readout.features, real_pairs)
        scores["spread_ratio_to_real"] = diversity.mean_ratio
        scores["collapsed_pairs"] = [str(pair_from_index(pair)) for pair in diversity.collapsed_pairs]
    wanted = np.bincount(pairs, minlength=NUM_PAIRS)
    floor_index, reference_index = _floor_and_reference(real_pairs, wanted, config.seed)
    if min(len(floor_index), len(reference_index)) < 2:
        config.notes.append(f"the test split of {config.data} is too small for FID (fewer than 4 faces)")
        return scores
    from hw3.eval.fid import fid

    reference = real_readout.features[reference_index]
    scores["fid"] = fid(readout.features, reference)
    scores["fid_real_floor"] = fid(real_readout.features[floor_index], reference)
    scores["real_reference"] = {"data": str(config.data), "reference_faces": int(len(reference_index)),
                                "floor_faces": int(len(floor_index))}
    return scores


def _real_test_readout(evaluator, config: GradeConfig):
    from hw3.data.dataset import load_split
    from hw3.eval.features import cached_readout, model_fingerprint

    if config.data is None or not (Path(config.data) / "test" / "images").is_dir():
        return None
    test = load_split(config.data, "test")
    cache = Path(config.data) / ".cache" / "evaluator" / "test_readout.npz"  # shared with `hw3 evaluate`
    readout = cached_readout(evaluator, model_fingerprint(evaluator), test.images, cache)
    return readout, (test.hair * NUM_EYES + test.eyes).numpy()


def _floor_and_reference(real_pairs: np.ndarray, wanted: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Real faces pair-matched to the generated set (the real-vs-real floor at the same sample
    size, up to what a pair has) and the rest, the reference both are compared with."""
    rng = np.random.default_rng(seed)
    floor, reference = [], []
    for pair in range(NUM_PAIRS):
        members = rng.permutation(np.flatnonzero(real_pairs == pair))
        take = min(int(wanted[pair]), len(members) // 2)
        floor.append(members[:take])
        reference.append(members[take:])
    return np.concatenate(floor), np.concatenate(reference)
