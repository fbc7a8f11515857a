"""The metric-by-metric check `make weights` runs against the shipped generator's results."""

from __future__ import annotations

import pytest

from hw3.errors import InputError
from hw3.eval.tolerance import MetricTolerance, compare_results, format_comparison


def _results(seen: float, fid: float) -> dict:
    return {"tag_accuracy": {"seen": {"both": seen}}, "fid": fid}


TOLERANCES = (
    MetricTolerance("seen", ("tag_accuracy", "seen", "both"), 0.03),
    MetricTolerance("FID", ("fid",), 0.5, relative=True),
)


def test_absolute_and_relative_tolerances():
    shipped = _results(seen=0.95, fid=4.0)
    within = compare_results(_results(seen=0.925, fid=5.9), shipped, TOLERANCES)
    assert [row.within for row in within] == [True, True]
    assert within[1].allowed == pytest.approx(2.0)  # half of the shipped FID
    outside = compare_results(_results(seen=0.91, fid=6.1), shipped, TOLERANCES)
    assert [row.within for row in outside] == [False, False]
    assert format_comparison(outside).splitlines()[-1] == "outside tolerance of the shipped run: seen, FID"
    assert format_comparison(within).splitlines()[-1] == "all metrics within tolerance of the shipped run"


def test_a_tolerance_holds_in_both_directions():
    shipped = _results(seen=0.95, fid=4.0)
    better, worse = _results(seen=0.99, fid=4.0), _results(seen=0.91, fid=4.0)
    assert not compare_results(better, shipped, TOLERANCES)[0].within  # a retrain is not the same run
    assert not compare_results(worse, shipped, TOLERANCES)[0].within


def test_missing_metric_names_the_source_and_key():
    with pytest.raises(InputError, match=r"^shipped.json: no 'tag_accuracy.seen.both'"):
        compare_results(_results(0.9, 1.0), {"fid": 1.0}, TOLERANCES, shipped_source="shipped.json")


def test_an_unconditional_run_is_compared_on_the_metrics_it_has():
    from hw3.eval.tolerance import compare_results
    shipped = {"conditional": False, "fid": 2.0, "precision": 0.6, "recall": 0.8}
    retrained = {"conditional": False, "fid": 2.5, "precision": 0.62, "recall": 0.79}
    rows = compare_results(retrained, shipped)
    assert [row.name for row in rows] == ["FID", "precision", "recall"] and all(row.within for row in rows)
