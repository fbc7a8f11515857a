"""The hair/eye colour vocabulary of the course and the strict `testing_tags.txt` parser.

A tag line reads `1,blue hair blue eyes`: an integer id, a comma, then one hair colour and one
eye colour phrase in either order. Anything the parser cannot read with certainty is an error
that names the file, the line and what was expected; it never guesses. Lines end with LF, CRLF
or a lone CR; a UTF-8 BOM is skipped. Whatever a message quotes from the file goes through
`quoted` (control characters escaped, long text cut), so every message is one short line, and
the size of a file, a line and an id is bounded, so no input makes the reader hang.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hw3.errors import InputError

# Course order; indices into these tuples are the class labels used everywhere.
HAIR_COLOURS: tuple[str, ...] = (
    "orange", "white", "aqua", "gray", "green", "red",
    "purple", "pink", "blue", "black", "brown", "blonde",
)
EYE_COLOURS: tuple[str, ...] = (
    "gray", "black", "orange", "pink", "yellow", "aqua",
    "purple", "green", "brown", "red", "blue",
)
NUM_HAIR = len(HAIR_COLOURS)  # 12
NUM_EYES = len(EYE_COLOURS)  # 11
NUM_PAIRS = NUM_HAIR * NUM_EYES  # 132

# Spellings that mean exactly one vocabulary word; anything else is not guessed.
COLOUR_SYNONYMS = {"blond": "blonde", "grey": "gray"}
ATTRIBUTE_WORDS = {"hair": "hair", "eyes": "eyes", "eye": "eyes"}

# A 25-line tags file is under 1 kB; these bounds are far above any real one and keep a stray
# `/dev/zero` or a log file from being read without end.
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARACTERS = 1_000
MAX_ID_DIGITS = 18  # below 2**63, so an id fits every integer type it may meet
QUOTE_LIMIT = 60  # characters of file text a message quotes


class TagFileError(InputError):
    """A bad line in a tags file; `str()` is the one-line `FILE:LINE: message` report."""

    def __init__(self, path: str | Path, line_number: int, message: str):
        self.path = str(path)
        self.line_number = line_number
        self.message = message
        super().__init__(f"{self.path}:{line_number}: {message}")


@dataclass(frozen=True)
class HairEyeTags:
    hair: str
    eyes: str

    @property
    def hair_index(self) -> int:
        return HAIR_COLOURS.index(self.hair)

    @property
    def eye_index(self) -> int:
        return EYE_COLOURS.index(self.eyes)

    @property
    def pair_index(self) -> int:
        """Index of the (hair, eyes) pair in 0..131, hair-major."""
        return self.hair_index * NUM_EYES + self.eye_index

    def __str__(self) -> str:
        return f"{self.hair} hair {self.eyes} eyes"


@dataclass(frozen=True)
class TagLine:
    id: int
    tags: HairEyeTags
    line_number: int


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` in single quotes for a one-line message: control and other unprintable characters
    as escapes (`\\x1b`, `\\u2028`), at most `limit` characters inside the quotes, '...' ending a cut."""
    pieces = []
    length = 0
    for character in text[: limit + 1]:  # the rest cannot be shown: a 100k-character line costs nothing
        piece = character if character.isprintable() else _escape(character)
        pieces.append(piece)
        length += len(piece)
    if length > limit:
        while length > limit - 3:
            length -= len(pieces.pop())
        pieces.append("...")
    return "'" + "".join(pieces) + "'"


