"""The strict `testing_tags.txt` parser: what it accepts and the exact message for each bad line."""

from __future__ import annotations

import pytest

from hw3.errors import InputError
from hw3.tags import (
    EYE_COLOURS,
    HAIR_COLOURS,
    MAX_FILE_BYTES,
    MAX_LINE_CHARACTERS,
    NUM_PAIRS,
    HairEyeTags,
    TagFileError,
    canonical_colour,
    pair_from_index,
    parse_colour_phrase,
    parse_tag_lines,
    quoted,
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


# ---- hostile input: every error one short line, nothing read without bound -----------------

@pytest.mark.parametrize("digits, message", [
    (500, "id '11111111111111111...' has 500 digits (expected at most 18)"),
    (19, "id '1111111111111111111' has 19 digits (expected at most 18)"),
    (5000, f"line of 5,019 characters (expected at most {MAX_LINE_CHARACTERS:,})"),
])
def test_a_huge_id_is_refused_in_one_short_line(tmp_path, digits, message):
    path = write(tmp_path, "1" * digits + ",blue hair red eyes\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:1: {message}"


def test_an_id_of_18_digits_is_read():
    assert parse_tag_lines("999999999999999999,blue hair red eyes", "t.txt")[0].id == 999_999_999_999_999_999


def test_control_characters_in_a_bad_line_are_escaped(tmp_path):
    path = write(tmp_path, "1,blue hair\x1b[2J\x00 red eyes\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    # Words are lower-cased before they are read, escapes included: '[2J' shows as '[2j'.
    assert str(caught.value) == f"{path}:1: expected 'hair' or 'eyes' after 'blue', found 'hair\\x1b[2j\\x00'"
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(write(tmp_path, "2,\x07 hair\u2028red eyes\n"))  # U+2028 separates words, not lines
    assert str(caught.value).endswith(f":1: unknown hair colour '\\x07' (expected one of: {HAIR_LIST})")


def test_a_long_bad_word_is_cut_in_the_message(tmp_path):
    path = write(tmp_path, "1," + "x" * 900 + " hair red eyes\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:1: unknown hair colour '{'x' * 57}...' (expected one of: {HAIR_LIST})"


def test_a_100k_character_line_is_refused_by_its_length(tmp_path):
    path = write(tmp_path, "1,blue hair red eyes\n" + "y" * 100_000 + "\n")
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:2: line of 100,000 characters (expected at most {MAX_LINE_CHARACTERS:,})"


def test_dev_zero_is_refused_after_a_bounded_read():
    with pytest.raises(TagFileError) as caught:
        read_tag_lines("/dev/zero")
    assert str(caught.value) == (f"/dev/zero:1: file goes on past {MAX_FILE_BYTES:,} bytes "
                                 "(expected a tags file of at most that size)")


def test_a_file_just_over_the_size_limit_names_the_line_where_it_goes_over(tmp_path):
    line = "1,blue hair red eyes\n"
    path = write(tmp_path, line + "\n" * (MAX_FILE_BYTES - len(line)) + "2,red hair red eyes\n")
    with pytest.raises(TagFileError, match=rf":{MAX_FILE_BYTES - len(line) + 2}: file goes on past"):
        read_tag_lines(path)


def test_a_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"cannot read file \(Is a directory\)$"):
        read_tag_lines(tmp_path)


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"], ids=["CR", "CRLF", "LF"])
def test_cr_crlf_and_lf_line_endings_with_a_bom(tmp_path, ending):
    content = "\ufeff" + ending.join(["1,blue hair red eyes", "", "2,red hair blue eyes", "3,pink hair"]) + ending
    path = write(tmp_path, content)
    with pytest.raises(TagFileError) as caught:
        read_tag_lines(path)
    assert str(caught.value) == f"{path}:4: missing eye colour (expected '<colour> eyes')"
    path = write(tmp_path, content.replace("3,pink hair", "3,pink hair aqua eyes"))
    assert [(line.id, line.line_number) for line in read_tag_lines(path)] == [(1, 1), (2, 3), (3, 4)]


def test_not_utf8_after_lone_cr_endings_names_the_right_line(tmp_path):
    path = write(tmp_path, b"1,blue hair red eyes\r2,red hair red eyes\r3,r\xe9d hair blue eyes\r")
    with pytest.raises(TagFileError, match=r":3: not UTF-8 text"):
        read_tag_lines(path)


@pytest.mark.parametrize("text, shown", [
    ("plain", "'plain'"), ("tab\there", "'tab\\there'"), ("\x00\x1f\x7f", "'\\x00\\x1f\\x7f'"),
    ("é ü 色", "'é ü 色'"), ("\u2028\ufeff", "'\\u2028\\ufeff'"), ("\U000e0001", "'\\U000e0001'"),
    ("x" * 60, "'" + "x" * 60 + "'"), ("x" * 61, "'" + "x" * 57 + "...'"), ("\x00" * 30, "'" + "\\x00" * 14 + "...'"),
])
def test_quoted_escapes_and_cuts(text, shown):
    assert quoted(text) == shown
