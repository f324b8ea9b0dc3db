"""Checking one answers file against a graph exercise: a verdict and a score for every step.

1. Every asked step is compared with the answer key (`correct`, `wrong`, `missing`,
   `invalid`).
2. A wrong step is recomputed from the student's own answers to the other steps, with the
   right rules: if that reproduces it, the error was carried forward (`follow-through`),
   and the message names the earliest wrong step it inherits from. Degenerate answers (a
   zero, a NaN, the same number everywhere) are not carried forward.
3. A step still wrong gets a diagnosis when a known mistake reproduces it (diagnosis.py).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import fmt, limits
from .answers import Answer, Answers
from .compare import close
from .diagnosis import Situation, diagnose
from .errors import GradtutorError
from .exercise import AskItem, Exercise, Step, parse_step
from .expr import Num, Unary, free_names
from .formulas import check_formula
from .graph import build_graph, evaluate
from .parser import parse_expression, parse_value_text
from .recompute import Overrides, node_values, step_value
from .results import FileResult, StepResult, finish
from .timebox import time_limit
from .values import to_array

Array = np.ndarray


# -- the answer key ----------------------------------------------------------------------


@dataclass
class Key:
    """The true value of every asked step."""

    values: list[Array]  # every node's value
    expected: dict[str, Array]  # step text -> value


def answer_key(ex: Exercise) -> Key:
    values = node_values(ex)
    expected = {item.step.text: step_value(ex, item.step, values=values) for item in ex.ask}
    return Key(values, expected)


# -- reading one answer ------------------------------------------------------------------


@dataclass
class Given:
    """One answer, read: a number, an array, a formula, or the reason it is unreadable."""

    shown: Any  # as written, for the report
    value: Array | None = None
    texts: list[str | None] | None = None  # each entry's number as written
    formula: Any = None  # an expression with free names
    problem: str | None = None


def read_given(answer: Answer) -> Given:
    raw = answer.raw
    shown = raw if isinstance(raw, str | int | float | list) else repr(raw)[:80]
    if isinstance(raw, bool):
        return Given(shown, problem=f"expected a number, got {str(raw).lower()}")
    if isinstance(raw, int | float):
        text = answer.texts.get(())
        return Given(raw, np.asarray(float(raw)), [text])
    if isinstance(raw, list):
        try:
            value = to_array(raw)
        except GradtutorError as error:
            return Given(shown, problem=error.message)
        return Given(raw, value, _entry_texts(answer, value.shape))
    if isinstance(raw, str):
        return _read_text(raw)
    return Given(shown, problem="expected a number, a list of numbers or a formula")


def _entry_texts(answer: Answer, shape: tuple[int, ...]) -> list[str | None]:
    return [answer.texts.get(index) for index in np.ndindex(*shape)]


def _read_text(text: str) -> Given:
    try:
        if text.lstrip().startswith("["):
            return Given(text, to_array(parse_value_text(text, max_chars=limits.MAX_ANSWER_CHARS)))
        expr = parse_expression(text, max_chars=limits.MAX_ANSWER_CHARS)
    except GradtutorError as error:
        where = f" (column {error.column})" if error.column else ""
        return Given(text, problem=f"{error.message}{where}")
    if free_names(expr):
        return Given(text, formula=expr)
    number = expr.operand if isinstance(expr, Unary) else expr
    literal = text.strip() if isinstance(number, Num) else None
    try:
        graph = build_graph_of(expr)
        value = evaluate(graph, {})[graph.output]
    except GradtutorError as error:
        return Given(text, problem=error.message)
    return Given(text, np.asarray(value, dtype=float), [literal] * max(value.size, 1))


def build_graph_of(expr: Any) -> Any:
    from .expr import Assignment, Program

    return build_graph(Program((Assignment(None, expr),)))


# -- checking ------------------------------------------------------------------------------


@dataclass
class _Step:
    item: AskItem
    given: Given | None
    expected: Array
    verdict: str = ""
    message: str = ""
    diagnosis: str | None = None
    origin: str | None = None
    line: int | None = None
    uses: list[str] = field(default_factory=list)  # steps whose answers it was recomputed from

    @property
    def text(self) -> str:
        return self.item.step.text


def check_exercise(ex: Exercise, answers: Answers, key: Key | None = None) -> FileResult:
    """Check every asked step of one answers file."""
    key = key or answer_key(ex)
    matched, notes = _match_steps(ex, answers)
    steps = [_Step(item, read_given(matched[item.step.text]) if item.step.text in matched
                   else None, key.expected[item.step.text],
                   line=matched[item.step.text].line if item.step.text in matched else None)
             for item in ex.ask]
    with time_limit(limits.FILE_SECONDS, f"checking {answers.file}"):
        for step in steps:
            _against_key(ex, step)
    student = _student_values(ex, steps)
    if not _degenerate(steps):
        for step in _dependency_order(ex, steps):
            if step.verdict == "wrong":
                _carried_forward(ex, step, steps, student)
    for step in steps:
        if step.verdict == "wrong":
            _diagnose(ex, step, student)
    result = FileResult(ex.id, answers.file, answers.student, notes=notes)
    result.steps = [_result(ex, step) for step in steps]
    return finish(result)


def _match_steps(ex: Exercise, answers: Answers) -> tuple[dict[str, Answer], list[str]]:
    """Answers keyed by the asked step they answer; notes for keys that answer none."""
    asked = [item.step.text for item in ex.ask]
    matched, notes = {}, []
    for key, answer in answers.answers.items():
        try:
            name = parse_step(str(key)).text
        except GradtutorError:
            name = str(key)
        if name in asked:
            matched[name] = answer
            continue
        close_steps = difflib.get_close_matches(name, asked, n=1)
        hint = f" (did you mean {close_steps[0]}?)" if close_steps else ""
        where = f"line {answer.line}: " if answer.line else ""
        notes.append(f"{where}'{key}' is not a step of this exercise{hint}")
    return matched, notes


def _against_key(ex: Exercise, step: _Step) -> None:
    given = step.given
    if given is None or given.shown is None:
        step.verdict, step.message = "missing", "no answer"
        return
    if given.problem is not None:
        step.verdict, step.message = "invalid", given.problem
        return
    if given.formula is not None:
        try:
            verdict = check_formula(ex, step.item.step, given.formula)
        except GradtutorError as error:  # the file's time budget ran out
            step.verdict, step.message = "invalid", error.message
            return
        step.verdict, step.message = verdict.verdict, verdict.message
        return
    value = given.value
    assert value is not None
    if value.shape != step.expected.shape and value.size > 1:
        step.verdict = "wrong"
        step.message = (f"expected shape {fmt.shape(step.expected)}, got "
                        f"{fmt.shape(value)}")
        return
    if value.shape != step.expected.shape:
        value = np.broadcast_to(value, step.expected.shape)
        given.value = value
        given.texts = (given.texts or [None]) * max(value.size, 1)
    if close(value, step.expected, ex.tolerance, given.texts):
        step.verdict = "correct"
    else:
        step.verdict = "wrong"


def _student_values(ex: Exercise, steps: list[_Step]) -> Overrides:
    """The student's numeric answers, as values to recompute other steps from."""
    overrides = Overrides()
    for step in steps:
        given = step.given
        if given is None or given.value is None or given.value.shape != step.expected.shape \
                or not np.all(np.isfinite(given.value)):
            continue
        target = ex.graph.names[step.item.step.wrt]
        if step.item.step.is_gradient:
            of = ex.graph.names[step.item.step.of or ""]
            overrides.backward.setdefault(of, {})[target] = given.value
        else:
            overrides.forward[target] = given.value
    return overrides


