"""Naming the function a truth table computes: AND, OR, NAND, XOR, x1 AND NOT x2, ...

Names are given only for a complete 0/1 truth table (every combination of the inputs
present); they are what the `computes-*` diagnosis codes and the walkthroughs say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .units import MAX_INPUTS, Row, Weights, outputs

if TYPE_CHECKING:
    from .loading import PerceptronExercise


@dataclass(frozen=True)
class Named:
    """A well-known boolean function, as a diagnosis code and as people say it."""

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


def computed_by(weights: Weights, rows: Sequence[Row], at_zero: int,
                inputs: Sequence[str]) -> Named | None:
    """The well-known function a unit with these weights computes on the table, or None."""
    return name_function(rows, outputs(weights, rows, at_zero), inputs)


def target_name(ex: PerceptronExercise) -> str:
    """What the exercise's target is called: 'XOR', or 'the target' when it has no name."""
    named = name_function(ex.rows, ex.targets, ex.inputs)
    return named.name if named else "the target"
