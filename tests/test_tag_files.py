"""Readers of the course's two `tags.csv` formats: labelled rows and exact bad-row reports."""

from __future__ import annotations

import pytest

from hw3.data.tag_files import TaggedRow, read_extra_tags, read_full_tags
from hw3.errors import InputError
from hw3.tags import HairEyeTags


def write(tmp_path, content: bytes | str):
    path = tmp_path / "tags.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def labels(report):
    return [(row.image_id, row.tags.hair, row.tags.eyes, row.line_number) for row in report.rows]


# ---- extra set: `ID,<colour> hair <colour> eyes` ---------------------------------------------

def test_extra_format_reads_rows_with_bom_crlf_and_blank_lines(tmp_path):
    path = write(tmp_path, "\ufeff0,aqua hair aqua eyes\r\n\r\n1,Blond Hair grey eyes\r\n2, red eyes  pink hair \r\n")
    report = read_extra_tags(path)
    assert report.rows[0] == TaggedRow(0, HairEyeTags("aqua", "aqua"), 1)
    assert labels(report) == [(0, "aqua", "aqua", 1), (1, "blonde", "gray", 3), (2, "pink", "red", 4)]
    assert report.bad_rows == []


def test_extra_format_reports_every_bad_line_and_keeps_the_good_ones(tmp_path):
    path = write(
        tmp_path,
        "0,aqua hair aqua eyes\n"
        "1,silver hair blue eyes\n"
        "2,blue hair\n"
        "no comma here\n"
        "x,blue hair red eyes\n"
        "0,red hair red eyes\n"
        "5,blue hair, red eyes\n"
        "6,red hair blue eyes\n",
    )
    report = read_extra_tags(path)
    assert labels(report) == [(0, "aqua", "aqua", 1), (6, "red", "blue", 8)]
    assert report.bad_rows == [
        f"{path}:2: unknown hair colour 'silver' (expected one of: orange, white, aqua, gray, green, red, "
        "purple, pink, blue, black, brown, blonde)",
        f"{path}:3: missing eye colour (expected '<colour> eyes')",
        f"{path}:4: no comma in 'no comma here' (expected 'ID,<colour> hair <colour> eyes')",
        f"{path}:5: id 'x' is not a non-negative integer (expected 'ID,<colour> hair <colour> eyes')",
        f"{path}:6: duplicate id 0 (first used on line 1)",
        f"{path}:7: unexpected ',' in 'blue hair, red eyes' (expected '<colour> hair <colour> eyes')",
    ]


@pytest.mark.parametrize("id_text", ["-1", "+1", "1_0", "1.0", ""])
def test_ids_must_be_plain_digits(tmp_path, id_text):
    report = read_extra_tags(write(tmp_path, f"{id_text},blue hair red eyes\n"))
    assert report.rows == []
    assert report.bad_rows[0].endswith(f":1: id '{id_text}' is not a non-negative integer (expected 'ID,<colour> hair <colour> eyes')")


def test_non_utf8_line_is_one_bad_row(tmp_path):
    report = read_extra_tags(write(tmp_path, b"0,blue hair red eyes\n1,r\xe9d hair blue eyes\n2,red hair red eyes\n"))
    assert [row.image_id for row in report.rows] == [0, 2]
    assert report.bad_rows == [f"{tmp_path / 'tags.csv'}:2: not UTF-8 text (expected a UTF-8 tags file)"]


@pytest.mark.parametrize("reader", [read_extra_tags, read_full_tags])
@pytest.mark.parametrize("content", ["", "\n \r\n", "\ufeff"])
def test_empty_file_is_an_input_error(tmp_path, reader, content):
    path = write(tmp_path, content)
    with pytest.raises(InputError, match=rf"^{path}:1: no tag lines in file"):
        reader(path)


@pytest.mark.parametrize("reader", [read_extra_tags, read_full_tags])
def test_missing_file_is_an_input_error(tmp_path, reader):
    with pytest.raises(InputError) as caught:
        reader(tmp_path / "nope.csv")
    assert str(caught.value) == f"{tmp_path / 'nope.csv'}: no such file (expected a tags file)"


# ---- 33k set: `ID,tag:count<TAB>tag:count...` ------------------------------------------------

