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

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..base.compare import close, near
from ..exercises.exercise import AskItem, Exercise
from .diagnosis import CATALOGUE, Situation, can_change
from .recompute import Overrides, exact

Array = np.ndarray
MAX_COMPARED_STEPS = 300  # every mistake replayed at every step: bounded work
HARMLESS = ("rounded-early", "too-few-figures")  # within the tolerance, rounding is fine
ZERO = "answer 0"  # an answer of 0 passing for the truth, reported as a mistake's code
BY_CODE = {m.code: m for m in CATALOGUE}
CANDIDATES = {m.code: m.candidates for m in CATALOGUE}
RANK = {m.code: m.mechanism for m in CATALOGUE}


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


Suspect = tuple[str, tuple[str, ...], bool]  # an Indistinguishable's step, codes and passes


def indistinguishable(ex: Exercise) -> list[Indistinguishable]:
    """Every asked step's mistakes that pass for the truth or share a value."""
    return list(each_indistinguishable(ex))


def each_indistinguishable(ex: Exercise, suspects: Iterable[Suspect] = ()
                           ) -> Iterator[Indistinguishable]:
    """The same, step by step: a guard can stop at the first it cannot allow. The `suspects`
    (what was found at other numbers) are tried first, each alone, and yielded when they
    hold here too; then every step in order (a suspect that holds is yielded again)."""
    replays = _Replays(ex)
    for step, codes, passes in suspects:
        with np.errstate(all="ignore"):  # a mistake replayed on a huge value may overflow
            holds = step in replays.items and replays.holds(replays.items[step], codes, passes)
        if holds:
            yield Indistinguishable(step, codes, passes)
    for item in ex.ask:
        with np.errstate(all="ignore"):
            found = replays.step_warnings(item)
        yield from found


def exercised(ex: Exercise) -> dict[str, int]:
    """Each catalogue mistake that would change some asked step's value, with how many
    steps it changes: the mistakes a student can meet (and be told of) in the exercise."""
    replays = _Replays(ex)
    counts: dict[str, int] = {}
    with np.errstate(all="ignore"):
        for item in ex.ask:
            for misconception in CATALOGUE:
                changed, _ = replays.values(item, misconception.code)
                if changed:
                    counts[misconception.code] = counts.get(misconception.code, 0) + 1
    return counts


