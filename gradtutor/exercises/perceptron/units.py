"""Step units: z = w1*x1 + ... + wn*xn + b and output g(z), and their arithmetic written out.

A unit's weights are a tuple w1..wn, then the bias b; answers name them w1, ..., wn, b.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from .exact import num

Weights = tuple[Fraction, ...]  # w1..wn, then b
Row = tuple[Fraction, ...]
MAX_INPUTS = 8  # of a unit, and so of a truth table


def net_input(weights: Weights, x: Row) -> Fraction:
    """z = w1*x1 + ... + wn*xn + b."""
    total = weights[-1]
    for w, xi in zip(weights[:-1], x, strict=True):
        total += w * xi
    return total


def step(z: Fraction, at_zero: int) -> int:
    """g(z): 1 when z > 0, 0 when z < 0, `at_zero` when z = 0."""
    return 1 if z > 0 else 0 if z < 0 else at_zero


def outputs(weights: Weights, rows: Sequence[Row], at_zero: int) -> list[int]:
    """The unit's output on every row."""
    return [step(net_input(weights, x), at_zero) for x in rows]


def weight_keys(n: int, prefix: str = "") -> list[str]:
    """The answer keys of a unit with n inputs: w1..wn, b (after `prefix`, e.g. 'h1.')."""
    return [f"{prefix}w{i}" for i in range(1, n + 1)] + [f"{prefix}b"]


def g_text(at_zero: int) -> str:
    return "g(z) = 1 if z >= 0 else 0" if at_zero else "g(z) = 1 if z > 0 else 0"


def z_text(weights: Weights, x: Row) -> str:
    """The arithmetic of z: '1*0 + 1*1 - 1 = 0'."""
    text = ""
    for k, (w, xi) in enumerate(zip(weights[:-1], x, strict=True)):
        factor = f"({num(xi)})" if xi < 0 else num(xi)
        if k == 0:
            text = f"{num(w)}*{factor}"
        else:
            text += f" {'-' if w < 0 else '+'} {num(abs(w))}*{factor}"
    b = weights[-1]
    text += f" {'-' if b < 0 else '+'} {num(abs(b))}"
    return f"{text} = {num(net_input(weights, x))}"


def unit_text(weights: Weights, names: Sequence[str]) -> str:
    """The unit as a formula of its inputs' names: g(x1 + x2 - 1)."""
    terms = []
    for w, name in zip(weights[:-1], names, strict=True):
        if w == 0:
            continue
        sign = "-" if w < 0 else "+"
        size = "" if abs(w) == 1 else f"{num(abs(w))}*"
        terms.append((sign, f"{size}{name}"))
    b = weights[-1]
    if b != 0 or not terms:
        terms.append(("-" if b < 0 else "+", num(abs(b))))
    text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    text += "".join(f" {sign} {term}" for sign, term in terms[1:])
    return f"g({text})"


def weights_text(weights: Weights) -> str:
    """'w1=2, w2=1, b=-3'."""
    keys = weight_keys(len(weights) - 1)
    return ", ".join(f"{k}={num(v)}" for k, v in zip(keys, weights, strict=True))


def row_text(x: Row) -> str:
    """'(0, 1)'."""
    return "(" + ", ".join(num(v) for v in x) + ")"


def rows_text(texts: Sequence[str]) -> str:
    """'a and b', 'a, b and c'."""
    if len(texts) <= 2:
        return " and ".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]
