"""When a student's number counts as the expected one.

A number passes when it is within the exercise's relative or absolute tolerance, or when it
equals the expected value rounded to the decimals the student wrote and has at least two
significant figures (0.73 passes for 0.7311; 0.7 does not). Vectors and matrices pass entry
by entry, after their shapes are checked. NaN and infinity never pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
_NUMBER_TEXT = re.compile(
    r"^\s*[-+]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[-+]?\d+))?\s*$")


@dataclass(frozen=True)
class Tolerance:
    rel: float = 0.01
    abs: float = 1e-4


def written_precision(text: str) -> tuple[int, int] | None:
    """(decimal places, significant figures) of a number as written, or None if not one."""
    match = _NUMBER_TEXT.match(text)
    if match is None or not (match.group("int") or match.group("frac")):
        return None
    whole, frac = match.group("int") or "", match.group("frac") or ""
    exponent = int(match.group("exp") or 0)
    digits = (whole + frac).lstrip("0")
    significant = len(digits) if digits else 0
    return len(frac) - exponent, significant


def matches_rounding(given: float, expected: float, text: str | None) -> bool:
    """`given`, as written in `text`, is `expected` rounded to the decimals written."""
    if text is None or not np.isfinite(expected):
        return False
    precision = written_precision(text)
    if precision is None:
        return False
    decimals, significant = precision
    if significant < 2:
        return False
    half_unit = 0.5 * 10.0 ** (-decimals)
    return abs(given - expected) <= half_unit * (1 + 1e-9)


def close(given: Array, expected: Array, tolerance: Tolerance,
          texts: Sequence[str | None] | None = None) -> bool:
    """Whether every entry of `given` passes for `expected` (shapes must be equal)."""
    given, expected = np.asarray(given, dtype=float), np.asarray(expected, dtype=float)
    if given.shape != expected.shape:
        return False
    if given.size == 1:  # most steps are numbers: plain floats are many times faster
        return _close_number(float(given.ravel()[0]), float(expected.ravel()[0]), tolerance,
                             texts[0] if texts else None)
    with np.errstate(all="ignore"):
        within = np.abs(given - expected) <= np.maximum(tolerance.abs,
                                                        tolerance.rel * np.abs(expected))
    within &= np.isfinite(given) & np.isfinite(expected)
    if within.all():
        return True
    if texts is None:
        return False
    flat_given, flat_expected = given.ravel(), expected.ravel()
    return all(
        ok or matches_rounding(float(flat_given[i]), float(flat_expected[i]), texts[i])
        for i, ok in enumerate(within.ravel())
    )


def _close_number(given: float, expected: float, tolerance: Tolerance,
                  text: str | None) -> bool:
    if not (math.isfinite(given) and math.isfinite(expected)):
        return False
    if abs(given - expected) <= max(tolerance.abs, tolerance.rel * abs(expected)):
        return True
    return matches_rounding(given, expected, text)


def round_significant(x: Array, figures: int) -> Array:
    """Every entry rounded to `figures` significant figures (as a student rounds by hand)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        magnitude = np.floor(np.log10(np.abs(np.where(x == 0, 1.0, x))))
        scale = 10.0 ** (figures - 1 - magnitude)
        rounded = np.round(x * scale) / scale
    return np.where(np.isfinite(x) & (x != 0), rounded, x)


def round_decimals(x: Array, decimals: int) -> Array:
    return np.round(np.asarray(x, dtype=float), decimals)
