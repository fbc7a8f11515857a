"""The report's speed section: the training loop's images/s on both paths (`make bench`) and the
fast path's quality check (`make fast-path-check`), each read from the file its command writes."""

from __future__ import annotations

from pathlib import Path

from hw3.formatting import percent
from hw3.reading import read_json

BENCH_FILE = Path("bench_train.json")  # under report/: `hw3 bench train --out`
QUALITY_FILE = Path("results") / "fast_path_quality.json"  # `hw3 collect --at-images 400000`


def _rate(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def _ratio(value) -> str:
    return "–" if value is None else f"{value:.2f}×"


def speed_lines(rows: list[dict]) -> list[str]:
    """The bench table: one row per variant, the yardsticks (in-repo reference loop and
    pytorch/examples' dcgan) above it."""
    reference = rows[0] if rows and rows[0]["variant"].startswith("reference") else None
    lines = []
    if reference is not None:
        described = reference["variant"].removeprefix("reference ").strip("()")
        lines.append(f"Yardsticks on the same images and widths: an in-repo reference loop ({described}) "
                     f"{_rate(reference['images_per_second'])} images/s")
        external = reference.get("pytorch_examples_images_per_second")
        if external is not None:
            lines[-1] += f"; pytorch/examples' `dcgan/main.py`, unchanged, {_rate(external)} images/s"
            dcgan = next((row for row in rows if row["variant"] == "dcgan"), None)
            if dcgan is not None:
                lines[-1] += (f". The project's dcgan on its default path runs "
                              f"{dcgan['images_per_second'] / external:.2f}× pytorch/examples")
        lines[-1] += "."
        lines.append("")
    lines += ["| variant | float32, eager | fast path | fast / float32 | base commit | default path / base |",
              "|---|---:|---:|---:|---:|---:|"]
    for row in rows[1 if reference is not None else 0:]:
        lines.append(f"| {row['variant']} | {_rate(row.get('fp32_images_per_second'))} | "
                     f"{_rate(row.get('fast_images_per_second'))} | {_ratio(row.get('fast_over_fp32'))} | "
                     f"{_rate(row.get('base_images_per_second'))} | {_ratio(row.get('over_base'))} |")
    return lines


def quality_lines(collected: dict) -> list[str]:
    """One row per run of the fast-path check, at the common image count, with the float32 seeds'
    spread beside the fast path's distance from their mean."""
    lines = [f"| run | precision | seed | FID (evaluator features) | both tags, seen | both tags, held-out | "
             f"wall-clock, 1 thread |", "|---|---|---:|---:|---:|---:|---:|"]
    for run in sorted(collected["runs"], key=lambda run: (run["variant"], run["autocast"], run["seed"])):
        seen, held_out = (percent(run.get(key), missing="–") for key in ("eval_both_seen", "eval_both_held_out"))
        lines.append(f"| {run['variant']} | {run['autocast']} | {run['seed']} | {run['eval_fid']:.2f} | "
                     f"{seen} | {held_out} | {run['wall_seconds'] / 60:.0f} min |")
    return lines


MEASURES = (("eval_fid", "FID", 1, "", True), ("eval_both_seen", "both tags on seen pairs", 100, " %", False),
            ("eval_both_held_out", "on held-out pairs", 100, " %", False))


def _verdict(value: float, low: float, high: float, unit: str, lower_is_better: bool) -> str:
    if low <= value <= high:
        return "inside"
    better = value < low if lower_is_better else value > high
    distance = low - value if value < low else value - high
    return f"{distance:.2f}{unit} {'better' if better else 'worse'} than every float32 seed"


def spread_lines(collected: dict) -> list[str]:
    """Per variant and measure: the float32 seeds' range and where each fast-path run falls."""
    lines = []
    for variant in sorted({run["variant"] for run in collected["runs"]}):
        runs = [run for run in collected["runs"] if run["variant"] == variant]
        exact = [run for run in runs if run["autocast"].startswith("off")]
        fast = sorted((run for run in runs if not run["autocast"].startswith("off")), key=lambda run: run["seed"])
        if len(exact) < 2 or not fast:
            lines.append(f"- {variant}: {len(exact)} float32 seed(s) so far, no spread yet.")
            continue
        parts = []
        for key, label, scale, unit, lower_is_better in MEASURES:
            values = [run[key] * scale for run in exact if run.get(key) is not None]
            if len(values) < 2:
                continue
            low, high = min(values), max(values)
            placed = [f"{run[key] * scale:.2f}{unit} (seed {run['seed']}, "
                      f"{_verdict(run[key] * scale, low, high, unit, lower_is_better)})"
                      for run in fast if run.get(key) is not None]
            parts.append(f"{label}: float32 {low:.2f}–{high:.2f}{unit}, fast path " + ", ".join(placed))
        lines.append(f"- {variant}: " + "; ".join(parts) + ".")
    return lines


def _method_line(rows: list[dict]) -> str:
    rounds = max((len(row.get("fast_rounds", ())) for row in rows), default=0)
    if rounds:
        beside = "the base commit's own `hw3 bench train` run right beside each variant's rows"
        timing = (f"each row's best of {rounds} rounds of the whole sequence, {beside} in every round" if rounds > 1
                  else f"one round of the whole sequence, {beside}")
    else:
        timing = "the base commit's float32 default timed by its own `hw3 bench train` in the same session"
    return ("`make bench` (= `hw3 bench train`, each row in a fresh process): 20 timed steps after 20 warm-up "
            "steps (compilation included in the warm-up), batch 64, 2 CPU threads, nothing else running; "
            f"{timing}. The fast path is the default where the CPU computes bf16 natively: bf16 autocast, "
            "`torch.compile` per network, channels_last, fused Adam; its column is what each config runs "
            "(r3gan's sets `compile = false`). The base commit (4773e22) is the loop before the fast path, "
            "float32 and eager; its r3gan row ran R3GAN's loss on the DCGAN networks, so that ratio compares "
            "different networks.")


def speed_section(report_dir: Path) -> list[str]:
    """The section's lines; a part whose file is not there yet is left out."""
    lines = ["### Training speed: the fast path", ""]
    bench = report_dir / BENCH_FILE
    if bench.is_file():
        rows = read_json(bench, "the bench results that `make bench` writes")
        lines += speed_lines(rows) + ["", _method_line(rows), ""]
    quality = report_dir / QUALITY_FILE
    if quality.is_file():
        collected = read_json(quality, "the runs that `hw3 collect` tabulates")
        lines += [f"Quality at {collected['at_images']:,} real images through D, fast path against float32 "
                  "(in-training evaluation: 1,320 faces against the 5,280 test faces, the same fixed sample for "
                  "every run; `make fast-path-check`):", "", *quality_lines(collected), "",
                  *spread_lines(collected), "",
                  "Wall-clock is as each run went (the seed-0 runs shared the machine with other work); the "
                  "bench above is the speed measure. Each in-training measure comes from one fixed sample, "
                  "held-out pairs from 120 faces (12 pairs x 10), so a few points between seeds is noise.", ""]
    return lines
