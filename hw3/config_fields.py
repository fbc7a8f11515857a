"""The one check of a config's values: every field of every nested dataclass, against its type
and the `hw3.bounds.Bounds` declared beside it, before any of them is built; and the one TOML
parse of config text (a file or a `--set` value), whose pathologies end in one line too.

Types come from the annotations (bool, int, float, str, `X | None`, `tuple[X, X]`,
`tuple[X, ...]` and nested dataclasses); floats must be finite; text must be non-empty and
printable. The first bad value raises a `ConfigFieldError` naming its dotted key.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import types
import typing
from typing import Any

from hw3.bounds import MAX_TEXT, Bounds
from hw3.errors import InputError

SHOWN = 60  # characters of a bad value quoted in a message


def printable(text: str, limit: int = 400) -> str:
    """`text` on one line: unprintable characters as escapes, cut to about `limit` characters."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[:limit] + "..."


def shown(value: Any) -> str:
    return printable(repr(value), SHOWN)


class ConfigFieldError(InputError):
    """A bad config value (or an unknown key) at the dotted `key`."""

    def __init__(self, key: str, problem: str, expected: str, named: bool = False):
        # named: the problem says more than the value does ("unknown key", "unknown 'paint'")
        self.key, self.problem, self.expected, self.named = key, problem, expected, named
        super().__init__(printable(f"{key}: {problem} (expected {expected})"))


def build_checked(cls: type, values: Any, prefix: str = "") -> Any:
    """`cls(**values)`, nested tables built as their dataclasses, once every value has been checked."""
    return _construct(cls, check_table(cls, values, prefix))


def check_table(cls: type, values: Any, prefix: str = "") -> dict[str, Any]:
    """The table's values checked and coerced (int -> float, list -> tuple), nested tables as dicts."""
    if not isinstance(values, dict):
        raise ConfigFieldError(prefix.rstrip(".") or "config", shown(values), "a table of keys and values")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    checked: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if key not in fields:
            raise ConfigFieldError(dotted, "unknown key", f"one of: {', '.join(fields)}", named=True)
        kind = hints[key]
        if dataclasses.is_dataclass(kind):
            checked[key] = check_table(kind, value, dotted + ".")
        else:
            checked[key] = check_value(value, kind, fields[key].metadata.get("bounds", Bounds()), dotted)
    return checked


def _construct(cls: type, checked: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    return cls(**{key: _construct(hints[key], value) if dataclasses.is_dataclass(hints[key]) else value
                  for key, value in checked.items()})


def check_value(value: Any, kind: Any, bounds: Bounds, key: str) -> Any:
    """`value` as a `kind` within `bounds`, or a ConfigFieldError."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        if value is None and type(None) in typing.get_args(kind):
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if typing.get_origin(kind) is tuple:
        return _check_tuple(value, typing.get_args(kind), bounds, key)
    checked = _scalar(value, kind, bounds)
    if checked is None:
        named = bounds.choices is not None and isinstance(value, str)
        raise ConfigFieldError(key, f"unknown {shown(value)}" if named else shown(value), bounds.describe(kind), named)
    return checked


def _check_tuple(value: Any, args: tuple, bounds: Bounds, key: str) -> tuple:
    item_kind = args[0]
    count: int | str = "list" if len(args) == 2 and args[1] is Ellipsis else len(args)
    fits = isinstance(value, (list, tuple)) and (
        len(value) <= bounds.max_items if count == "list" else len(value) == count)
    items = [_scalar(item, item_kind, bounds) for item in value] if fits else [None]
    if any(item is None for item in items):
        raise ConfigFieldError(key, shown(value), bounds.describe(item_kind, count))
    return tuple(items)


def _scalar(value: Any, kind: type, bounds: Bounds) -> Any:
    """`value` as a `kind` within `bounds`, or None when it is not one."""
    if kind is bool:
        return value if isinstance(value, bool) and bounds.admits(value) else None
    if isinstance(value, bool):  # a bool is an int to Python; `batch_size = true` is a mistake
        return None
    if kind is int:
        return value if isinstance(value, int) and bounds.admits(value) else None
    if kind is float:
        try:
            number = float(value) if isinstance(value, (int, float)) else None
        except OverflowError:  # an integer beyond float's range
            return None
        return number if number is not None and math.isfinite(number) and bounds.admits(number) else None
    if kind is str:
        good = isinstance(value, str) and 0 < len(value) <= MAX_TEXT and value.isprintable()
        return value if good and bounds.admits(value) else None
    raise TypeError(f"config fields of type {kind} are not checked")  # a new field type: teach `_scalar`


# tomllib keeps the whole key path at every level of a dotted key, so memory grows with the
# square of its length: 10,000 parts took 400 MB. No config needs more than a few.
LONG_DOTTED_KEY = re.compile(r"""(?:(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[ \t]*){32,}""")


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """TOML text -> its table, or an InputError naming `where`."""
    if LONG_DOTTED_KEY.search(text):
        raise InputError(f"{where}: a key of more than 32 dotted parts (expected a config's few levels)")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(printable(f"{where}: {error}")) from None
    except ValueError:  # Python's own cap on integer text
        raise InputError(f"{where}: an integer of more than 4300 digits (expected a config's numbers)") from None
    except RecursionError:
        raise InputError(f"{where}: arrays or tables nested too deeply (expected a config's few levels)") from None
