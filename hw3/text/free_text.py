"""Free-text tag lines such as `4,Grey eyes, silver-blue hair?`, read with word vectors.

After the id and the first comma, the text is split into words (hyphenated words kept whole
for the report) and punctuation. A colour phrase is the run of words just before `hair` or
`eyes`/`eye`, back to the line start, punctuation, the other attribute word or a joining word
(`with`, `and`, `her`, ...): `long blonde hair with green eyes` has the phrases `long blonde`
and `green`. Each word of a phrase (hyphenated ones split: `silver-blue` is `silver`, `blue`)
goes to its nearest colour (`hw3.text.colours`); words the vectors were trained on that name no
colour (`long`, `short`) are skipped, since they are known to mean something else. The phrase
takes the word with the highest cosine; on a tie the later word, the head of an English
compound (`blue-green` is a green). Each decision goes to `report`; a line without exactly one
hair and one eye phrase, or whose phrase has no word at or above COLOUR_COSINE_THRESHOLD, is a
`FILE:LINE:` error as in the strict reader, which stays the default everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hw3.tags import ATTRIBUTE_WORDS, HairEyeTags, TagLine, read_tag_lines
from hw3.text.colours import (
    COLOUR_COSINE_THRESHOLD,
    COLOURS,
    WordVectors,
    colour_names,
    exact_colour,
    nearest_colour_name,
)

# Words that end a colour phrase: they join phrases or own them, and never name a colour.
JOINING_WORDS = frozenset({"a", "an", "and", "the", "with", "or", "but", "her", "his", "their", "its",
                           "has", "have", "had", "of", "in", "is", "are", "my", "your", "who", "that"})
_TOKENS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\S")  # a word (hyphens inside kept), or any other character
_EXAMPLE = "e.g. '3,long blonde hair with green eyes'"
_NOUNS = {"hair": "hair colour", "eyes": "eye colour"}


def read_free_text_lines(path: str | Path, vectors: WordVectors, report: Callable[[str], None]) -> list[TagLine]:
    """Read a tags file whose lines are `ID,free text`; each colour decision is passed to `report`."""
    return read_tag_lines(path, lambda text, line_number: parse_free_text(text, line_number, vectors, report))


def parse_free_text(text: str, line_number: int, vectors: WordVectors,
                    report: Callable[[str], None]) -> HairEyeTags:
    """`'long blonde hair with green eyes'` -> HairEyeTags('blonde', 'green'); ValueError says why not."""
    tokens = _TOKENS.findall(text.lower())
    phrases: dict[str, list[list[str]]] = {"hair": [], "eyes": []}
    for position, token in enumerate(tokens):
        if token in ATTRIBUTE_WORDS:
            phrases[ATTRIBUTE_WORDS[token]].append(_phrase_before(tokens, position))
    colours = {}
    for attribute, found in phrases.items():  # attribute is also the word: 'hair', 'eyes'
        if not found:
            raise ValueError(f"no '{attribute}' in '{text}' (expected '<colour> {attribute}', {_EXAMPLE})")
        if len(found) > 1:
            listed = " and ".join(f"'{' '.join(phrase)} {attribute}'" for phrase in found)
            raise ValueError(f"{listed}: two {_NOUNS[attribute]} phrases (expected exactly one)")
        colours[attribute] = _resolve_phrase(found[0], attribute, line_number, vectors, report)
    return HairEyeTags(colours["hair"], colours["eyes"])


def _phrase_before(tokens: list[str], position: int) -> list[str]:
    start = position
    while start > 0:
        token = tokens[start - 1]
        if not token[0].isalpha() or token in ATTRIBUTE_WORDS or token in JOINING_WORDS:
            break
        start -= 1
    return tokens[start:position]


def _resolve_phrase(phrase: list[str], attribute: str, line_number: int, vectors: WordVectors,
                    report: Callable[[str], None]) -> str:
    shown = " ".join(phrase)
    expected = f"expected one of: {', '.join(COLOURS[attribute])}, or a near spelling"
    if not phrase:
        raise ValueError(f"no colour word before '{attribute}' (expected '<colour> {attribute}', {_EXAMPLE})")
    best = None  # (cosine, word, colour name)
    for word in (part for token in phrase for part in token.split("-")):
        if word in vectors.key_to_index and exact_colour(word, attribute) is None:
            continue  # a training word that is not a colour name: 'long', 'short', 'bangs'
        try:
            name, cosine = nearest_colour_name(word, attribute, vectors)
        except KeyError:
            continue  # Word2Vec has no vector for a word it was not trained on
        if best is None or cosine >= best[0]:
            best = (cosine, word, name)
    if best is None:
        raise ValueError(f"no {_NOUNS[attribute]} in '{shown}' ({expected})")
    cosine, word, name = best
    if cosine < COLOUR_COSINE_THRESHOLD:
        raise ValueError(f"no {_NOUNS[attribute]} in '{shown}': nearest is '{word}' ≈ '{name}' at cosine "
                         f"{cosine:.2f}, below {COLOUR_COSINE_THRESHOLD} ({expected})")
    colour = colour_names(attribute)[name]
    matched = f"'{word}'" if exact_colour(word, attribute) is not None else f"'{word}' ≈ '{name}'"
    report(f"line {line_number}: {attribute} '{shown}' → {colour} (cosine {cosine:.2f}, {matched})")
    return colour
