"""Free-text colour words: spelling distance by hand, the seeded word sets, the decisions on
known cases and close calls, and the measured test-set result against its targets."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hw3.cli import main
from hw3.tags import TagFileError, parse_tag_lines
from hw3.text.colours import COLOURS, colour_names, decide_colour
from hw3.text.free_text import parse_free_text
from hw3.text.measure import TARGETS, measure_test_set
from hw3.text.misspellings import (
    DEV_NON_COLOUR_WORDS,
    EDIT_KINDS,
    KEYBOARD_NEIGHBOURS,
    TEST_NON_COLOUR_WORDS,
    _edits,
    dev_and_test_misspellings,
)
from hw3.text.spelling import spelling_distance
from hw3.text.storage import DEFAULT_FASTTEXT_PATH, load_word_vectors
from hw3.text.training import train_word_vectors

REPO = Path(__file__).resolve().parents[1]
COMMITTED_RESULT = REPO / "report" / "results" / "free_text" / "free_text.json"
EVERY_NAME = {name for attribute in COLOURS for name in colour_names(attribute)} | {"grey", "blond"}


@pytest.fixture(scope="module")
def vectors():
    return load_word_vectors(DEFAULT_FASTTEXT_PATH)


# ---------------------------------------------------------------- spelling distance

@pytest.mark.parametrize("word, name, distance", [
    ("blue", "blue", 0), ("bleu", "blue", 1), ("aqau", "aqua", 1),  # transpositions
    ("blu", "blue", 1), ("rd", "red", 1), ("", "red", 3),  # dropped letters
    ("bluee", "blue", 0.5), ("redd", "red", 0.5), ("yelow", "yellow", 0.5), ("gren", "green", 0.5),  # doubles
    ("grwen", "green", 1), ("greay", "gray", 1), ("greay", "grey", 1), ("greay", "green", 2),
    ("gren", "grey", 1), ("abc", "ca", 3), ("crown", "brown", 1),
])
def test_spelling_distance_worked_out_by_hand(word, name, distance):
    assert spelling_distance(word, name) == distance


def test_spelling_distance_is_symmetric_on_the_word_sets():
    dev, test = dev_and_test_misspellings()
    for item in dev[:60] + test[:60]:
        assert spelling_distance(item.word, item.name) == spelling_distance(item.name, item.word)


# ---------------------------------------------------------------- the seeded word sets

def test_word_sets_are_seeded_disjoint_and_made_as_documented():
    dev, test = dev_and_test_misspellings()
    assert (dev, test) == dev_and_test_misspellings()  # same seeds, same words
    assert len(test) == 222 and len(dev) == 222  # (19 hair + 18 eye names) x 6
    assert {item.kind for item in test} == set(EDIT_KINDS)
    assert not {(item.word, item.attribute) for item in dev} & {(item.word, item.attribute) for item in test}
    for item in test:
        assert item.word in _edits(item.name, item.kind), item  # exactly one edit of its kind
        assert item.word not in EVERY_NAME and item.colour == colour_names(item.attribute).get(
            item.name, {"grey": "gray", "blond": "blonde"}.get(item.name))
    for item in dev:
        assert item.word not in EVERY_NAME and len(item.kind.split("+")) in (1, 2)
    assert len(TEST_NON_COLOUR_WORDS) >= 50 and len(set(TEST_NON_COLOUR_WORDS)) == len(TEST_NON_COLOUR_WORDS)
    assert not set(TEST_NON_COLOUR_WORDS) & set(DEV_NON_COLOUR_WORDS)
    assert not (set(TEST_NON_COLOUR_WORDS) | set(DEV_NON_COLOUR_WORDS)) & EVERY_NAME


def test_keyboard_neighbours():
    assert set(KEYBOARD_NEIGHBOURS["g"]) == set("tyfhvb")
    assert set(KEYBOARD_NEIGHBOURS["q"]) == set("wa")
    assert all(letter in KEYBOARD_NEIGHBOURS[other] for letter, others in KEYBOARD_NEIGHBOURS.items()
               for other in others)  # symmetric


# ---------------------------------------------------------------- decisions

@pytest.mark.parametrize("attribute", ["hair", "eyes"])
def test_known_cases_greay_bleu_aqau(vectors, attribute):
    greay = decide_colour("greay", attribute, vectors)
    assert greay.colour in ("gray", None) and greay.colour != "green"
    assert greay.colour == "gray"  # one edit from gray and grey, two from green
    assert decide_colour("bleu", attribute, vectors).colour == "blue"
    assert decide_colour("aqau", attribute, vectors).colour == "aqua"


def test_a_close_call_is_refused_naming_both_colours(vectors):
    decision = decide_colour("gree", "hair", vectors)  # green without its n, or grey with a wrong letter
    assert decision.colour is None and decision.reason == "ambiguous"
    assert {decision.best.colour, decision.runner_up.colour} == {"green", "gray"}
    assert decision.describe() == ("'gree' is as near green ('green': 1 edit, cosine 0.90) as gray ('grey': 1 edit, "
                                   "cosine 0.74)")


def test_vectors_turn_a_narrow_spelling_win_into_a_refusal(vectors):
    # 'greynn' is 1 edit from grey and 1.5 from green; on spelling alone it would be gray, but its
    # vector is nearer green, so the two colours come within the margin and it is refused.
    assert decide_colour("greynn", "hair", vectors, vector_weight=0.0).colour == "gray"
    assert decide_colour("greynn", "hair", vectors).reason == "ambiguous"


@pytest.mark.parametrize("word, colour", [("reddish", "red"), ("bluish", "blue"), ("greenish", "green"),
                                          ("english", None), ("polish", None)])
def test_ish_words_are_weighed_as_their_stem(vectors, word, colour):
    assert decide_colour(word, "hair", vectors).colour == colour


def test_without_word_vectors_for_a_word_spelling_decides_alone():
    corpus = [[hair, "hair", eyes, "eyes"] for hair in COLOURS["hair"] for eyes in COLOURS["eyes"]]
    word2vec = train_word_vectors(corpus, "word2vec", seed=0, vector_size=8, epochs=1)
    decision = decide_colour("bleu", "hair", word2vec)  # Word2Vec has no vector for 'bleu'
    assert decision.colour == "blue" and decision.best.cosine == 0.0


# ---------------------------------------------------------------- the measurement

def test_measured_test_set_meets_the_targets_and_matches_the_committed_result(vectors):
    result = measure_test_set(vectors)
    assert result["resolved_right"] / result["misspellings"] >= TARGETS["resolved_right"]
    assert result["resolved_wrong"] == 0
    assert result["non_colour_refused"] / result["non_colour_words"] >= TARGETS["non_colour_refused"]
    assert result["meets_targets"]
    assert json.loads(COMMITTED_RESULT.read_text())["test"] == result  # the committed numbers are current


@pytest.mark.slow
def test_text_measure_command_writes_json_and_markdown(tmp_path, capsys):
    assert main(["text", "measure", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "free_text.json").read_text())
    assert len(result["dev_grid"]) == 27 and sum(row["shipped"] for row in result["dev_grid"]) == 1
    assert result["test"] == json.loads(COMMITTED_RESULT.read_text())["test"]
    assert "| misspellings resolved to a wrong colour | 0 | 0 |" in (tmp_path / "free_text.md").read_text()
    assert capsys.readouterr().out.startswith("test: ")


# ---------------------------------------------------------------- random free text

FREE_WORDS = ["hair", "eyes", "eye", "and", "with", "-", ",", "blue", "gree", "greay", "bleu", "long", "reddish",
              "crown", "\x00", "\x1b[2J", "\u2028", "\r", "\t", "é", "色"]


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.sampled_from(FREE_WORDS), st.text(max_size=10)), max_size=15).map(" ".join))
def test_random_free_text_parses_or_gives_one_short_error_line(vectors, text):
    start = time.perf_counter()
    try:
        parse_tag_lines(f"1,{text}", "tags.txt", lambda tags, line: parse_free_text(tags, line, vectors, lambda _: None))
    except TagFileError as error:
        assert re.fullmatch(r"tags\.txt:[0-9]+: [^\n\r]+", str(error)) and str(error).isprintable(), repr(str(error))
        assert len(str(error)) <= 600
    assert time.perf_counter() - start < 1.0
