"""Markdown tables of `evaluate_generator` results."""

from __future__ import annotations

from functools import partial

from hw3.formatting import percent

_percent = partial(percent, sep="", missing="n/a")  # these tables write "12.3%"


def _tag_rows(generated: dict, real: dict) -> list[tuple[str, ...]]:
    return [
        ("tag accuracy: hair", _percent(generated["hair"]), _percent(real["hair"]), "the evaluator sees the hair tag"),
        ("tag accuracy: eyes", _percent(generated["eyes"]), _percent(real["eyes"]), "the evaluator sees the eye tag"),
        ("tag accuracy: both", _percent(generated["both"]), _percent(real["both"]), "both tags right"),
        ("both, seen pairs", _percent(generated["seen"]["both"]), _percent(real["seen"]["both"]),
         "pairs in the training split"),
        ("both, held-out pairs", _percent(generated["held_out"]["both"]), _percent(real["held_out"]["both"]),
         "pairs never in the training split"),
    ]


def _distribution_rows(results: dict) -> list[tuple[str, ...]]:
    def kid_text(suffix: str) -> str:
        return f"{results['kid' + suffix]:.4f} ± {results['kid_std' + suffix]:.4f}"

    floor = "_real_floor"
    return [
        ("FID (evaluator features)", f"{results['fid']:.3f}", f"{results['fid' + floor]:.3f}",
         "lower is better; the real column is the floor"),
        ("FID infinity (evaluator features)", f"{results['fid_infinity']:.3f}",
         f"{results['fid_infinity' + floor]:.3f}", "FID extrapolated to an infinite sample: no 1/N bias"),
        ("KID (evaluator features)", kid_text(""), kid_text(floor), "lower is better; ≈ 0 for real images"),
        ("precision (k = 3)", _percent(results["precision"]), _percent(results["precision" + floor]),
         "generated images inside the real manifold"),
        ("recall (k = 3)", _percent(results["recall"]), _percent(results["recall" + floor]),
         "real images inside the generated manifold"),
    ]


def markdown_table(results: dict) -> str:
    """One row per metric: the generated set, the real reference (floor or ceiling), and what
    the number means."""
    conditional = results.get("conditional", True)
    rows = _tag_rows(results["tag_accuracy"], results["real_tag_accuracy"]) if conditional else []
    rows += _distribution_rows(results)
    if conditional:
        collapse = f": MODE COLLAPSE in {len(results['collapsed_pairs'])} pairs" if results["mode_collapse"] else ""
        rows += [
            ("diversity ratio", f"{results['diversity_ratio']:.3f}", "1.000",
             f"within-pair spread over real; collapse below {results['diversity_threshold']}{collapse}"),
            ("evaluator score (IS analogue)",
             f"{results['evaluator_score']:.2f} ± {results['evaluator_score_std']:.2f}",
             f"{results['evaluator_score_real']:.2f}", "1 to 132, splits of 500 images; not comparable with Inception Scores"),
        ]
    rows.append(("nearest-training distance ratio", f"{results['memorisation_distance_ratio']:.3f}", "1.000",
                 "well below 1: copies of training images"))
    if results.get("cas"):
        cas, reference = results["cas"]["generated"], results["cas"]["real_reference"]
        rows += [(f"CAS: {attribute}", _percent(cas[attribute]), _percent(reference[attribute]),
                  "classifier trained on generated images, tested on real ones")
                 for attribute in ("hair", "eyes", "both")]
    header = [
        f"{results['num_generated']} generated images (seed {results['seed']}); FID, KID, precision and "
        f"recall use {results['num_compared']} of them against {results['num_reference']} real "
        f"{results.get('reference_split', 'test')}-split images.",
        "",
        "| metric | generated | real | meaning |",
        "| --- | --- | --- | --- |",
    ]
    return "\n".join(header + [f"| {' | '.join(row)} |" for row in rows])


def print_markdown_table(results: dict) -> None:
    print(markdown_table(results))
