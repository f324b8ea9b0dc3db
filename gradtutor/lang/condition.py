"""Conditions for `variants: require:` — one comparison between two expressions.

Comparisons are not part of the expression language: an ordinary expression never parses
one. Only `require:` reads them, through `parse_condition`, which splits the text at its
single top-level comparison and parses each side as an ordinary expression.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.errors import ParseError
from .expr import Expr
from .parser import parse_expression

COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")


@dataclass(frozen=True)
class Condition:
    """`left op right`, as written in `text`."""

    left: Expr
    op: str
    right: Expr
    text: str


def parse_condition(text: str) -> Condition:
    """One comparison (`abs(z1) > 0.2`, `f4 < 10`); raises ParseError otherwise."""
    found = _comparisons(text)
    if len(found) != 1:
        what = "no comparison" if not found else f"{len(found)} comparisons"
        raise ParseError(f"a condition is one comparison ({', '.join(COMPARISONS)}) between "
                         f"two expressions, like 'abs(z1) > 0.2'; '{text[:60]}' has {what}")
    at, op = found[0]
    left, right = text[:at].strip(), text[at + len(op):].strip()
    if not left or not right:
        raise ParseError(f"'{text[:60]}': the comparison '{op}' needs an expression on each "
                         "side")
    return Condition(parse_expression(left), op, parse_expression(right), text)


def _comparisons(text: str) -> list[tuple[int, str]]:
    """Where each comparison operator outside brackets starts, and which it is."""
    found: list[tuple[int, str]] = []
    depth, index = 0, 0
    while index < len(text):
        char = text[index]
        depth += char in "([" and 1 or 0
        depth -= char in ")]" and 1 or 0
        op = next((c for c in COMPARISONS if text.startswith(c, index)), None)
        if op is not None and depth == 0:
            found.append((index, op))
            index += len(op)
            continue
        index += 1
    return found
