"""Perceptron exercises: truth tables, step units, the learning rule, and why XOR needs a
hidden layer.

Every number is an exact fraction (`fractions.Fraction`), read from the digits as written,
so that z = 0 is decided exactly: the step convention at z = 0 is what the AND and OR
exercises turn on. Answers are checked by behaviour: any weights that give the target on
every row are correct.

Separability is decided exactly, never by "the learning rule did not converge". A table is
separable when the learning rule converges (the weights it ends with are the proof); when
it does not converge quickly, the rows are searched for a Radon certificate: rows with
target 1 and rows with target 0 that have a common weighted average. By Kirchberger's
theorem a non-separable table has one among at most n + 2 rows, and a minimal one is the
unique affine dependency of its rows, so every subset of up to n + 2 rows is tried. If none
is found the table is separable after all, and weights come from a vertex of the linear
program s_i (w.x_i + b) >= 1.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from . import fmt, limits
from .answers import Answers
from .errors import GradtutorError, LimitError
from .exercise import (
    DEFAULT_ABS,
    DEFAULT_REL,
    ID_PATTERN,
    NAME_PATTERN,
    Problems,
    SelfTest,
    Tolerance,
    unknown_keys,
)
from .parser import parse_value_text
from .results import FileResult, StepResult, finish
from .yamlio import Loaded

PERCEPTRON_KEYS = ("id", "title", "description", "kind", "inputs", "table", "activation",
                   "ask", "hidden", "learning_rule", "tolerance", "follow_through", "tests")
ASKS = ("weights", "network", "trace")
MAX_INPUTS = 8
MAX_ROWS = 64
MAX_HIDDEN = 16
MAX_UPDATES = 500
MAX_EPOCHS = 1000  # of the learning rule before the exact separability search is used
MAX_SUBSETS = 50_000  # groups of rows the exact separability search may try
QUICK_EPOCHS = 50  # of the learning rule before the exact search
MAX_TRACE = 20_000  # presentations kept for `solve`
Weights = tuple[Fraction, ...]  # w1..wn, then b
Row = tuple[Fraction, ...]


# -- numbers ---------------------------------------------------------------------------------

_DECIMAL_TEXT = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE]([-+]?\d+))?\s*")
_RATIO_TEXT = re.compile(r"\s*([-+]?\d+)\s*/\s*(\d+)\s*")
_MAX_EXPONENT = 300


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
        value = _from_text(text) if text else None
        value = Fraction(raw) if value is None else value
    elif isinstance(raw, str):
        value = _from_string(raw)
    else:
        raise ValueError(f"expected a number, not {_kind_of(raw)}")
    if abs(value) > limits.MAX_CONSTANT:
        raise ValueError("too large: numbers here are at most 1e300 in size")
    return value


def _from_text(text: str) -> Fraction | None:
    """A decimal or a ratio written as digits, exactly; None when it is neither."""
    decimal = _DECIMAL_TEXT.fullmatch(text)
    if decimal:
        if decimal.group(1) and abs(int(decimal.group(1))) > _MAX_EXPONENT:
            raise ValueError(f"exponent out of range in '{text.strip()[:40]}'")
        return Fraction(text.strip())
    ratio = _RATIO_TEXT.fullmatch(text)
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
        raise ValueError(f"'{_short(raw)}' is not a number: {error.message}") from None
    if isinstance(parsed, list):
        raise ValueError("expected a number, not a list")
    number = float(parsed)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"'{_short(raw)}' is not a finite number")
    return Fraction(number)


def _kind_of(value: object) -> str:
    return {list: "a list", dict: "a mapping", str: "text"}.get(type(value),
                                                                type(value).__name__)


def _short(text: str, limit: int = 40) -> str:
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
    return gap <= Fraction(tol.abs) or gap <= Fraction(tol.rel) * abs(expected)


# -- step units ------------------------------------------------------------------------------


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
    return [step(net_input(weights, x), at_zero) for x in rows]


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


def row_text(x: Row) -> str:
    return "(" + ", ".join(num(v) for v in x) + ")"


def rows_text(texts: Sequence[str]) -> str:
    if len(texts) <= 2:
        return " and ".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


# -- the learning rule -----------------------------------------------------------------------


@dataclass(frozen=True)
class LearningRule:
    initial: Weights  # w1..wn, b
    rate: Fraction
    updates: int | None = None  # presentations asked for a trace; None: until convergence


@dataclass(frozen=True)
class TraceStep:
    """One presentation of one row: update `index` (from 1) in `epoch` (from 1)."""

    index: int
    epoch: int
    row: int  # 0-based index into the table
    z: Fraction
    output: int
    target: int
    weights: Weights  # after the update (unchanged when the output was right)

    @property
    def changed(self) -> bool:
        return self.output != self.target


def apply_rule(weights: Weights, x: Row, target: int, output: int, rate: Fraction) -> Weights:
    """w <- w + rate (target - output) x, and b <- b + rate (target - output)."""
    delta = rate * (target - output)
    if delta == 0:
        return weights
    return (*(w + delta * xi for w, xi in zip(weights[:-1], x, strict=True)), weights[-1] + delta)


def presentations(rows: Sequence[Row], targets: Sequence[int], at_zero: int,
                  rule: LearningRule) -> Iterator[TraceStep]:
    """The learning rule, forever: the rows in table order, epoch after epoch."""
    # Whole numbers run as ints, which are exact too and many times faster than Fractions.
    lean_rows = [tuple(_lean(v) for v in x) for x in rows]
    weights: Weights = tuple(_lean(v) for v in rule.initial)  # type: ignore[misc]
    rate = _lean(rule.rate)
    index = 0
    for epoch in itertools.count(1):
        for r, (x, t) in enumerate(zip(lean_rows, targets, strict=True)):
            index += 1
            z = net_input(weights, x)  # type: ignore[arg-type]
            out = step(z, at_zero)
            weights = apply_rule(weights, x, t, out, rate)  # type: ignore[arg-type]
            yield TraceStep(index, epoch, r, Fraction(z), out, t,
                            tuple(Fraction(w) for w in weights))


def _lean(value: Fraction) -> Fraction | int:
    return value.numerator if value.denominator == 1 else value


def run_rule(rows: Sequence[Row], targets: Sequence[int], at_zero: int, rule: LearningRule,
             *, max_epochs: int = MAX_EPOCHS) -> tuple[list[TraceStep], bool]:
    """The trace through the first epoch without a mistake, or `max_epochs` epochs."""
    trace: list[TraceStep] = []
    mistakes = 0
    for item in presentations(rows, targets, at_zero, rule):
        if item.epoch > max_epochs:
            return trace, False
        trace.append(item)
        mistakes += item.changed
        if item.row == len(rows) - 1:
            if mistakes == 0:
                return trace, True
            mistakes = 0
    raise AssertionError("unreachable")  # pragma: no cover


def first_updates(rows: Sequence[Row], targets: Sequence[int], at_zero: int,
                  rule: LearningRule, count: int) -> list[TraceStep]:
    return list(itertools.islice(presentations(rows, targets, at_zero, rule), count))


# -- exact linear algebra --------------------------------------------------------------------


def _rref(matrix: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form and the pivot columns."""
    rows = [list(r) for r in matrix]
    pivots: list[int] = []
    width = len(rows[0]) if rows else 0
    top = 0
    for col in range(width):
        pick = next((r for r in range(top, len(rows)) if rows[r][col] != 0), None)
        if pick is None:
            continue
        rows[top], rows[pick] = rows[pick], rows[top]
        lead = rows[top][col]
        rows[top] = [v / lead for v in rows[top]]
        for r in range(len(rows)):
            if r != top and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[top], strict=True)]
        pivots.append(col)
        top += 1
        if top == len(rows):
            break
    return rows, pivots


