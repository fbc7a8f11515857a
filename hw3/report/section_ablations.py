"""The study's ablation tables: for each variant, what was tried, at what budget, and what it did.

Every number here comes from the in-training evaluation protocol (hw3/train/periodic_eval.py):
one fixed sample of 1,320 faces for every run, so a row is comparable with every other row at
the same number of real images through D. Rows come from three sources:
- the variant's study run (its shipped training log) at the ablation's budget and at its chosen step;
- `hw3 ablate NAME` runs (configs/ablations/ablations.toml): one change, part of the budget;
- `hw3 ablate --without-ema VARIANT`: the chosen step's raw generator beside its moving average;
- the study's other variants that differ from this one in one design choice (SIBLINGS).
"""

from __future__ import annotations

from pathlib import Path

from hw3.reading import read_json_object
from hw3.formatting import percent

# Variants that differ from the key in one stated design choice, measured at the same budget.
SIBLINGS = {
    "dcgan": [("dcgan_sn", "D with spectral norm, no batch norm, hinge loss, Adam β1 = 0 (dcgan_sn)")],
    "cgan": [("cgan_course", "the course slides' design: one-hot over the 132 pairs through Dense(256), "
                             "dense stem, 5 × 5 kernels, wrong tags from any other pair (cgan_course)")],
    "wgan_gp": [("wgan_clip", "weight clipping at ±0.01 and RMSProp instead of the gradient penalty (wgan_clip)")],
    "acgan": [("r3gan", "no classifier heads; relativistic pairing loss with R1 and R2, no normalisation in D (r3gan)")],
}


def _row(label: str, record: dict | None, conditional: bool) -> str:
    if record is None:
        return ""
    cells = [label, f"{record.get('images_through_d', 0):,}" if record.get("images_through_d") else "—",
             f"{record['eval_fid']:.2f}"]
    if conditional:
        cells += [percent(record.get("eval_both_seen")), percent(record.get("eval_both_held_out"))]
    return "| " + " | ".join(cells) + " |"


def _at_images(records: list[dict], images: int) -> dict | None:
    return next((r for r in records if r.get("images_through_d") == images), None)


def _chosen(records: list[dict], sidecar: dict) -> dict | None:
    evaluation = sidecar.get("evaluation")
    if evaluation:
        return evaluation
    return records[-1] if records else None


def read_ablation_results(results_dir: Path) -> tuple[list[dict], dict[str, dict]]:
    """(ablation runs, {variant: without-EMA record}) from report/results/ablations/."""
    runs, without_ema = [], {}
    for path in sorted(Path(results_dir).glob("*.json")):
        results = read_json_object(path, "ablation results that hw3 ablate wrote")
        if path.stem.endswith("_without_ema"):
            without_ema[results["variant"]] = results
        elif results.get("evaluations"):
            runs.append(results)
    return runs, without_ema


def ablations_section(records: dict[str, list[dict]], sidecars: dict[str, dict], conditional: dict[str, bool],
                      results_dir: Path) -> list[str]:
    """`records`: each shipped variant's in-training evaluations (from its training log)."""
    runs, without_ema = read_ablation_results(results_dir)
    lines = ["### What was tried, variant by variant", "",
             "Each table holds one variant's study run and what was changed from it. Every row is measured the "
             "same way as the curves above (1,320 faces, one fixed sample for every run; FID in evaluator features "
             "against 5,280 real faces, the training split's colour mix for unconditional runs), at the number of "
             "real images through D in its second column. Ablation runs (`make ablations`, configs/ablations/ablations.toml) "
             "train for part of the budget and sit beside the study run's evaluation at the same count; the raw-G "
             "rows measure the chosen step's generator without its moving average (`hw3 ablate --without-ema`).",
             ""]
    for name, variant_records in records.items():
        is_conditional = conditional.get(name, False)
        sidecar = sidecars.get(name, {})
        chosen = _chosen(variant_records, sidecar)
        rows = [_row(f"**{name}** as configured, chosen step", chosen, is_conditional)]
        # A raw-G record measured another step (an earlier export) says nothing of this one.
        if name in without_ema and chosen is not None and without_ema[name].get("step") == sidecar.get("step"):
            raw = dict(without_ema[name]["raw"], images_through_d=chosen.get("images_through_d"))
            rows.append(_row("the same step without the moving average of G (raw G)", raw, is_conditional))
        for run in (r for r in runs if r["variant"] == name):
            last = run["evaluations"][-1]
            rows.append(_row(f"{name} as configured, at the ablation's budget",
                             _at_images(variant_records, last["images_through_d"]), is_conditional))
            rows.append(_row(f"{run['tried']} (`{run['name']}`)", last, is_conditional))
        for sibling, what in SIBLINGS.get(name, []):
            if sibling in records:
                rows.append(_row(what, _chosen(records[sibling], sidecars.get(sibling, {})), is_conditional))
        rows = [row for row in rows if row]
        if len(rows) < 2:
            continue
        header = ["| tried | real images through D | FID (fixed sample) |"]
        if is_conditional:
            header = ["| tried | real images through D | FID (fixed sample) | both tags, seen | both tags, held-out |"]
        lines += [f"#### {name}", "", *header, "|---|---:|---:|" + ("---:|---:|" if is_conditional else ""), *rows, ""]
    return lines
