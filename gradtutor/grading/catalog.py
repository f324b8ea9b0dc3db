"""What the commands ask of an exercise of any kind: a listing row, the answer key, a
template, and its validation (loading it, then its self-tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base.errors import ExerciseError, GradtutorError
from ..exercises.answers import Answer, Answers
from ..exercises.exercise import bundled_dir
from ..kinds import AnyExercise, kind_of, load_exercise
from ..kinds.variants import MOSTLY_REJECTED, Rejections, rejections
from .batch import check_answers


def list_rows() -> list[dict[str, Any]]:
    """Every bundled exercise: id, title, kind, and what it asks."""
    rows = []
    for path in sorted(bundled_dir().glob("*.yaml")):
        ex = load_exercise(str(path))
        rows.append({"id": ex.id, "title": ex.title, "kind": ex.kind,
                     "asks": kind_of(ex).asks(ex), "steps": template_steps(ex)})
    return rows


def template_steps(ex: AnyExercise) -> list[str]:
    return kind_of(ex).template_steps(ex)


def key_answers(ex: AnyExercise) -> dict[str, Any]:
    """An answers mapping that `check` scores as fully correct."""
    return kind_of(ex).key(ex)


def template_notes(ex: AnyExercise) -> list[tuple[str, str]]:
    """Each asked step with a note on the kind of value it takes."""
    return kind_of(ex).template_notes(ex)


@dataclass
class SelfTestResult:
    index: int
    line: int | None
    expected: float
    got: float
    summary: str

    @property
    def passed(self) -> bool:
        return abs(self.expected - self.got) <= 1e-9


def run_self_tests(ex: AnyExercise) -> list[SelfTestResult]:
    """Check each embedded self-test's answers; each must get exactly its stated score."""
    results = []
    for index, test in enumerate(ex.tests):
        answers = Answers(f"{ex.source}: tests[{index}]", ex.id, None, {
            str(step): Answer(str(step), value, _texts_for(test.texts, step), test.line)
            for step, value in test.answers.items()})
        try:
            outcome = check_answers(ex, answers)
        except GradtutorError as error:
            results.append(SelfTestResult(index, test.line, test.score, float("nan"),
                                          str(error)))
            continue
        results.append(SelfTestResult(index, test.line, test.score, outcome.score,
                                      outcome.summary))
    return results


@dataclass
class Validation:
    """`validate` of one exercise file: the problems that stop it loading, else its self-tests."""

    file: str
    exercise: str | None  # its id, when it loads
    problems: list[GradtutorError]
    tests: list[SelfTestResult]
    warnings: list[str] = field(default_factory=list)  # mistakes it cannot tell apart
    variants: Rejections | None = None  # a sample of its students' draws, when it has any

    @property
    def variants_line(self) -> str | None:
        """What the guards made of the sample of draws, in one line."""
        return rejection_line(self.variants) if self.variants is not None else None

    @property
    def failed_tests(self) -> list[SelfTestResult]:
        """The self-tests that did not get their stated score."""
        return [test for test in self.tests if not test.passed]


def validate(path: str) -> Validation:
    """Load the file, run its self-tests, compare its mistakes; for an exercise with
    `variants:`, draw a sample of students and fail when the guards reject most draws."""
    try:
        ex = load_exercise(path)
    except GradtutorError as error:
        return Validation(path, None, getattr(error, "problems", None) or [error], [])
    try:
        sample = rejections(ex) if ex.variants is not None else None
    except GradtutorError as error:  # the guards too slow to sample
        return Validation(path, ex.id, [error], [])
    problems: list[GradtutorError] = [mostly_rejected(ex, sample)] \
        if sample and sample.share > MOSTLY_REJECTED else []
    return Validation(path, ex.id, problems, run_self_tests(ex), warnings_of(ex), sample)


def rejection_line(sample: Rejections) -> str:
    """`variants: 100 draws, 12 rejected by the guards (12%); most often: ... (7)`."""
    line = f"variants: {sample.drawn} draws, {sample.rejected} rejected by the guards " \
           f"({sample.share:.0%})"
    if sample.commonest is not None:
        reason, count = sample.commonest
        line += f"; most often: {reason} ({count})"
    return line


def mostly_rejected(ex: AnyExercise, sample: Rejections) -> ExerciseError:
    """The problem of an exercise whose guards reject nearly every draw, at its `require:`
    (or its `variants:` block when it has none)."""
    assert ex.variants is not None
    require = ex.variants.require
    reason = f"; most often: {sample.commonest[0]}" if sample.commonest else ""
    return ExerciseError(
        f"the guards reject {sample.rejected} of {sample.drawn} draws ({sample.share:.0%}, "
        f"more than {MOSTLY_REJECTED:.0%}){reason}: widen the drawn values or loosen "
        "'require'", file=ex.source, line=require[0].line if require else None,
        field="variants.require" if require else "variants")


MAX_WARNINGS = 20  # a huge exercise's warnings, cut short


def warnings_of(ex: AnyExercise) -> list[str]:
    """The steps where a mistake passes for the truth or two mistakes share a value."""
    messages = kind_of(ex).indistinguishable(ex)
    if len(messages) > MAX_WARNINGS:
        left = len(messages) - MAX_WARNINGS
        messages = [*messages[:MAX_WARNINGS], f"and {left} more such warning{'s' * (left > 1)}"]
    return messages


def _texts_for(texts: dict[tuple, str], step: str) -> dict[tuple, str]:
    return {key[1:]: text for key, text in texts.items() if key[:1] == (step,)}
