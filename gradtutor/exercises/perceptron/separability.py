"""Separability, decided exactly: weights that compute the table, or a proof that none exist.

A table is separable when the learning rule converges (the weights it ends with are the
proof); when it does not converge quickly, the rows are searched for a Radon certificate:
rows with target 1 and rows with target 0 that have a common weighted average. By
Kirchberger's theorem a non-separable table has one among at most n + 2 rows, and a minimal
one is the unique affine dependency of its rows, so every subset of up to n + 2 rows is
tried. If none is found the table is separable after all, and weights come from a vertex of
the linear program s_i (w.x_i + b) >= 1. Never "the learning rule did not converge".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ...base.errors import LimitError
from .learning import LearningRule, TraceStep, run_rule
from .linalg import dot, nullspace, rref, solve_square
from .units import Row, Weights

MAX_SUBSETS = 50_000  # groups of rows the exact separability search may try
QUICK_EPOCHS = 50  # of the learning rule before the exact search


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
    """A certificate from exactly these rows: their one affine dependency, split by target."""
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
    point = tuple(sum((c * rows[i][k] for i, c in ones), Fraction(0)) for k in range(n))
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
        if len(rref([list(b) for b in (*basis, vector)])[1]) > len(basis):
            basis.append(vector)
    reduced = [[dot(a, b) for b in basis] for a in lifted]
    for group in itertools.combinations(range(len(rows)), len(basis)):
        coefficients = solve_square([reduced[i] for i in group], [signs[i] for i in group])
        if coefficients is None:
            continue
        weights = tuple(sum((c * b[k] for c, b in zip(coefficients, basis, strict=True)),
                            Fraction(0))
                        for k in range(len(lifted[0])))
        if all(s * dot(a, weights) >= 1 for s, a in zip(signs, lifted, strict=True)):
            return weights
    return None


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