def test_full_format_picks_the_colour_tags_among_others(tmp_path):
    path = write(
        tmp_path,
        "\ufeff0,long hair:9000\tblue hair:4578\tsmile:3000\tred eyes:123\r\n"
        "\r\n"
        "1,Grey Eyes:10\tshort hair:50\tblond hair:70\t\n"  # synonyms, any case, trailing tab
        "2,silver hair:99\tgreen hair:12\tyellow eyes:5\tmulticolored hair:3\n"  # silver: not vocabulary
        "3,blonde hair:80\tblond hair:70\tbrown eyes:8\n"  # the same colour twice counts once
        "4,re:zero:5\tpink hair:2\t\tpurple eyes:1\n",  # a colon inside a tag, a doubled tab
    )
    report = read_full_tags(path)
    assert report.bad_rows == []
    assert labels(report) == [
        (0, "blue", "red", 1),
        (1, "blonde", "gray", 3),
        (2, "green", "yellow", 4),
        (3, "blonde", "brown", 5),
        (4, "pink", "purple", 6),
    ]


def test_full_format_never_guesses_between_colours(tmp_path):
    path = write(
        tmp_path,
        "0,blue hair:10\tred eyes:3\n"
        "1,long hair:10\tsmile:4\n"
        "2,blue hair:10\tred hair:9\tgreen eyes:2\n"
        "3,blue hair:10\tred eyes:3\tgreen eyes:2\tblue eyes:1\n"
        "4,white eyes:3\tblue hair:1\n"  # white is not an eye colour in the vocabulary
        "5,\n"
        "6,aqua hair:1\taqua eyes:1\n",
    )
    report = read_full_tags(path)
    assert labels(report) == [(0, "blue", "red", 1), (6, "aqua", "aqua", 7)]
    assert report.bad_rows == [
        f"{path}:2: no hair colour tag (expected exactly one); no eye colour tag (expected exactly one)",
        f"{path}:3: 2 hair colour tags ('blue', 'red') (expected exactly one)",
        f"{path}:4: 3 eye colour tags ('red', 'green', 'blue') (expected exactly one)",
        f"{path}:5: no eye colour tag (expected exactly one)",
        f"{path}:6: no hair colour tag (expected exactly one); no eye colour tag (expected exactly one)",
    ]


def test_full_format_malformed_lines(tmp_path):
    path = write(
        tmp_path,
        "0 blue hair:10\tred eyes:3\n"
        "abc,blue hair:10\tred eyes:3\n"
        "2,blue hair\tred eyes:3\n"
        "3,blue hair:ten\tred eyes:3\n"
        "4,blue hair:-1\tred eyes:3\n"
        "5,blue hair:1\tred eyes:3\n"
        "5,red hair:1\tred eyes:3\n",
    )
    report = read_full_tags(path)
    assert labels(report) == [(5, "blue", "red", 6)]
    assert report.bad_rows == [
        f"{path}:1: no comma in '0 blue hair:10\\tred eyes:3' (expected 'ID,tag:count<TAB>tag:count...')",
        f"{path}:2: id 'abc' is not a non-negative integer (expected 'ID,tag:count<TAB>tag:count...')",
        f"{path}:3: tag 'blue hair' has no ':count' (expected 'tag:count')",
        f"{path}:4: count 'ten' of tag 'blue hair' is not an integer (expected 'tag:count')",
        f"{path}:5: count '-1' of tag 'blue hair' is not an integer (expected 'tag:count')",
        f"{path}:7: duplicate id 5 (first used on line 6)",
    ]


def test_long_text_is_shortened_in_messages(tmp_path):
    path = write(tmp_path, "x" * 200 + "\n")
    assert read_full_tags(path).bad_rows == [
        f"{path}:1: no comma in '{'x' * 57}...' (expected 'ID,tag:count<TAB>tag:count...')"
    ]


def test_lone_cr_endings_a_huge_id_and_control_characters(tmp_path):
    path = write(tmp_path, "0,aqua hair aqua eyes\r" + "9" * 5000 + ",red hair red eyes\r2,red hair\x1b eyes\r"
                           "3,blue hair red eyes\r")
    report = read_extra_tags(path)
    assert labels(report) == [(0, "aqua", "aqua", 1), (3, "blue", "red", 4)]
    assert report.bad_rows == [
        f"{path}:2: id '{'9' * 17}...' has 5,000 digits (expected at most 18)",
        f"{path}:3: expected 'hair' or 'eyes' after 'red', found 'hair\\x1b'",
    ]
