"""The report's closing sections: what each number measures, on how many faces, and its limits;
then the conclusions, drawn from the measurements on the page."""

from __future__ import annotations

from hw3.data.pairs import HELD_OUT_PAIRS
from hw3.eval.metrics import MEMORISATION_SAMPLE
from hw3.eval.evaluator_score import SPLIT_SIZE
from hw3.formatting import percent
from hw3.tags import NUM_PAIRS


def sample_sizes(results: dict, num_test: int) -> dict[str, int]:
    """How many faces each measurement uses, from an evaluation record."""
    generated = results.get("num_generated", results.get("num_samples", 0))
    return {"generated": generated, "per_pair": generated // NUM_PAIRS, "compared": results["num_compared"],
            "reference": results["num_reference"], "test": num_test,
            "score_splits_generated": generated // SPLIT_SIZE,
            "score_splits_real": num_test // SPLIT_SIZE,
            "memorisation": min(MEMORISATION_SAMPLE, generated),
            "memorisation_test": min(MEMORISATION_SAMPLE, num_test)}


def metrics_section(results: dict, num_test: int, evaluator_accuracy: dict | None) -> list[str]:
    n = sample_sizes(results, num_test)
    evaluator_line = ""
    if evaluator_accuracy:
        evaluator_line = (f" On the {evaluator_accuracy.get('num_images', num_test):,} real test faces it reads hair "
                          f"right {100 * evaluator_accuracy['hair']:.2f} % of the time and eyes "
                          f"{100 * evaluator_accuracy['eyes']:.2f} % "
                          "(`weights/evaluator.json`).")
    return [
        "## What the numbers mean, and their limits",
        "",
        "ImageNet's Inception network cannot be downloaded here and would measure the wrong features on anime "
        "faces, so every metric works in the 256-dimensional feature space of a small CNN trained on the "
        "rendered training split to tell the colours apart (`weights/evaluator.safetensors`, `hw3 evaluator "
        f"train`).{evaluator_line} Numbers in this space are not comparable with published FIDs or Inception "
        "Scores; that is why the report always writes **FID (evaluator features)**.",
        "",
        f"- **Tag accuracy**: {n['generated']:,} generated faces per variant, tags spread evenly over the "
        f"{NUM_PAIRS} pairs (about {n['per_pair']} per pair), read by the evaluator. Seen pairs: the "
        f"{NUM_PAIRS - len(HELD_OUT_PAIRS)} pairs of the training split; held-out: the {len(HELD_OUT_PAIRS)} it "
        "never shows.",
        f"- **FID (evaluator features)**, KID, precision and recall (k = 3): the {n['compared']:,} generated faces "
        f"whose tags match one half of the test split, pair for pair, against the other half ({n['reference']:,} "
        "real faces). The real-test row compares the two halves: the floor at this sample size. FID is biased "
        "upward at finite sample size (real against real it shrinks as the sets grow), so compare FIDs only at "
        "equal size, and with the floor; **FID∞** (Chong & Forsyth 2020) fits FID on a quarter, half, three "
        "quarters and all of the generated faces against 1/N and reports the intercept, which does not move with "
        "N. KID is unbiased and can go below zero. An unconditional generator learned the training split's "
        "colour mix, not the test split's even one, so its reference is two disjoint halves of the training "
        "split at the same sizes.",
        f"- **Diversity**: the mean spread of features within a pair over that of real faces of the same pair, "
        f"all {n['generated']:,} generated faces against all {n['test']:,} test faces. 1.00 is as varied as the data; "
        "near 0 is one face per pair; above 1 can mean noise as well as variety.",
        f"- **Evaluator score**: the Inception Score's recipe with the evaluator's 132 pair probabilities, 1 to "
        f"132, the mean over splits of {SPLIT_SIZE} faces for every set ({n['score_splits_generated']} generated "
        f"splits, {n['score_splits_real']} real ones). The score grows with the split size, so sets are compared "
        "at one split size, not one number of splits.",
        f"- **Nearest-training ratio** (memorisation): mean distance from {n['memorisation']:,} generated faces "
        f"to their nearest training face, over the same for {n['memorisation_test']:,} real test faces. Well below "
        "1 would mean copies of training images.",
        "- **Limits**: the evaluator comes from the same renderer as the test faces, so it reads these colours "
        "almost perfectly but has never seen a GAN's artefacts; a face it reads as 'blue eyes' may not look so to "
        "a person. Each variant is one training run with one seed: an independent ACGAN run with seed 1 moved "
        "held-out accuracy by 3.1 points and FID (evaluator features) by 18 %, so smaller differences are noise.",
        "",
    ]


def conclusions_section(results: dict[str, dict], conditional: dict[str, bool], best: str | None,
                        budgets_recorded: bool) -> list[str]:
    lines = ["## Conclusions", ""]
    if best is not None:
        accuracy = results[best]["tag_accuracy"]
        lines.append(
            f"- The best conditional generator, **{best}**, draws faces whose hair and eyes both follow the tags "
            f"{percent(accuracy['seen']['both'])} of the time on seen pairs and "
            f"{percent(accuracy['held_out']['both'])} on held-out pairs, at FID (evaluator features) "
            f"{results[best]['fid']:.2f} against a real-vs-real floor of {results[best]['fid_real_floor']:.3f}. "
            "Hair is the easy half; eye colour, a few dozen pixels, is where every variant loses accuracy, and "
            "held-out pairs are where it loses most.")
    ranked = sorted((name for name in results if conditional[name]),
                    key=lambda name: -results[name]["tag_accuracy"]["seen"]["both"])
    if len(ranked) > 1:
        above = [name for name in ranked if results[name]["tag_accuracy"]["seen"]["both"] >= 0.5]
        lines.append("- Both tags right on seen pairs, conditional variants in order: " + ", ".join(
            f"{name} {percent(results[name]['tag_accuracy']['seen']['both'])}" for name in ranked)
            + f"; {len(above)} of {len(ranked)} pass 50 %" + (f" ({', '.join(above)})." if above else "."))
    unconditional = [name for name in results if not conditional[name]]
    for name in unconditional:
        lines.append(f"- The unconditional **{name}** reaches FID (evaluator features) {results[name]['fid']:.2f} "
                     "against the training split's colour mix, which it learned (real-vs-real floor "
                     f"{results[name]['fid_real_floor']:.3f}).")
    lines += [
        "- Without a term against it, the auxiliary classifier drove each tag pair to a single face; the "
        "mode-seeking term restored variety (recall from 0.2 % to 47 % at equal steps), and drawing tag pairs "
        "uniformly helped every measure.",
        "- Tags are best read by G through learned embeddings at equal steps; FastText vectors let free-text "
        "lines with misspellings reach the same generator.",
    ]
    close = [name for name in results if results[name]["memorisation_distance_ratio"] < 1]
    lines.append("- Every nearest-training ratio is above 1: no variant copies training faces." if not close else
                 f"- Nearest-training ratio below 1 for {', '.join(close)}: look at the nearest-image figure for "
                 "copies.")
    if not budgets_recorded:
        lines.append("- The shipped variants were trained for different numbers of steps, so the comparison "
                     "table ranks runs, not methods; the equal-budget study will replace it.")
    return lines + [""]
