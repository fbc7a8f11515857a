"""The report's text: report.md, and the same page as HTML through nbconvert."""

from __future__ import annotations

from pathlib import Path

# The shipped conditional generator's bars (see the README's "Shipped weights").
TARGETS = {"seen": 0.97, "held_out": 0.90, "diversity": 0.85, "fid_over_floor": 2.0}


def _target_lines(results: dict) -> list[str]:
    accuracy = results["tag_accuracy"]
    checks = [
        ("both tags, seen pairs", f"{accuracy['seen']['both']:.1%}", f"≥ {TARGETS['seen']:.0%}",
         accuracy["seen"]["both"] >= TARGETS["seen"]),
        ("both tags, held-out pairs", f"{accuracy['held_out']['both']:.1%}", f"≥ {TARGETS['held_out']:.0%}",
         accuracy["held_out"]["both"] >= TARGETS["held_out"]),
        ("diversity ratio", f"{results['diversity_ratio']:.2f}", f"≥ {TARGETS['diversity']}",
         results["diversity_ratio"] >= TARGETS["diversity"]),
        ("FID", f"{results['fid']:.2f}", f"≤ {TARGETS['fid_over_floor'] * results['fid_real_floor']:.2f} "
         f"(2 × floor {results['fid_real_floor']:.3f})",
         results["fid"] <= TARGETS["fid_over_floor"] * results["fid_real_floor"]),
        ("recall (reported beside precision)", f"{results['recall']:.1%} (precision {results['precision']:.1%})",
         "—", None),
    ]
    lines = ["| bar | measured | target | met |", "|---|---|---|---|"]
    for name, measured, target, met in checks:
        lines.append(f"| {name} | {measured} | {target} | {'—' if met is None else ('yes' if met else 'no')} |")
    return lines


def report_markdown(results: dict, sidecars: dict, conditional: dict, best: str | None, figures: dict,
                    table: str, config, conditioning: str | None = None) -> str:
    any_results = next(iter(results.values()))
    lines = [
        "# hw3 report: four GANs on 64 × 64 anime faces",
        "",
        "Everything on this page is made by `make report` (`hw3 report`) from the generators shipped in "
        f"`{config.weights_dir}/` and the rendered data set (`make data`). Each generator is measured by the "
        f"evaluation suite (`hw3 evaluate`): {config.num_samples} faces, seed {config.seed}, tags spread evenly "
        "over the 132 hair × eye pairs, read by the tag evaluator (`weights/evaluator.safetensors`).",
        "",
        "## All variants on every metric",
        "",
        table,
        "",
        f"- Tag columns: the share of faces whose hair, eyes or both the evaluator reads as the tags asked for; "
        "held-out pairs are the 12 pairs the training split never shows.",
        f"- FID, KID, precision and recall: evaluator features of {any_results['num_compared']} generated faces "
        f"against {any_results['num_reference']} real test faces with the same pairs; the real row is the "
        "real-against-real floor. Lower FID and KID are better.",
        "- Diversity: mean within-pair feature spread over that of real faces of the same pair (1.00 = as varied as "
        "the data; low values mean one face per pair, values above 1 more spread than the data, which noisy "
        "faces also give). Evaluator score: the Inception Score's recipe with the "
        "evaluator (1 to 132). Nearest-training ratio: well below 1 means copies of training images.",
        "- DCGAN is unconditional: it has no tag columns, and its FID is taken against the pair-balanced test "
        "split although it learned the training split's uneven colour frequencies, which raises it.",
        "",
    ]
    if best is not None:
        lines += [f"## The shipped conditional generator: {best}", "",
                  f"`run_cgan.sh` draws with the best conditional variant by both-tags accuracy: **{best}**.", "",
                  *_target_lines(results[best]), ""]
    lines += ["## The 25 lines of testing_tags.txt, drawn by every variant", "",
              f"![side by side](figures/{figures['side_by_side']})", "",
              "Left: one real test face per tag line. The others: what `hw3 sample --seed 0` draws for the same lines "
              "(DCGAN ignores the tags). In reading order, faces 1–8 are common pairs, 9–16 rare colours and "
              "17–25 held-out pairs.", ""]
    lines += ["## Training curves", ""]
    lines += [f"![{name} curves](figures/{figures[name + '_curves']})" for name in results if name + "_curves" in figures]
    lines += ["", "## Tag accuracy per pair", "",
              "Both-tags accuracy for each of the 12 × 11 pairs; held-out pairs are outlined.", ""]
    lines += [f"![{name} heatmap](figures/{name}/tag_accuracy.png)" for name in results if conditional[name]]
    if "latent_strips" in figures:
        lines += ["", "## Interpolation", "", f"![latent](figures/{figures['latent_strips']})", "",
                  f"![tags](figures/{figures['tag_strips']})", "",
                  "Top: the noise walks along a great circle between two draws while the tags stay fixed. Bottom: "
                  "the noise stays fixed while the encoded tags move linearly from one pair to another."]
    lines += ["", "## Memorisation", "",
              "Generated faces (left column) beside their nearest training images in evaluator features.", ""]
    lines += [f"![{name} nearest](figures/{name}/nearest_training_images.png)" for name in results]
    lines += _word_vector_lines(figures, conditioning)
    lines += ["", "## How each generator was made", "", "| variant | steps | seed | command | git commit |",
              "|---|---|---|---|---|"]
    for name, sidecar in sidecars.items():
        lines.append(f"| {name} | {sidecar['step']} | {sidecar['seed']} | `{sidecar['training_command']}` | "
                     f"`{sidecar['git_commit'][:12]}` |")
    return "\n".join(lines) + "\n"


def _word_vector_lines(figures: dict, conditioning: str | None) -> list[str]:
    lines = []
    if "colour_words" in figures:
        lines += ["", "## Word vectors", "", f"![colour words](figures/{figures['colour_words']})", "",
                  "FastText vectors trained on the data set's tag sentences (`make vectors`). A free-text tag line's "
                  "words are mapped to the colour whose name is nearest by cosine (`hw3 sample --free-text`)."]
    if conditioning is not None:
        lines += ["", "### Tag accuracy by condition encoder, equal training budget", "", conditioning, "",
                  "The ACGAN config with only the generator's condition encoder changed, each trained for the same "
                  "number of steps with the same seed (`make text-compare`, with the settings the Makefile names) "
                  "and measured by `hw3 evaluate`."]
    return lines


def write_html(markdown: str, path: str | Path) -> None:
    """The markdown as a one-cell notebook through nbconvert, so figures and tables render alike."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    html, _ = HTMLExporter().from_notebook_node(notebook)
    Path(path).write_text(html, encoding="utf-8")
