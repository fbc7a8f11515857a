"""The report's section on the flow-matching model: how it was trained and drawn, and where it
beats the shipped GANs and where it loses, per CPU-hour of training and per second of sampling."""

from __future__ import annotations

from hw3.formatting import percent
from hw3.report.comparison import stop_kind
from hw3.report.diffusion_comparison import (
    FLOW_NAME, GRADER_CONDITIONAL, FlowComparison, fid_at_cpu_hours, guidance_sweep, training_cpu_hours)

def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _row(name: str, record: dict, sidecar: dict, seconds: float | None) -> str:
    budget = sidecar.get("budget") or {}
    accuracy = record["tag_accuracy"]
    cells = [name, f"{budget.get('images_through_d', 0):,}", _hours(training_cpu_hours(sidecar)),
             f"{record['fid']:.2f}", percent(accuracy["seen"]["both"]), percent(accuracy["held_out"]["both"]),
             f"{record['diversity_ratio']:.2f}", percent(record["recall"]),
             f"{record['memorisation_distance_ratio']:.2f}", "—" if seconds is None else f"{seconds:.1f}"]
    return "| " + " | ".join(cells) + " |"


def _table(comparison: FlowComparison) -> list[str]:
    lines = ["| model | real images in training | training CPU-hours | FID | both tags, seen | both tags, held-out "
             "| diversity / real | recall | nearest-neighbour ratio | s for 25 faces |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, record in comparison.results.items():
        if record.get("conditional"):
            seconds = comparison.seconds.get("cgan") if name == GRADER_CONDITIONAL else None
            lines.append(_row(f"{name} ({record['num_generated']:,} faces)", record, comparison.sidecars[name], seconds))
    gan = comparison.gan_at_flow_count
    if gan is not None:
        lines.append(_row(f"{GRADER_CONDITIONAL} ({gan['num_generated']:,} faces)", gan,
                          comparison.sidecars[GRADER_CONDITIONAL], comparison.seconds.get("cgan")))
    lines.append(_row(f"{FLOW_NAME}, flow matching ({comparison.shipped['num_generated']:,} faces)", comparison.shipped,
                      comparison.sidecar,
                      comparison.seconds.get(comparison.weights)))
    return lines


# (label, how to read it from a results record, True when higher is better)
VERDICT_METRICS = (
    ("FID", lambda r: r["fid"], False),
    ("both tags on seen pairs", lambda r: r["tag_accuracy"]["seen"]["both"], True),
    ("both tags on held-out pairs", lambda r: r["tag_accuracy"]["held_out"]["both"], True),
    ("recall", lambda r: r["recall"], True),
    ("precision", lambda r: r["precision"], True),
)


def _formatted(label: str, value: float) -> str:
    return f"{value:.2f}" if label == "FID" else percent(value)


def verdict(flow: dict, gan: dict, gan_name: str) -> list[str]:
    """Sentences saying, metric by metric, where the flow model beats `gan_name` and where it loses."""
    wins, losses = [], []
    for label, value_of, higher_is_better in VERDICT_METRICS:
        mine, theirs = value_of(flow), value_of(gan)
        if mine == theirs:
            continue
        better = (mine > theirs) == higher_is_better
        (wins if better else losses).append(f"{label} ({_formatted(label, mine)} against {_formatted(label, theirs)})")
    lines = []
    if wins:
        lines.append(f"It beats {gan_name} on " + "; ".join(wins) + ".")
    if losses:
        lines.append(f"It loses to {gan_name} on " + "; ".join(losses) + ".")
    return lines


def _sweep_table(sweep: list[dict]) -> list[str]:
    lines = ["| guidance scale | FID | both tags, seen | both tags, held-out | diversity / real | recall |",
             "|---:|---:|---:|---:|---:|---:|"]
    for record in sweep:
        accuracy = record["tag_accuracy"]
        lines.append(f"| {record['sampler']['guidance']:g} | {record['fid']:.2f} | {percent(accuracy['seen']['both'])} "
                     f"| {percent(accuracy['held_out']['both'])} | {record['diversity_ratio']:.2f} "
                     f"| {percent(record['recall'])} |")
    return lines


def _equal_compute(comparison: FlowComparison) -> list[str]:
    """Both models' in-training FIDs at the training compute the shorter of the two runs had."""
    flow_points = comparison.curves().get(FLOW_NAME, [])
    gan_points = comparison.curves().get(GRADER_CONDITIONAL, [])
    flow_hours = training_cpu_hours(comparison.sidecar)
    gan_sidecar = comparison.sidecars.get(GRADER_CONDITIONAL)
    gan_hours = training_cpu_hours(gan_sidecar) if gan_sidecar else None
    if None in (flow_hours, gan_hours) or not flow_points or not gan_points:
        return []
    hours = min(flow_hours, gan_hours)
    flow_at, gan_at = fid_at_cpu_hours(flow_points, hours), fid_at_cpu_hours(gan_points, hours)
    if flow_at is None or gan_at is None:
        return []
    return [f"At equal training compute: {GRADER_CONDITIONAL} trained for {gan_hours:.2f} CPU-hours, the flow model "
            f"for {flow_hours:.2f}. By {hours:.2f} CPU-hours, {GRADER_CONDITIONAL}'s last in-training evaluation "
            f"(after {gan_at[0]:.2f}) gave FID {gan_at[1]:.2f}, the flow model's (after {flow_at[0]:.2f}) "
            f"{flow_at[1]:.2f}. Both measure 1,320 faces with the same evaluator; the flow model draws them with "
            f"its cheaper {comparison.sidecar['flow_matching']['evaluation_steps']}-step solver, so its in-training "
            "FIDs rank its own steps and understate the shipped sampler's quality.", ""]


STOP_WORDS = {"time limit": "its time limit", "cap": "the image cap", "plateau": "a plateau of the study's rule",
              "num_steps": "its step count"}


def _how_it_ended(sidecar: dict) -> str:
    kind, images = stop_kind(sidecar), (sidecar.get("budget") or {}).get("images_through_d", 0)
    if kind == "mid-run":
        return "these are its best evaluation so far, exported while the run goes on toward the study's rule"
    early = " before the study rule could apply" if images < 400_000 else ""
    return f"it stopped at {STOP_WORDS.get(kind, 'an unrecorded point')}{early}"


def diffusion_section(comparison: FlowComparison | None, figures: dict) -> list[str]:
    if comparison is None:
        return []
    sidecar, flow = comparison.sidecar, comparison.sidecar["flow_matching"]
    budget = sidecar.get("budget") or {}
    lines = ["## A flow-matching model beside the GANs", "",
             f"`{comparison.weights}` is a class-conditional flow-matching model (Lipman et al. 2023) on the "
             "rectified-flow path: a small U-Net with separate hair and eye embeddings, trained on the same loop "
             "as the GANs as a single player, with 10 % condition dropout for classifier-free guidance "
             "(`configs/diffusion.toml`; [training](../docs/training.md)). It draws a face by integrating from "
             f"the noise with {flow['solver'].capitalize()}'s method in {flow['sample_steps']} steps at guidance "
             f"scale {flow['guidance_scale']:g}, the same float64 replay as the GANs on `run_cgan.sh --generator`.",
             "",
             f"Training: {budget.get('images_through_d', 0):,} real images in {_hours(training_cpu_hours(sidecar))} "
             f"CPU-hours on {budget.get('device', 'an unrecorded device')}; {_how_it_ended(sidecar)}.", ""]
    shipped = comparison.shipped
    if shipped is None:
        return lines + ["Not measured yet for these weights: `make diffusion-evaluate` writes its evaluations.", ""]
    lines += [f"Measured by `make diffusion-evaluate` ({shipped['num_generated']:,} faces: each costs 24 guided "
              "passes of the U-Net against one pass of a GAN's G, so fewer than the GANs' 10,000; the GANs' "
              "10,000-face rows and acgan on the same count are beside it) and "
              "`make bench-sample` (cold start to the PNG, median of its repeats):", "", *_table(comparison), ""]
    # The verdict compares equal sample sizes where the GAN was measured on the flow model's count
    # (FID and recall depend on it), else the GAN's own record.
    gan = comparison.gan_at_flow_count or comparison.results.get(GRADER_CONDITIONAL)
    if gan is not None:
        lines += [f"On {gan['num_generated']:,} faces of {GRADER_CONDITIONAL} against "
                  f"{shipped['num_generated']:,} of the flow model:", *verdict(shipped, gan, GRADER_CONDITIONAL), ""]
    lines += _equal_compute(comparison)
    if "diffusion_compute" in figures:
        lines += [f"![flow model against the GANs](figures/{figures['diffusion_compute']})", ""]
    sweep = guidance_sweep(comparison.evaluations)
    if len(sweep) > 1:
        lines += [f"Guidance swept at {sweep[0]['sampler']['steps']} Heun steps ({sweep[0]['num_generated']:,} faces each; "
                  f"the shipped sampler takes {flow['sample_steps']}, so these FIDs rank the scales rather than "
                  "match the table above): scale 0 is the unconditional model, 1 the plain conditional one.", "",
                  *_sweep_table(sweep), ""]
    if "diffusion_faces" in figures:
        lines += [f"The 25 lines of testing_tags.txt, seed 0, drawn by {GRADER_CONDITIONAL} (what run_cgan.sh "
                  "hands in) and by the flow model:", "", f"![testing_tags.txt drawn by both](figures/"
                  f"{figures['diffusion_faces']})", ""]
    return lines


