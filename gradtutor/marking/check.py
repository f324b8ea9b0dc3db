"""Checking one answers file against a graph exercise: a verdict and a score for every step.

1. Every asked step is compared with the answer key (`correct`, `wrong`, `missing`,
   `invalid`).
2. A wrong step is recomputed from the student's own answers to the other steps, with the
   right rules: if that reproduces it, the error was carried forward (`follow-through`),
   and the message names the earliest wrong step it inherits from. Only plausible attempts
   are carried forward (see `implausible`): never a zero, a NaN, a value 100 times too
   large or too small, one number repeated over steps whose true values differ, or a
   gradient that is the forward value of its own node; and nothing at all in a file that
   is a key of other numbers (three or more steps wrong on their own and fewer than a
   fifth right).
3. A step still wrong gets a diagnosis when exactly one known mistake reproduces it and
   the value is not degenerate (diagnosis.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base import fmt, limits
from ..base.compare import Tolerance, close
from ..base.errors import GradtutorError
from ..base.safetext import visible
from ..engine.graph import evaluate, graph_of
from ..exercises.answers import Answer, Answers, match_step
from ..exercises.exercise import AskItem, Exercise
from ..lang.expr import Num, Unary, free_names
from ..lang.parser import parse_expression, parse_value_text
from ..lang.values import to_array
from .recompute import Overrides, Recomputer, exact, influences
from .results import FileResult, StepResult, finish

Array = np.ndarray


# -- the answer key ----------------------------------------------------------------------


@dataclass
class Key:
    """The true value of every asked step."""

    expected: dict[str, Array]  # step text -> value


def answer_key(ex: Exercise) -> Key:
    """The key computed; the graph kind keeps it on the exercise (gradtutor.kinds)."""
    truth = exact(ex)
    return Key({item.step.text: truth.value(item.step) for item in ex.ask})


# -- reading one answer ------------------------------------------------------------------


@dataclass
class Given:
    """One answer, read: a number, an array, a formula, or the reason it is unreadable."""

    shown: Any  # as written, for the report
    value: Array | None = None
    texts: list[str | None] | None = None  # each entry's number as written
    formula: Any = None  # an expression with free names
    problem: str | None = None


def read_given(answer: Answer) -> Given | None:
    """The answer read; None for an empty one (a step left blank is missing)."""
    raw = answer.raw
    if raw is None or isinstance(raw, str) and not raw.strip():
        return None
    shown = raw if isinstance(raw, str | int | float | list) else repr(raw)[:80]
    if isinstance(raw, bool):
        return Given(shown, problem=f"expected a number, got {str(raw).lower()}")
    if isinstance(raw, int | float | list):
        try:
            value = to_array(raw)  # bounded: a 400-digit integer is no float
        except GradtutorError as error:
            return Given(raw if isinstance(raw, list) else visible(raw, 40),
                         problem=error.message)
        return Given(raw, value, _entry_texts(answer, value.shape))
    if isinstance(raw, str):
        return _read_text(raw)
    return Given(shown, problem="expected a number, a list of numbers or a formula")


def _entry_texts(answer: Answer, shape: tuple[int, ...]) -> list[str | None]:
    """Each entry's number as written (a scalar's is at the index ())."""
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
        graph = graph_of(expr)
        value = evaluate(graph, {})[graph.output]
    except GradtutorError as error:
        return Given(text, problem=error.message)
    return Given(text, np.asarray(value, dtype=float), [literal] * max(value.size, 1))


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
    advice: str | None = None  # the message without the expected value
    reads: list[_Step] | None = None  # the steps its recomputation reads, once known

    @property
    def text(self) -> str:
        return self.item.step.text


def check_exercise(ex: Exercise, answers: Answers, key: Key) -> FileResult:
    """Check every asked step of one answers file against the exercise's answer key."""
    matched, twice, notes = _match_steps(ex, answers)
    steps = [_Step(item, read_given(matched[item.step.text]) if item.step.text in matched
                   else None, key.expected[item.step.text],
                   line=matched[item.step.text].line if item.step.text in matched else None)
             for item in ex.ask]
    for step in steps:
        if step.text in twice:
            step.given = Given(None, problem=twice[step.text])
    deadline = time.monotonic() + limits.FILE_SECONDS  # for all the symbolic work of a file
    for step in steps:
        _against_key(ex, step, deadline)
        if step.verdict == "missing":
            step.message = _unmatched_note(step.text, notes)
    student = _student_values(ex, steps)
    recomputed = Recomputer(ex, student)  # every step from the student's other answers
    suspect = implausible(ex, steps)
    if not _degenerate(steps):
        for step in _dependency_order(ex, steps):
            if step.verdict == "wrong":
                _carried_forward(ex, step, steps, student, recomputed, suspect)
    other_key = _other_numbers(ex, steps)
    if other_key:
        for step in steps:
            if step.verdict == "follow-through":
                step.verdict, step.origin, step.message, step.advice = "wrong", None, "", None
    replays: dict = {}  # the mistakes replayed on this student's answers, shared by steps
    for step in steps:
        if step.verdict == "wrong" and other_key:
            step.message = step.message or f"expected {fmt.value(step.expected)}"
        elif step.verdict == "wrong":
            _diagnose(ex, step, student, recomputed, replays,
                      suspect.get(step.text) in ("off scale", "repeated"))
    result = FileResult(ex.id, answers.file, answers.student, notes=notes)
    result.steps = [_result(ex, step) for step in steps]
    return finish(result)