def _degenerate(steps: list[_Step]) -> bool:
    """The same number for every step: nothing to carry forward (and no way to game it)."""
    numbers = [float(s.given.value.ravel()[0]) for s in steps
               if s.given is not None and s.given.value is not None and s.given.value.size == 1]
    return len(numbers) >= 3 and len(set(numbers)) == 1


def _dependency_order(ex: Exercise, steps: list[_Step]) -> list[_Step]:
    """Forward values first, in node order; then gradients, from the output backwards."""
    names = ex.graph.names

    def order(step: _Step) -> tuple:
        s = step.item.step
        if not s.is_gradient:
            return (0, names[s.wrt])
        return (1, names[s.of or ""], -names[s.wrt])

    return sorted(steps, key=order)


def _depends_on(ex: Exercise, step: Step, other: Step) -> bool:
    """Whether the student's answer to `other` feeds the recomputation of `step`."""
    graph = ex.graph
    if other.text == step.text:
        return False
    top = graph.names[step.of or step.wrt]
    if not other.is_gradient:
        return graph.names[other.wrt] in graph.ancestors(top)
    if other.of != step.of or not step.is_gradient:
        return False
    between = graph.names[other.wrt]
    return graph.names[step.wrt] in graph.ancestors(between) and between in graph.ancestors(top)