def nullspace(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """A basis of {v : matrix @ v = 0}, exactly."""
    reduced, pivots = _rref(matrix)
    width = len(matrix[0])
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [Fraction(0)] * width
        vector[free] = Fraction(1)
        for r, p in enumerate(pivots):
            vector[p] = -reduced[r][free]
        basis.append(vector)
    return basis


def _solve_square(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """The solution of a square system, or None when it is singular."""
    augmented = [[*row, b] for row, b in zip(matrix, rhs, strict=True)]
    reduced, pivots = _rref(augmented)
    if pivots != list(range(len(matrix))):
        return None
    return [reduced[i][-1] for i in range(len(matrix))]


# -- separability ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """Rows with target 1 and rows with target 0 whose weighted averages are one point.

    Coefficients are positive and add up to 1 on each side: sum a_i x_i = point =
    sum b_j x_j. Since z = w.x + b is affine, z(point) is the same average of the rows' z,
    which would have to be >= 0 and < 0 at once.
    """

    ones: tuple[tuple[int, Fraction], ...]  # (row index, coefficient)
    zeros: tuple[tuple[int, Fraction], ...]
    point: Row

    def verify(self, rows: Sequence[Row], targets: Sequence[int]) -> bool:
        """True when the certificate proves that no single perceptron computes the table."""
        for side, label in ((self.ones, 1), (self.zeros, 0)):
            if not side or sum(c for _, c in side) != 1 or any(c <= 0 for _, c in side) or \
                    any(targets[i] != label for i, _ in side):
                return False
            average = tuple(sum(c * rows[i][k] for i, c in side) for k in range(len(self.point)))
            if average != self.point:
                return False
        return True


def subsets_needed(count: int, inputs: int) -> int:
    """How many groups of rows the exact search may try: every group of 2 to n + 2."""
    return sum(math.comb(count, k) for k in range(2, min(inputs + 2, count) + 1))


def find_certificate(rows: Sequence[Row], targets: Sequence[int]) -> Certificate | None:
    """The smallest Radon certificate of non-separability, or None if the table is separable.

    Raises LimitError when the table is too large to search within MAX_SUBSETS groups.
    """
    n = len(rows[0])
    needed = subsets_needed(len(rows), n)
    if needed > MAX_SUBSETS:
        raise LimitError(f"too large to decide separability exactly: {len(rows)} rows of {n} "
                         f"inputs mean {needed:,} groups of rows to try (the limit is "
                         f"{MAX_SUBSETS:,}); use fewer rows or inputs")
    for size in range(2, min(n + 2, len(rows)) + 1):
        for group in itertools.combinations(range(len(rows)), size):
            found = _radon(group, rows, targets)
            if found is not None:
                return found
    return None


def _radon(group: tuple[int, ...], rows: Sequence[Row], targets: Sequence[int]
           ) -> Certificate | None:
    if len({targets[i] for i in group}) < 2:
        return None
    n = len(rows[0])
    matrix = [[rows[i][k] for i in group] for k in range(n)] + [[Fraction(1)] * len(group)]
    basis = nullspace(matrix)
    if len(basis) != 1:
        return None
    lam = basis[0]
    if any(v == 0 for v in lam):
        return None
    if (lam[0] > 0) != (targets[group[0]] == 1):
        lam = [-v for v in lam]
    if any((v > 0) != (targets[i] == 1) for i, v in zip(group, lam, strict=True)):
        return None
    total = sum(v for v in lam if v > 0)
    ones = tuple((i, v / total) for i, v in zip(group, lam, strict=True) if v > 0)
    zeros = tuple((i, -v / total) for i, v in zip(group, lam, strict=True) if v < 0)
    point = tuple(sum(c * rows[i][k] for i, c in ones) for k in range(n))
    return Certificate(ones, zeros, point)


def vertex_weights(rows: Sequence[Row], targets: Sequence[int]) -> Weights | None:
    """Weights with z >= 1 on target-1 rows and z <= -1 on the others, or None.

    A vertex of that polyhedron (restricted to the span of the rows, where it is pointed)
    is fixed by as many tight rows as the rank: every such choice is tried.
    """
    lifted = [(*x, Fraction(1)) for x in rows]
    signs = [Fraction(1 if t else -1) for t in targets]
    basis: list[Row] = []
    for vector in lifted:
        if len(_rref([list(b) for b in (*basis, vector)])[1]) > len(basis):
            basis.append(vector)
    reduced = [[_dot(a, b) for b in basis] for a in lifted]
    for group in itertools.combinations(range(len(rows)), len(basis)):
        coefficients = _solve_square([reduced[i] for i in group], [signs[i] for i in group])
        if coefficients is None:
            continue
        weights = tuple(sum(c * b[k] for c, b in zip(coefficients, basis, strict=True))
                        for k in range(len(lifted[0])))
        if all(s * _dot(a, weights) >= 1 for s, a in zip(signs, lifted, strict=True)):
            return weights
    return None


def _dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


@dataclass
class Separation:
    """What the exact decision found: weights, or a certificate that none exist."""

    separable: bool
    weights: Weights | None
    certificate: Certificate | None
    trace: list[TraceStep]  # the learning rule's, through convergence or MAX_EPOCHS
    converged: bool


def separate(rows: Sequence[Row], targets: Sequence[int], at_zero: int,
             rule: LearningRule) -> Separation:
    """Decide exactly whether one perceptron computes the table, with the proof either way.

    The learning rule gets a few epochs first (most separable tables settle at once), then
    the exact search for a certificate, then the rule gets its full run, and last comes
    linear programming.
    """
    trace, converged = run_rule(rows, targets, at_zero, rule, max_epochs=QUICK_EPOCHS)
    if converged:
        return Separation(True, trace[-1].weights, None, trace, True)
    try:
        certificate = find_certificate(rows, targets)
    except LimitError:
        trace, converged = run_rule(rows, targets, at_zero, rule)
        if converged:
            return Separation(True, trace[-1].weights, None, trace, True)
        raise
    if certificate is not None:
        return Separation(False, None, certificate, [], False)
    trace, converged = run_rule(rows, targets, at_zero, rule)
    if converged:
        return Separation(True, trace[-1].weights, None, trace, True)
    return Separation(True, vertex_weights(rows, targets), None, trace, False)


# -- naming the function a unit computes -----------------------------------------------------


@dataclass(frozen=True)
class Named:
    code: str  # the diagnosis code, e.g. computes-or
    name: str  # as people say it: OR, NAND, x1 AND NOT x2, always 1


def name_function(rows: Sequence[Row], values: Sequence[int],
                  inputs: Sequence[str]) -> Named | None:
    """The well-known function a complete 0/1 truth table computes, or None."""
    n = len(inputs)
    points = [tuple(int(v) for v in x) for x in rows]
    if n > MAX_INPUTS or len(set(points)) != 2 ** n or \
            any(v not in (0, 1) for x in points for v in x):
        return None
    table = dict(zip(points, values, strict=True))
    ones = [x for x in points if table[x]]
    if not ones or len(ones) == len(points):
        return Named("computes-constant", "always 1" if ones else "always 0")
    return (_literal_or_clause(table, ones, inputs) or _parity(table, inputs)
            or _majority(table, inputs))


def _literal_or_clause(table: dict, ones: list, inputs: Sequence[str]) -> Named | None:
    zeros = [x for x in table if not table[x]]
    for side, negate in ((ones, False), (zeros, True)):
        fixed = {i: side[0][i] for i in range(len(inputs)) if len({x[i] for x in side}) == 1}
        if len(side) != 2 ** (len(inputs) - len(fixed)):
            continue
        if negate:  # the zeros form a subcube: an OR of the literals that avoid it
            fixed = {i: 1 - v for i, v in fixed.items()}
        return _clause(fixed, inputs, "OR" if negate else "AND")
    return None


def _clause(fixed: dict[int, int], inputs: Sequence[str], joiner: str) -> Named:
    literals = [inputs[i] if v else f"NOT {inputs[i]}" for i, v in sorted(fixed.items())]
    if len(fixed) == 1:
        value = next(iter(fixed.values()))
        return Named("computes-input" if value else "computes-not-input", literals[0])
    everything = len(fixed) == len(inputs)
    if everything and all(fixed.values()):
        return Named(f"computes-{joiner.lower()}", joiner)
    if everything and not any(fixed.values()):
        other = "NOR" if joiner == "AND" else "NAND"
        return Named(f"computes-{other.lower()}", other)
    return Named("computes-conjunction" if joiner == "AND" else "computes-disjunction",
                 f" {joiner} ".join(literals))


def _parity(table: dict, inputs: Sequence[str]) -> Named | None:
    if len(inputs) < 2:
        return None
    suffix = "" if len(inputs) == 2 else " (odd parity)"
    if all(table[x] == sum(x) % 2 for x in table):
        return Named("computes-xor", "XOR" + suffix)
    if all(table[x] == 1 - sum(x) % 2 for x in table):
        return Named("computes-xnor", "XNOR" + suffix.replace("odd", "even"))
    return None


def _majority(table: dict, inputs: Sequence[str]) -> Named | None:
    n = len(inputs)
    if n >= 3 and n % 2 and all(table[x] == (2 * sum(x) > n) for x in table):
        return Named("computes-majority", "MAJORITY")
    return None


# -- two-layer networks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Step units h1..hk reading the inputs, and an output unit reading h1..hk."""

    hidden: tuple[Weights, ...]  # each w1..wn, b
    out: Weights  # weights from h1..hk, then b
    how: str = ""  # how it works, in a sentence

    def run(self, x: Row, at_zero: int) -> tuple[tuple[int, ...], Fraction, int]:
        """The hidden outputs, the output unit's z, and the output."""
        hidden = tuple(step(net_input(w, x), at_zero) for w in self.hidden)
        z = net_input(self.out, tuple(Fraction(h) for h in hidden))
        return hidden, z, step(z, at_zero)


@lru_cache(maxsize=8)
def _small_candidates(n: int) -> np.ndarray:
    """Integer weights in [-2, 2] and biases in [-2n-1, 2n+1], simplest first."""
    reach = 2 * n + 1
    found = [(*w, b) for w in itertools.product(range(-2, 3), repeat=n)
             for b in range(-reach, reach + 1)]
    found.sort(key=lambda c: (sum(abs(v) for v in c), [-v for v in c]))
    return np.array(found, dtype=np.int64)


def _small_weights(rows: Sequence[Row], targets: Sequence[int], at_zero: int
                   ) -> Weights | None:
    """The simplest small-integer weights for a table of small whole numbers, or None."""
    if len(rows[0]) > 3 or any(v.denominator != 1 or abs(v) > 1000 for x in rows for v in x):
        return None
    candidates = _small_candidates(len(rows[0]))
    lifted = np.array([[int(v) for v in x] + [1] for x in rows], dtype=np.int64)
    z = candidates @ lifted.T  # exact: every entry is a small integer
    fired = (z > 0) | ((z == 0) & bool(at_zero))
    match = (fired == np.array(targets, dtype=bool)).all(axis=1)
    if not match.any():
        return None
    return tuple(Fraction(int(v)) for v in candidates[int(match.argmax())])


def nice_weights(rows: Sequence[Row], targets: Sequence[int], at_zero: int,
                 *, max_epochs: int = MAX_EPOCHS) -> Weights | None:
    """Simple weights computing a (partial) table: small integers if any, else found."""
    small = _small_weights(rows, targets, at_zero)
    if small is not None:
        return small
    rule = LearningRule(tuple(Fraction(0) for _ in range(len(rows[0]) + 1)), Fraction(1))
    trace, converged = run_rule(rows, targets, at_zero, rule, max_epochs=max_epochs)
    weights = trace[-1].weights if converged else None
    if weights is None and max_epochs >= MAX_EPOCHS and find_certificate(rows, targets) is None:
        weights = vertex_weights(rows, targets)
    return None if weights is None else integral(weights)


def integral(weights: Weights) -> Weights:
    """The same unit with whole-number weights: scaled by a positive factor."""
    scale = math.lcm(*(w.denominator for w in weights))
    return tuple(w * scale for w in weights)


def build_network(rows: Sequence[Row], targets: Sequence[int], at_zero: int,
                  separation: Separation) -> Network:
    """A two-layer network computing the table, with as few hidden units as found."""
    if separation.separable and separation.weights is not None:
        single = nice_weights(rows, targets, at_zero, max_epochs=100) or \
            integral(separation.weights)
        out = _out_weights([(0,), (1,)], [0, 1], at_zero)
        return Network((single,), out, "h1 alone computes the table; out copies it")
    return _two_units(rows, targets, at_zero) or _staircase(rows, targets, at_zero)


def _two_units(rows: Sequence[Row], targets: Sequence[int], at_zero: int) -> Network | None:
    """out = AND(h1, h2) (or OR), each hidden unit ruling out part of the zeros (ones)."""
    for joiner, label in (("AND", 0), ("OR", 1)):
        side = [i for i, t in enumerate(targets) if t == label]
        if not 2 <= len(side) <= 8 or len(rows) > 16:
            continue
        for mask in range(2 ** (len(side) - 1)):
            first = [side[0], *(i for j, i in enumerate(side[1:]) if mask >> j & 1)]
            second = [i for i in side if i not in first]
            units = [_unit_excluding(rows, targets, part, label, at_zero)
                     for part in (first, second) if part]
            if len(units) == 2 and all(u is not None for u in units):
                hidden = tuple(u for u in units if u is not None)
                patterns = sorted({tuple(step(net_input(w, x), at_zero) for w in hidden)
                                   for x in rows})
                wanted = [int(all(p)) if joiner == "AND" else int(any(p)) for p in patterns]
                out = _out_weights(patterns, wanted, at_zero)
                return Network(hidden, out, f"out is the {joiner} of h1 and h2")
    return None


def _unit_excluding(rows: Sequence[Row], targets: Sequence[int], part: list[int], label: int,
                    at_zero: int) -> Weights | None:
    """A unit that agrees with the target on every row of `part` and every other-label row."""
    chosen = [i for i, t in enumerate(targets) if t != label or i in part]
    sub_rows = [rows[i] for i in chosen]
    sub_targets = [targets[i] for i in chosen]
    return nice_weights(sub_rows, sub_targets, at_zero, max_epochs=100)


def _out_weights(patterns: Sequence[tuple[int, ...]], wanted: Sequence[int],
                 at_zero: int) -> Weights:
    rows = [tuple(Fraction(v) for v in p) for p in patterns]
    found = nice_weights(rows, wanted, at_zero)
    if found is None:  # pragma: no cover - the constructions only ask for AND, OR or a copy
        raise GradtutorError("internal: no output unit for the hidden layer")
    return found


def _staircase(rows: Sequence[Row], targets: Sequence[int], at_zero: int) -> Network:
    """Any table of distinct rows: along a direction that separates every row, one hidden
    unit per change of target, each firing past its threshold; out alternates +2, -2."""
    direction = _generic_direction(rows)
    order = sorted(range(len(rows)), key=lambda i: _dot(direction, rows[i]))
    hidden: list[Weights] = []
    for before, after in itertools.pairwise(order):
        if targets[before] != targets[after]:
            mid = (_dot(direction, rows[before]) + _dot(direction, rows[after])) / 2
            hidden.append(integral((*direction, -mid)))
    first = targets[order[0]]
    sign = -1 if first else 1
    out = (*(Fraction(2 * sign * (-1) ** j) for j in range(len(hidden))), Fraction(-sign))
    return Network(tuple(hidden), out, f"the rows sorted by d.x with d = {row_text(direction)}:"
                   " each hidden unit marks one change of target, and out flips at each")


def _generic_direction(rows: Sequence[Row]) -> Row:
    n = len(rows[0])
    for base in itertools.count(2):
        direction = tuple(Fraction(base) ** k for k in range(n))
        if len({_dot(direction, x) for x in rows}) == len(rows):
            return direction
    raise AssertionError("unreachable")  # pragma: no cover


def pad_network(net: Network, hidden: int) -> Network:
    """The same network with unused hidden units (all weights 0) up to `hidden` units."""
    extra = hidden - len(net.hidden)
    if extra <= 0:
        return net
    width = len(net.hidden[0])
    blank = tuple(Fraction(0) for _ in range(width))
    out = (*net.out[:-1], *(Fraction(0) for _ in range(extra)), net.out[-1])
    return Network((*net.hidden, *(blank,) * extra), out,
                   net.how + f"; h{len(net.hidden) + 1}..h{hidden} are unused (weight 0)")


# -- exercises -------------------------------------------------------------------------------


@dataclass
class AskPart:
    what: str  # weights | network | trace
    weight: float = 1.0  # per step: a trace has one step per update
    hint: str | None = None
    line: int | None = None


@dataclass
class PerceptronExercise:
    id: str
    title: str
    description: str
    inputs: list[str]  # names, for messages only: answers use w1..wn by position
    rows: list[Row]
    targets: list[int]
    at_zero: int  # g(0): 1 (output 1 when z >= 0, the notes' convention) or 0
    ask: list[AskPart]
    hidden: int  # hidden units of the asked network
    rule: LearningRule
    tolerance: Tolerance
    follow_through: float
    tests: list[SelfTest]
    source: str
    separable: bool = True
    kind: str = "perceptron"
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.inputs)

    def asks(self, what: str) -> AskPart | None:
        return next((part for part in self.ask if part.what == what), None)

    def trace_length(self) -> int:
        """The updates a trace asks for: as given, else through the rule's convergence."""
        if self.rule.updates is not None:
            return self.rule.updates
        trace, _ = run_rule(self.rows, self.targets, self.at_zero, self.rule)
        return min(len(trace), MAX_UPDATES)


def weight_keys(n: int, prefix: str = "") -> list[str]:
    return [f"{prefix}w{i}" for i in range(1, n + 1)] + [f"{prefix}b"]


def network_keys(n: int, hidden: int) -> list[str]:
    keys = [key for j in range(1, hidden + 1) for key in weight_keys(n, f"h{j}.")]
    return keys + weight_keys(hidden, "out.")


def trace_keys(n: int, update: int) -> list[str]:
    return [f"{key}@{update}" for key in weight_keys(n)]


def perceptron_from_yaml(loaded: Loaded) -> PerceptronExercise:
    """Load and check a `kind: perceptron` exercise; every problem is reported at once."""
    return _Loader(loaded).load()


class _Loader:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.data: dict = loaded.data
        self.problems = Problems(loaded)

    def load(self) -> PerceptronExercise:
        problems = self.problems
        unknown_keys(self.data, PERCEPTRON_KEYS, (), problems)
        ex_id = self.text("id", required=True)
        if ex_id is not None and not ID_PATTERN.match(ex_id):
            problems.add(("id",), f"'{ex_id}' is not a valid id: use lower-case letters, "
                         "digits and '-'")
        title = self.text("title", required=True) or ""
        description = self.text("description") or ""
        rows, targets = self.table()
        n = len(rows[0]) if rows else 0
        inputs = self.inputs(n)
        at_zero = self.activation()
        ask = self.ask()
        hidden = self.whole("hidden", low=1, high=MAX_HIDDEN)
        rule = self.rule(n)
        tolerance = self.tolerance()
        follow = self.fraction_field("follow_through", default=1.0)
        tests = self.tests()
        problems.raise_if_any()
        ex = PerceptronExercise(ex_id or "", title, description, inputs, rows, targets,
                                at_zero, ask, hidden or 0, rule, tolerance, follow, tests,
                                self.loaded.file,
                                lines={k[0]: v for k, v in self.loaded.key_lines.items()
                                       if len(k) == 1})
        self.analyse(ex, hidden)
        problems.raise_if_any()
        return ex

    # -- fields -------------------------------------------------------------------------------
    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.add((), f"missing '{key}'")
            return None
        if not isinstance(value, str):
            self.problems.add((key,), f"'{key}' must be text, not {_kind_of(value)}")
            return None
        return value

    def whole(self, key: str, *, low: int, high: int, within: tuple = ()) -> int | None:
        holder = self.data
        for part in within:
            holder = holder.get(part) if isinstance(holder, dict) else None
        value = holder.get(key) if isinstance(holder, dict) else None
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problems.add((*within, key), f"'{key}' must be a whole number from {low} to "
                              f"{high}, not {_shown(value)}")
            return None
        return value

    def fraction_field(self, key: str, *, default: float, within: tuple = (),
                       high: float = 1.0) -> float:
        holder = self.data
        for part in within:
            holder = holder.get(part) if isinstance(holder, dict) else None
        value = holder.get(key) if isinstance(holder, dict) else None
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not 0 <= value <= high:
            self.problems.add((*within, key), f"'{key}' must be a number from 0 to {high:g}, "
                              f"not {_shown(value)}")
            return default
        return float(value)

    def number_at(self, path: tuple, raw: object) -> Fraction | None:
        try:
            return read_number(raw, self.loaded.texts.get(path))
        except ValueError as error:
            self.problems.add(path, str(error))
            return None

    def table(self) -> tuple[list[Row], list[int]]:
        raw = self.data.get("table")
        shape = "a list of rows like [0, 1, 1]: the inputs, then the target (0 or 1)"
        if not isinstance(raw, list) or not raw:
            self.problems.add(("table",) if "table" in self.data else (),
                              f"'table' must be {shape}" if "table" in self.data
                              else f"missing 'table': {shape}")
            return [], []
        if len(raw) > MAX_ROWS:
            self.problems.add(("table",), f"a table has at most {MAX_ROWS} rows, not {len(raw)}")
            return [], []
        rows: list[Row] = []
        targets: list[int] = []
        seen: dict[Row, int] = {}
        width = next((len(e) for e in raw if isinstance(e, list) and len(e) >= 2), 0)
        for index, entry in enumerate(raw):
            row = self.row(index, entry, width)
            if row is None:
                continue
            *x, t = row
            if tuple(x) in seen:
                self.problems.add(("table", index), f"the same inputs as table[{seen[tuple(x)]}]: "
                                  "each combination of inputs appears once")
                continue
            seen[tuple(x)] = index
            rows.append(tuple(x))
            targets.append(int(t))
        return rows, targets

    def row(self, index: int, entry: object, width: int) -> Row | None:
        path = ("table", index)
        if not isinstance(entry, list) or len(entry) < 2:
            self.problems.add(path, "a row is a list: the inputs, then the target, e.g. [0, 1, 1]")
            return None
        if len(entry) != width:
            self.problems.add(path, f"this row has {len(entry)} values, the first row has "
                              f"{width}")
            return None
        if width - 1 > MAX_INPUTS:
            self.problems.add(path, f"at most {MAX_INPUTS} inputs, not {width - 1}")
            return None
        values = [self.number_at((*path, k), v) for k, v in enumerate(entry)]
        if any(v is None for v in values):
            return None
        if values[-1] not in (0, 1):
            self.problems.add((*path, width - 1), "the target (the last value of a row) must "
                              f"be 0 or 1, not {num(values[-1])}")  # type: ignore[arg-type]
            return None
        return tuple(v for v in values if v is not None)

    def inputs(self, n: int) -> list[str]:
        default = [f"x{i}" for i in range(1, n + 1)]
        raw = self.data.get("inputs")
        if raw is None:
            return default
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.problems.add(("inputs",), "'inputs' must be a list of names, e.g. [x1, x2]")
            return default
        if n and len(raw) != n:
            self.problems.add(("inputs",), f"{len(raw)} input names, but the rows of 'table' "
                              f"have {n} inputs (then the target)")
            return default
        for index, name in enumerate(raw):
            if not NAME_PATTERN.match(name) or name == "b" or raw.index(name) != index:
                reason = "the bias's name" if name == "b" else "repeated" \
                    if raw.index(name) != index else "not a valid name"
                self.problems.add(("inputs", index), f"input name '{_short(name)}' is {reason}")
                return default
        return list(raw)

    def activation(self) -> int:
        raw = self.data.get("activation", "step")
        expected = "'activation' must be step or {step: {at_zero: 1}} (at_zero: 1 or 0)"
        if raw == "step":
            return 1
        if not isinstance(raw, dict) or list(raw) != ["step"]:
            self.problems.add(("activation",), expected)
            return 1
        inner = raw["step"]
        if inner is None:
            return 1
        if not isinstance(inner, dict):
            self.problems.add(("activation", "step"), expected)
            return 1
        unknown_keys(inner, ("at_zero",), ("activation", "step"), self.problems)
        value = inner.get("at_zero", 1)
        if isinstance(value, bool) or value not in (0, 1):
            self.problems.add(("activation", "step", "at_zero"), "at_zero is g(0), the output "
                              f"when z = 0: 1 (z >= 0 fires) or 0 (z > 0 fires), not "
                              f"{_shown(value)}")
            return 1
        return int(value)

    def ask(self) -> list[AskPart]:
        raw = self.data.get("ask")
        if raw is None:
            return []  # filled in once separability is known
        entries = raw if isinstance(raw, list) else [raw]
        parts: list[AskPart] = []
        for index, entry in enumerate(entries):
            path = ("ask", index) if isinstance(raw, list) else ("ask",)
            part = self.ask_part(entry, path)
            if part is None:
                continue
            if any(p.what == part.what for p in parts):
                self.problems.add(path, f"'{part.what}' is asked twice")
                continue
            parts.append(part)
        if not parts and not self.problems.found:
            self.problems.add(("ask",), "'ask' must name weights, network or trace")
        return parts

    def ask_part(self, entry: object, path: tuple) -> AskPart | None:
        line = self.loaded.line(*path)
        weight: object = 1
        hint: object = None
        what = entry
        if isinstance(entry, dict):
            unknown_keys(entry, ("step", "weight", "hint"), path, self.problems)
            what, weight, hint = entry.get("step"), entry.get("weight", 1), entry.get("hint")
        if what not in ASKS:
            close_match = difflib.get_close_matches(str(what), ASKS, n=1)
            hint_text = f" (did you mean '{close_match[0]}'?)" if close_match else ""
            self.problems.add(path, f"cannot ask {_shown(what)}{hint_text}: ask weights (one "
                              "perceptron), network (two layers) or trace (the learning rule)")
            return None
        if isinstance(weight, bool) or not isinstance(weight, int | float) or \
                not 0 < weight < 1e6:
            self.problems.add((*path, "weight"), f"weight must be a positive number, not "
                              f"{_shown(weight)}")
            weight = 1
        if hint is not None and not isinstance(hint, str):
            self.problems.add((*path, "hint"), "hint must be text")
            hint = None
        return AskPart(str(what), float(weight), hint, line)  # type: ignore[arg-type]

    def rule(self, n: int) -> LearningRule:
        zero = tuple(Fraction(0) for _ in range(n + 1))
        raw = self.data.get("learning_rule")
        if raw is None:
            return LearningRule(zero, Fraction(1))
        path = ("learning_rule",)
        if not isinstance(raw, dict):
            self.problems.add(path, "'learning_rule' must be a mapping like {initial: {w1: 0, "
                              "w2: 0, b: 0}, rate: 1, updates: 8}")
            return LearningRule(zero, Fraction(1))
        unknown_keys(raw, ("initial", "rate", "updates"), path, self.problems)
        rate = Fraction(1)
        if raw.get("rate") is not None:
            rate = self.number_at((*path, "rate"), raw["rate"]) or Fraction(1)
            if rate <= 0:
                self.problems.add((*path, "rate"), "the learning rate must be positive")
        updates = self.whole("updates", low=1, high=MAX_UPDATES, within=path)
        return LearningRule(self.initial(raw.get("initial"), n, zero), rate, updates)

    def initial(self, raw: object, n: int, zero: Weights) -> Weights:
        path = ("learning_rule", "initial")
        if raw is None:
            return zero
        keys = weight_keys(n)
        if not isinstance(raw, dict):
            self.problems.add(path, f"'initial' must map {', '.join(keys)} to numbers")
            return zero
        unknown_keys(raw, tuple(keys), path, self.problems)
        values = [self.number_at((*path, key), raw[key]) if key in raw else Fraction(0)
                  for key in keys]
        return tuple(v if v is not None else Fraction(0) for v in values)

    def tolerance(self) -> Tolerance:
        raw = self.data.get("tolerance")
        if raw is None:
            return Tolerance()
        if not isinstance(raw, dict):
            self.problems.add(("tolerance",), "'tolerance' must be a mapping like "
                              "{rel: 0.01, abs: 1.0e-4}")
            return Tolerance()
        unknown_keys(raw, ("rel", "abs"), ("tolerance",), self.problems)
        rel = self.fraction_field("rel", default=DEFAULT_REL, within=("tolerance",))
        absolute = self.fraction_field("abs", default=DEFAULT_ABS, within=("tolerance",),
                                       high=1e300)
        return Tolerance(rel, absolute)

    def tests(self) -> list[SelfTest]:
        raw = self.data.get("tests") or []
        if not isinstance(raw, list):
            self.problems.add(("tests",), "'tests' must be a list of {answers, score}")
            return []
        tests = []
        for index, entry in enumerate(raw):
            path = ("tests", index)
            if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict) or \
                    isinstance(entry.get("score"), bool) or \
                    not isinstance(entry.get("score"), int | float):
                self.problems.add(path, "a self-test is {answers: {key: value, ...}, score: N}")
                continue
            unknown_keys(entry, ("answers", "score"), path, self.problems)
            prefix = (*path, "answers")
            texts = {key[len(prefix):]: text for key, text in self.loaded.texts.items()
                     if key[:len(prefix)] == prefix}
            tests.append(SelfTest(entry["answers"], float(entry["score"]),
                                  self.loaded.line(*path), texts))
        return tests

    # -- what needs the whole exercise --------------------------------------------------------
    def analyse(self, ex: PerceptronExercise, hidden: int | None) -> None:
        """Separability, the default ask, and whether what is asked can be answered."""
        try:
            separation = separate(ex.rows, ex.targets, ex.at_zero, ex.rule)
        except LimitError as error:
            self.problems.add(("table",), error.message)
            return
        ex.separable = separation.separable
        if not ex.ask:
            ex.ask = [AskPart("weights" if ex.separable else "network",
                              line=self.loaded.line())]
        name = name_function(ex.rows, ex.targets, ex.inputs)
        what = name.name if name else "this table"
        if ex.asks("weights") and not ex.separable:
            self.problems.add(("ask",), f"asks for the weights of one perceptron, but {what} "
                              "is not linearly separable: no single perceptron computes it "
                              "(ask for network instead)")
        if ex.asks("trace") and not ex.separable and ex.rule.updates is None:
            self.problems.add(("learning_rule",), f"{what} is not linearly separable, so the "
                              "learning rule never converges: give learning_rule.updates")
        if hidden is not None and not ex.asks("network"):
            self.problems.add(("hidden",), "'hidden' is the size of an asked network: "
                              "add network to 'ask' or remove it")
        if ex.asks("network"):
            needed = len(build_network(ex.rows, ex.targets, ex.at_zero, separation).hidden)
            ex.hidden = hidden or needed
            if ex.hidden < needed:
                self.problems.add(("hidden",), f"gradtutor's answer key for this table uses "
                                  f"{needed} hidden units; set hidden: {needed} or more")


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{_short(value)}'"
    return _short(text, 60)


