"""What the commands ask of an exercise of any kind: a listing row, the answer key, a
template, and its validation (loading it, then its self-tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base import fmt
from ..base.errors import GradtutorError
from ..exercises.answers import Answer, Answers
from ..exercises.exercise import Exercise, bundled_dir, load_exercise
from .batch import check_answers


def list_rows() -> list[dict[str, str]]:
    """Every bundled exercise: id, title, kind, and what it asks."""
    rows = []
    for path in sorted(bundled_dir().glob("*.yaml")):
        ex = load_exercise(str(path))
        rows.append({"id": ex.id, "title": ex.title, "kind": ex.kind, "asks": _asks(ex),
                     "steps": template_steps(ex)})
    return rows


def _asks(ex: Any) -> str:
    if not isinstance(ex, Exercise):
        from ..exercises.perceptron.solving import asked_text

        return asked_text(ex)
    steps = template_steps(ex)
    return f"{len(steps)} steps: " + ", ".join(steps[:4]) + (", ..." if len(steps) > 4 else "")


def template_steps(ex: Any) -> list[str]:
    if isinstance(ex, Exercise):
        return [item.step.text for item in ex.ask]
    from ..exercises.perceptron.solving import template_steps as perceptron_steps

    return perceptron_steps(ex)


def key_answers(ex: Any) -> dict[str, Any]:
    """An answers mapping that `check` scores as fully correct."""
    if isinstance(ex, Exercise):
        from ..marking.check import answer_key

        return answer_key(ex).expected
    from ..exercises.perceptron.solving import key_answers as perceptron_key

    return perceptron_key(ex)


def key_rows(ex: Any) -> list[tuple[str, Any, float]]:
    """(step, value, weight) for the answer key."""
    answers = key_answers(ex)
    weights = {item.step.text: item.weight for item in ex.ask} if isinstance(ex, Exercise) \
        else {}
    return [(step, value, weights.get(step, 1.0)) for step, value in answers.items()]


def template_notes(ex: Any) -> list[tuple[str, str]]:
    """Each asked step with a note on the kind of value it takes."""
    if not isinstance(ex, Exercise):
        return [(step, 'a number, or text such as "-1/2"') for step in template_steps(ex)]
    from ..marking.check import answer_key

    expected = answer_key(ex).expected
    return [(step, _kind_note(expected[step])) for step in template_steps(ex)]


def _kind_note(value: np.ndarray) -> str:
    if value.ndim == 0:
        return "a number"
    if value.ndim == 1:
        return f"a vector of {value.shape[0]}: [a, b, ...]"
    return f"a {fmt.shape(value)} matrix: [[...], [...]]"


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


def run_self_tests(ex: Any) -> list[SelfTestResult]:
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

    @property
    def failed_tests(self) -> list[SelfTestResult]:
        """The self-tests that did not get their stated score."""
        return [test for test in self.tests if not test.passed]


def validate(path: str) -> Validation:
    try:
        ex = load_exercise(path)
    except GradtutorError as error:
        return Validation(path, None, getattr(error, "problems", None) or [error], [])
    return Validation(path, ex.id, [], run_self_tests(ex))


def _texts_for(texts: dict[tuple, str], step: str) -> dict[tuple, str]:
    return {key[1:]: text for key, text in texts.items() if key[:1] == (step,)}
