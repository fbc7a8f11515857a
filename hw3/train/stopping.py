"""When a run stops: at a plateau of its in-training evaluations, or at a cap of real images or time.

The rule, applied after every evaluation once `min_images` real images have gone through D:
split the images so far at (1 - window) of them; the run has plateaued when, in the last part,
- the best FID is less than `min_fid_drop` (relative) below the best FID before it, and
- for a conditional run, the best both-tags accuracy on seen pairs and on held-out pairs is
  less than `min_accuracy_rise` (absolute) above the best before it.
Bests rather than last values, so one noisy evaluation neither stops a run nor keeps it going.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from hw3.bounds import bounded
from hw3.errors import InputError

ACCURACY_KEYS = ("eval_both_seen", "eval_both_held_out")


@dataclass
class StoppingConfig:
    plateau: bool = False  # stop at a plateau; False: run num_steps (or to max_images)
    window: float = bounded(0.25, 0.0, 1.0, low_open=True, high_open=True)  # the last quarter of the images so far
    min_fid_drop: float = bounded(0.05, 0.0, 1.0)  # 5 % of FID
    min_accuracy_rise: float = bounded(0.01, 0.0, 1.0)  # one point of both-tags accuracy
    min_images: int = bounded(400_000, 0, 10**12)  # never before the study's common budget
    max_images: int = bounded(0, 0, 10**12)  # the cap on real images through D; 0: num_steps alone
    # A wall-clock cap in seconds of the run (steps and upkeep); 0: none. For a fixed slot of
    # borrowed hardware (`hw3 study-gpu`), where the images a run gets depend on the machine.
    max_seconds: float = bounded(0.0, 0.0, 10.0**9)

    def __post_init__(self):
        if not 0 < self.window < 1:
            raise InputError(f"stopping.window: {self.window} (expected a fraction between 0 and 1)")
        if not (self.min_fid_drop >= 0 and self.min_accuracy_rise >= 0):
            raise InputError("stopping: min_fid_drop and min_accuracy_rise must be >= 0")
        if self.min_images < 0 or self.max_images < 0:
            raise InputError("stopping: min_images and max_images must be >= 0")


def _best(records: list[dict], key: str, lowest: bool) -> float | None:
    values = [r[key] for r in records if r.get(key) is not None]
    if not values:
        return None
    return min(values) if lowest else max(values)


def plateau_reached(evaluations: list[dict], config: StoppingConfig) -> dict | None:
    """The evidence of a plateau (a dict for the run's meta.json), or None while still improving.

    `evaluations` are the run's evaluation records so far, in order, each with `images_through_d`.
    """
    evaluated = [r for r in evaluations if "eval_fid" in r]
    if not config.plateau or not evaluated:
        return None
    images = evaluated[-1]["images_through_d"]
    if images < config.min_images:
        return None
    split = images * (1 - config.window)
    before = [r for r in evaluated if r["images_through_d"] <= split]
    recent = [r for r in evaluated if r["images_through_d"] > split]
    if not before or not recent:
        return None
    fid_before, fid_recent = _best(before, "eval_fid", True), _best(recent, "eval_fid", True)
    evidence = {"images_through_d": images, "split_at_images": int(split),
                "best_fid_before": fid_before, "best_fid_recent": fid_recent}
    if fid_recent < fid_before * (1 - config.min_fid_drop):
        return None
    for key in ACCURACY_KEYS:
        accuracy_before, accuracy_recent = _best(before, key, False), _best(recent, key, False)
        if accuracy_before is None or accuracy_recent is None:
            continue
        evidence[f"best_{key}_before"], evidence[f"best_{key}_recent"] = accuracy_before, accuracy_recent
        if accuracy_recent >= accuracy_before + config.min_accuracy_rise:
            return None
    return evidence


def stop_record(reason: str, step: int, images_through_d: int, config: StoppingConfig,
                evidence: dict | None = None) -> dict:
    """Where and why a run stopped, as meta.json and the exported sidecar record it."""
    return {"reason": reason, "step": step, "images_through_d": images_through_d, "rule": asdict(config),
            **({"evidence": evidence} if evidence else {})}