def asked_text(ex: PerceptronExercise) -> str:
    """What the exercise asks, for `list`: 'weights w1, w2, b of one perceptron' etc."""
    parts = []
    for part in ex.ask:
        if part.what == "weights":
            parts.append(f"weights {', '.join(weight_keys(ex.n))} of one perceptron")
        elif part.what == "network":
            parts.append(f"a two-layer network with {ex.hidden} hidden units")
        else:
            parts.append(f"{ex.trace_length()} updates of the learning rule")
    return "; ".join(parts)


# -- checking answers ------------------------------------------------------------------------


@dataclass
class _Read:
    """A group of answer keys read together: the numbers, or why they could not be."""

    values: Weights | None
    verdict: str | None  # missing | invalid, when values is None
    message: str
    given: str | None
    line: int | None


def _read_group(answers: Answers, keys: Sequence[str]) -> _Read:
    present = [k for k in keys if k in answers.answers and answers.answers[k].raw is not None]
    line = next((answers.answers[k].line for k in present), None)
    given = ", ".join(f"{k}={_as_written(answers, k)}" for k in present) or None
    if not present:
        return _Read(None, "missing", "no answer", None, None)
    values: dict[str, Fraction] = {}
    problems = []
    for key in present:
        answer = answers.answers[key]
        try:
            values[key] = read_number(answer.raw, answer.texts.get(()))
        except ValueError as error:
            problems.append(f"{key}: {error}")
    if problems:
        return _Read(None, "invalid", "; ".join(problems), given, line)
    absent = [k for k in keys if k not in values]
    if absent:
        return _Read(None, "missing", f"no value for {rows_text(absent)}", given, line)
    return _Read(tuple(values[k] for k in keys), None, "", given, line)


