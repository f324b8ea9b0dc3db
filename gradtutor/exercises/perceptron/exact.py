"""Exact numbers: read as written (`0.1` is 1/10, not the nearest float), written as people
write them, and compared within an exercise's tolerance.

Every number of a perceptron exercise is a `fractions.Fraction`, so that z = 0 is decided
exactly: the step convention at z = 0 is what the AND and OR exercises turn on.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from ...base import fmt, limits
from ...base.compare import Tolerance
from ...base.errors import GradtutorError
from ...lang.parser import parse_value_text
from ..fields import kind_of

_DECIMAL_TEXT = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([-+]?[0-9]+))?\s*")
_RATIO_TEXT = re.compile(r"\s*([-+]?[0-9]+)\s*/\s*([0-9]+)\s*")
_MAX_EXPONENT = 300
# Digits of an exact number's numerator and denominator (1e-300 has 301): sums and products
# of a few such numbers stay below Python's 4,300-digit limit on printing an int.
MAX_EXACT_DIGITS = 330
_MAX_EXACT_BITS = int(MAX_EXACT_DIGITS * 3.33) + 1


def read_number(raw: object, text: str | None = None) -> Fraction:
    """An exact number from a YAML value: the digits as written, not the float's.

    Raises ValueError with the reason for anything else (text that is not a number, a
    list, true/false, NaN, infinity, a magnitude past 1e300).
    """
    if raw is None:
        raise ValueError("no value")
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, not {str(raw).lower()}")
    if isinstance(raw, int):
        value = Fraction(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(f"expected a finite number, not {fmt.number(raw)}")
        from_text = _from_text(text) if text else None
        value = Fraction(raw) if from_text is None else from_text
    elif isinstance(raw, str):
        value = _from_string(raw)
    else:
        raise ValueError(f"expected a number, not {kind_of(raw)}")
    if abs(value) > limits.MAX_CONSTANT:
        raise ValueError("too large: numbers here are at most 1e300 in size")
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > _MAX_EXACT_BITS:
        raise ValueError(f"too many digits: an exact number here has at most "
                         f"{MAX_EXACT_DIGITS} digits above and below its fraction bar")
    return value


def _from_text(text: str) -> Fraction | None:
    """A decimal or a ratio written as digits, exactly; None when it is neither."""
    if len(text) > limits.MAX_ANSWER_CHARS:
        raise ValueError(f"text longer than {limits.MAX_ANSWER_CHARS:,} characters")
    decimal = _DECIMAL_TEXT.fullmatch(text)
    if decimal and len(text.strip()) > 4 * MAX_EXACT_DIGITS:
        raise ValueError(f"too many digits in '{short(text)}'")
    if decimal:
        if decimal.group(1) and abs(int(decimal.group(1))) > _MAX_EXPONENT:
            raise ValueError(f"exponent out of range in '{text.strip()[:40]}'")
        return Fraction(text.strip())
    ratio = _RATIO_TEXT.fullmatch(text)
    if ratio and len(text.strip()) > 4 * MAX_EXACT_DIGITS:
        raise ValueError(f"too many digits in '{short(text)}'")
    if ratio:
        if int(ratio.group(2)) == 0:
            raise ValueError("division by zero")
        return Fraction(int(ratio.group(1)), int(ratio.group(2)))
    return None


def _from_string(raw: str) -> Fraction:
    if len(raw) > limits.MAX_ANSWER_CHARS:
        raise ValueError(f"text longer than {limits.MAX_ANSWER_CHARS:,} characters")
    if not raw.strip():
        raise ValueError("expected a number, not empty text")
    exact = _from_text(raw)
    if exact is not None:
        return exact
    try:
        parsed = parse_value_text(raw, max_chars=limits.MAX_ANSWER_CHARS)
    except GradtutorError as error:
        raise ValueError(f"'{short(raw)}' is not a number: {error.message}") from None
    if isinstance(parsed, list):
        raise ValueError("expected a number, not a list")
    number = float(parsed)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"'{short(raw)}' is not a finite number")
    return Fraction(number)


def short(text: str, limit: int = 40) -> str:
    """Text on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def num(q: Fraction) -> str:
    """An exact number as people write it: 2, -1.5, 0.125, 1/3."""
    if q.denominator == 1:
        text = str(q.numerator)
        return text if len(text) <= 15 else fmt.number(float(q))
    den, twos, fives = q.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    places = max(twos, fives)
    if den == 1 and places <= 8:
        scaled = abs(q.numerator) * (10 ** places // q.denominator)
        digits = str(scaled).rjust(places + 1, "0")
        sign = "-" if q < 0 else ""
        return f"{sign}{digits[:-places]}.{digits[-places:]}"
    text = f"{q.numerator}/{q.denominator}"
    return text if len(text) <= 15 else fmt.number(float(q))


def plain_number(q: Fraction) -> int | float | str:
    """A number for YAML and JSON: an int, a float that reads back exactly, else "a/b"."""
    if q.denominator == 1:
        return q.numerator
    if Fraction(repr(float(q))) == q:
        return float(q)
    return f"{q.numerator}/{q.denominator}"


def close(given: Fraction, expected: Fraction, tol: Tolerance) -> bool:
    """Within the exercise's absolute or relative tolerance."""
    gap = abs(given - expected)
    return gap <= Fraction(tol.floor) or gap <= Fraction(tol.rel) * abs(expected)
