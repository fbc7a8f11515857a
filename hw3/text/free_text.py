"""Free-text tag lines such as `4,Grey eyes, silver-blue hair?`, read with word vectors.

After the id and the first comma, the text is split into words (hyphenated words kept whole
for the report) and punctuation. A colour phrase is the run of words just before `hair` or
`eyes`/`eye`, back to the line start, punctuation, the other attribute word or a joining word
(`with`, `and`, `her`, ...): `long blonde hair with green eyes` has the phrases `long blonde`
and `green`. Each word of a phrase (hyphenated ones split: `silver-blue` is `silver`, `blue`) is
decided on by `hw3.text.colours.decide_colour` (spelling and word vectors); words that name no
colour (`long`, `flowing`) are passed over. The phrase takes a colour name before a misspelling,
the nearer misspelling before a farther one, and on a tie the later word, the head of an English
compound (`blue-green` is a green). Each decision goes to `report`. A line without exactly one
hair and one eye phrase, or with a phrase where no word resolves, is a `FILE:LINE:` error as in
the strict reader, which stays the default everywhere; when a word of the phrase was near two
colours, the error names both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hw3.tags import ATTRIBUTE_WORDS, HairEyeTags, TagLine, quoted, read_tag_lines
from hw3.text.colours import COLOURS, ColourDecision, WordVectors, decide_colour

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
            raise ValueError(f"no '{attribute}' in {quoted(text)} (expected '<colour> {attribute}', {_EXAMPLE})")
        if len(found) > 1:
            listed = " and ".join(quoted(f"{' '.join(phrase)} {attribute}", 30) for phrase in found[:2])
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
    shown = quoted(" ".join(phrase))
    expected = f"expected one of: {', '.join(COLOURS[attribute])}, or a near spelling"
    if not phrase:
        raise ValueError(f"no colour word before '{attribute}' (expected '<colour> {attribute}', {_EXAMPLE})")
    decisions = [decide_colour(word, attribute, vectors) for token in phrase for word in token.split("-")]
    resolved = [decision for decision in decisions if decision.colour is not None]
    if resolved:
        # min() keeps the first of equals, so reversed: on a tie the later word wins.
        chosen = min(reversed(resolved), key=_closeness)
        report(f"line {line_number}: {attribute} {shown} → {chosen.colour} ({chosen.describe()})")
        return chosen.colour
    ambiguous = [decision for decision in decisions if decision.reason == "ambiguous"]
    if ambiguous:
        raise ValueError(f"ambiguous {_NOUNS[attribute]} in {shown}: {ambiguous[-1].describe()} ({expected})")
    too_far = [decision for decision in decisions if decision.reason == "too far"]
    if too_far:
        nearest = min(reversed(too_far), key=_closeness)
        raise ValueError(f"no {_NOUNS[attribute]} in {shown}: {nearest.describe()} ({expected})")
    raise ValueError(f"no {_NOUNS[attribute]} in {shown} ({expected})")


def _closeness(decision: ColourDecision) -> float:
    """0 for a colour name, else the cost of the decision's best colour (lower is nearer)."""
    return 0.0 if decision.best is None else decision.best.cost