def _as_written(answers: Answers, key: str) -> str:
    answer = answers.answers[key]
    text = answer.texts.get(())
    if text is None:
        text = answer.raw if isinstance(answer.raw, str) else _kind_of(answer.raw) \
            if isinstance(answer.raw, list | dict) else str(answer.raw)
    return _short(str(text), 20)


def _unanswered(name: str, part: AskPart, read: _Read, expected: str) -> StepResult:
    return StepResult(name, read.verdict or "missing", read.given, expected, 0.0, part.weight,
                      message=read.message, hint=part.hint, line=read.line)


def check_perceptron(ex: PerceptronExercise, answers: Answers) -> FileResult:
    """Every asked part: the weights and the network by behaviour, a trace update by update."""
    result = FileResult(ex.id, answers.file, answers.student)
    used: set[str] = set()
    for part in ex.ask:
        if part.what == "weights":
            result.steps.append(_check_weights(ex, part, answers, used))
        elif part.what == "network":
            result.steps.append(_check_network(ex, part, answers, used))
        else:
            result.steps.extend(_check_trace(ex, part, answers, used))
    result.notes.extend(_unasked(answers, used))
    return finish(result)


def _target_name(ex: PerceptronExercise) -> str:
    named = name_function(ex.rows, ex.targets, ex.inputs)
    return named.name if named else "the target"


