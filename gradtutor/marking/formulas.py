"""Text answers with free names (`df/dx: a - y`): are they the right formula?

The formula and the true step are compared numerically, with the project's own engine, at
the given point and at points drawn on the exercise's own domain: only what the exercise
declares free varies; one-hot targets stay one-hot, probabilities stay on the simplex,
fixed data stays fixed (`domain:` and `fixed:`, docs/exercise-format.md). A formula that
differs at any point is wrong; one that agrees at every point is right. sympy is used only
to confirm a formula that could not be evaluated at enough points, under a time bound.

A formula may name another step, `f6 * df8/df6`: the reference stands for that step's
true value at each point, so the formula is checked as a chain-rule expression.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import zlib
from dataclasses import dataclass

import numpy as np

from ..base import limits, sandbox
from ..base.errors import GradtutorError, TimeLimitError
from ..base.timebox import time_limit
from ..engine.graph import Graph, evaluate, graph_of
from ..exercises.exercise import Exercise, Step
from ..lang.expr import Expr, free_names, to_text
from ..lang.parser import parse_expression
from .recompute import Recomputer

POINTS = 8  # drawn points, besides the given one
ENOUGH = 3  # points that must evaluate before a numeric verdict
_REFERENCE = re.compile(r"\bd([A-Za-z_][A-Za-z0-9_]*) / d([A-Za-z_][A-Za-z0-9_]*)\b")
_POINTS_KEY = "formula points"  # in Exercise.truths: the same for every student


@dataclass
class FormulaVerdict:
    verdict: str  # correct, wrong or invalid
    message: str


@dataclass
class _Point:
    """One point of the domain: its given values and the truth computed there."""

    given: dict[str, np.ndarray]
    truth: Recomputer | None  # None where the exercise cannot be computed


def check_formula(ex: Exercise, step: Step, formula: Expr,
                  seconds: float = limits.SIMPLIFY_SECONDS) -> FormulaVerdict:
    """Whether `formula` (in the exercise's input and node names) is the step's formula."""
    if step.is_update:
        return FormulaVerdict("invalid", f"{step.text} is an update: give its numbers, not a "
                              "formula")
    # what the message quotes: a step named dA/dB as the student wrote it, not its placeholder
    as_written = _REFERENCE.sub(r"d\1/d\2", to_text(formula))
    formula, references = _with_references(ex, formula)
    for name in free_names(formula):
        if name not in ex.graph.names and name not in references:
            return FormulaVerdict("invalid", _unknown(ex, name))
    circular = _circular(ex.graph, step, set(free_names(formula)) - set(references),
                         list(references.values()))
    if circular:
        return FormulaVerdict("invalid", circular)
    graph = graph_of(formula)
    agreed = 0
    for point in _points(ex):
        mine, expected = _at(ex, step, graph, point, references)
        if mine is None or expected is None:
            continue
        if not _same(mine, expected):
            return FormulaVerdict("wrong", f"{as_written} is not the formula for "
                                  f"{step.text}: {_where(ex, point, agreed)}")
        agreed += 1
    read_as = ", ".join(str(s.text) for s in references.values())
    also = f" ({read_as} read as {'its' if len(references) == 1 else 'their'} true " \
        "value)" if references else ""
    if agreed >= ENOUGH:
        return FormulaVerdict("correct", f"equal to {step.text} at {agreed} points of the "
                              f"exercise's domain{also}")
    if agreed == 0 or references or any(np.ndim(v) for v in ex.given.values()):
        return FormulaVerdict("invalid", "could not evaluate the formula at enough points "
                              "to compare it")
    return _proof(ex, step, formula, seconds, agreed)


def _with_references(ex: Exercise, formula: Expr) -> tuple[Expr, dict[str, Step]]:
    """`dA/dB` inside a formula, where A and B are names of the exercise, read as the step."""
    names = ex.graph.names
    references: dict[str, Step] = {}

    def replace(match: re.Match[str]) -> str:
        of, wrt = match.group(1), match.group(2)
        if of not in names or wrt not in names or f"d{of}" in names or f"d{wrt}" in names:
            return match.group(0)
        placeholder = _placeholder(len(references), names)
        references[placeholder] = Step(f"d{of}/d{wrt}", wrt, of)
        return placeholder

    text = _REFERENCE.sub(replace, to_text(formula))
    if not references:
        return formula, references
    try:
        return parse_expression(text, max_chars=limits.MAX_ANSWER_CHARS * 2), references
    except GradtutorError:
        return formula, {}


def _circular(graph: Graph, step: Step, names: set[str], references: list[Step]) -> str:
    """Why the formula answers the step with the step itself ('' when it does not).

    A name or a reference stands for its true value, so a formula may only use what the
    notes' procedure knows before the step: a forward value is written from values it does
    not feed (no gradients); a gradient dO/dX from any forward value and from the gradients
    dA/dB with B at or after X and A at or before O, itself excepted (the upstream gradients
    and local derivatives of the chain rule). Each such reference spans less of the graph
    than the step, so no answers file can make the steps stand for one another in a ring.
    """
    target = graph.names[step.wrt]
    if not step.is_gradient:
        fed = sorted(name for name in names if target in graph.ancestors(graph.names[name]))
        if fed or references:
            named = fed[0] if fed else references[0].text
            why = "the step it answers" if named == step.wrt else \
                f"which is computed from {step.wrt}" if fed else "a gradient"
            return f"the formula names {named}, {why}: write {step.text} from the values it " \
                "is computed from"
        return ""
    output = graph.names[step.of or ""]
    for reference in references:
        start, end = graph.names[reference.wrt], graph.names[reference.of or ""]
        inside = target in graph.ancestors(start) and end in graph.ancestors(output)
        if (start, end) == (target, output):
            return f"the formula names {step.text}, the step it answers: write it from the " \
                "forward values and the gradients before it"
        if not inside:
            return f"the formula names {reference.text}, which the backward pass does not " \
                f"know before {step.text}: name only gradients dA/dB with B at or after " \
                f"{step.wrt} and A at or before {step.of} (the upstream gradient and local " \
                "derivatives)"
    return ""


def _placeholder(index: int, taken: dict[str, int]) -> str:
    name = f"step_ref{index}"
    while name in taken:
        name += "_"
    return name


def _unknown(ex: Exercise, name: str) -> str:
    close = difflib.get_close_matches(name, list(ex.graph.names), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    if name.startswith("d") and len(name) > 1:
        hint += "; a formula may name another step as dA/dB, where A and B are the " \
            "exercise's nodes or inputs"
    return f"unknown name '{name}' in the formula{hint}"


def _same(mine: np.ndarray, expected: np.ndarray) -> bool:
    """Equal up to float rounding (np.allclose, written out: it runs thousands of times)."""
    if mine.shape != expected.shape:
        return False
    size = np.abs(expected)
    atol = 1e-9 * max(1.0, float(size.max(initial=0.0)))
    return bool((np.abs(mine - expected) <= atol + 1e-6 * size).all())


def _where(ex: Exercise, point: _Point, index: int) -> str:
    if index == 0 and point.given is ex.given:
        return "they differ at the given values"
    varied = [n for n in point.given if ex.domain.get(n, "free") != "fixed"][:4]
    shown = ", ".join(f"{n} = {float(np.ravel(point.given[n])[0]):.4g}" for n in varied)
    return f"they differ at {shown}" if shown else "they differ"


def _points(ex: Exercise) -> list[_Point]:
    """The given point, then points drawn on the exercise's domain (the same on every run,
    and for every student: computed once per exercise)."""
    cached = ex.truths.get(_POINTS_KEY)
    if isinstance(cached, list):
        return cached
    rng = np.random.default_rng(zlib.crc32(ex.id.encode()))
    drawn = [ex.given] + [{name: _draw(value, ex.domain.get(name, "free"), rng)
                           for name, value in ex.given.items()} for _ in range(POINTS)]
    points = [_Point(given, _truth(ex, given)) for given in drawn]
    ex.truths[_POINTS_KEY] = points
    return points


def _draw(value: np.ndarray, domain: str, rng: np.random.Generator) -> np.ndarray:
    """A value near `value` that keeps its domain."""
    if domain == "fixed":
        return value
    if domain == "one-hot":
        rows = np.atleast_2d(value)
        classes = rng.integers(rows.shape[-1], size=rows.shape[0])
        return np.eye(rows.shape[-1])[classes].reshape(value.shape)
    if domain == "simplex":
        rows = np.atleast_2d(value)
        return rng.dirichlet(np.ones(rows.shape[-1]), size=rows.shape[0]).reshape(value.shape)
    jitter = rng.uniform(-0.3, 0.3, size=np.shape(value))
    if domain == "positive":
        return np.asarray(np.abs(value) * np.exp(jitter) + 0.1 * np.abs(jitter), dtype=float)
    return np.asarray(value * (1 + jitter) + 0.1 * jitter, dtype=float)


def _truth(ex: Exercise, given: dict[str, np.ndarray]) -> Recomputer | None:
    truth = Recomputer(ex if given is ex.given else dataclasses.replace(ex, given=given))
    try:
        truth.values  # noqa: B018  (computed now: a point the exercise fails at is skipped)
    except GradtutorError:
        return None
    return truth


def _at(ex: Exercise, step: Step, graph: Graph, point: _Point, references: dict[str, Step]
        ) -> tuple[np.ndarray | None, np.ndarray | None]:
    if point.truth is None:
        return None, None
    try:
        values = point.truth.values
        expected = point.truth.value(step)
        bound = {name: values[index] for name, index in ex.graph.names.items()}
        bound.update({name: point.truth.value(s) for name, s in references.items()})
        with np.errstate(all="ignore"):
            mine = evaluate(graph, bound)[graph.output]
    except GradtutorError:
        return None, None
    mine = np.broadcast_to(mine, np.shape(expected)) if np.ndim(mine) == 0 else mine
    finite = np.isfinite(mine).all() and np.isfinite(expected).all()
    return (np.asarray(mine), np.asarray(expected)) if finite else (None, None)


def _proof(ex: Exercise, step: Step, formula: Expr, seconds: float,
           agreed: int) -> FormulaVerdict:
    try:  # in the worker process: sympy can run without bound on a hostile formula
        proved = sandbox.run(_proved_equal, ex, step, formula, seconds,
                             what="the symbolic proof", seconds=seconds + 1)
    except (TimeLimitError, sandbox.TooExpensive) as error:
        return FormulaVerdict("invalid", f"{error.message}; write it more simply")
    except (RecursionError, ArithmeticError, ValueError, TypeError):  # sympy gave up
        proved = False
    if proved:
        return FormulaVerdict("correct", "the same formula (checked symbolically)")
    return FormulaVerdict("invalid", f"equal at only {agreed} point(s), and sympy could not "
                          "simplify the difference to 0; write it more simply")


def _proved_equal(ex: Exercise, step: Step, formula: Expr, seconds: float) -> bool:
    """Whether sympy simplifies the difference to 0 (in the worker, under the SIGALRM too)."""
    with time_limit(seconds, "checking the formula symbolically"):
        return bool(_symbolic_difference(ex, step, formula) == 0)


def _symbolic_difference(ex: Exercise, step: Step, formula: Expr) -> object:
    """(the student's formula) - (the step's formula), in the inputs, simplified."""
    import sympy  # slow to import: only when a formula answer needs a proof

    from ..engine import symbolic

    graph = ex.graph
    of = graph.names[step.of or step.wrt]
    rule = symbolic.chain_rule(graph, of)
    expected = rule.adjoints.get(graph.names[step.wrt], sympy.Integer(0)) \
        if step.is_gradient else rule.formulas[of]
    in_inputs = symbolic.in_inputs(graph, rule)
    mine_graph = graph_of(formula)
    mine = symbolic.chain_rule(mine_graph, mine_graph.output).formulas[mine_graph.output]
    return sympy.simplify(mine.xreplace(in_inputs) - expected.xreplace(in_inputs))
