"""How a fraction reads as a percentage in the report, the evaluation tables and the grade
summary: one formatter, so every page rounds the same way."""

from __future__ import annotations


def percent(fraction: float | None, digits: int = 1, *, sep: str = " ", missing: str = "—") -> str:
    """0.1234 -> "12.3 %" (`sep` goes before the "%"); None or NaN -> `missing`."""
    if fraction is None or fraction != fraction:  # fraction != fraction: NaN
        return missing
    return f"{100 * fraction:.{digits}f}{sep}%"