def _check_weights(ex: PerceptronExercise, part: AskPart, answers: Answers,
                   used: set[str]) -> StepResult:
    keys = weight_keys(ex.n)
    used.update(keys)
    expected = f"computes {_target_name(ex)}"
    read = _read_group(answers, keys)
    if read.values is None:
        return _unanswered("weights", part, read, expected)
    weights = read.values
    outs = outputs(weights, ex.rows, ex.at_zero)
    wrong = [i for i, (o, t) in enumerate(zip(outs, ex.targets, strict=True)) if o != t]
    result = StepResult("weights", "correct", read.given, expected, part.weight, part.weight,
                        line=read.line)
    if not wrong:
        result.message = f"gives the target on all {len(ex.rows)} rows"
        return result
    code, explanation = _diagnose(ex, weights, outs, wrong)
    result.verdict, result.score, result.diagnosis, result.hint = "wrong", 0.0, code, part.hint
    result.message = _wrong_rows_message(ex, wrong) + (f"; {explanation}" if explanation else "")
    result.details = [f"{_inputs_text(ex)} = {row_text(ex.rows[i])}: z = "
                      f"{z_text(weights, ex.rows[i])} -> output {outs[i]}, target "
                      f"{ex.targets[i]}" for i in wrong]
    return result


def _inputs_text(ex: PerceptronExercise) -> str:
    return "(" + ", ".join(ex.inputs) + ")"


