"""Word sets for measuring free-text colour resolution: seeded misspellings and non-colour words.

Test misspellings: for every colour name of an attribute (`colour_names`: the course colours,
the synonyms grey and blond, the glossary names silver, golden, violet, crimson, cyan and, for
eyes, hazel; 19 names for hair and 18 for eyes) one misspelling of each `EDIT_KINDS` kind, drawn
with `random.Random(TEST_SEED)` in that fixed order:
- transpose: swap two adjacent, different letters ('bleu');
- delete: drop one letter ('purle');
- double: write one letter twice ('redd');
- neighbour: replace one letter by a QWERTY neighbour ('grwen');
- insert: add a QWERTY neighbour of a letter just before or after it ('blier');
- vowel: replace one vowel by another vowel ('purpel').
A draw that gives any colour name of either attribute (a synonym swap such as grey for gray is
no misspelling) is not drawn, nor is a (word, attribute) of the dev set. A name with no possible
edit of a kind (e.g. no two different adjacent letters) is skipped for that kind. Each item
expects the course colour of the name it came from.

Dev misspellings, made by another procedure so that the thresholds have something to decide:
six per colour name, each one or two edits (equally likely) of kinds drawn at random from
EDIT_KINDS, with `random.Random(DEV_SEED)`. The dev non-colour words include English words one
or two edits from a colour name ('glue', 'bed'), which the test words do only by chance.

The dev set decides the constants in `hw3.text.colours`; the test set and
`TEST_NON_COLOUR_WORDS` are measured once with them, never tuned on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hw3.text.colours import COLOURS, colour_names

DEV_SEED = 1
TEST_SEED = 2
EDIT_KINDS = ("transpose", "delete", "double", "neighbour", "insert", "vowel")
VOWELS = "aeiouy"

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, str]:
    """Letter -> the letters beside, above and below it on a QWERTY keyboard (rows offset by half a key)."""
    position = {letter: (row, column + row * 0.5) for row, keys in enumerate(_KEYBOARD_ROWS)
                for column, letter in enumerate(keys)}
    return {letter: "".join(other for other, (row2, x2) in position.items()
                            if other != letter and abs(row2 - row) <= 1 and abs(x2 - x) <= 1.0)
            for letter, (row, x) in position.items()}


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()

# Non-colour words that must be refused before 'hair' or 'eyes'. Written down before any
# measurement and not changed after: hair styles, accessories and ordinary English words.
TEST_NON_COLOUR_WORDS = (
    # hair styles
    "long", "short", "curly", "wavy", "straight", "braided", "ponytail", "twintails", "bangs", "messy",
    "spiky", "bob", "bun", "pigtails", "fluffy",
    # accessories
    "ribbon", "bow", "hat", "glasses", "headband", "hairpin", "earrings", "scarf", "tiara", "crown",
    "hood", "flower", "clip", "necklace", "mask",
    # ordinary English words
    "house", "water", "happy", "table", "friend", "music", "pretty", "beautiful", "big", "small",
    "old", "young", "girl", "boy", "cat", "dog", "book", "window", "summer", "winter",
    "night", "smile", "cute", "bright", "dark", "light", "soft", "shiny", "tall", "sweet",
)
DEV_NON_COLOUR_WORDS = (
    "tied", "loose", "layered", "shaggy", "thick", "thin", "sleek", "frizzy", "neat", "parted",
    "beret", "cap", "helmet", "veil", "goggles", "bandana", "scrunchie", "barrette", "comb", "brooch",
    "river", "chair", "paper", "garden", "coffee", "apple", "city", "road", "phone", "kind",
    "sad", "quick", "lazy", "funny", "cold", "warm", "clean", "new", "gorgeous", "vivid",
    # near a colour name in spelling
    "glue", "bed", "grown", "fellow", "great", "greed", "pray", "ping", "write", "wine",
    "block", "slack", "hue", "man", "sliver", "violin", "gold", "bread", "pine", "orangutan",
)


@dataclass(frozen=True)
class Misspelling:
    word: str
    attribute: str  # 'hair' or 'eyes'
    colour: str  # the course colour it should resolve to
    name: str  # the colour name it was made from
    kind: str  # one of EDIT_KINDS


def test_misspellings(seed: int = TEST_SEED, exclude: frozenset[tuple[str, str]] = frozenset()) -> list[Misspelling]:
    """One misspelling per (attribute, colour name, edit kind), drawn in that order from `seed`;
    no (word, attribute) pair of `exclude` is drawn."""
    rng = random.Random(seed)
    items = []
    for attribute, names in _names().items():
        for name, colour in names.items():
            for kind in EDIT_KINDS:
                candidates = sorted(set(_edits(name, kind)) - _EVERY_NAME - {word for word, a in exclude
                                                                             if a == attribute})
                if candidates:
                    items.append(Misspelling(rng.choice(candidates), attribute, colour, name, kind))
    return items


def dev_misspellings(seed: int = DEV_SEED, per_name: int = 6) -> list[Misspelling]:
    """`per_name` misspellings per (attribute, colour name), each one or two random edits."""
    rng = random.Random(seed)
    items = []
    for attribute, names in _names().items():
        for name, colour in names.items():
            for _ in range(per_name):
                word, kinds = name, []
                while word in _EVERY_NAME:  # at least one edit, and no colour name at the end
                    word, kinds = name, [rng.choice(EDIT_KINDS) for _ in range(rng.choice((1, 2)))]
                    for kind in kinds:
                        edits = _edits(word, kind)
                        word = rng.choice(edits) if edits else word
                items.append(Misspelling(word, attribute, colour, name, "+".join(kinds)))
    return items


def dev_and_test_misspellings() -> tuple[list[Misspelling], list[Misspelling]]:
    dev = dev_misspellings()
    return dev, test_misspellings(exclude=frozenset((item.word, item.attribute) for item in dev))


def _names() -> dict[str, dict[str, str]]:
    """Attribute -> colour name -> course colour, synonyms included."""
    return {attribute: dict(colour_names(attribute), grey="gray", **({"blond": "blonde"} if attribute == "hair" else {}))
            for attribute in COLOURS}


_EVERY_NAME = frozenset(name for names in _names().values() for name in names)


def _edits(name: str, kind: str) -> list[str]:
    """Every word one edit of `kind` from `name` (duplicates kept: a draw weights each place equally)."""
    letters = range(len(name))
    if kind == "transpose":
        return [name[:i] + name[i + 1] + name[i] + name[i + 2:] for i in letters[:-1] if name[i] != name[i + 1]]
    if kind == "delete":
        return [name[:i] + name[i + 1:] for i in letters]
    if kind == "double":
        return [name[:i + 1] + name[i:] for i in letters]
    if kind == "neighbour":
        return [name[:i] + other + name[i + 1:] for i in letters for other in KEYBOARD_NEIGHBOURS.get(name[i], "")]
    if kind == "insert":
        return [name[:i + after] + other + name[i + after:] for i in letters for after in (0, 1)
                for other in KEYBOARD_NEIGHBOURS.get(name[i], "")]
    if kind == "vowel":
        return [name[:i] + other + name[i + 1:] for i in letters if name[i] in VOWELS
                for other in VOWELS if other != name[i]]
    raise ValueError(f"unknown edit kind {kind!r} (expected one of: {', '.join(EDIT_KINDS)})")
