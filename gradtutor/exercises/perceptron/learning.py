"""The perceptron learning rule: the rows presented in table order, epoch after epoch.

At each update, with row x and its target: z = w.x + b, output g(z), then
w <- w + rate*(target - output)*x and b <- b + rate*(target - output), so the weights change
only when the output is wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .units import Row, Weights, net_input, step, weight_keys

MAX_EPOCHS = 1000  # the rule's full run; past it, weights come from linear programming


@dataclass(frozen=True)
class LearningRule:
    """Where the rule starts, how large its steps are, and how many updates a trace asks."""

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


def apply_rule(weights: Weights, x: Row, target: int, output: Fraction | int,
               rate: Fraction) -> Weights:
    """w <- w + rate (target - output) x, and b <- b + rate (target - output).

    With z in place of the output g(z) this is the delta rule, a slip the checker names.
    """
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
    """The first `count` updates, converged or not."""
    return list(itertools.islice(presentations(rows, targets, at_zero, rule), count))


def trace_keys(n: int, update: int) -> list[str]:
    """The answer keys of update k of a trace: w1@k, ..., wn@k, b@k."""
    return [f"{key}@{update}" for key in weight_keys(n)]