def _wrong_rows_message(ex: PerceptronExercise, wrong: list[int]) -> str:
    shown = [row_text(ex.rows[i]) for i in wrong[:8]]
    more = f" and {len(wrong) - 8} more" if len(wrong) > 8 else ""
    return (f"wrong on {len(wrong)} of {len(ex.rows)} rows: {_inputs_text(ex)} = "
            f"{rows_text(shown)}{more}")


def _diagnose(ex: PerceptronExercise, weights: Weights, outs: list[int],
              wrong: list[int]) -> tuple[str | None, str]:
    """A stable code and a sentence, only when the weights' behaviour shows the mistake."""
    code: str | None = None
    sentences = []
    named = name_function(ex.rows, outs, ex.inputs)
    if named is not None:
        code = named.code
        target = name_function(ex.rows, ex.targets, ex.inputs)
        sentences.append(f"these weights compute {named.name}" +
                         (f", not {target.name}" if target else ""))
    flipped = tuple(-w for w in weights)
    if outputs(flipped, ex.rows, ex.at_zero) == ex.targets:
        code = code or "sign-flipped"
        sentences.append("with every sign flipped they would be right")
    if all(net_input(weights, ex.rows[i]) == 0 for i in wrong):
        code = code or "at-zero-convention"
        sentences.append(f"every wrong row has z = 0 exactly, and here g(0) = {ex.at_zero} "
                         f"({g_text(ex.at_zero)}): move the boundary off those rows, e.g. by "
                         f"changing b a little")
    return code, "; ".join(sentences)


def _check_network(ex: PerceptronExercise, part: AskPart, answers: Answers,
                   used: set[str]) -> StepResult:
    keys = network_keys(ex.n, ex.hidden)
    used.update(keys)
    expected = f"computes {_target_name(ex)}"
    read = _read_group(answers, keys)
    if read.verdict == "missing" and read.given is None:
        single = _read_group(answers, weight_keys(ex.n))
        if single.values is not None:
            used.update(weight_keys(ex.n))
            return _single_for_network(ex, part, single, expected)
    if read.values is None:
        return _unanswered("network", part, read, expected)
    width = ex.n + 1
    net = Network(tuple(read.values[j * width:(j + 1) * width] for j in range(ex.hidden)),
                  read.values[ex.hidden * width:])
    runs = [net.run(x, ex.at_zero) for x in ex.rows]
    outs = [out for _, _, out in runs]
    wrong = [i for i, (o, t) in enumerate(zip(outs, ex.targets, strict=True)) if o != t]
    result = StepResult("network", "correct", read.given, expected, part.weight, part.weight,
                        line=read.line, details=_hidden_names(ex, net))
    if not wrong:
        result.message = f"gives the target on all {len(ex.rows)} rows"
        return result
    named = name_function(ex.rows, outs, ex.inputs)
    result.verdict, result.score, result.hint = "wrong", 0.0, part.hint
    result.diagnosis = named.code if named else None
    result.message = _wrong_rows_message(ex, wrong) + \
        (f"; the network computes {named.name}" if named else "")
    if any(_has_zero(net, ex.rows[i], ex.at_zero) for i in wrong):
        result.diagnosis = result.diagnosis or "at-zero-convention"
        result.message += (f"; on a wrong row some unit has z = 0 exactly, and here g(0) = "
                           f"{ex.at_zero} ({g_text(ex.at_zero)})")
    result.details = [_network_row(ex, net, i, runs[i]) for i in wrong] + result.details
    return result


def _has_zero(net: Network, x: Row, at_zero: int) -> bool:
    return any(net_input(w, x) == 0 for w in net.hidden) or net.run(x, at_zero)[1] == 0


def _network_row(ex: PerceptronExercise, net: Network, i: int,
                 run: tuple[tuple[int, ...], Fraction, int]) -> str:
    hidden, z, out = run
    units = ", ".join(f"h{j + 1} = g({num(net_input(w, ex.rows[i]))}) = {h}"
                      for j, (w, h) in enumerate(zip(net.hidden, hidden, strict=True)))
    return (f"{_inputs_text(ex)} = {row_text(ex.rows[i])}: {units}; out: z = {num(z)} -> "
            f"output {out}, target {ex.targets[i]}")


def _hidden_names(ex: PerceptronExercise, net: Network) -> list[str]:
    lines = []
    for j, w in enumerate(net.hidden):
        named = name_function(ex.rows, outputs(w, ex.rows, ex.at_zero), ex.inputs)
        if named is not None:
            lines.append(f"h{j + 1} computes {named.name}")
    return lines


def _single_for_network(ex: PerceptronExercise, part: AskPart, single: _Read,
                        expected: str) -> StepResult:
    """One perceptron's weights where a network is asked: checked, and why it cannot do."""
    weights = single.values or ()
    outs = outputs(weights, ex.rows, ex.at_zero)
    wrong = [i for i, (o, t) in enumerate(zip(outs, ex.targets, strict=True)) if o != t]
    named = name_function(ex.rows, outs, ex.inputs)
    keys = ", ".join(network_keys(ex.n, ex.hidden)[:ex.n + 1]) + ", ..."
    if ex.separable:
        return StepResult("network", "invalid", single.given, expected, 0.0, part.weight,
                          message=f"this step asks for a two-layer network ({keys}), not one "
                          "perceptron's weights", hint=part.hint, line=single.line)
    message = (f"{_target_name(ex)} is not linearly separable: no single perceptron computes "
               f"it, whatever its weights; a hidden layer is needed ({keys})")
    if wrong:
        message += "; " + _wrong_rows_message(ex, wrong) + \
            (f", since these weights compute {named.name}" if named else "")
    return StepResult("network", "wrong", single.given, expected, 0.0, part.weight,
                      diagnosis="needs-hidden-layer", message=message, hint=part.hint,
                      line=single.line,
                      details=[f"{_inputs_text(ex)} = {row_text(ex.rows[i])}: z = "
                               f"{z_text(weights, ex.rows[i])} -> output {outs[i]}, target "
                               f"{ex.targets[i]}" for i in wrong])


def _check_trace(ex: PerceptronExercise, part: AskPart, answers: Answers,
                 used: set[str]) -> list[StepResult]:
    """Each update against the true trace, and against the student's own previous weights."""
    count = ex.trace_length()
    truth = first_updates(ex.rows, ex.targets, ex.at_zero, ex.rule, count)
    results = []
    carried = ex.rule.initial  # the weights the student's own earlier answers lead to
    carried_true = True
    for item in truth:
        keys = trace_keys(ex.n, item.index)
        used.update(keys)
        x, t = ex.rows[item.row], item.target
        own_z = net_input(carried, x)
        own = apply_rule(carried, x, t, step(own_z, ex.at_zero), ex.rule.rate)
        read = _read_group(answers, keys)
        name = f"update {item.index}"
        expected = _weights_text(ex, item.weights)
        if read.values is None:
            results.append(_unanswered(name, part, read, expected))
            carried, carried_true = own, own == item.weights
            continue
        given = read.values
        result = StepResult(name, "correct", read.given, expected, part.weight, part.weight,
                            line=read.line)
        if _same(given, item.weights, ex.tolerance):
            result.message = _update_story(ex, item.row, _previous(truth, item, ex),
                                           item.weights)
        elif not carried_true and _same(given, own, ex.tolerance):
            result.verdict = "follow-through"
            result.score = part.weight * ex.follow_through
            result.message = ("right from your own previous weights (error carried forward): "
                              + _update_story(ex, item.row, carried, own))
        else:
            result.verdict, result.score, result.hint = "wrong", 0.0, part.hint
            code, why = _trace_mistake(ex, carried, item.row, given)
            result.diagnosis = code
            result.message = (f"expected {_weights_text(ex, own)} from "
                              f"{'the' if carried_true else 'your own'} previous weights"
                              + (f"; {why}" if why else ""))
            result.details = [_update_story(ex, item.row, carried, own)]
        results.append(result)
        carried = given
        carried_true = _same(given, item.weights, ex.tolerance)
    return results


