"""What the report compares between the flow-matching model and the shipped GANs: training
compute, sampling time and `hw3 evaluate`'s measurements, read from the files that hold them.

- training compute: a sidecar's budget (wall-clock seconds x threads) and the in-training
  evaluations of its log, as CPU-hours;
- sampling time: `hw3 bench sample` (report/bench_sample.json), the grader's 25 faces from a
  cold process;
- quality: `make diffusion-evaluate` appends the flow model's evaluations, one per sampler
  setting (the shipped one and the guidance sweep), to report/results/diffusion/results.jsonl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hw3.reading import read_json, read_json_lines
from hw3.weights import read_sidecar, sidecar_path

FLOW_NAME = "diffusion"
FLOW_RESULTS = Path("results") / "diffusion" / "results.jsonl"
SAMPLE_BENCH = "bench_sample.json"


def shipped_flow_model(weights_dir: Path) -> Path | None:
    """weights/diffusion.safetensors when its sidecar says it is a flow model, else None."""
    path = weights_dir / f"{FLOW_NAME}.safetensors"
    if not (path.is_file() and sidecar_path(path).is_file()):
        return None
    return path if read_sidecar(path).get("kind") == "flow_matching" else None


def threads_of(budget: dict) -> int:
    """The thread count a budget's device names ("cpu: AMD EPYC, 1 threads"); 1 when it names none."""
    found = re.search(r"(\d+) threads?", str(budget.get("device", "")))
    return int(found.group(1)) if found else 1


def cpu_hours(wall_seconds: float, threads: int) -> float:
    return wall_seconds * threads / 3600


def training_cpu_hours(sidecar: dict) -> float | None:
    budget = sidecar.get("budget") or {}
    if budget.get("wall_seconds") is None or not str(budget.get("device", "")).startswith("cpu"):
        return None
    return cpu_hours(budget["wall_seconds"], threads_of(budget))


def fid_by_cpu_hours(log_records: list[dict], threads: int) -> list[tuple[float, float]]:
    """[(training CPU-hours, in-training FID)] of a run's evaluation records, in order."""
    return [(cpu_hours(r["wall_seconds"], threads), r["eval_fid"]) for r in log_records
            if r.get("eval_fid") is not None and r.get("wall_seconds") is not None]


def fid_at_cpu_hours(points: list[tuple[float, float]], hours: float) -> tuple[float, float] | None:
    """The last evaluation at or before `hours` of training: (its CPU-hours, its FID)."""
    before = [point for point in points if point[0] <= hours]
    return before[-1] if before else None


def sampling_seconds(report_dir: Path) -> dict[str, float]:
    """Median cold-start seconds of each timed command, keyed 'cgan', 'gan' or the --generator path."""
    path = report_dir / SAMPLE_BENCH
    if not path.is_file():
        return {}
    rows = read_json(path, "hw3 bench sample results")
    seconds = {}
    for row in rows if isinstance(rows, list) else []:
        command = str(row.get("command", ""))
        if command == "bash run_cgan.sh testing_tags.txt":
            seconds["cgan"] = row["median_seconds"]
        elif command == "bash run_gan.sh":
            seconds["gan"] = row["median_seconds"]
        elif " --generator " in command:
            seconds[command.split(" --generator ", 1)[1]] = row["median_seconds"]
    return seconds


def diffusion_results(report_dir: Path) -> list[dict]:
    """Every record `make diffusion-evaluate` appended (the flow model's and the GAN's beside it)."""
    path = report_dir / FLOW_RESULTS
    return read_json_lines(path, "hw3 evaluate results") if path.is_file() else []


def flow_evaluations(records: list[dict], weights_sha256: str) -> list[dict]:
    """The flow model's evaluations of these weights (older weights' records are left out)."""
    return [r for r in records if r.get("weights_sha256", weights_sha256) == weights_sha256 and "sampler" in r]


def gan_at_count(records: list[dict], name: str, num_samples: int) -> dict | None:
    """`make diffusion-evaluate`'s record of the GAN `name` on the flow model's sample count."""
    matching = [r for r in records
                if r.get("label") == f"{name}-{num_samples}-faces" and r.get("num_generated") == num_samples]
    return matching[-1] if matching else None


