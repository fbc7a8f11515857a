"""Readers for the two `tags.csv` formats of the course data, reporting every unusable line.

Extra set (`images/{id}.jpg`): each line is `ID,<colour> hair <colour> eyes`, read with
`hw3.tags.parse_colour_phrase`, so `12,aqua hair aqua eyes` labels image 12.

33k set (`faces/{id}.jpg`): each line is `ID,tag:count<TAB>tag:count...`, where the count is the
tag's popularity in the whole corpus, not anything about this image. Labelling rule:
- a colour tag is exactly `<colour> hair` or `<colour> eyes` where the colour is in the
  vocabulary of `hw3.tags` (after `canonical_colour`, so `blond hair` is blonde and `grey eyes`
  is gray); every other tag is ignored, including `long hair` and colours outside the
  vocabulary such as `silver hair`;
- a repeated colour tag (`blonde hair` and `blond hair`) counts once;
- a line with exactly one hair colour and one eye colour is labelled; a line with none or
  several of either is a bad row whose reason lists what was found, never a guess.

Malformed lines (no comma, an id that is not a non-negative integer, a repeated id, a tag
without `:count`, a count that is not an integer, text that is not UTF-8) are bad rows too.
Bad rows are one-line `FILE:LINE: reason (expected ...)` messages; the readers never raise for
them, so callers choose to skip or stop. Each also gets a kind from `BAD_ROW_KINDS` (in
`bad_row_kinds`, in the same order), so an importer can count them by reason. Blank lines, LF,
CRLF or lone-CR endings and a UTF-8 BOM are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hw3.reading import MAX_TAGS_BYTES, read_bytes
from hw3.tags import (
    EYE_COLOURS,
    HAIR_COLOURS,
    MAX_ID_DIGITS,
    HairEyeTags,
    TagFileError,
    canonical_colour,
    parse_colour_phrase,
    quoted,
)

_DIGITS = re.compile(r"[0-9]+")  # stricter than int(): no sign, no '1_000', ASCII digits only
_VOCABULARY = {"hair": HAIR_COLOURS, "eyes": EYE_COLOURS}

# Why a line was not labelled, from the most to the least mechanical.
BAD_ROW_KINDS = {
    "malformed": "the line is not in the file's format (no comma, bad id, tag without :count, not UTF-8)",
    "duplicate_id": "an id already used on an earlier line",
    "unknown_colour": "a colour outside the course vocabulary (extra format: the row names no other)",
    "no_colour_tag": "no hair colour or no eye colour tag",
    "several_colours": "several hair colours or several eye colours",
}


@dataclass(frozen=True)
class TaggedRow:
    image_id: int
    tags: HairEyeTags
    line_number: int


@dataclass
class TagFileReport:
    path: Path
    rows: list[TaggedRow] = field(default_factory=list)
    bad_rows: list[str] = field(default_factory=list)  # `FILE:LINE: reason` messages
    bad_row_kinds: list[str] = field(default_factory=list)  # a BAD_ROW_KINDS key per bad row


class BadRow(ValueError):
    """Why one line cannot be used; the reader adds the `FILE:LINE:` prefix."""

    def __init__(self, message: str, kind: str = "malformed"):
        super().__init__(message)
        self.kind = kind


def read_extra_tags(path: str | Path) -> TagFileReport:
    """Read an extra-set `tags.csv` (`ID,<colour> hair <colour> eyes` per line).

    Lines that cannot be read are listed in `bad_rows`; a missing or empty file is an
    InputError.
    """
    return _read_tag_file(path, _parse_extra_tags, "ID,<colour> hair <colour> eyes")


def read_full_tags(path: str | Path) -> TagFileReport:
    """Read a 33k-set `tags.csv` (`ID,tag:count<TAB>tag:count...` per line).

    A line is labelled only when its tags hold exactly one `<colour> hair` and exactly one
    `<colour> eyes` with vocabulary colours (synonyms blond/grey accepted, a repeat of the same
    colour counted once); other tags, `silver hair` included, are ignored. A line with zero or
    several hair (or eye) colours goes to `bad_rows` with the colours found, e.g.
    `tags.csv:17: 2 hair colour tags ('blue', 'red') (expected exactly one)`. Malformed lines are
    bad rows too; a missing or empty file is an InputError.
    """
    return _read_tag_file(path, _parse_full_tags, "ID,tag:count<TAB>tag:count...")


def _read_tag_file(
    path: str | Path, parse_tags: Callable[[str], HairEyeTags], line_pattern: str
) -> TagFileReport:
    path = Path(path)
    report = TagFileReport(path)
    line_of_id: dict[int, int] = {}
    any_line = False
    for line_number, line in _numbered_lines(path):
        if line == "":
            continue
        any_line = True
        try:
            if line is None:
                raise BadRow("not UTF-8 text (expected a UTF-8 tags file)")
            image_id, tags = _parse_line(line, line_number, line_of_id, parse_tags, line_pattern)
        except BadRow as reason:
            report.bad_rows.append(f"{path}:{line_number}: {reason}")
            report.bad_row_kinds.append(reason.kind)
            continue
        report.rows.append(TaggedRow(image_id, tags, line_number))
    if not any_line:
        raise TagFileError(path, 1, f"no tag lines in file (expected lines like '{line_pattern}')")
    return report


def _numbered_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """Yield (line number, stripped text), or None as the text of a line that is not UTF-8, so
    one bad byte costs one row rather than the whole file."""
    raw = read_bytes(path, "a tags file", MAX_TAGS_BYTES).removeprefix(b"\xef\xbb\xbf")
    # LF, CRLF or a lone CR end a line (as in `hw3.tags.split_lines`), so numbers match an editor's.
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    for line_number, raw_line in enumerate(lines, start=1):
        try:
            yield line_number, raw_line.decode("utf-8").strip()
        except UnicodeDecodeError:
            yield line_number, None


def _parse_line(
    line: str,
    line_number: int,
    line_of_id: dict[int, int],
    parse_tags: Callable[[str], HairEyeTags],
    line_pattern: str,
) -> tuple[int, HairEyeTags]:
    if "," not in line:
        raise BadRow(f"no comma in '{_shorten(line)}' (expected '{line_pattern}')")
    id_text, tag_text = (part.strip() for part in line.split(",", 1))
    if not _DIGITS.fullmatch(id_text):
        raise BadRow(f"id '{_shorten(id_text)}' is not a non-negative integer (expected '{line_pattern}')")
    if len(id_text) > MAX_ID_DIGITS:
        raise BadRow(f"id '{_shorten(id_text, 20)}' has {len(id_text):,} digits (expected at most {MAX_ID_DIGITS})")
    image_id = int(id_text)
    if image_id in line_of_id:
        raise BadRow(f"duplicate id {image_id} (first used on line {line_of_id[image_id]})", "duplicate_id")
    line_of_id[image_id] = line_number
    try:
        return image_id, parse_tags(tag_text)
    except BadRow:
        raise
    except ValueError as error:
        raise BadRow(str(error), _phrase_error_kind(str(error))) from None


def _phrase_error_kind(message: str) -> str:
    """Kind of a `parse_colour_phrase` error, from the start of its message."""
    for start, kind in (("unknown ", "unknown_colour"), ("missing ", "no_colour_tag"), ("two ", "several_colours")):
        if message.startswith(start):
            return kind
    return "malformed"


def _parse_extra_tags(tag_text: str) -> HairEyeTags:
    if "," in tag_text:
        raise BadRow(f"unexpected ',' in '{_shorten(tag_text)}' (expected '<colour> hair <colour> eyes')")
    return parse_colour_phrase(tag_text)


def _parse_full_tags(tag_text: str) -> HairEyeTags:
    found: dict[str, list[str]] = {"hair": [], "eyes": []}
    for tag_and_count in tag_text.split("\t"):
        tag_and_count = tag_and_count.strip()
        if not tag_and_count:
            continue  # doubled or trailing tab
        tag, colon, count = tag_and_count.rpartition(":")
        if not colon:
            raise BadRow(f"tag '{_shorten(tag_and_count)}' has no ':count' (expected 'tag:count')")
        if not _DIGITS.fullmatch(count.strip()):
            raise BadRow(f"count '{_shorten(count)}' of tag '{_shorten(tag)}' is not an integer (expected 'tag:count')")
        words = tag.lower().split()
        if len(words) != 2 or words[1] not in _VOCABULARY:
            continue
        colour = canonical_colour(words[0])
        if colour in _VOCABULARY[words[1]] and colour not in found[words[1]]:
            found[words[1]].append(colour)
    problems = [
        _count_problem(noun, found[attribute])
        for attribute, noun in (("hair", "hair colour"), ("eyes", "eye colour"))
        if len(found[attribute]) != 1
    ]
    if problems:
        several = any(len(found[attribute]) > 1 for attribute in found)
        raise BadRow("; ".join(problems), "several_colours" if several else "no_colour_tag")
    return HairEyeTags(found["hair"][0], found["eyes"][0])


def _count_problem(noun: str, colours: list[str]) -> str:
    if not colours:
        return f"no {noun} tag (expected exactly one)"
    listed = ", ".join(f"'{colour}'" for colour in colours)
    return f"{len(colours)} {noun} tags ({listed}) (expected exactly one)"


def _shorten(text: str, limit: int = 60) -> str:
    """`text` as a message may show it: control characters escaped, cut at about `limit`."""
    return quoted(text, limit)[1:-1]