def _previous(truth: list[TraceStep], item: TraceStep, ex: PerceptronExercise) -> Weights:
    return truth[item.index - 2].weights if item.index > 1 else ex.rule.initial


def _same(given: Weights, expected: Weights, tol: Tolerance) -> bool:
    return all(close(g, e, tol) for g, e in zip(given, expected, strict=True))


def _weights_text(ex: PerceptronExercise, weights: Weights) -> str:
    return ", ".join(f"{k}={num(v)}" for k, v in zip(weight_keys(ex.n), weights, strict=True))


def _update_story(ex: PerceptronExercise, row: int, before: Weights, after: Weights) -> str:
    x, t = ex.rows[row], ex.targets[row]
    z = net_input(before, x)
    out = step(z, ex.at_zero)
    head = f"row {row_text(x)}: z = {z_text(before, x)} -> output {out}, target {t}"
    if out == t:
        return head + ": right, so the weights stay"
    delta = ex.rule.rate * (t - out)
    sign = "-" if delta < 0 else "+"
    return (f"{head}: w <- w {sign} {num(abs(delta))}*x, b <- b {sign} {num(abs(delta))}: "
            f"{_weights_text(ex, after)}")


def _trace_mistake(ex: PerceptronExercise, before: Weights, row: int,
                   given: Weights) -> tuple[str | None, str]:
    """Recompute the update with each known slip; name the one that gives the student's."""
    x, t, rate = ex.rows[row], ex.targets[row], ex.rule.rate
    z = net_input(before, x)
    out = step(z, ex.at_zero)
    right = apply_rule(before, x, t, out, rate)
    flipped_out = apply_rule(before, x, t, 1 - out, rate)
    candidates = [
        ("at-zero-convention", flipped_out, z == 0,
         f"z = 0 here and g(0) = {ex.at_zero} ({g_text(ex.at_zero)})"),
        ("no-update", before, out != t,
         f"the output {out} was wrong (target {t}), so the weights must change"),
        ("updated-when-correct", flipped_out, out == t,
         f"the output {out} was right, so the weights stay"),
        ("sign-flipped", apply_rule(before, x, 1 - t, t, rate), out != t,
         "the update is rate*(target - output)*x: its sign is flipped"),
        ("bias-not-updated", (*right[:-1], before[-1]), out != t,
         "the bias b is updated too: b <- b + rate*(target - output)"),
        ("learning-rate-ignored", apply_rule(before, x, t, out, Fraction(1)),
         out != t and rate != 1, f"the change is multiplied by the learning rate {num(rate)}"),
        ("used-z-not-output", _delta_rule(before, x, t, z, rate), True,
         "the perceptron rule uses the output g(z), not z itself"),
    ]
    for code, would_give, possible, why in candidates:
        if possible and would_give != right and _same(given, would_give, ex.tolerance):
            return code, why
    for other in range(len(ex.rows)):
        if other != row:
            moved = apply_rule(before, ex.rows[other], ex.targets[other],
                               step(net_input(before, ex.rows[other]), ex.at_zero), rate)
            if moved != right and _same(given, moved, ex.tolerance):
                return "wrong-row", (f"this is the update for row {row_text(ex.rows[other])}; "
                                     f"update presents row {row_text(x)}")
    return None, ""


def _delta_rule(before: Weights, x: Row, t: int, z: Fraction, rate: Fraction) -> Weights:
    delta = rate * (t - z)
    return (*(w + delta * xi for w, xi in zip(before[:-1], x, strict=True)), before[-1] + delta)


_BIAS_NAMES = re.compile(r"(.*?)(?:bias|w0|theta|threshold)(@\d+)?", re.IGNORECASE)


def _unasked(answers: Answers, used: set[str]) -> list[str]:
    extra = [key for key in answers.answers if key not in used]
    notes = []
    for key in extra[:10]:
        close_match = difflib.get_close_matches(key, sorted(used), n=1)
        alias = _BIAS_NAMES.fullmatch(key)
        if alias and f"{alias.group(1)}b{alias.group(2) or ''}" in used:
            close_match = [f"{alias.group(1)}b{alias.group(2) or ''}"]
        hint = f" (did you mean '{close_match[0]}'?)" if close_match else ""
        notes.append(f"'{_short(key)}' is not asked{hint}: it was not checked")
    if len(extra) > 10:
        notes.append(f"{len(extra) - 10} more keys that are not asked were not checked")
    return notes


# -- solving ---------------------------------------------------------------------------------


@dataclass
class PerceptronSolution:
    exercise: PerceptronExercise
    separable: bool
    trace: list[TraceStep]  # the learning rule from the exercise's initial weights
    converged: bool  # the trace ends with an epoch without a mistake
    weights: Weights | None  # one perceptron computing the table (separable tables)
    weights_from: str  # "learning rule" or "linear programming" (a slow rule)
    certificate: Certificate | None  # why no single perceptron does (non-separable tables)
    network: Network | None  # a two-layer network computing the table
    key: dict[str, Any] = field(default_factory=dict)  # an answers mapping scored fully correct


def solve_perceptron(ex: PerceptronExercise) -> PerceptronSolution:
    """The learning rule's trace and weights, or the proof of non-separability, and a network."""
    separation = separate(ex.rows, ex.targets, ex.at_zero, ex.rule)
    trace = separation.trace if separation.separable else []
    if ex.asks("trace"):
        wanted = ex.trace_length()
        if len(trace) < wanted:
            trace = first_updates(ex.rows, ex.targets, ex.at_zero, ex.rule, wanted)
    trace = trace[:MAX_TRACE]
    network = None
    if not separation.separable or ex.asks("network"):
        network = pad_network(build_network(ex.rows, ex.targets, ex.at_zero, separation),
                              max(ex.hidden, 1))
    solution = PerceptronSolution(ex, separation.separable, trace, separation.converged,
                                  separation.weights,
                                  "learning rule" if separation.converged else
                                  "linear programming", separation.certificate, network)
    solution.key = _key(ex, solution)
    return solution


def _key(ex: PerceptronExercise, solution: PerceptronSolution) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for part in ex.ask:
        if part.what == "weights" and solution.weights is not None:
            key.update(zip(weight_keys(ex.n), map(plain_number, solution.weights), strict=True))
        elif part.what == "network" and solution.network is not None:
            values = [v for w in solution.network.hidden for v in w] + list(solution.network.out)
            key.update(zip(network_keys(ex.n, ex.hidden), map(plain_number, values),
                           strict=True))
        elif part.what == "trace":
            for item in first_updates(ex.rows, ex.targets, ex.at_zero, ex.rule,
                                      ex.trace_length()):
                key.update(zip(trace_keys(ex.n, item.index), map(plain_number, item.weights),
                               strict=True))
    return key


def key_answers(ex: PerceptronExercise) -> dict[str, object]:
    """An answers mapping that check_perceptron scores as fully correct."""
    return solve_perceptron(ex).key


def template_steps(ex: PerceptronExercise) -> list[str]:
    """The answer keys of a blank answers file, in the order they are asked."""
    keys: list[str] = []
    for part in ex.ask:
        if part.what == "weights":
            keys += weight_keys(ex.n)
        elif part.what == "network":
            keys += network_keys(ex.n, ex.hidden)
        else:
            for update in range(1, ex.trace_length() + 1):
                keys += trace_keys(ex.n, update)
    return keys


# -- what the renderers draw -----------------------------------------------------------------


