"""Two-layer networks of step units: what computes a table no single perceptron does.

Hidden units h1..hk read the inputs and an output unit reads h1..hk, all with the
exercise's g. The construction tries, in order: one unit (a separable table), the AND or OR
of two units (XOR, XNOR), and a staircase with one hidden unit per change of target.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ...base.errors import GradtutorError
from .learning import MAX_EPOCHS, LearningRule, run_rule
from .linalg import dot
from .separability import Separation, find_certificate, vertex_weights
from .units import Row, Weights, net_input, row_text, step, weight_keys


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
    """The output unit: `wanted` on each pattern of hidden outputs."""
    rows = [tuple(Fraction(v) for v in p) for p in patterns]
    found = nice_weights(rows, wanted, at_zero)
    if found is None:  # pragma: no cover - the constructions only ask for AND, OR or a copy
        raise GradtutorError("internal: no output unit for the hidden layer")
    return found


def _staircase(rows: Sequence[Row], targets: Sequence[int], at_zero: int) -> Network:
    """Any table of distinct rows: along a direction that separates every row, one hidden
    unit per change of target, each firing past its threshold; out alternates +2, -2."""
    direction = _generic_direction(rows)
    order = sorted(range(len(rows)), key=lambda i: dot(direction, rows[i]))
    hidden: list[Weights] = []
    for before, after in itertools.pairwise(order):
        if targets[before] != targets[after]:
            mid = (dot(direction, rows[before]) + dot(direction, rows[after])) / 2
            hidden.append(integral((*direction, -mid)))
    first = targets[order[0]]
    sign = -1 if first else 1
    out = (*(Fraction(2 * sign * (-1) ** j) for j in range(len(hidden))), Fraction(-sign))
    return Network(tuple(hidden), out, f"the rows sorted by d.x with d = {row_text(direction)}:"
                   " each hidden unit marks one change of target, and out flips at each")


def _generic_direction(rows: Sequence[Row]) -> Row:
    """(1, c, c**2, ...) for the first c >= 2 that gives every row its own d.x."""
    n = len(rows[0])
    for base in itertools.count(2):
        direction = tuple(Fraction(base) ** k for k in range(n))
        if len({dot(direction, x) for x in rows}) == len(rows):
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


def network_keys(n: int, hidden: int) -> list[str]:
    """The answer keys of a network: h1.w1, ..., h1.b, ..., then out.w1, ..., out.b."""
    keys = [key for j in range(1, hidden + 1) for key in weight_keys(n, f"h{j}.")]
    return keys + weight_keys(hidden, "out.")