def _match_steps(ex: Exercise, answers: Answers
                 ) -> tuple[dict[str, Answer], dict[str, str], list[str]]:
    """Answers keyed by the asked step they answer; steps answered twice (two spellings
    of one step), with the reason; notes for keys that answer no step."""
    asked = [item.step.text for item in ex.ask]
    matched: dict[str, Answer] = {}
    twice: dict[str, str] = {}
    notes: list[str] = []
    for key, answer in answers.answers.items():
        found = match_step(key, asked)
        name = found.step
        if name is None:
            hint = f" (did you mean {found.suggestion}?)" if found.suggestion else ""
            where = f"line {answer.line}: " if answer.line else ""
            notes.append(f"{where}'{key}' is not a step of this exercise{hint}")
        elif name in matched:
            first = matched[name]
            twice[name] = (f"answered twice: '{first.step}' (line {first.line}) and '{key}' "
                           f"(line {answer.line}); keep one")
        else:
            matched[name] = answer
    return matched, twice, notes


def _unmatched_note(step: str, notes: list[str]) -> str:
    """For a missing step: the answers-file key that looks like it, if a note names one."""
    for note in notes:
        if note.endswith(f"(did you mean {step}?)") or f" {step} or " in note or \
                note.endswith(f" or {step}?)"):
            return f"no answer; {note}"
    return "no answer"


def _against_key(ex: Exercise, step: _Step, deadline: float) -> None:
    given = step.given
    if given is None:
        step.verdict, step.message = "missing", "no answer"
        return
    if given.problem is not None:
        step.verdict, step.message = "invalid", given.problem
        return
    if given.formula is not None:
        _check_formula(ex, step, given.formula, deadline)
        return
    value = given.value
    assert value is not None
    if value.shape != step.expected.shape:
        if value.ndim > 0 or step.expected.size != 1:
            step.verdict = "wrong"
            step.message = (f"expected shape {fmt.shape(step.expected)}, got "
                            f"{fmt.shape(value)}")
            return
        given.value = value = value.reshape(step.expected.shape)  # 0.2 for a bias [0.2]
    if close(value, step.expected, tolerance_of(ex, step.item), given.texts):
        step.verdict = "correct"
    else:
        step.verdict = "wrong"


def tolerance_of(ex: Exercise, item: AskItem) -> Tolerance:
    """The step's own tolerance, else the exercise's."""
    return item.tolerance or ex.tolerance


def _check_formula(ex: Exercise, step: _Step, formula: Any, deadline: float) -> None:
    """A formula answer, within what is left of the answers file's time."""
    from .formulas import check_formula

    left = deadline - time.monotonic()
    if left <= 0:
        step.verdict = "invalid"
        step.message = (f"not checked: the {limits.FILE_SECONDS:g} s this answers file may "
                        "spend on formulas ran out")
        return
    verdict = check_formula(ex, step.item.step, formula, min(limits.SIMPLIFY_SECONDS, left))
    step.verdict, step.message = verdict.verdict, verdict.message


def _student_values(ex: Exercise, steps: list[_Step]) -> Overrides:
    """The student's numeric answers, as values to recompute other steps from."""
    overrides = Overrides()
    for step in steps:
        given = step.given
        if given is None or given.value is None or given.value.shape != step.expected.shape \
                or not np.all(np.isfinite(given.value)) or step.item.step.is_update:
            continue  # an update is read by no other step
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
        if s.is_update:
            return (2, names[s.wrt], 0)
        if not s.is_gradient:
            return (0, names[s.wrt])
        return (1, names[s.of or ""], -names[s.wrt])

    return sorted(steps, key=order)


