"""Whose numbers a class's answers match: a file whose answers match another student's
variant better than their own is flagged ("matches bob's numbers").

The measure, over the asked steps where another variant's key and the file's own differ:
how many answers are within the marking tolerance of each. A file is flagged when some
other variant matches at least two and at least half of those steps, and strictly more
than the file's own; the numbers as written (the key anyone can print with `solve`) are
one of the variants compared. A flagged file's credit for the other numbers is taken back
(see _withdrawn). Each step's distinct true values across the
variants are indexed, sorted by their first entry, and each answer is looked up in a window
around its own value and then confirmed with the tolerance, once per distinct value: a class
of n files costs n log n lookups plus the matches found, never n² comparisons.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from ..base.compare import Tolerance, close, written_precision
from ..base.errors import GradtutorError
from ..kinds import AnyExercise, kind_of
from ..kinds.variants import variant_for
from ..lang.values import to_array
from ..marking.results import AS_WRITTEN, FileResult, OtherNumbers, finish

Array = np.ndarray


@dataclass
class StepIndex:
    """One step's distinct true values across the variants, each with whose it is, sorted
    by the value's first entry (drawn on a grid, many students share a value: each is
    compared once)."""

    tolerance: Tolerance
    firsts: list[float] = field(default_factory=list)
    entries: list[tuple[Array, list[str]]] = field(default_factory=list)

    @classmethod
    def of(cls, tolerance: Tolerance, truths: Iterable[tuple[str, Array]]) -> StepIndex:
        shared: dict[tuple, tuple[Array, list[str]]] = {}
        for who, value in truths:
            if value.size and np.all(np.isfinite(value)):
                shared.setdefault((value.dtype.str, value.shape, value.tobytes()),
                                  (value, []))[1].append(who)
        entries = sorted(shared.values(), key=lambda entry: float(entry[0].ravel()[0]))
        return cls(tolerance, [float(value.ravel()[0]) for value, _ in entries], entries)

    def matching(self, answer: Array) -> Iterator[str]:
        """The variants whose true value the answer passes for."""
        first = float(answer.ravel()[0])
        reach = _reach(first, self.tolerance)
        low = bisect.bisect_left(self.firsts, first - reach)
        high = bisect.bisect_right(self.firsts, first + reach)
        texts = [repr(float(x)) for x in answer.ravel()]
        for truth, whose in self.entries[low:high]:
            if close(answer, truth, self.tolerance, texts):
                yield from whose


def _reach(first: float, tolerance: Tolerance) -> float:
    """How far a true value's first entry may be from an answer's and still pass (a bound:
    a truth more than twice the answer's size is not within a tolerance below 50%)."""
    bound = float(tolerance.bound(np.float64(2 * abs(first) + tolerance.floor)))
    precision = written_precision(repr(first))
    rounding = 0.5 * 10.0 ** -precision[0] if precision is not None else 0.0
    return max(bound, rounding) * (1 + 1e-6) + 1e-300


def flag_other_numbers(ex: AnyExercise, results: list[FileResult],
                       others: Iterable[str] = ()) -> list[FileResult]:
    """The results, each file that matches another student's numbers (a student of the
    class, one of `others`, or the numbers as written) better than its own flagged."""
    if getattr(ex, "variants", None) is None:
        return results
    checked = [r for r in results if r.error is None and r.variant is not None]
    if not checked:
        return results
    keys = _keys(ex, checked, others)
    index = _index(ex, keys)
    matches = {id(r): _matches(r, index) for r in checked}
    flagged = {id(r): found for r in checked
               if (found := _whose(ex, r, matches[id(r)], index, keys)) is not None}
    return [_withdrawn(replace(r, other_numbers=flagged[id(r)]), matches[id(r)])
            if id(r) in flagged else r for r in results]


def _matches(result: FileResult, index: dict[str, StepIndex]) -> dict[str, set[str]]:
    """Each numeric answer's step -> the variants whose true value it passes for."""
    found: dict[str, set[str]] = {}
    for step in result.steps:
        answer = _numeric(step.given)
        if answer is not None and step.step in index:
            found[step.step] = set(index[step.step].matching(answer))
    return found


def _withdrawn(result: FileResult, matches: dict[str, set[str]]) -> FileResult:
    """A flagged file's credit for the other numbers taken back: a step that is not right
    for the student's own numbers but is the other variant's true value was worked on
    numbers that are not theirs (error carried forward is for one's own slips, not for a
    key of other numbers), so it is wrong. When one of those steps is a named mistake on
    the student's own numbers (a sign slip that happens to give a classmate's value), the
    slip is the likelier story: the file is flagged for the instructor, nothing is taken."""
    flag = result.other_numbers
    assert flag is not None
    theirs = {step.step for step in result.steps if step.verdict != "correct"
              and flag.who in matches.get(step.step, ())}
    if any(step.diagnosis for step in result.steps if step.step in theirs):
        return result
    said = _other_value(flag)
    steps = [replace(step, verdict="wrong", score=0.0, diagnosis=None, origin=None,
                     message=said, advice=said) if step.step in theirs else step
             for step in result.steps]
    return finish(replace(result, steps=steps))


def _other_value(flag: OtherNumbers) -> str:
    """A withdrawn step's message; it names no other student, even at full feedback (the
    file's own line does that, for the instructor)."""
    whose = "the numbers as written" if flag.who == AS_WRITTEN else "another student's numbers"
    return f"worked on {whose}, not yours: work it from your own given values"


def _whose(ex: AnyExercise, result: FileResult, matches: dict[str, set[str]],
           index: dict[str, StepIndex], keys: dict[str, dict[str, Array]]
           ) -> OtherNumbers | None:
    """The variant the file matches better than its own, counted only over the steps where
    the two keys differ (a step whose true value every variant shares says nothing of
    whose numbers were used): at least MIN_MATCHED of them, at least half, and more than
    match the file's own numbers. One honest slip that happens to be another variant's
    value is never enough."""
    own = _name(ex, result.variant or "")
    # candidates: the variants matched where the file's own numbers are not
    counts = Counter(who for found in matches.values() if own not in found
                     for who in found)
    best: OtherNumbers | None = None
    for who, _ in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
        if counts[who] < MIN_MATCHED or who == own:
            continue
        differing = [step for step in index if _differ(keys, own, who, step, index[step])]
        matched = sum(who in matches.get(step, ()) for step in differing)
        mine = sum(own in matches.get(step, ()) for step in differing)
        if matched >= MIN_MATCHED and matched * 2 >= len(differing) and matched > mine and \
                (best is None or matched > best.matched):
            best = OtherNumbers(who, matched, mine, len(differing))
    return best


MIN_MATCHED = 2  # steps of another variant's numbers, where they differ from one's own


def _differ(keys: dict[str, dict[str, Array]], own: str, other: str, step: str,
            index: StepIndex) -> bool:
    """Whether the two variants' true values of the step are told apart by its tolerance."""
    mine, theirs = keys.get(own, {}).get(step), keys.get(other, {}).get(step)
    if mine is None or theirs is None:
        return False
    return mine.shape != theirs.shape or not close(theirs, mine, index.tolerance)


def _name(ex: AnyExercise, student: str) -> str:
    """The variant a student has: the numbers as written for the `as_written` names."""
    return AS_WRITTEN if student in ex.variants.as_written else student  # type: ignore


def _keys(ex: AnyExercise, checked: list[FileResult], others: Iterable[str]
          ) -> dict[str, dict[str, Array]]:
    """Every variant's key: each file's own (read from its result when the expected values
    are there), the numbers as written, and the `others` asked for."""
    keys: dict[str, dict[str, Array]] = {AS_WRITTEN: _key_of(ex, ex)}
    for result in checked:
        name = _name(ex, result.variant or "")
        if name not in keys:
            from_result = _result_key(result)
            keys[name] = from_result if from_result is not None else \
                _key_of(ex, variant_for(ex, name))
    for other in others:
        name = _name(ex, other)
        if name not in keys:
            try:
                keys[name] = _key_of(ex, variant_for(ex, name))
            except GradtutorError:  # no variant passes the guards: nobody can match it
                continue
    return keys


def _key_of(ex: AnyExercise, variant: AnyExercise) -> dict[str, Array]:
    key = kind_of(ex).key(variant)
    return {step: array for step, value in key.items()
            if (array := _numeric(value)) is not None}


def _result_key(result: FileResult) -> dict[str, Array] | None:
    """The true values a checked file carries (None when the feedback policy hid them)."""
    if any(step.expected is None for step in result.steps):
        return None
    return {step.step: array for step in result.steps
            if (array := _numeric(step.expected)) is not None}


def _numeric(value: object) -> Array | None:
    """A number, vector or matrix as an array; None for a formula, text or nothing."""
    if value is None or isinstance(value, str | bool):
        return None
    try:
        array = np.asarray(value, dtype=float) if isinstance(value, np.ndarray | np.generic) \
            else to_array(value)
    except (GradtutorError, ValueError, TypeError):
        return None
    return array if array.size else None


def _index(ex: AnyExercise, keys: dict[str, dict[str, Array]]) -> dict[str, StepIndex]:
    """A StepIndex for every asked step with numeric true values."""
    steps: dict[str, list[tuple[str, Array]]] = {}
    for who, key in keys.items():
        for step, value in key.items():
            steps.setdefault(step, []).append((who, value))
    tolerances = _tolerances(ex)
    return {step: StepIndex.of(tolerances[step], truths) for step, truths in steps.items()
            if step in tolerances}


EXACT = Tolerance(rel=1e-9)  # a kind whose steps carry no tolerance (perceptron weights)


def _tolerances(ex: AnyExercise) -> dict[str, Tolerance]:
    """Each asked step's tolerance: a graph step's own or its exercise's, else EXACT."""
    found = {step: EXACT for step in kind_of(ex).template_steps(ex)}
    for item in getattr(ex, "ask", []):
        step = getattr(getattr(item, "step", None), "text", None)
        shared: Tolerance = getattr(ex, "tolerance", EXACT)
        own: Tolerance | None = getattr(item, "tolerance", None)
        if step in found:
            found[step] = own if own is not None else shared
    return found