def headline(s: PerceptronSolution) -> str:
    ex = s.exercise
    what = _target_name(ex)
    if not s.separable:
        return (f"not linearly separable: no single perceptron ({', '.join(weight_keys(ex.n))})"
                f" computes {what}")
    if s.converged:
        epoch = next((t.epoch for t in reversed(s.trace) if t.changed), 0) + 1
        return (f"linearly separable: the perceptron learning rule finds weights for {what} "
                f"(epoch {epoch} is the first without a mistake)")
    return (f"linearly separable: weights for {what} from linear programming (the learning "
            f"rule had not converged after {MAX_EPOCHS} epochs; it does eventually)")


def rule_text(s: PerceptronSolution) -> str:
    ex = s.exercise
    return (f"learning rule from {_weights_text(ex, ex.rule.initial)} with rate "
            f"{num(ex.rule.rate)}: present the rows in table order, epoch after epoch; "
            "z = w.x + b, output g(z); when the output is wrong, w <- w + rate*(target - "
            "output)*x and b <- b + rate*(target - output)")


def trace_table(s: PerceptronSolution, limit: int = 120
                ) -> tuple[list[str], list[list[str]]]:
    """The trace as text cells; past `limit` updates, the middle is one '...' row."""
    ex = s.exercise
    headers = ["update", "epoch", *ex.inputs, "target", "z", "output", "change",
               *weight_keys(ex.n)]
    shown: list[TraceStep | None] = list(s.trace)
    if len(s.trace) > limit:
        shown = [*s.trace[:limit - 20], None, *s.trace[-20:]]
    rows = []
    for item in shown:
        if item is None:
            skipped = len(s.trace) - limit
            rows.append(["...", f"({skipped} more)", *[""] * (len(headers) - 2)])
            continue
        change = num(ex.rule.rate * (item.target - item.output)) if item.changed else "-"
        if item.changed and not change.startswith("-"):
            change = "+" + change
        rows.append([str(item.index), str(item.epoch), *map(num, ex.rows[item.row]),
                     str(item.target), num(item.z), str(item.output), change,
                     *map(num, item.weights)])
    return headers, rows


def weights_table(s: PerceptronSolution) -> tuple[list[str], list[list[str]]]:
    """Every row of the table through the found single perceptron."""
    ex = s.exercise
    weights = s.weights or ()
    headers = [*ex.inputs, "z", "output", "target"]
    rows = [[*map(num, x), z_text(weights, x), str(step(net_input(weights, x), ex.at_zero)),
             str(t)] for x, t in zip(ex.rows, ex.targets, strict=True)]
    return headers, rows


def reason_lines(s: PerceptronSolution) -> list[str]:
    """The proof that no single perceptron computes the table, from the certificate."""
    cert, ex = s.certificate, s.exercise
    if cert is None:
        return []
    ones = [ex.rows[i] for i, _ in cert.ones]
    zeros = [ex.rows[i] for i, _ in cert.zeros]
    combo_ones = _combination(cert.ones, ex)
    combo_zeros = _combination(cert.zeros, ex)
    point = row_text(cert.point)
    z_ones = _combination(cert.ones, ex, "z")
    z_zeros = _combination(cert.zeros, ex, "z")
    average = "the same average" if _even(cert) else "a common weighted average"
    fire, rest = (">= 0", "< 0") if ex.at_zero else ("> 0", "<= 0")
    affine = " + ".join(f"w{k + 1}*{name}" for k, name in enumerate(ex.inputs)) + " + b"
    return [
        f"{'Row' if len(ones) == 1 else 'Rows'} {rows_text([row_text(x) for x in ones])} "
        f"(target 1) and {'row' if len(zeros) == 1 else 'rows'} "
        f"{rows_text([row_text(x) for x in zeros])} (target 0) have {average}:",
        "  " + " = ".join(dict.fromkeys([combo_ones, point, combo_zeros])),
        f"z = {affine} is affine in the inputs, so for any weights z at {point} is that same "
        "average of the rows' z:",
        "  " + " = ".join(dict.fromkeys([z_ones, f"z{point}", z_zeros])),
        f"The left side is {fire}: each of its rows needs z {fire} to output 1. The right side "
        f"is {rest}: each of its rows needs z {rest} to output 0. Both cannot hold, so no "
        "weights work.",
        "(So the learning rule never settles: it makes at least one mistake in every epoch.)",
    ]


def _even(cert: Certificate) -> bool:
    return len({c for _, c in cert.ones}) == 1 and len({c for _, c in cert.zeros}) == 1


def _combination(side: tuple[tuple[int, Fraction], ...], ex: PerceptronExercise,
                 function: str = "") -> str:
    return " + ".join(("" if c == 1 else f"{num(c)}*") + function + row_text(ex.rows[i])
                      for i, c in side)


def unit_text(weights: Weights, names: Sequence[str]) -> str:
    """g(1*x1 + 1*x2 - 1)."""
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


def network_lines(s: PerceptronSolution) -> list[str]:
    """Each unit of the network: its formula and, where it has one, the function's name."""
    net, ex = s.network, s.exercise
    if net is None:
        return []
    hidden_names = [f"h{j + 1}" for j in range(len(net.hidden))]
    formulas = [unit_text(w, ex.inputs) for w in net.hidden]
    width = max(len(f) for f in formulas)
    lines = []
    for name, w, formula in zip(hidden_names, net.hidden, formulas, strict=True):
        named = name_function(ex.rows, outputs(w, ex.rows, ex.at_zero), ex.inputs)
        lines.append(f"{name:<4}= {formula}" +
                     (f"{' ' * (width - len(formula))}    computes {named.name}" if named
                      else ""))
    lines.append(f"{'out':<4}= {unit_text(net.out, hidden_names)}")
    if net.how:
        lines.append(net.how)
    return lines


def network_table(s: PerceptronSolution) -> tuple[list[str], list[list[str]]]:
    net, ex = s.network, s.exercise
    if net is None:
        return [], []
    headers = [*ex.inputs, *(f"h{j + 1}" for j in range(len(net.hidden))), "out", "target"]
    rows = []
    for x, t in zip(ex.rows, ex.targets, strict=True):
        hidden, _, out = net.run(x, ex.at_zero)
        rows.append([*map(num, x), *map(str, hidden), str(out), str(t)])
    return headers, rows


def key_lines(s: PerceptronSolution) -> list[str]:
    return [f"  {k}: {v}" for k, v in s.key.items()]


def solution_data(s: PerceptronSolution) -> dict[str, Any]:
    """JSON-ready data for `solve --format json` of a perceptron exercise."""
    ex = s.exercise

    def weights(values: Weights | None, names: list[str]) -> dict[str, Any] | None:
        if values is None:
            return None
        return {k: _json_number(v) for k, v in zip(names, values, strict=True)}

    data: dict[str, Any] = {
        "exercise": ex.id, "kind": "perceptron", "inputs": ex.inputs,
        "table": [{"inputs": [_json_number(v) for v in x], "target": t}
                  for x, t in zip(ex.rows, ex.targets, strict=True)],
        "activation": {"step": {"at_zero": ex.at_zero}},
        "separable": s.separable,
        "learning_rule": {
            "initial": weights(ex.rule.initial, weight_keys(ex.n)),
            "rate": _json_number(ex.rule.rate), "converged": s.converged,
            "trace": [{"update": item.index, "epoch": item.epoch,
                       "inputs": [_json_number(v) for v in ex.rows[item.row]],
                       "target": item.target, "z": _json_number(item.z),
                       "output": item.output,
                       "weights": weights(item.weights, weight_keys(ex.n))}
                      for item in s.trace]},
        "weights": weights(s.weights, weight_keys(ex.n)),
        "weights_from": s.weights_from if s.weights is not None else None,
        "certificate": None, "network": None, "answers": s.key,
    }
    if s.certificate is not None:
        cert = s.certificate
        data["certificate"] = {
            "ones": [{"inputs": [_json_number(v) for v in ex.rows[i]],
                      "coefficient": _json_number(c)} for i, c in cert.ones],
            "zeros": [{"inputs": [_json_number(v) for v in ex.rows[i]],
                       "coefficient": _json_number(c)} for i, c in cert.zeros],
            "point": [_json_number(v) for v in cert.point],
            "reason": " ".join(line.strip() for line in reason_lines(s)),
        }
    if s.network is not None:
        net = s.network
        data["network"] = {
            "hidden": [weights(w, weight_keys(ex.n)) for w in net.hidden],
            "out": weights(net.out, weight_keys(len(net.hidden))), "how": net.how}
    return data


def _json_number(q: Fraction) -> int | float:
    return q.numerator if q.denominator == 1 else float(q)
