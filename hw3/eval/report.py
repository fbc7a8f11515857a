"""Markdown tables of `evaluate_generator` results."""

from __future__ import annotations


def _percent(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.1%}"  # value != value: NaN


def markdown_table(results: dict) -> str:
    """One row per metric: the generated set, the real reference (floor or ceiling), and what
    the number means."""
    accuracy, real = results["tag_accuracy"], results["real_tag_accuracy"]
    rows = [
        ("tag accuracy: hair", _percent(accuracy["hair"]), _percent(real["hair"]), "evaluator agrees with the hair tag"),
        ("tag accuracy: eyes", _percent(accuracy["eyes"]), _percent(real["eyes"]), "evaluator agrees with the eye tag"),
        ("tag accuracy: both", _percent(accuracy["both"]), _percent(real["both"]), "both tags right"),
        ("both, seen pairs", _percent(accuracy["seen"]["both"]), _percent(real["seen"]["both"]), "pairs in the training split"),
        ("both, held-out pairs", _percent(accuracy["held_out"]["both"]), _percent(real["held_out"]["both"]), "pairs never in training"),
        ("FID (evaluator features)", f"{results['fid']:.3f}", f"{results['fid_real_floor']:.3f}", "lower is better; real column is the floor"),
        ("KID (evaluator features)", f"{results['kid']:.4f} ± {results['kid_std']:.4f}",
         f"{results['kid_real_floor']:.4f} ± {results['kid_real_floor_std']:.4f}", "lower is better; ≈ 0 for real"),
        ("precision (k = 3)", _percent(results["precision"]), _percent(results["precision_real_floor"]), "generated inside the real manifold"),
        ("recall (k = 3)", _percent(results["recall"]), _percent(results["recall_real_floor"]), "real inside the generated manifold"),
        ("diversity ratio", f"{results['diversity_ratio']:.3f}", "1.000",
         f"within-pair spread / real; mode collapse below {results['diversity_threshold']}"
         + (f": COLLAPSE ({len(results['collapsed_pairs'])} pairs)" if results["mode_collapse"] else "")),
        ("evaluator score (IS analogue)", f"{results['evaluator_score']:.2f} ± {results['evaluator_score_std']:.2f}",
         f"{results['evaluator_score_real']:.2f}", "1 to 132; not comparable with Inception Scores"),
        ("nearest-training distance ratio", f"{results['memorisation_distance_ratio']:.3f}", "1.000", "well below 1: copying"),
    ]
    if results.get("cas"):
        cas, reference = results["cas"]["generated"], results["cas"]["real_reference"]
        for attribute in ("hair", "eyes", "both"):
            rows.append((f"CAS: {attribute}", _percent(cas[attribute]), _percent(reference[attribute]),
                         "trained on generated, tested on real"))
    header = [
        f"{results['num_generated']} generated images (seed {results['seed']}); FID, KID, precision and recall "
        f"on {results['num_compared']} against {results['num_reference']} real test images.",
        "",
        "| metric | generated | real | meaning |",
        "| --- | --- | --- | --- |",
    ]
    return "\n".join(header + [f"| {' | '.join(row)} |" for row in rows])


def print_markdown_table(results: dict) -> None:
    print(markdown_table(results))
