"""What a number or a word may be, declared once and used two ways: beside a config field
(`bounded`, checked by `hw3.config_fields`) and as an argparse type (`int_flag`, `number_flag`),
so a bad value is one line saying what was expected, before any work starts.

Upper bounds sit far above anything a real run uses; they are there so that a typo (a batch of
10**9, a million workers) fails at once instead of filling the memory or the process table.
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_SEED = 2**32 - 1  # every RNG this package seeds (torch, numpy's SeedSequence) takes these
MAX_TEXT = 1000  # characters of a name or a path in a config
COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def is_int(value: Any) -> bool:
    """A whole number as JSON, TOML or a caller gives it; not a bool, which Python counts as an int
    (`"seed": true` is a mistake, not seed 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Bounds:
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: `low` itself is excluded
    high_open: bool = False
    choices: tuple | None = None
    pattern: str | None = None  # a regular expression the whole text must match
    expected: str | None = None  # the words for `pattern`, e.g. "auto, cpu, cuda, cuda:N or mps"
    max_items: int = 100  # for a tuple[X, ...] field

    def admits(self, value: Any) -> bool:
        if self.choices is not None and value not in self.choices:
            return False
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def describe(self, kind: type, count: int | str | None = None) -> str:
        """'an integer in [1, 4096]'; with count 2 'two numbers in [0, 1)'; with count 'list'
        'a list of at most 100 integers >= 1'."""
        if self.choices is not None:
            return "one of: " + ", ".join("none" if choice is None else str(choice) for choice in self.choices)
        if self.expected is not None:
            return self.expected
        plural = count is not None
        noun = {bool: "true or false", int: "integers" if plural else "an integer",
                float: "numbers" if plural else "a number",
                str: f"text of 1 to {MAX_TEXT} printable characters"}[kind]
        if count == "list":
            noun = f"a list of at most {self.max_items} {noun}"
        elif plural:
            noun = f"{COUNT_WORDS.get(count, count)} {noun}"
        return noun + self._range()

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            return f" in {'(' if self.low_open else '['}{_number(self.low)}, {_number(self.high)}" \
                   f"{')' if self.high_open else ']'}"
        if self.low is not None:
            return f" {'>' if self.low_open else '>='} {_number(self.low)}"
        if self.high is not None:
            return f" {'<' if self.high_open else '<='} {_number(self.high)}"
        return ""


def _number(value: float) -> str:
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:_}"  # 1_000_000: readable, and both TOML and the flags accept it
    return f"{value:g}" if isinstance(value, float) else str(value)


def bounded(default: Any, low: float | None = None, high: float | None = None, **more: Any) -> Any:
    """A dataclass field with its allowed values beside it: `ngf: int = bounded(64, 1, 512)`."""
    return field(default=default, metadata={"bounds": Bounds(low, high, **more)})


class NumberFlag:
    """An argparse `type=`: the flag's text as an int or a finite float within `bounds`; anything
    else is argparse's one-line usage error. `str()` of it is the wording for --help."""

    def __init__(self, kind: type, bounds: Bounds):
        self.kind, self.bounds = kind, bounds
        self.__name__ = str(self)  # argparse names the type in some of its own messages

    def __call__(self, text: str) -> int | float:
        try:
            value = self.kind(text)
            admitted = (self.kind is int or math.isfinite(value)) and self.bounds.admits(value)
        except (ValueError, OverflowError):  # not a number, or an int past Python's 4300 digits
            admitted = False
        if not admitted:
            raise argparse.ArgumentTypeError(f"expected {self}, got {text!r:.40}")
        return value

    def __str__(self) -> str:
        return self.bounds.describe(self.kind)


def int_flag(low: int, high: int) -> NumberFlag:
    return NumberFlag(int, Bounds(low, high))


def number_flag(low: float | None = None, high: float | None = None, **more: Any) -> NumberFlag:
    return NumberFlag(float, Bounds(low, high, **more))


SEED_FLAG = int_flag(0, MAX_SEED)
