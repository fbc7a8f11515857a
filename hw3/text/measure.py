"""`hw3 text measure`: how often free-text colour words resolve right, wrong or not at all.

Runs `decide_colour` on the word sets of `hw3.text.misspellings`: the dev grid (every setting of
the three constants of `hw3.text.colours` tried on the dev set, to show why the shipped ones
were picked), then the test set and the test non-colour words, once, with the shipped constants.
A non-colour word counts as refused only when it is refused for both hair and eyes.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from hw3.text.colours import MARGIN, MAX_SPELLING_DISTANCE, VECTOR_WEIGHT, WordVectors, decide_colour
from hw3.text.misspellings import (
    DEV_NON_COLOUR_WORDS,
    DEV_SEED,
    TEST_NON_COLOUR_WORDS,
    TEST_SEED,
    Misspelling,
    dev_and_test_misspellings,
)

TARGETS = {"resolved_right": 0.95, "resolved_wrong": 0, "non_colour_refused": 0.95}
# The dev grid: each constant at, below and above the value picked.
GRID = {"max_distance": (1.0, 1.5, 2.0), "vector_weight": (0.0, 0.5, 1.0), "margin": (0.25, 0.5, 1.0)}
KNOWN_CASES = (("greay", "hair"), ("bleu", "hair"), ("aqau", "eyes"))


SHIPPED = {"max_distance": MAX_SPELLING_DISTANCE, "vector_weight": VECTOR_WEIGHT, "margin": MARGIN}


def measure(vectors: WordVectors) -> dict[str, Any]:
    """The dev grid, the test result and the known cases, as one JSON-ready dict."""
    dev, _ = dev_and_test_misspellings()
    grid = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values))
        grid.append({**setting, **_score(dev, DEV_NON_COLOUR_WORDS, vectors, setting, details=False),
                     "shipped": setting == SHIPPED})
    known = [{"word": word, "attribute": attribute, **_decision(word, attribute, vectors, SHIPPED)}
             for word, attribute in KNOWN_CASES]
    return {"procedure": "hw3.text.misspellings", "dev_seed": DEV_SEED, "test_seed": TEST_SEED,
            "constants": SHIPPED, "targets": TARGETS, "test": measure_test_set(vectors), "known_cases": known,
            "dev_grid": grid}


def measure_test_set(vectors: WordVectors) -> dict[str, Any]:
    """Counts, per-kind counts and every miss on the test set, with the shipped constants."""
    _, test = dev_and_test_misspellings()
    result = _score(test, TEST_NON_COLOUR_WORDS, vectors, SHIPPED, details=True)
    result["meets_targets"] = (result["resolved_right"] / result["misspellings"] >= TARGETS["resolved_right"]
                               and result["resolved_wrong"] == TARGETS["resolved_wrong"]
                               and result["non_colour_refused"] / result["non_colour_words"]
                               >= TARGETS["non_colour_refused"])
    return result


def _score(items: list[Misspelling], non_colour_words: tuple[str, ...], vectors: WordVectors,
           setting: dict[str, float], details: bool) -> dict[str, Any]:
    outcomes = []
    for item in items:
        decision = decide_colour(item.word, item.attribute, vectors, **setting)
        outcome = "right" if decision.colour == item.colour else "refused" if decision.colour is None else "wrong"
        outcomes.append((item, decision, outcome))
    counts = Counter(outcome for _, _, outcome in outcomes)
    accepted = []  # (word, attribute, colour) of non-colour words that were given a colour
    for word in non_colour_words:
        for attribute in ("hair", "eyes"):
            colour = decide_colour(word, attribute, vectors, **setting).colour
            if colour is not None:
                accepted.append({"word": word, "attribute": attribute, "colour": colour})
    accepted_words = {entry["word"] for entry in accepted}
    score = {"misspellings": len(items), "resolved_right": counts["right"], "resolved_wrong": counts["wrong"],
             "refused": counts["refused"], "non_colour_words": len(non_colour_words),
             "non_colour_refused": len(non_colour_words) - len(accepted_words)}
    if details:
        score["by_edit_kind"] = {kind: dict(Counter(outcome for item, _, outcome in outcomes if item.kind == kind))
                                 for kind in dict.fromkeys(item.kind for item in items)}
        score["not_right"] = [{"word": item.word, "attribute": item.attribute, "expected": item.colour,
                               "kind": item.kind, "got": decision.colour, "why": decision.describe()}
                              for item, decision, outcome in outcomes if outcome != "right"]
        score["non_colour_accepted"] = accepted
    return score


def _decision(word: str, attribute: str, vectors: WordVectors, setting: dict[str, float]) -> dict[str, Any]:
    decision = decide_colour(word, attribute, vectors, **setting)
    return {"colour": decision.colour, "why": decision.describe()}


def markdown(result: dict[str, Any]) -> str:
    """The measurement as a short markdown page."""
    test, constants = result["test"], result["constants"]
    share = lambda count, total: f"{count}/{total} ({100 * count / total:.1f} %)"  # noqa: E731
    lines = [
        "# Free-text colour words: measured",
        "",
        f"Made by `hw3 text measure` (procedure: `{result['procedure']}`; dev seed {result['dev_seed']}, "
        f"test seed {result['test_seed']}). Constants: max spelling distance {constants['max_distance']:g}, "
        f"vector weight {constants['vector_weight']:g}, margin {constants['margin']:g}.",
        "",
        "## Test set (measured once)",
        "",
        "| | result | target |",
        "|---|---|---|",
        f"| misspellings resolved to the right colour | {share(test['resolved_right'], test['misspellings'])} "
        f"| ≥ {100 * TARGETS['resolved_right']:.0f} % |",
        f"| misspellings resolved to a wrong colour | {test['resolved_wrong']} | 0 |",
        f"| misspellings refused | {test['refused']} | |",
        f"| non-colour words refused | {share(test['non_colour_refused'], test['non_colour_words'])} "
        f"| ≥ {100 * TARGETS['non_colour_refused']:.0f} % |",
        "",
        f"Targets met: {'yes' if test['meets_targets'] else 'no'}.",
        "",
        "By edit kind: " + "; ".join(f"{kind} {counts.get('right', 0)} right, {counts.get('refused', 0)} refused, "
                                     f"{counts.get('wrong', 0)} wrong" for kind, counts in test["by_edit_kind"].items()),
        "",
        "Misspellings not resolved to their colour:",
        "",
        *[f"- {entry['attribute']} '{entry['word']}' ({entry['kind']} of {entry['expected']}): "
          f"{entry['got'] or 'refused'}: {entry['why']}" for entry in test["not_right"]],
        "",
        "Non-colour words given a colour: " + (", ".join(f"{entry['attribute']} '{entry['word']}' → {entry['colour']}"
                                                          for entry in test["non_colour_accepted"]) or "none") + ".",
        "",
        "Known cases: " + "; ".join(f"{case['attribute']} '{case['word']}' → {case['colour'] or 'refused'}"
                                    for case in result["known_cases"]) + ".",
        "",
        "## Dev grid (the constants were picked here)",
        "",
        "| max distance | vector weight | margin | right | wrong | refused | non-colour refused |",
        "|---|---|---|---|---|---|---|",
        *[f"| {row['max_distance']:g} | {row['vector_weight']:g} | {row['margin']:g} | {row['resolved_right']} "
          f"| {row['resolved_wrong']} | {row['refused']} | {row['non_colour_refused']}/{row['non_colour_words']}"
          f"{' (shipped)' if row['shipped'] else ''} |" for row in result["dev_grid"]],
        "",
    ]
    return "\n".join(lines)
