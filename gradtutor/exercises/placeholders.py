"""Placeholders in the text of an exercise with `variants:`: `{x}` in its description or a
hint is the given value x at the student's numbers, `{x:.2f}` formatted as written.

A placeholder is a given value's name in braces, with an optional format: a sign (`+`),
then a precision (`.2`), then a type (`f` fixed, `e` exponent, `g` general, `%` percent),
as in Python's format mini-language; vectors and matrices are written entry by entry in
the list syntax of answers. After `^` or `_` (LaTeX's `e^{x}`) the value keeps its
braces (`e^{-2}`). Anything else in braces (`e^{-x}` in a formula, `{ x }`, a name
that is no given value) stays as written; the text is never evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from ..base import fmt

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}\s]{0,12}))?\}")
FORMAT = re.compile(r"^\+?(\.\d{1,2})?[fegG%]?$")
FORMAT_HELP = ("a placeholder's format is like {x:.2f}: an optional +, a precision (.0 to "
               ".99) and a type (f, e, g or %)")


def bad_formats(text: str, given: Mapping[str, object]) -> list[str]:
    """The placeholders for given values whose format is not one `fill` writes."""
    return [match.group(0) for match in PLACEHOLDER.finditer(text)
            if match.group(1) in given and match.group(2) is not None
            and not FORMAT.match(match.group(2))]


def fill(text: str, given: Mapping[str, np.ndarray]) -> str:
    """The text with each placeholder for a given value replaced by the value."""

    def value(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in given or (spec is not None and not FORMAT.match(spec)):
            return match.group(0)
        shown = written(given[name], spec or "")
        # a superscript or subscript in LaTeX (e^{x}) keeps its braces: e^{-2}, not e^-2
        before = match.string[match.start() - 1] if match.start() else ""
        return f"{{{shown}}}" if before in "^_" and before else shown

    return PLACEHOLDER.sub(value, text)


def written(value: np.ndarray, spec: str) -> str:
    """A number, vector or matrix written with the format (default: as answers are shown)."""
    array = np.asarray(value, dtype=float)
    if not spec:
        return fmt.value(array)
    if array.ndim == 0:
        return format(float(array), spec)
    if array.ndim == 1:
        return "[" + ", ".join(format(float(x), spec) for x in array) + "]"
    return "[" + ", ".join(written(row, spec) for row in array) + "]"


def uses_placeholders(text: str, given: Mapping[str, object]) -> bool:
    """Whether the text names a given value in braces (and so shows each student's own)."""
    return any(match.group(1) in given for match in PLACEHOLDER.finditer(text))