class _Replays:
    """Every catalogue mistake replayed at the exercise's asked steps, each (step, mistake)
    once: a suspect tried first is not replayed again by the step's full comparison."""

    def __init__(self, ex: Exercise) -> None:
        self.ex = ex
        self.truth = exact(ex)
        self.items = {item.step.text: item for item in ex.ask}
        self._situations: dict[str, Situation] = {}
        self._truths: dict[str, tuple[float | None, float]] = {}  # a number's value, bound
        self._values: dict[tuple[str, str], tuple[list[Array], bool]] = {}
        self._number_bounds: dict[tuple[str, str], list[tuple[float, float]]] = {}

    def situation(self, item: AskItem) -> Situation:
        text = item.step.text
        if text not in self._situations:
            expected = self.truth.value(item.step)
            tolerance = item.tolerance or self.ex.tolerance
            self._situations[text] = Situation(self.ex, item.step, expected, None, expected,
                                               Overrides(), tolerance)
            number = float(expected.ravel()[0]) if expected.size == 1 else None
            if number is not None and not math.isfinite(number):
                number = None
            self._truths[text] = (number, tolerance.number_bound(number)
                                  if number is not None else 0.0)
        return self._situations[text]

    def values(self, item: AskItem, code: str) -> tuple[list[Array], bool]:
        """The mistake's values at the step that differ from the truth, and whether one of
        them passes for it."""
        key = (item.step.text, code)
        if key not in self._values:
            situation = self.situation(item)
            self._values[key] = _values_of(CANDIDATES[code], situation,
                                           *self._truths[item.step.text]) \
                if can_change(BY_CODE[code], self.ex, item.step) else ([], False)
        return self._values[key]

    def step_warnings(self, item: AskItem) -> list[Indistinguishable]:
        text = item.step.text
        found = [Indistinguishable(text, (m.code,), True) for m in CATALOGUE
                 if self.values(item, m.code)[1] and m.code not in HARMLESS]
        if self._zero_passes(item):
            found.append(Indistinguishable(text, (ZERO,), True))
        codes = [m.code for m in CATALOGUE if self.values(item, m.code)[0]]
        return found + [Indistinguishable(text, pair, False)
                        for pair in self._sharing(item, codes)]

    def _sharing(self, item: AskItem, codes: list[str]) -> list[tuple[str, str]]:
        """The pairs of the codes (in order) that share a value at the step."""
        pairs = [(first, second) for i, first in enumerate(codes) for second in codes[i + 1:]
                 if RANK[first] == RANK[second]]
        if self.situation(item).expected.size != 1:
            return [pair for pair in pairs if self._share_a_value(item, *pair)]
        numbers = {code: self._numbers(item, code) for code in codes}  # as `close` compares
        return [(first, second) for first, second in pairs
                if any(abs(a - b) <= bound for a, _ in numbers[first]
                       for b, bound in numbers[second])]

    def holds(self, item: AskItem, codes: tuple[str, ...], passes: bool) -> bool:
        """Whether what `step_warnings` would report as (codes, passes) holds at the step."""
        if not all(code in CANDIDATES for code in codes if code != ZERO):
            return False
        if passes and codes == (ZERO,):
            return self._zero_passes(item)
        if passes:
            return codes[0] not in HARMLESS and self.values(item, codes[0])[1]
        return len(codes) == 2 and self._share_a_value(item, *codes)

    def _zero_passes(self, item: AskItem) -> bool:
        situation = self.situation(item)
        expected = situation.expected
        return bool(np.any(expected)) and close(np.zeros_like(expected), expected,
                                                situation.tolerance)

    def _share_a_value(self, item: AskItem, first: str, second: str) -> bool:
        if RANK[first] != RANK[second]:
            return False
        tolerance = self.situation(item).tolerance
        if self.situation(item).expected.size == 1:  # as `close` compares two numbers
            return any(abs(a - b) <= bound for a, _ in self._numbers(item, first)
                       for b, bound in self._numbers(item, second))
        return any(a.shape == b.shape and close(a, b, tolerance)
                   for a in self.values(item, first)[0] for b in self.values(item, second)[0])

    def _numbers(self, item: AskItem, code: str) -> list[tuple[float, float]]:
        """Each of the mistake's values at a step asking a number, with how far from it
        another may be to match it."""
        key = (item.step.text, code)
        if key not in self._number_bounds:
            tolerance = self.situation(item).tolerance
            numbers = [float(value.ravel()[0]) for value in self.values(item, code)[0]]
            self._number_bounds[key] = [(number, tolerance.number_bound(number))
                                        for number in numbers]
        return self._number_bounds[key]


def _values_of(candidates: Callable[[Situation], Iterator[Array]], situation: Situation,
               number: float | None, bound: float) -> tuple[list[Array], bool]:
    """The mistake's values that differ from the truth, and whether one of them passes
    (`number`: the truth when it is a finite number, and `bound` what `close` allows it;
    the caller ignores floating-point errors)."""
    changed: list[Array] = []
    passing = False
    expected = situation.expected
    try:
        for candidate in candidates(situation):
            candidate = np.asarray(candidate, dtype=float)
            if candidate.shape != expected.shape:
                continue
            if number is not None:  # a number: `near` and `close` in plain floats
                value = float(candidate.ravel()[0])
                gap = abs(value - number)
                if not math.isfinite(value) or gap <= 1e-9 * abs(number):
                    continue
                if gap <= bound:
                    passing = True
                else:
                    changed.append(candidate)
                continue
            if not np.all(np.isfinite(candidate)):
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