def at_shipped_settings(evaluations: list[dict], flow_config: dict) -> dict | None:
    """The newest evaluation drawn with the sidecar's own steps and guidance."""
    matching = [r for r in evaluations if r["sampler"].get("steps") == flow_config.get("sample_steps")
                and r["sampler"].get("guidance") == flow_config.get("guidance_scale")]
    return matching[-1] if matching else None


def guidance_sweep(evaluations: list[dict], steps: int | None = None) -> list[dict]:
    """One evaluation per guidance scale at `steps` solver steps (the newest of each), by scale;
    with no `steps`, at the step count that was swept over the most scales."""
    if steps is None:
        scales: dict[int, set] = {}
        for r in evaluations:
            scales.setdefault(r["sampler"].get("steps"), set()).add(r["sampler"].get("guidance"))
        if not scales:
            return []
        steps = max(scales, key=lambda count: len(scales[count]))
    by_scale = {r["sampler"]["guidance"]: r for r in evaluations if r["sampler"].get("steps") == steps}
    return [by_scale[scale] for scale in sorted(by_scale)]


# The script run_cgan.sh draws with by default, and the key its time has in the sample bench.
GRADER_CONDITIONAL = "acgan"


@dataclass
class FlowComparison:
    """Everything the section reads: the flow model's sidecar and in-training evaluations, its
    `hw3 evaluate` records, the shipped GANs' results, sidecars and logs, and sampling seconds."""

    sidecar: dict
    log: list[dict]
    evaluations: list[dict]
    results: dict[str, dict]
    sidecars: dict[str, dict]
    logs: dict[str, list[dict]]
    seconds: dict[str, float] = field(default_factory=dict)
    weights: str = f"weights/{FLOW_NAME}.safetensors"
    gan_at_flow_count: dict | None = None  # the shipped conditional GAN measured on the flow model's count

    @property
    def shipped(self) -> dict | None:
        return at_shipped_settings(self.evaluations, self.sidecar["flow_matching"])

    def curves(self) -> dict[str, list[tuple[float, float]]]:
        """{model: [(training CPU-hours, in-training FID)]} for the flow model and every GAN with a log."""
        found = {FLOW_NAME: fid_by_cpu_hours(self.log, threads_of(self.sidecar.get("budget") or {}))}
        for name, records in self.logs.items():
            points = fid_by_cpu_hours(records, threads_of(self.sidecars[name].get("budget") or {}))
            if points and self.results[name].get("conditional", True):
                found[name] = points
        return {name: points for name, points in found.items() if points}

    def sampling_points(self) -> dict[str, tuple[float, float]]:
        """{model: (seconds for the grader's 25 faces, hw3 evaluate FID)} where both are measured."""
        points = {}
        if GRADER_CONDITIONAL in self.results and "cgan" in self.seconds:
            points[GRADER_CONDITIONAL] = (self.seconds["cgan"], self.results[GRADER_CONDITIONAL]["fid"])
        if self.shipped is not None and self.weights in self.seconds:
            points[FLOW_NAME] = (self.seconds[self.weights], self.shipped["fid"])
        return points


def read_flow_comparison(flow_weights: Path, report_dir: Path, results: dict[str, dict], sidecars: dict[str, dict],
                         logs: dict[str, list[dict]]) -> FlowComparison:
    """The comparison of the shipped flow model with the shipped GANs (`results`, `sidecars` and
    their logs' evaluation records, as the report has them)."""
    from hw3.sampling.generator_file import training_log_path
    from hw3.train.log import read_log

    sidecar = read_sidecar(flow_weights)
    log_path = training_log_path(flow_weights)
    log = [r for r in read_log(log_path) if "eval_fid" in r] if log_path.is_file() else []
    records = diffusion_results(report_dir)
    evaluations = flow_evaluations(records, sidecar["sha256"])
    shipped = at_shipped_settings(evaluations, sidecar["flow_matching"])
    gan = gan_at_count(records, GRADER_CONDITIONAL, shipped["num_generated"]) if shipped else None
    return FlowComparison(sidecar, log, evaluations, results, sidecars, logs, sampling_seconds(report_dir),
                          weights=f"weights/{flow_weights.name}", gan_at_flow_count=gan)
