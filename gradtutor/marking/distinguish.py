"""Which mistakes an exercise cannot tell apart at its numbers.

For every asked step, every catalogue mistake is replayed at the exercise's given values.
A mistake whose value lands within the step's tolerance of the truth passes unnoticed
(tanh'(0.05) = 0.9975: forgetting tanh' passes); two mistakes of the same rank (two
mechanisms, or two shapes of a number: see diagnosis.py) with the same value cannot be told
apart, so neither is named. Rounding within the tolerance is no mistake and not reported.
`validate` prints these as warnings; a generator of per-student variants can reject the
variants that have any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..base.compare import close, near
from ..exercises.exercise import AskItem, Exercise
from .diagnosis import CATALOGUE, Situation
from .recompute import Overrides, Recomputer

Array = np.ndarray
MAX_COMPARED_STEPS = 300  # every mistake replayed at every step: bounded work
HARMLESS = ("rounded-early", "too-few-figures")  # within the tolerance, rounding is fine


@dataclass(frozen=True)
class Indistinguishable:
    """A step where a mistake passes for the truth, or two mistakes give one value."""

    step: str
    codes: tuple[str, ...]
    passes: bool  # True: the mistake passes as correct; False: the codes share a value

    @property
    def message(self) -> str:
        if self.passes:
            return (f"step {self.step}: the mistake {self.codes[0]} gives a value within the "
                    "tolerance of the truth, so it passes unnoticed; change the numbers or "
                    "tighten the tolerance")
        return (f"step {self.step}: the mistakes {' and '.join(self.codes)} give the same "
                "value, so neither can be named; change the numbers")


def indistinguishable(ex: Exercise) -> list[Indistinguishable]:
    """Every asked step's mistakes that pass for the truth or share a value."""
    return list(each_indistinguishable(ex))


def each_indistinguishable(ex: Exercise) -> Iterator[Indistinguishable]:
    """The same, step by step: a guard can stop at the first it cannot allow."""
    truth = Recomputer(ex)
    for item in ex.ask:
        yield from _step_warnings(ex, item, truth.value(item.step))


def exercised(ex: Exercise) -> dict[str, int]:
    """Each catalogue mistake that would change some asked step's value, with how many
    steps it changes: the mistakes a student can meet (and be told of) in the exercise."""
    truth = Recomputer(ex)
    counts: dict[str, int] = {}
    for item in ex.ask:
        expected = truth.value(item.step)
        situation = Situation(ex, item.step, expected, None, expected, Overrides(),
                              item.tolerance or ex.tolerance)
        for misconception in CATALOGUE:
            changed, _ = _values_of(misconception.candidates, situation, expected)
            if changed:
                counts[misconception.code] = counts.get(misconception.code, 0) + 1
    return counts


def _step_warnings(ex: Exercise, item: AskItem, expected: Array) -> list[Indistinguishable]:
    tolerance = item.tolerance or ex.tolerance
    situation = Situation(ex, item.step, expected, None, expected, Overrides(), tolerance)
    values: dict[str, list[Array]] = {}
    found: list[Indistinguishable] = []
    rank = {m.code: m.mechanism for m in CATALOGUE}
    for misconception in CATALOGUE:
        changed, passing = _values_of(misconception.candidates, situation, expected)
        if passing and misconception.code not in HARMLESS:
            found.append(Indistinguishable(item.step.text, (misconception.code,), True))
        if changed:
            values[misconception.code] = changed
    if np.any(expected) and close(np.zeros_like(expected), expected, tolerance):
        found.append(Indistinguishable(item.step.text, ("answer 0",), True))
    codes = list(values)
    for i, first in enumerate(codes):
        for second in codes[i + 1:]:
            if rank[first] == rank[second] and any(a.shape == b.shape and close(a, b, tolerance)
                   for a in values[first] for b in values[second]):
                found.append(Indistinguishable(item.step.text, (first, second), False))
    return found


def _values_of(candidates: Callable[[Situation], Iterator[Array]], situation: Situation,
               expected: Array) -> tuple[list[Array], bool]:
    """The mistake's values that differ from the truth, and whether one of them passes."""
    changed: list[Array] = []
    passing = False
    with np.errstate(all="ignore"):
        try:
            for candidate in candidates(situation):
                candidate = np.asarray(candidate, dtype=float)
                if candidate.shape != expected.shape or not np.all(np.isfinite(candidate)):
                    continue
                if near(candidate, expected, rtol=1e-9, atol=0):
                    continue  # the mistake changes nothing here: no harm done
                if close(candidate, expected, situation.tolerance):
                    passing = True
                else:
                    changed.append(candidate)
        except (ValueError, IndexError, KeyError, FloatingPointError, TypeError):
            pass  # the mistake cannot be replayed on this graph
    return changed, passing