def _escape(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(character, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def split_lines(text: str) -> list[str]:
    """Lines ended by LF, CRLF or a lone CR; unlike `str.splitlines`, form feeds and U+2028 do not
    end a line, so line numbers are the ones an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def line_number_at(raw: bytes, offset: int) -> int:
    """The 1-based line (as `split_lines` counts them) of byte `offset` in `raw`."""
    return raw[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def pair_from_index(pair_index: int) -> HairEyeTags:
    hair_index, eye_index = divmod(pair_index, NUM_EYES)
    return HairEyeTags(HAIR_COLOURS[hair_index], EYE_COLOURS[eye_index])


def canonical_colour(word: str) -> str:
    word = word.strip().lower()
    return COLOUR_SYNONYMS.get(word, word)


def _vocabulary(attribute: str) -> tuple[str, ...]:
    return HAIR_COLOURS if attribute == "hair" else EYE_COLOURS


def _unknown_colour_message(attribute: str, colour: str) -> str:
    vocabulary = _vocabulary(attribute)
    noun = "hair colour" if attribute == "hair" else "eye colour"
    close = difflib.get_close_matches(colour, vocabulary, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown {noun} {quoted(colour)} ({hint}expected one of: {', '.join(vocabulary)})"


def parse_colour_phrase(text: str) -> HairEyeTags:
    """`'Blue Hair  green eyes'` -> HairEyeTags('blue', 'green'); raises ValueError with a reason."""
    words = text.lower().split()
    if not words:
        raise ValueError("no tags after the id (expected '<colour> hair <colour> eyes')")
    found: dict[str, list[str]] = {"hair": [], "eyes": []}
    position = 0
    while position < len(words):
        colour = words[position]
        if colour in ATTRIBUTE_WORDS:
            raise ValueError(f"'{colour}' has no colour before it (expected '<colour> {colour}')")
        if position + 1 >= len(words):
            raise ValueError(f"stray word {quoted(colour)} (expected '<colour> hair <colour> eyes')")
        attribute_word = words[position + 1]
        if attribute_word not in ATTRIBUTE_WORDS:
            raise ValueError(f"expected 'hair' or 'eyes' after {quoted(colour)}, found {quoted(attribute_word)}")
        attribute = ATTRIBUTE_WORDS[attribute_word]
        colour = canonical_colour(colour)
        if colour not in _vocabulary(attribute):
            raise ValueError(_unknown_colour_message(attribute, colour))
        found[attribute].append(colour)
        position += 2
    for attribute, noun in (("hair", "hair"), ("eyes", "eye")):
        colours = found[attribute]
        if not colours:
            raise ValueError(f"missing {noun} colour (expected '<colour> {attribute}')")
        if len(colours) > 1:
            listed = " and ".join(f"'{c}'" for c in colours)
            raise ValueError(f"two {noun} colours, {listed} (expected exactly one)")
    return HairEyeTags(found["hair"][0], found["eyes"][0])


# (the text after the id, its line number) -> tags; raises ValueError saying what was expected.
TagParser = Callable[[str, int], HairEyeTags]


def parse_strict_tags(tag_text: str, line_number: int) -> HairEyeTags:
    """The default TagParser: exactly `<colour> hair <colour> eyes`, vocabulary words only."""
    if "," in tag_text:
        raise ValueError(f"unexpected ',' in {quoted(tag_text)} (expected '<colour> hair <colour> eyes')")
    return parse_colour_phrase(tag_text)


def parse_tag_lines(text: str, source: str | Path, parse_tags: TagParser = parse_strict_tags) -> list[TagLine]:
    """Parse the text of a testing-tags file; `source` names it in error messages.

    Ids, blank lines and errors are handled here; what follows each id is read by `parse_tags`
    (strict by default; `hw3.text.free_text` passes a free-text reader).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines: list[TagLine] = []
    line_of_id: dict[int, int] = {}
    for line_number, raw_line in enumerate(split_lines(text), start=1):
        if len(raw_line) > MAX_LINE_CHARACTERS:
            raise TagFileError(source, line_number, f"line of {len(raw_line):,} characters "
                                                    f"(expected at most {MAX_LINE_CHARACTERS:,})")
        line = raw_line.strip()
        if not line:
            continue
        if "," not in line:
            raise TagFileError(
                source, line_number, f"no comma in {quoted(line)} (expected 'ID,<colour> hair <colour> eyes')"
            )
        id_text, tag_text = (part.strip() for part in line.split(",", 1))
        if not id_text:
            raise TagFileError(source, line_number, "missing id before the comma (expected an integer)")
        # isdigit alone admits non-ASCII digits; int() alone admits '1_0', '+1' and '-1'.
        if not (id_text.isascii() and id_text.isdigit()):
            raise TagFileError(
                source, line_number,
                f"id {quoted(id_text)} is not a non-negative integer (expected e.g. '1,blue hair red eyes')",
            )
        if len(id_text) > MAX_ID_DIGITS:
            raise TagFileError(source, line_number, f"id {quoted(id_text, 20)} has {len(id_text):,} digits "
                                                    f"(expected at most {MAX_ID_DIGITS})")
        line_id = int(id_text)
        if line_id in line_of_id:
            raise TagFileError(
                source, line_number, f"duplicate id {line_id} (first used on line {line_of_id[line_id]})"
            )
        try:
            tags = parse_tags(tag_text, line_number)
        except ValueError as error:
            raise TagFileError(source, line_number, str(error)) from None
        line_of_id[line_id] = line_number
        lines.append(TagLine(line_id, tags, line_number))
    if not lines:
        raise TagFileError(source, 1, "no tag lines in file (expected lines like '1,blue hair red eyes')")
    return lines


def read_tag_lines(path: str | Path, parse_tags: TagParser = parse_strict_tags) -> list[TagLine]:
    """Read a `testing_tags.txt`-style file, strictly unless another `parse_tags` is given."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # bounded: `/dev/zero` or a pipe may never end
    except OSError as error:
        raise InputError(f"{path}: cannot read file ({error.strerror or error})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise TagFileError(path, line_number_at(raw, MAX_FILE_BYTES),
                           f"file goes on past {MAX_FILE_BYTES:,} bytes (expected a tags file of at most that size)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TagFileError(path, line_number_at(raw, error.start),
                           "not UTF-8 text (expected a UTF-8 tags file)") from None
    return parse_tag_lines(text, path, parse_tags)