def implausible(ex: Exercise, steps: list[_Step]) -> dict[str, str]:
    """The wrong steps whose numbers are no plausible attempt, with the reason: never
    carried forward. A zero or a non-finite value; a value 100 times too large or too small;
    one number given for three or more steps whose true values differ (or filling a vector
    whose true entries differ); a gradient equal to the forward value of its own node."""
    found: dict[str, str] = {}
    wrong = [s for s in steps if s.verdict == "wrong" and s.given is not None
             and s.given.value is not None and s.given.value.shape == s.expected.shape]
    forward = {s.item.step.wrt: s.given.value for s in steps if not s.item.step.is_gradient
               and not s.item.step.is_update and s.given is not None and s.given.value is not None}
    truth = Recomputer(ex)
    for step in wrong:
        value = step.given.value if step.given else None
        assert value is not None
        if not np.all(np.isfinite(value)) or not np.any(value):
            found[step.text] = "zero"
        elif _off_scale(value, step.expected, ex.tolerance.scale):
            found[step.text] = "off scale"
        elif _one_number(value, step.expected):
            found[step.text] = "repeated"
        elif _own_forward_value(ex, step, value, forward, truth):
            found[step.text] = "forward value"
    for step in wrong:
        number = _only_number(step)
        twins = [s for s in wrong if number is not None and _only_number(s) == number]
        truths = {round(float(np.linalg.norm(s.expected)), 12) for s in twins}
        if len(twins) >= 3 and len(truths) > 1:
            found[step.text] = "repeated"
    return found


def _only_number(step: _Step) -> float | None:
    """The one number every entry of the answer is, if it is one number."""
    value = step.given.value if step.given is not None else None
    if value is None or not value.size or not np.all(value == value.ravel()[0]):
        return None
    return float(value.ravel()[0])


def _off_scale(value: Array, expected: Array, scale: float) -> bool:
    with np.errstate(all="ignore"):
        size, true_size = float(np.linalg.norm(value)), float(np.linalg.norm(expected))
    if not np.isfinite(size):
        return True
    if true_size == 0:
        return size > 100 * scale
    return not 0.01 <= size / true_size <= 100


def _one_number(value: Array, expected: Array) -> bool:
    """A vector filled with one number where the true entries differ."""
    return bool(value.size >= 3 and np.all(value == value.ravel()[0])
                and not np.allclose(expected, expected.ravel()[0]))


def _own_forward_value(ex: Exercise, step: _Step, value: Array, forward: dict,
                       truth: Recomputer) -> bool:
    """A gradient dOf/dX written as the value of X (the true one or the student's)."""
    item = step.item.step
    if not item.is_gradient:
        return False
    own = truth.values[ex.graph.names[item.wrt]]
    tolerance = tolerance_of(ex, step.item)
    candidates = [own] + ([forward[item.wrt]] if item.wrt in forward else [])
    return any(np.shape(c) == value.shape and close(value, c, tolerance)
               and not close(step.expected, c, tolerance) for c in candidates)


def _other_numbers(ex: Exercise, steps: list[_Step]) -> bool:
    """A key of other numbers (another variant's, last year's): its values agree with each
    other, so much follows through, but three or more steps are wrong on their own, every
    one where this exercise's given numbers enter, and no more steps are right than carried.
    An honest student's slips inside the graph (a local derivative, a rounded value) are
    not where the given numbers enter, so their follow-through stands."""
    roots = [s for s in steps if s.verdict == "wrong"]
    right = sum(1 for s in steps if s.verdict == "correct")
    carried = sum(1 for s in steps if s.verdict == "follow-through")
    if len(roots) < 3 or carried < max(right, 1):
        return False
    reads = _node_reads(ex)
    return all(s.item.step.is_update
               or _takes_given_numbers(ex, s.item.step.wrt, s.item.step.is_gradient, reads)
               for s in roots)


def _node_reads(ex: Exercise) -> dict[str, set[str]]:
    """Each node and the names its expression reads, parsed once per exercise (kept with
    the exercise's other recomputations, the same for every student)."""
    found = ex.truths.get("node reads")
    if found is None:
        found = ex.truths["node reads"] = {
            name: set(free_names(parse_expression(text))) for name, text in ex.nodes.items()}
    assert isinstance(found, dict)
    return found


def _takes_given_numbers(ex: Exercise, wrt: str, gradient: bool,
                         reads: dict[str, set[str]]) -> bool:
    """Whether a step's value takes in given numbers directly: a node that reads a given
    input; a gradient with respect to a given input, or to a node read beside one."""
    if not gradient:
        return any(name in ex.given for name in reads.get(wrt, ()))
    return wrt in ex.given or any(wrt in names and any(n in ex.given for n in names)
                                  for names in reads.values())


def _carried_forward(ex: Exercise, step: _Step, steps: list[_Step], student: Overrides,
                     recomputed: Recomputer, suspect: dict[str, str]) -> None:
    """Follow-through: right when recomputed from the student's own earlier answers."""
    given = step.given
    if given is None or given.value is None or given.value.shape != step.expected.shape:
        return
    used = [s for s in _read_by(ex, step, steps, student) if _differs(s)]
    if not used or any(_refused(s, suspect) for s in used):
        return
    if not close(given.value, recomputed.value(step.item.step), tolerance_of(ex, step.item),
                 given.texts):
        return
    step.verdict = "follow-through"
    step.origin = _origin(ex, step, steps, student)
    step.advice = f"right given your earlier answers (error carried forward from {step.origin})"
    step.message = f"{step.advice}; the true value is {fmt.value(step.expected)}"


