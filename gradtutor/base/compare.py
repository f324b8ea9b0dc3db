"""When a student's number counts as the expected one.

The bound on |given - expected| scales with the quantity, never a fixed floor:
- by default `rel` (1%) of |expected|, and at least ZERO_BOUND (1e-9) times the exercise's
  scale (the largest magnitude among its given and forward values), so a true 0 needs a 0
  (or a value below that bound) and 0, a flipped sign or 4x never pass on a small value;
- `decimals: N`: half a unit in the N-th decimal; `sigfigs: N`: half a unit in the N-th
  significant figure of the expected value; `abs`: the exercise author's own floor.
A number also passes when it equals the expected value rounded to the decimals the student
wrote and has at least two significant figures (`sigfigs` when set): 0.73 passes for
0.7311; 0.7 does not (it gets "give at least 2 significant figures"). Vectors and matrices
pass entry by entry, after their shapes are checked. NaN and infinity never pass.
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


ZERO_BOUND = 1e-9  # a true 0 accepts |given| below this times the exercise's scale
MIN_FIGURES = 2  # a value rounded to fewer significant figures than this is too coarse


@dataclass(frozen=True)
class Tolerance:
    rel: float = 0.01
    abs: float | None = None  # None: ZERO_BOUND times `scale`
    sigfigs: int | None = None
    decimals: int | None = None
    scale: float = 1.0  # the exercise's magnitude (its largest given or forward value)

    @property
    def floor(self) -> float:
        """The smallest bound: what a true 0 accepts."""
        return self.abs if self.abs is not None else ZERO_BOUND * self.scale

    @property
    def figures(self) -> int:
        """The significant figures a rounded answer must keep."""
        return self.sigfigs if self.sigfigs is not None else MIN_FIGURES

    def bound(self, expected: Array) -> Array:
        """How far from `expected` (entry by entry) a given value may be."""
        magnitude = np.abs(np.asarray(expected, dtype=float))
        if self.decimals is not None:
            spread = np.full_like(magnitude, 0.5 * 10.0 ** (-self.decimals) * (1 + 1e-9))
        elif self.sigfigs is not None:
            with np.errstate(all="ignore"):
                exponent = np.floor(np.log10(np.where(magnitude > 0, magnitude, 1.0)))
            spread = 0.5 * 10.0 ** (exponent - self.sigfigs + 1) * (1 + 1e-9)
        else:
            spread = self.rel * magnitude
        return np.maximum(spread, self.floor)

    def number_bound(self, expected: float) -> float:
        """`bound` of one finite number: the same value, in plain floats when it can be
        (the mistake guards of a class's variants ask it many thousands of times)."""
        if self.decimals is None and self.sigfigs is None:
            return max(self.rel * abs(expected), self.floor)
        return float(self.bound(np.float64(expected)))


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


def matches_rounding(given: float, expected: float, text: str | None,
                     figures: int = MIN_FIGURES) -> bool:
    """`given`, as written in `text`, is `expected` rounded to the decimals written, with at
    least `figures` significant figures."""
    if text is None or not np.isfinite(expected):
        return False
    precision = written_precision(text)
    if precision is None:
        return False
    decimals, significant = precision
    if significant < figures:
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
        within = np.abs(given - expected) <= tolerance.bound(expected)
    within &= np.isfinite(given) & np.isfinite(expected)
    if within.all():
        return True
    if texts is None:
        return False
    flat_given, flat_expected = given.ravel(), expected.ravel()
    return all(
        ok or matches_rounding(float(flat_given[i]), float(flat_expected[i]), texts[i],
                               tolerance.figures)
        for i, ok in enumerate(within.ravel())
    )


def _close_number(given: float, expected: float, tolerance: Tolerance,
                  text: str | None) -> bool:
    if not (math.isfinite(given) and math.isfinite(expected)):
        return False
    if abs(given - expected) <= tolerance.number_bound(expected):
        return True
    return matches_rounding(given, expected, text, tolerance.figures)


def near(a: Array | float, b: Array | float, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """np.allclose(a, b, rtol, atol) for finite values, many times faster on a number (the
    mistake catalogue asks it thousands of times per exercise)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size == 1 and b.size == 1:
        x, y = float(a.ravel()[0]), float(b.ravel()[0])
        if math.isfinite(x) and math.isfinite(y):
            return abs(x - y) <= atol + rtol * abs(y)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def too_few_figures(given: float, expected: float, text: str | None,
                    tolerance: Tolerance) -> bool:
    """`given` is `expected` rounded right, but to fewer significant figures than asked."""
    precision = written_precision(text) if text is not None else None
    if precision is None or not math.isfinite(expected) or expected == 0:
        return False
    return precision[1] >= 1 and matches_rounding(given, expected, text, 1) and \
        not matches_rounding(given, expected, text, tolerance.figures)


def round_significant(x: Array, figures: int) -> Array:
    """Every entry rounded to `figures` significant figures (as a student rounds by hand)."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 and 1e-300 < abs(float(x)) < 1e300:
        # one number, far from overflow: the same numpy arithmetic, without the masks
        value = x[()]
        scale = 10.0 ** (figures - 1 - np.floor(np.log10(np.abs(value))))
        return np.asarray((value * scale).round() / scale)  # what np.round calls
    with np.errstate(all="ignore"):
        magnitude = np.floor(np.log10(np.abs(np.where(x == 0, 1.0, x))))
        scale = 10.0 ** (figures - 1 - magnitude)
        rounded = np.round(x * scale) / scale
    return np.where(np.isfinite(x) & (x != 0), rounded, x)


def round_decimals(x: Array, decimals: int) -> Array:
    return np.asarray(x, dtype=float).round(decimals)  # np.round's own call, without its wrapper
