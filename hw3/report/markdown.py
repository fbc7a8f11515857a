"""The report's text: report.md, and the same page as HTML through nbconvert."""

from __future__ import annotations

from pathlib import Path

from hw3.eval.metrics import MEMORISATION_QUERIES, MEMORISATION_SAMPLE
from hw3.files import write_text_atomic
from hw3.report.section_shipped import shipped_section


def report_markdown(results: dict, sidecars: dict, conditional: dict, best: str | None, figures: dict,
                    table: str, config, sections: dict[str, list[str]], budget: str | None = None) -> str:
    """The whole report. `sections`: the prose sections' lines by name (data, models, tips, metrics,
    conclusions, word_vectors); `budget`: the training-budget table, None before budgets are recorded."""
    # Sample sizes are quoted from a conditional variant's record: they are the protocol's, while an
    # unconditional one is compared with the training split (see the metric notes).
    any_results = next((results[name] for name in results if conditional[name]), next(iter(results.values())))
    lines = [
        *_introduction(results, config, any_results),
        *sections["data"],
        *sections["models"],
        *sections["tips"],
        *_comparison(sidecars, figures, table, budget, any_results),
        *sections.get("study", []),
        *sections.get("ablations", []),
        *(sections["shipped"] if "shipped" in sections else shipped_section(results, conditional, best)),
        *_variant_figures(results, conditional, figures, any_results),
        *_interpolation(figures),
        *_memorisation(results),
        *sections.get("diffusion", []),
        *sections.get("style", []),
        *sections["word_vectors"],
        *sections["metrics"],
        *sections["conclusions"],
        *_provenance(sidecars),
        "",
        *REFERENCES,
    ]
    return "\n".join(lines) + "\n"


def _introduction(results: dict, config, any_results: dict) -> list[str]:
    return [
        f"# hw3 report: {len(results)} GANs on 64 × 64 anime faces",
        "",
        "Everything on this page is made by `make report` (`hw3 report`) from the generators shipped in "
        f"`{config.weights_dir}/` and the rendered data set (`make data`); the same markdown gives report.html "
        "and report.pdf. Each generator is measured by the evaluation suite (`hw3 evaluate`, seed "
        f"{config.seed}): tag accuracy, diversity and the evaluator score on {any_results['num_generated']:,} "
        f"generated faces, FID (evaluator features), KID, precision and recall on {any_results['num_compared']:,} "
        f"of them against {any_results['num_reference']:,} real test faces (the section *What the numbers mean* "
        "gives every sample size).",
        "",
    ]


def _comparison(sidecars: dict, figures: dict, table: str, budget: str | None, any_results: dict) -> list[str]:
    """The variants side by side: what each run cost, evaluation during training, the comparison table."""
    lines = ["## The variants compared", ""]
    if budget is None:
        steps = ", ".join(f"{name} {sidecar['step']:,}" for name, sidecar in sidecars.items())
        lines += ["The training budget of each run (images through D, generator steps, wall-clock time, device) is "
                  f"not recorded in the shipped sidecars, and the runs had different numbers of steps ({steps}): "
                  "the table ranks these runs, not the methods. The equal-budget study will fill this section.", ""]
    else:
        lines += ["What each run cost (recorded in its sidecar or evaluation record):", "", budget, ""]
    if "study_curves" in figures:
        lines += [f"![evaluation during training](figures/{figures['study_curves']})", "",
                  "*Evaluation during training, from each run's log: FID (evaluator features) and both-tags accuracy "
                  "on one fixed sample, the same for every run (`hw3/train/periodic_eval.py`), against real images "
                  "through D and against wall-clock time.*", ""]
    return lines + [
        table,
        "",
        "- Tag columns: the share of faces whose hair, eyes or both the evaluator reads as the tags asked for; "
        "held-out pairs are the 12 pairs the training split never shows.",
        f"- FID (evaluator features), KID, precision and recall: {any_results['num_compared']:,} generated faces "
        f"against {any_results['num_reference']:,} real test faces with the same pairs; the real row is the "
        "real-against-real floor at the same sample size. Lower FID and KID are better.",
        "- Diversity: mean within-pair feature spread over that of real faces of the same pair (1.00 = as varied as "
        "the data). Evaluator score: the Inception Score's recipe with the evaluator (1 to 132). "
        "Nearest-training ratio: well below 1 means copies of training images.",
        "",
    ]


def _variant_figures(results: dict, conditional: dict, figures: dict, any_results: dict) -> list[str]:
    """Every variant's drawings of testing_tags.txt, training curves and per-pair tag accuracy."""
    lines = ["### The 25 lines of testing_tags.txt, drawn by every variant", "",
             f"![side by side](figures/{figures['side_by_side']})", "",
             "Left: one real test face per tag line. The others: what `hw3 sample --seed 0` draws for the same lines "
             "(an unconditional generator ignores the tags). In reading order, faces 1–8 are common pairs, 9–16 "
             "rare colours and 17–25 held-out pairs.", ""]
    lines += ["### Training curves", ""]
    for name in results:
        if name + "_curves" in figures:
            lines += [f"![{name} curves](figures/{figures[name + '_curves']})", ""]
    lines += ["### Tag accuracy per pair", "",
              f"Both-tags accuracy for each of the 12 × 11 pairs ({any_results['num_generated']:,} faces, about "
              f"{any_results['num_generated'] // 132} per pair); held-out pairs are outlined.", ""]
    for name in results:
        if conditional[name]:
            lines += [f"![{name} heatmap](figures/{name}/tag_accuracy.png)", "",
                      f"*{name}: both tags right, per pair.*", ""]
    return lines


