"""Property-based: thousands of random tag lines and files, each read to a result or to one
short `FILE:LINE:` error line, never another exception, never a slow read."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hw3.data.tag_files import read_extra_tags
from hw3.errors import InputError
from hw3.tags import HAIR_COLOURS, MAX_LINE_CHARACTERS, TagFileError, parse_tag_lines, read_tag_lines

SOURCE = "tags.txt"
ERROR_LINE = re.compile(r"tags\.txt:[0-9]+: [^\n\r]+")
LONGEST_MESSAGE = 400  # a message quotes at most ~60 characters of the file per quoted part
SECONDS_PER_INPUT = 1.0
# derandomize: the same inputs on every run, so a failure here reproduces; database=None writes no
# .hypothesis folder into the working tree.

WORDS = [*HAIR_COLOURS, "yellow", "grey", "blond", "hair", "eyes", "eye", ",", "", " ", "\t", "\r", "\n",
         "\r\n", "\ufeff", "\x00", "\x1b[2J", "\u2028", "\x85", "١٢", "+1", "-1", "1_0", "9" * 30, "9" * 5000,
         "x" * 900, "\x07" * 300]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=12),  # any unicode, surrogates excluded as in decoded text
    st.text(alphabet=st.characters(max_codepoint=0x3F), max_size=8),  # ASCII controls, digits, punctuation
    st.integers(min_value=0, max_value=10**40).map(str),
)
LINES = st.lists(PIECES, max_size=12).map(" ".join)
TEXTS = st.lists(LINES, max_size=8).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda ending: ending.join(lines)))
# Inputs built around one valid line, so that many of them parse.
NEAR_VALID = st.tuples(st.integers(0, 10**20), st.sampled_from(HAIR_COLOURS), st.sampled_from(HAIR_COLOURS),
                       PIECES).map(lambda parts: f"{parts[0]},{parts[1]} hair {parts[2]} eyes {parts[3]}")


def check_parse(text: str) -> None:
    start = time.perf_counter()
    try:
        lines = parse_tag_lines(text, SOURCE)
    except TagFileError as error:
        message = str(error)
        assert ERROR_LINE.fullmatch(message) and message.isprintable(), repr(message)  # control characters escaped
        assert len(message) <= LONGEST_MESSAGE, len(message)
    else:
        assert lines and all(line.id >= 0 and line.line_number >= 1 for line in lines)
        assert len({line.id for line in lines}) == len(lines)
    assert time.perf_counter() - start < SECONDS_PER_INPUT


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_random_texts_parse_or_give_one_short_error_line(text):
    check_parse(text)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(st.lists(NEAR_VALID, min_size=1, max_size=5).map("\n".join))
def test_near_valid_lines_parse_or_give_one_short_error_line(text):
    check_parse(text)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=300), st.integers(0, 3 * MAX_LINE_CHARACTERS))
def test_random_bytes_files_read_or_give_one_short_error_line(tmp_path_factory, data, padding):
    path = tmp_path_factory.mktemp("bytes") / SOURCE
    path.write_bytes(data + b"x" * padding if padding > MAX_LINE_CHARACTERS else data)
    start = time.perf_counter()
    messages = []
    try:
        read_tag_lines(path)
    except InputError as error:
        messages.append(str(error))
    try:
        messages.extend(read_extra_tags(path).bad_rows)  # the data reader lists bad rows, raises for none
    except InputError as error:
        messages.append(str(error))
    for message in (message.replace(str(path), SOURCE) for message in messages):
        assert ERROR_LINE.fullmatch(message) and message.isprintable(), repr(message)
        assert len(message) <= LONGEST_MESSAGE, len(message)
    assert time.perf_counter() - start < SECONDS_PER_INPUT
