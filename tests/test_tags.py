"""The strict `testing_tags.txt` parser: what it accepts and the exact message for each bad line."""

from __future__ import annotations

import pytest

from hw3.errors import InputError
from hw3.tags import (
    EYE_COLOURS,
    HAIR_COLOURS,
    NUM_PAIRS,
    HairEyeTags,
    TagFileError,
    canonical_colour,
    pair_from_index,
    parse_colour_phrase,
    read_tag_lines,
)

HAIR_LIST = ", ".join(HAIR_COLOURS)
EYE_LIST = ", ".join(EYE_COLOURS)


def write(tmp_path, content: bytes | str, name: str = "testing_tags.txt"):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def parsed(tmp_path, content):
    return [(line.id, line.tags.hair, line.tags.eyes, line.line_number) for line in read_tag_lines(write(tmp_path, content))]


# ---- vocabulary -------------------------------------------------------------------------------

def test_vocabulary_sizes_and_pair_indices_round_trip():
    assert (len(HAIR_COLOURS), len(EYE_COLOURS), NUM_PAIRS) == (12, 11, 132)
    assert [pair_from_index(i).pair_index for i in range(NUM_PAIRS)] == list(range(NUM_PAIRS))
    tags = HairEyeTags("blue", "green")
    assert (tags.hair_index, tags.eye_index) == (HAIR_COLOURS.index("blue"), EYE_COLOURS.index("green"))
    assert tags.pair_index == tags.hair_index * 11 + tags.eye_index
    assert str(tags) == "blue hair green eyes"


@pytest.mark.parametrize("word, expected", [("blond", "blonde"), ("grey", "gray"), (" Blue ", "blue"), ("GREY", "gray")])
def test_canonical_colour(word, expected):
    assert canonical_colour(word) == expected


# ---- good inputs ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "phrase",
    ["blue hair green eyes", "green eyes blue hair", "BLUE Hair Green EYES", "  blue   hair\tgreen  eyes ", "blue hair green eye"],
)
def test_phrase_in_either_order_any_case_and_spacing(phrase):
    assert parse_colour_phrase(phrase) == HairEyeTags("blue", "green")


def test_synonyms_map_to_the_vocabulary_words():
    assert parse_colour_phrase("blond hair grey eyes") == HairEyeTags("blonde", "gray")
    assert parse_colour_phrase("grey hair blue eyes") == HairEyeTags("gray", "blue")


def test_file_with_bom_crlf_blank_lines_and_spaces(tmp_path):
    content = "\ufeff1,blue hair red eyes\r\n\r\n  2 , Red Eyes  Blond Hair \r\n\n3,grey hair grey eyes"
    assert parsed(tmp_path, content) == [
        (1, "blue", "red", 1),
        (2, "blonde", "red", 3),
        (3, "gray", "gray", 5),
    ]


def test_every_vocabulary_pair_is_accepted(tmp_path):
    lines = [f"{i},{pair_from_index(i)}" for i in range(NUM_PAIRS)]
    result = read_tag_lines(write(tmp_path, "\n".join(lines) + "\n"))
    assert [line.tags.pair_index for line in result] == list(range(NUM_PAIRS))
    assert [line.line_number for line in result] == list(range(1, NUM_PAIRS + 1))


# ---- bad inputs: each message is exact and starts with FILE:LINE: ----------------------------