def _interpolation(figures: dict) -> list[str]:
    if "latent_strips" not in figures:
        return []
    return ["## Interpolation", "", f"![latent](figures/{figures['latent_strips']})", "",
            "Noise walks: each row keeps the tags named on its left while the noise moves along a great circle "
            "between two draws (a straight line would pass through noise of unusually small norm).", "",
            f"![tags](figures/{figures['tag_strips']})", "",
            "Tag walks: each row keeps one noise draw while the encoded tags move linearly from the pair named "
            "first to the pair named second. Pairs marked *held out* never occur in training.", ""]


def _memorisation(results: dict) -> list[str]:
    lines = ["## Memorisation", "",
             "Generated faces (left column) beside their nearest training images in evaluator features, "
             f"for every variant; the nearest-training ratio in the table measures the same over "
             f"{MEMORISATION_SAMPLE:,} faces.", ""]
    for name in results:
        lines += [f"![{name} nearest](figures/{name}/nearest_training_images.png)", "",
                  f"*{name}: {MEMORISATION_QUERIES} generated faces and their nearest training images.*", ""]
    return lines


def _provenance(sidecars: dict) -> list[str]:
    lines = ["## How each generator was made", "", "| variant | steps | seed | command | git commit |",
             "|---|---|---|---|---|"]
    for name, sidecar in sidecars.items():
        lines.append(f"| {name} | {sidecar['step']} | {sidecar['seed']} | `{sidecar['training_command']}` | "
                     f"`{sidecar['git_commit'][:12]}` |")
    return lines


def word_vector_section(figures: dict) -> list[str]:
    if "colour_words" not in figures:
        return []
    return ["## Word vectors", "", f"![colour words](figures/{figures['colour_words']})", "",
            "FastText (character 2–4-grams, 32 dimensions; `make vectors` = `hw3 text train`) trained on the tag "
            "sentences of the training split (`tags_full.csv`: hair style, accessory, expression and background tags "
            "besides the colours). Colour names lie in the plane of their first two principal components; each "
            "misspelling is joined to the colour it resolves to in all 32 dimensions. "
            "`hw3 sample --free-text` (`bash run_cgan.sh FILE --free-text`) maps each word before `hair` or `eyes` "
            "to a colour by spelling distance (transpositions, dropped and doubled letters count one edit) plus "
            "half the cosine distance of their vectors, so 'blnde hair' and 'purpel eyes' reach blonde and purple; "
            "a word more than 1.5 edits from every colour, or about as near two colours, is refused with "
            "`FILE:LINE:` and exit status 2, naming both (`make free-text-measure`: 218 of 222 test misspellings "
            "right, none wrong, 59 of 60 non-colour words refused). The "
            "same vectors can condition G (the `fasttext` encoder in the tips section).", ""]


REFERENCES = [
    "## References", "",
    "- Arjovsky, Chintala, Bottou. Wasserstein GAN. ICML 2017.",
    "- Bińkowski, Sutherland, Arbel, Gretton. Demystifying MMD GANs (KID). ICLR 2018.",
    "- Goodfellow et al. Generative adversarial nets. NeurIPS 2014.",
    "- Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville. Improved training of Wasserstein GANs. NeurIPS 2017.",
    "- Heusel et al. GANs trained by a two time-scale update rule converge to a local Nash equilibrium (FID). "
    "NeurIPS 2017.",
    "- Huang, Gokaslan, Kuleshov, Tompkin. The GAN is dead; long live the GAN! A modern GAN baseline (R3GAN). "
    "NeurIPS 2024.",
    "- Jolicoeur-Martineau. The relativistic discriminator: a key element missing from standard GAN. ICLR 2019.",
    "- Kynkäänniemi et al. Improved precision and recall metric for assessing generative models. NeurIPS 2019.",
    "- Lim, Ye. Geometric GAN (hinge loss). 2017.",
    "- Mao, Lee, Tseng, Ma, Yang. Mode seeking generative adversarial networks for diverse image synthesis "
    "(MSGAN). CVPR 2019.",
    "- Mescheder, Geiger, Nowozin. Which training methods for GANs do actually converge? (R1) ICML 2018.",
    "- Miyato, Kataoka, Koyama, Yoshida. Spectral normalization for generative adversarial networks. ICLR 2018.",
    "- Miyato, Koyama. cGANs with projection discriminator. ICLR 2018.",
    "- Odena, Olah, Shlens. Conditional image synthesis with auxiliary classifier GANs (ACGAN). ICML 2017.",
    "- Radford, Metz, Chintala. Unsupervised representation learning with deep convolutional generative "
    "adversarial networks (DCGAN). ICLR 2016.",
    "- Reed et al. Generative adversarial text to image synthesis (matching-aware discriminator). ICML 2016.",
    "- Salimans et al. Improved techniques for training GANs (Inception Score). NeurIPS 2016.",
]


def write_html(markdown: str, path: str | Path) -> None:
    """The markdown as a one-cell notebook through nbconvert, so figures and tables render alike."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    html, _ = HTMLExporter().from_notebook_node(notebook)
    write_text_atomic(path, html)