def _carried_forward(ex: Exercise, step: _Step, steps: list[_Step],
                     student: Overrides) -> None:
    """Follow-through: right when recomputed from the student's own earlier answers."""
    given = step.given
    if given is None or given.value is None or given.value.shape != step.expected.shape:
        return
    used = [s for s in steps if s.given is not None and s.given.value is not None
            and _depends_on(ex, step.item.step, s.item.step)
            and s.given.value.shape == s.expected.shape
            and not np.allclose(s.given.value, s.expected, rtol=1e-12, atol=0)]
    if not used or any(_refused(s) for s in used):
        return
    recomputed = step_value(ex, step.item.step, student)
    if not close(given.value, recomputed, ex.tolerance, given.texts):
        return
    step.verdict = "follow-through"
    step.uses = [s.text for s in used]
    step.origin = _origin(step, steps)
    step.message = (f"right given your earlier answers (error carried forward from "
                    f"{step.origin}); the true value is {fmt.value(step.expected)}")


def _refused(step: _Step) -> bool:
    """A degenerate value is never carried forward: a zero, a NaN or an infinity."""
    value = step.given.value if step.given else None
    return value is None or not np.all(np.isfinite(value)) or not np.any(value)


def _origin(step: _Step, steps: list[_Step]) -> str:
    """The earliest wrong step (in the order asked) among those it inherits from."""
    order = [s.text for s in steps]
    by_text = {s.text: s for s in steps}
    wrong = [t for t in step.uses if by_text[t].verdict == "wrong"]
    if wrong:
        return min(wrong, key=order.index)
    inherited = [by_text[t].origin for t in step.uses if by_text[t].origin]
    candidates = inherited or step.uses
    return min(candidates, key=order.index)


def _diagnose(ex: Exercise, step: _Step, student: Overrides) -> None:
    given = step.given
    if given is None or given.value is None:
        return
    recomputed = step_value(ex, step.item.step, student) if student else None
    situation = Situation(ex, step.item.step, given.value, given.texts, step.expected,
                          student, ex.tolerance, recomputed)
    found = diagnose(situation)
    expected_text = f"expected {fmt.value(step.expected)}"
    if found is None:
        step.message = step.message or expected_text
        return
    step.diagnosis = found.code
    step.message = f"{found.explanation}; {found.fix} ({expected_text})"


def _result(ex: Exercise, step: _Step) -> StepResult:
    weight = step.item.weight
    credit = {"correct": 1.0, "follow-through": ex.follow_through}.get(step.verdict, 0.0)
    given = step.given.shown if step.given is not None else None
    return StepResult(
        step=step.text, verdict=step.verdict, given=given, expected=step.expected,
        score=weight * credit, max_score=weight, diagnosis=step.diagnosis,
        message=step.message, hint=step.item.hint if step.verdict != "correct" else None,
        origin=step.origin, line=step.line,
    )
