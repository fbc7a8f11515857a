"""Does a retrained generator land where the shipped one did? A metric-by-metric comparison.

Two runs of one config never give the same bytes on different thread counts or machines (the
floating-point order differs and GAN training amplifies it), so `make weights` checks metrics,
not hashes: each metric may move by at most its tolerance from the shipped run's value. The
tolerances are about three times the spread measured between two seeds of the shipped config
(docs/weights.md, "Retraining"), so a retrain that fails them differs by more than chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hw3.errors import InputError


@dataclass(frozen=True)
class MetricTolerance:
    name: str
    keys: tuple[str, ...]  # path into a results dict, e.g. ("tag_accuracy", "seen", "both")
    tolerance: float  # the largest accepted |retrained - shipped|
    relative: bool = False  # the tolerance is a fraction of the shipped value
    needs_tags: bool = False  # not measured for an unconditional generator


@dataclass(frozen=True)
class MetricComparison:
    name: str
    shipped: float
    retrained: float
    allowed: float  # absolute, after scaling a relative tolerance

    @property
    def within(self) -> bool:
        if math.isnan(self.shipped) and math.isnan(self.retrained):
            return True  # measured by neither (pairs with too few real faces): nothing to differ
        return abs(self.retrained - self.shipped) <= self.allowed


RETRAIN_TOLERANCES = (
    MetricTolerance("both tags, seen pairs", ("tag_accuracy", "seen", "both"), 0.03, needs_tags=True),
    MetricTolerance("both tags, held-out pairs", ("tag_accuracy", "held_out", "both"), 0.10, needs_tags=True),
    MetricTolerance("FID", ("fid",), 0.5, relative=True),
    MetricTolerance("precision", ("precision",), 0.10),
    MetricTolerance("recall", ("recall",), 0.10),
    MetricTolerance("diversity ratio", ("diversity_ratio",), 0.20, needs_tags=True),
)


def _metric(results: dict, keys: tuple[str, ...], source: str) -> float:
    value = results
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise InputError(f"{source}: no '{'.'.join(keys)}' in the results (expected hw3 evaluate's JSON)")
        value = value[key]
    return float(value)


def compare_results(
    retrained: dict, shipped: dict, tolerances=RETRAIN_TOLERANCES, shipped_source: str = "shipped results"
) -> list[MetricComparison]:
    comparisons = []
    conditional = shipped.get("conditional", True)
    for metric in tolerances:
        if metric.needs_tags and not conditional:
            continue
        reference = _metric(shipped, metric.keys, shipped_source)
        allowed = metric.tolerance * abs(reference) if metric.relative else metric.tolerance
        comparisons.append(MetricComparison(
            metric.name, reference, _metric(retrained, metric.keys, "retrained results"), allowed))
    return comparisons


def format_comparison(comparisons: list[MetricComparison]) -> str:
    """A markdown table with a verdict per metric and a last line saying whether all are within."""
    lines = ["| metric | shipped | retrained | allowed difference | within |", "| --- | --- | --- | --- | --- |"]
    for row in comparisons:
        lines.append(f"| {row.name} | {row.shipped:.4g} | {row.retrained:.4g} | ± {row.allowed:.3g} | "
                     f"{'yes' if row.within else 'NO'} |")
    outside = [row.name for row in comparisons if not row.within]
    lines.append("")
    lines.append("all metrics within tolerance of the shipped run" if not outside
                 else f"outside tolerance of the shipped run: {', '.join(outside)}")
    return "\n".join(lines)
