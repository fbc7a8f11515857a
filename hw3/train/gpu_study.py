"""`hw3 study-gpu`: every study variant at a multiple of the CPU study's budget on one GPU.

One `hw3 train` process per variant, all at once on the same GPU (the 64 px networks leave most
of a large GPU idle, so parallel runs overlap), each with the same images-through-D budget
(`scale` x the CPU study's 400,000), a bigger batch, and a wall-clock cap so the whole study fits
a fixed slot of borrowed hardware. Everything lands under one folder meant to be copied back:
run directories, `weights/<variant>.safetensors` exported from each run's best step (they replay
on any CPU in float64, like every shipped generator) and `summary.json`, which names the device.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm.auto import tqdm

from hw3.errors import InputError

STUDY_VARIANTS = ("dcgan", "dcgan_sn", "cgan_course", "cgan", "wgan_clip", "wgan_gp", "acgan", "r3gan")
CPU_BUDGET = 400_000  # real images through D of the CPU study at 1x
EVALUATIONS_PER_RUN = 12


@dataclass
class GpuStudyPlan:
    out: Path
    data: Path
    variants: tuple[str, ...] = STUDY_VARIANTS
    scale: float = 10.0  # x the CPU study's images through D
    batch_size: int = 256
    time_limit: float = 420.0  # seconds per run, training and evaluation; 8 minutes with set-up and export
    device: str = "cuda"
    configs: Path = Path("configs")
    extra: tuple[str, ...] = ()  # more --set KEY=VALUE for every run (the CPU smoke test's tiny widths)


def train_command(plan: GpuStudyPlan, variant: str) -> list[str]:
    from hw3.train.config import load_config

    config = load_config(plan.configs / f"{variant}.toml", list(plan.extra))
    images_per_step = plan.batch_size * config.loss.n_critic
    steps = max(1, round(plan.scale * CPU_BUDGET / images_per_step))
    settings = [f"stopping.max_seconds={plan.time_limit}", "stopping.plateau=false",
                f"evaluation.every={max(1, steps // EVALUATIONS_PER_RUN)}",
                f"checkpoint_every={max(1, steps // EVALUATIONS_PER_RUN)}", f"sample_every={max(1, steps // 4)}",
                *plan.extra]
    return [sys.executable, "-m", "hw3", "train", "--config", str(plan.configs / f"{variant}.toml"),
            "--data", str(plan.data), "--out", str(plan.out / variant), "--device", plan.device,
            "--batch-size", str(plan.batch_size), "--steps", str(steps), "--resume", "--no-progress",
            *[item for setting in settings for item in ("--set", setting)]]


def _export(plan: GpuStudyPlan, variant: str) -> Path | None:
    run_dir = plan.out / variant
    best = run_dir / "checkpoints" / "best"
    source = best if best.is_dir() else run_dir
    weights = plan.out / "weights" / f"{variant}.safetensors"
    finished = subprocess.run([sys.executable, "-m", "hw3", "export", "--run", str(source), "--out", str(weights)],
                              capture_output=True, text=True)
    return weights if finished.returncode == 0 else None


def _summary_row(plan: GpuStudyPlan, variant: str, returncode: int, weights: Path | None) -> dict:
    row = {"variant": variant, "exit_status": returncode, "weights": str(weights) if weights else None}
    if weights is not None:
        from hw3.weights import read_sidecar

        sidecar = read_sidecar(weights)
        row.update({key: sidecar.get(key) for key in ("step", "budget", "evaluation", "stopping")})
    return row


def run_study(plan: GpuStudyPlan, progress: bool = True) -> dict:
    """Train every variant at once, export each, write `summary.json`; -> the summary."""
    plan.out.mkdir(parents=True, exist_ok=True)
    started, processes = time.perf_counter(), {}
    for variant in plan.variants:
        log = open(plan.out / f"{variant}.out", "a", encoding="utf-8")
        processes[variant] = subprocess.Popen(train_command(plan, variant), stdout=log, stderr=subprocess.STDOUT)
        log.close()  # the child holds its own copy of the descriptor
    bar = tqdm(total=len(processes), desc="study-gpu runs", unit="run", disable=not progress)
    returncodes: dict[str, int] = {}
    while len(returncodes) < len(processes):
        for variant, process in processes.items():
            if variant not in returncodes and process.poll() is not None:
                returncodes[variant] = process.returncode
                bar.update(1)
        time.sleep(0.5)
    bar.close()
    rows = [_summary_row(plan, v, returncodes[v], _export(plan, v) if returncodes[v] == 0 else None)
            for v in plan.variants]
    summary = {"plan": {**asdict(plan), "out": str(plan.out), "data": str(plan.data), "configs": str(plan.configs)},
               "device": _device_name(plan.device), "wall_seconds": round(time.perf_counter() - started, 1),
               "runs": rows}
    from hw3.files import write_json_atomic

    write_json_atomic(plan.out / "summary.json", summary)
    return summary


def _device_name(device: str) -> str:
    from hw3.train.runtime import device_description, resolve_device

    return device_description(resolve_device(device))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "study-gpu", help="every study variant at 10x the CPU budget, in parallel on one GPU",
        description="Trains every study variant at once on one GPU (scale x 400,000 real images through D, "
                    "each run capped at --time-limit seconds), exports each best step to OUT/weights/ and "
                    "writes OUT/summary.json. Resumes runs already under OUT.",
    )
    parser.add_argument("--out", default="runs/study_gpu", help="the one folder to copy back")
    parser.add_argument("--data", default="data/anime", help="rendered data root")
    parser.add_argument("--variants", default=",".join(STUDY_VARIANTS), help="comma-separated variants")
    parser.add_argument("--scale", type=float, default=10.0, help="x the CPU study's 400,000 images")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--time-limit", type=float, default=420.0, help="seconds per run")
    parser.add_argument("--device", default="cuda", help="cuda, cuda:N, or cpu for a smoke run")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="a config override for every run (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run_study_command)


def run_study_command(args: argparse.Namespace) -> int:
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = [v for v in variants if not (Path("configs") / f"{v}.toml").is_file()]
    if not variants or unknown:
        raise InputError(f"--variants: no config for {', '.join(unknown) or 'an empty list'} "
                         "(expected names of configs/*.toml)")
    if not 0 < args.scale <= 1000 or not 1 <= args.batch_size <= 8192 or not 0 < args.time_limit <= 86_400:
        raise InputError("study-gpu: expected 0 < --scale <= 1000, 1 <= --batch-size <= 8192 and "
                         "0 < --time-limit <= 86400")
    plan = GpuStudyPlan(Path(args.out), Path(args.data), variants, args.scale, args.batch_size, args.time_limit,
                        args.device, extra=tuple(args.overrides))
    summary = run_study(plan, progress=not args.no_progress)
    failed = [row["variant"] for row in summary["runs"] if row["weights"] is None]
    print(f"study-gpu: {len(summary['runs']) - len(failed)} of {len(summary['runs'])} runs exported to "
          f"{plan.out / 'weights'} in {summary['wall_seconds']:.0f} s on {summary['device']}"
          + (f"; failed: {', '.join(failed)} (see {plan.out}/<variant>.out)" if failed else ""))
    return 0 if not failed else 1