def _read_by(ex: Exercise, step: _Step, steps: list[_Step], student: Overrides
             ) -> list[_Step]:
    """The other steps whose answers the recomputation of `step` reads (worked out once:
    the student's answers do not change while their file is checked)."""
    if step.reads is None:
        names = ex.graph.names
        keys = influences(ex, step.item.step, student)
        of = step.item.step.gradient.of if step.item.step.is_update else step.item.step.of
        step.reads = [s for s in steps if s is not step and not s.item.step.is_update and (
            ("grad", names[s.item.step.wrt]) in keys and s.item.step.of == of
            if s.item.step.is_gradient else ("value", names[s.item.step.wrt]) in keys)]
    return step.reads


def _differs(step: _Step) -> bool:
    value = step.given.value if step.given is not None else None
    return value is not None and value.shape == step.expected.shape and \
        not np.allclose(value, step.expected, rtol=1e-12, atol=0)


def _refused(step: _Step, suspect: dict[str, str]) -> bool:
    """An implausible wrong value (see `implausible`) is never carried forward, so that
    nobody games follow-through. A zero that is itself carried forward correctly (a relu of
    the student's negative value) is no such thing."""
    value = step.given.value if step.given else None
    if value is None:
        return True
    degenerate = not np.all(np.isfinite(value)) or not np.any(value) or step.text in suspect
    return degenerate and step.verdict != "follow-through"


def _origin(ex: Exercise, step: _Step, steps: list[_Step], student: Overrides) -> str:
    """The earliest wrong step (in the order asked) that the error came from: through the
    values the step read, back past follow-through and merely imprecise ones. Only when no
    wrong step is behind it, the earliest imprecise value is named."""
    order = [s.text for s in steps]
    wrong, imprecise = _roots(ex, step, steps, student, frozenset())
    return min(wrong or imprecise or {step.text}, key=order.index)


def _roots(ex: Exercise, step: _Step, steps: list[_Step], student: Overrides,
           seen: frozenset[str]) -> tuple[set[str], set[str]]:
    wrong: set[str] = set()
    imprecise: set[str] = set()
    for used in _read_by(ex, step, steps, student):
        if not _differs(used) or used.text in seen:
            continue
        if used.verdict == "wrong":
            wrong.add(used.text)
        elif used.origin:
            wrong.add(used.origin)
        else:  # within tolerance but not exact: look at what it was computed from
            deeper_wrong, deeper_imprecise = _roots(ex, used, steps, student,
                                                    seen | {step.text})
            wrong |= deeper_wrong
            imprecise |= deeper_imprecise or {used.text}
    return wrong, imprecise


def _diagnose(ex: Exercise, step: _Step, student: Overrides, recomputed: Recomputer,
              replays: dict, degenerate: bool) -> None:
    from .diagnosis import Situation, explanations

    given = step.given
    expected_text = f"expected {fmt.value(step.expected)}"
    if given is None or given.value is None or degenerate:
        step.advice = "" if not step.message else None
        step.message = step.message or expected_text
        return
    tolerance = tolerance_of(ex, step.item)
    from_answers = recomputed.value(step.item.step) if student else None
    situation = Situation(ex, step.item.step, given.value, given.texts, step.expected,
                          student, tolerance, from_answers, replays)
    found = explanations(situation)
    if len(found) > 1:
        codes = " or ".join(m.code for m in found)
        step.advice = f"this could be {codes}: no single mistake explains it"
        step.message = f"{step.advice} ({expected_text})"
        return
    if not found:
        step.advice = "" if not step.message else None
        step.message = step.message or expected_text
        return
    step.diagnosis = found[0].code
    fix = found[0].fix.replace("{figures}", str(tolerance.figures))
    step.advice = f"{found[0].explanation}; {fix}"
    step.message = f"{step.advice} ({expected_text})"


def _result(ex: Exercise, step: _Step) -> StepResult:
    weight = step.item.weight
    credit = {"correct": 1.0, "follow-through": ex.follow_through}.get(step.verdict, 0.0)
    given = step.given.shown if step.given is not None else None
    return StepResult(
        step=step.text, verdict=step.verdict, given=given, expected=step.expected,
        score=weight * credit, max_score=weight, diagnosis=step.diagnosis,
        message=step.message,
        hint=step.item.hint if step.verdict in ("wrong", "missing", "invalid") else None,
        origin=step.origin, line=step.line, advice=step.advice,
    )
