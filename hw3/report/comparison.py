"""One table comparing every shipped generator on every metric, real data as the reference row."""

from __future__ import annotations

COLUMNS = ("both, seen pairs", "both, held-out pairs", "hair", "eyes", "FID", "KID", "precision", "recall",
           "diversity", "evaluator score", "nearest-training ratio")


def _percent(value) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _generated_row(name: str, results: dict, conditional: bool) -> list[str]:
    accuracy = results["tag_accuracy"]
    tag_cells = ([_percent(accuracy["seen"]["both"]), _percent(accuracy["held_out"]["both"]),
                  _percent(accuracy["hair"]), _percent(accuracy["eyes"])] if conditional else ["—"] * 4)
    return [name, *tag_cells, f"{results['fid']:.2f}", f"{results['kid']:.4f}", _percent(results["precision"]),
            _percent(results["recall"]), f"{results['diversity_ratio']:.2f}" if conditional else "—",
            f"{results['evaluator_score']:.1f}", f"{results['memorisation_distance_ratio']:.2f}"]


def _real_row(results: dict) -> list[str]:
    accuracy = results["real_tag_accuracy"]
    return ["real test images", _percent(accuracy["seen"]["both"]), _percent(accuracy["held_out"]["both"]),
            _percent(accuracy["hair"]), _percent(accuracy["eyes"]), f"{results['fid_real_floor']:.2f}",
            f"{results['kid_real_floor']:.4f}", _percent(results["precision_real_floor"]),
            _percent(results["recall_real_floor"]), "1.00", f"{results['evaluator_score_real']:.1f}", "1.00"]


def comparison_table(results_by_variant: dict[str, dict], conditional: dict[str, bool]) -> str:
    """Markdown: a row per variant in the given order, then the real-data row."""
    rows = [_generated_row(name, results, conditional[name]) for name, results in results_by_variant.items()]
    rows.append(_real_row(next(iter(results_by_variant.values()))))
    lines = ["| variant | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def best_conditional(results_by_variant: dict[str, dict], conditional: dict[str, bool]) -> str:
    """The conditional variant with the highest mean of seen and held-out both-tags accuracy
    among those without mode collapse (tag accuracy alone rewards one face per pair)."""
    candidates = [name for name in results_by_variant if conditional[name]]
    healthy = [name for name in candidates if not results_by_variant[name]["mode_collapse"]] or candidates

    def score(name: str) -> float:
        accuracy = results_by_variant[name]["tag_accuracy"]
        return accuracy["seen"]["both"] + accuracy["held_out"]["both"]

    return max(healthy, key=score)