BAD_LINES = [
    ("1,silver hair blue eyes", f"unknown hair colour 'silver' (expected one of: {HAIR_LIST})"),
    ("1,bleu hair red eyes", f"unknown hair colour 'bleu' (did you mean 'blue'? expected one of: {HAIR_LIST})"),
    ("1,blue hair purpel eyes", f"unknown eye colour 'purpel' (did you mean 'purple'? expected one of: {EYE_LIST})"),
    # white is a hair colour only, and no eye colour is close to it.
    ("1,blue hair white eyes", f"unknown eye colour 'white' (expected one of: {EYE_LIST})"),
    ("1,blue hair", "missing eye colour (expected '<colour> eyes')"),
    ("1,red eyes", "missing hair colour (expected '<colour> hair')"),
    ("1,blue hair red hair green eyes", "two hair colours, 'blue' and 'red' (expected exactly one)"),
    ("1,blue hair red eyes green eyes", "two eye colours, 'red' and 'green' (expected exactly one)"),
    ("1,blond hair blonde hair red eyes", "two hair colours, 'blonde' and 'blonde' (expected exactly one)"),
    (",blue hair red eyes", "missing id before the comma (expected an integer)"),
    ("x,blue hair red eyes", "id 'x' is not a non-negative integer (expected e.g. '1,blue hair red eyes')"),
    ("1.5,blue hair red eyes", "id '1.5' is not a non-negative integer (expected e.g. '1,blue hair red eyes')"),
    ("blue hair red eyes", "no comma in 'blue hair red eyes' (expected 'ID,<colour> hair <colour> eyes')"),
    ("1,", "no tags after the id (expected '<colour> hair <colour> eyes')"),
    ("1,blue hair red eyes pretty", "stray word 'pretty' (expected '<colour> hair <colour> eyes')"),
    ("1,smile blue hair red eyes", "expected 'hair' or 'eyes' after 'smile', found 'blue'"),
    ("1,hair red eyes", "'hair' has no colour before it (expected '<colour> hair')"),
    ("1,blue red eyes", "expected 'hair' or 'eyes' after 'blue', found 'red'"),
    ("1,blue hairs red eyes", "expected 'hair' or 'eyes' after 'blue', found 'hairs'"),
    ("1,blue hair green", "stray word 'green' (expected '<colour> hair <colour> eyes')"),
    ("1,blue hair, red eyes", "unexpected ',' in 'blue hair, red eyes' (expected '<colour> hair <colour> eyes')"),
    ("1,blue hair red eyes,", "unexpected ',' in 'blue hair red eyes,' (expected '<colour> hair <colour> eyes')"),
]


@pytest.mark.parametrize("line, message", BAD_LINES, ids=[line for line, _ in BAD_LINES])
def test_bad_line_message_names_file_and_line(tmp_path, line, message):
    # Two good lines and a blank one before it, so the reported number must be the file's line 4.
    path = write(tmp_path, f"7,blue hair red eyes\n\n8,red hair blue eyes\n{line}\n9,aqua hair aqua eyes\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:4: {message}"
    assert (caught.value.line_number, caught.value.message) == (4, message)
    assert isinstance(caught.value, InputError)


def test_duplicate_id_names_the_first_line(tmp_path):
    path = write(tmp_path, "1,blue hair red eyes\n2,red hair red eyes\n\n1,red hair blue eyes\n")
    with pytest.raises(TagFileError, match=r"^.*testing_tags\.txt:4: duplicate id 1 \(first used on line 1\)$"):
        read_tag_lines(path)


@pytest.mark.parametrize("content", ["", "\n\n  \r\n", "\ufeff"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, content)
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:1: no tag lines in file (expected lines like '1,blue hair red eyes')"


def test_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path, b"1,blue hair red eyes\n2,r\xe9d hair blue eyes\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:2: not UTF-8 text (expected a UTF-8 tags file)"


def test_missing_file_is_an_input_error(tmp_path):
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as caught:
        read_tag_lines(path)
    assert str(caught.value).startswith(f"{path}:")
    assert "cannot read file (No such file or directory)" in str(caught.value)


@pytest.mark.parametrize("phrase", ["", "   ", "blue", "eyes", "blue hair red eyes blue"])
def test_parse_colour_phrase_raises_value_error(phrase):
    with pytest.raises(ValueError):
        parse_colour_phrase(phrase)


# ---- ids and line numbers -------------------------------------------------------------------

@pytest.mark.parametrize("id_text", ["1_0", "-1", "+1"])
def test_id_must_be_plain_digits(tmp_path, id_text):
    with pytest.raises(TagFileError):
        read_tag_lines(write(tmp_path, f"{id_text},blue hair red eyes\n"))


def test_line_numbers_count_newlines_only(tmp_path):
    path = write(tmp_path, "1,blue hair red eyes\x0c\n2,smile\n")
    with pytest.raises(TagFileError, match=r":2: "):
        read_tag_lines(path)
