"""One table comparing every shipped generator on every metric, real data as the reference row."""

from __future__ import annotations

from hw3.formatting import percent
from hw3.report.section_shipped import targets_met

COLUMNS = ("both, seen pairs", "both, held-out pairs", "hair", "eyes", "FID (evaluator features)", "FID∞", "KID",
           "precision", "recall", "diversity", "evaluator score", "nearest-training ratio")


def _number(results: dict, key: str, digits: int) -> str:
    return "—" if results.get(key) is None else f"{results[key]:.{digits}f}"


def _generated_row(name: str, results: dict, conditional: bool) -> list[str]:
    accuracy = results.get("tag_accuracy")
    tag_cells = ([percent(accuracy["seen"]["both"]), percent(accuracy["held_out"]["both"]),
                  percent(accuracy["hair"]), percent(accuracy["eyes"])] if conditional else ["—"] * 4)
    # An unconditional generator's distances are against the training split (its colour mix).
    reference = "" if conditional else " (train)"
    return [name, *tag_cells, _number(results, "fid", 2) + reference, _number(results, "fid_infinity", 2) + reference,
            _number(results, "kid", 4), percent(results["precision"]), percent(results["recall"]),
            _number(results, "diversity_ratio", 2) if conditional else "—",
            _number(results, "evaluator_score", 1) if conditional else "—",
            f"{results['memorisation_distance_ratio']:.2f}"]


def _real_row(label: str, results: dict, conditional: bool) -> list[str]:
    accuracy = results.get("real_tag_accuracy")
    tag_cells = ([percent(accuracy["seen"]["both"]), percent(accuracy["held_out"]["both"]),
                  percent(accuracy["hair"]), percent(accuracy["eyes"])] if conditional else ["—"] * 4)
    return [label, *tag_cells, _number(results, "fid_real_floor", 2), _number(results, "fid_infinity_real_floor", 2),
            _number(results, "kid_real_floor", 4), percent(results["precision_real_floor"]),
            percent(results["recall_real_floor"]), "1.00" if conditional else "—",
            _number(results, "evaluator_score_real", 1) if conditional else "—", "1.00"]


def comparison_table(results_by_variant: dict[str, dict], conditional: dict[str, bool]) -> str:
    """Markdown: a row per variant in the given order, then the real-vs-real floors: test half
    against test half (the conditional reference), and training half against training half when
    an unconditional variant is in the table."""
    rows = [_generated_row(name, results, conditional[name]) for name, results in results_by_variant.items()]
    conditional_results = [r for name, r in results_by_variant.items() if conditional[name]]
    unconditional_results = [r for name, r in results_by_variant.items() if not conditional[name]]
    if conditional_results:
        rows.append(_real_row("real test images", conditional_results[0], True))
    if unconditional_results:
        rows.append(_real_row("real training images", unconditional_results[0], False))
    lines = ["| variant | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def best_conditional(results_by_variant: dict[str, dict], conditional: dict[str, bool]) -> str:
    """The conditional variant that meets most of the shipped bars, then the highest mean of seen and
    held-out both-tags accuracy, among those without mode collapse (tag accuracy alone rewards one
    face per pair)."""
    candidates = [name for name in results_by_variant if conditional[name]]
    healthy = [name for name in candidates if not results_by_variant[name]["mode_collapse"]] or candidates

    def score(name: str) -> tuple[int, float]:
        results = results_by_variant[name]
        accuracy = results["tag_accuracy"]
        return sum(targets_met(results).values()), accuracy["seen"]["both"] + accuracy["held_out"]["both"]

    return max(healthy, key=score)


# The study's budget fields, under the names a sidecar or an evaluation record may give them.
BUDGET_FIELDS = (
    ("images through D", ("images_through_d", "real_images_through_d", "images_seen", "real_images_seen")),
    ("generator steps", ("generator_steps", "g_steps")),
    ("wall-clock", ("wall_clock_seconds", "wall_seconds", "training_seconds")),
    ("device", ("device_name", "device")),
    ("threads", ("threads", "torch_threads", "num_threads")),
)


def _budget_value(records: list[dict], names: tuple[str, ...]):
    for record in records:
        for place in (record.get("budget") or {}, record):
            for name in names:
                if place.get(name) is not None:
                    return place[name]
    return None


def _budget_cell(column: str, value) -> str:
    if value is None:
        return "—"
    if column == "wall-clock" and isinstance(value, (int, float)):
        return f"{value / 60:,.0f} min"
    return f"{value:,}" if isinstance(value, int) else str(value)


def budget_table(sidecars: dict[str, dict], results: dict[str, dict]) -> str | None:
    """Markdown: each variant's training budget, one column per budget field any variant records,
    or None when none records one (the shipped runs before the equal-budget study)."""
    values = {name: {column: _budget_value([sidecars[name], results.get(name, {})], names)
                     for column, names in BUDGET_FIELDS} for name in sidecars}
    columns = [column for column, _ in BUDGET_FIELDS if any(row[column] is not None for row in values.values())]
    if not columns:
        return None
    stopped = any(isinstance(sidecars[name].get("stopping"), dict) for name in sidecars)
    header = ["variant", "steps", *columns] + (["stopped", "why"] if stopped else [])
    lines = ["| " + " | ".join(header) + " |", "|---|---:" + "|---:" * len(columns) + ("|---:|---" if stopped else "") + "|"]
    for name, row in values.items():
        cells = [name, _budget_cell("steps", sidecars[name].get("step"))]
        cells += [_budget_cell(column, row[column]) for column in columns]
        if stopped:
            cells += _stop_cells(sidecars[name])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


STOP_REASONS = {"plateau": "plateau: the last quarter improved less than the rule asks", "cap": "the image cap",
                "time limit": "the time limit", "num_steps": "its step count",
                "mid-run": "— (exported mid-run, before the rule stopped it)",
                "before the rule": "— (trained before the stopping rule)"}


def stop_kind(sidecar: dict) -> str:
    """Why a shipped run ended, a key of STOP_REASONS: the stopping rule's record in its sidecar, or,
    without one, whether its config had the rule (exported while it ran) or predates it."""
    stopping = sidecar.get("stopping")
    if isinstance(stopping, dict):
        return str(stopping.get("reason"))
    rule = ((sidecar.get("training_config") or {}).get("stopping") or {}).get("plateau")
    return "mid-run" if rule else "before the rule"


def _stop_cells(sidecar: dict) -> list[str]:
    """Where a run stopped (real images through D) and why."""
    kind = stop_kind(sidecar)
    images = (sidecar.get("stopping") or {}).get("images_through_d")
    return [f"{images:,}" if isinstance(images, int) else "—", STOP_REASONS.get(kind, kind)]
