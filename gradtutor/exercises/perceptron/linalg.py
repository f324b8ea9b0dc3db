"""Exact linear algebra over fractions: row reduction, null spaces, square systems."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def rref(matrix: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
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
    reduced, pivots = rref(matrix)
    width = len(matrix[0])
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [Fraction(0)] * width
        vector[free] = Fraction(1)
        for r, p in enumerate(pivots):
            vector[p] = -reduced[r][free]
        basis.append(vector)
    return basis


def solve_square(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """The solution of a square system, or None when it is singular."""
    augmented = [[*row, b] for row, b in zip(matrix, rhs, strict=True)]
    reduced, pivots = rref(augmented)
    if pivots != list(range(len(matrix))):
        return None
    return [reduced[i][-1] for i in range(len(matrix))]


def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    """The dot product, exactly (0 for empty vectors)."""
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))
