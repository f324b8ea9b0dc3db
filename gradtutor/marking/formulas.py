"""Text answers with free names (`df/dx: z`): are they the right formula?

First the formula and the true step are compared at several random points near the given
values, with the project's own engine (fast, and it cannot hang). A formula that differs at
any point is wrong. One that agrees everywhere is then proved equal with sympy, for scalar
steps, under a time bound: a proof that does not finish in time makes the step `invalid`.
"""

from __future__ import annotations

import dataclasses
import difflib
import zlib
from dataclasses import dataclass

import numpy as np

from ..base import limits, sandbox
from ..base.errors import GradtutorError, TimeLimitError
from ..base.timebox import time_limit
from ..engine.graph import Graph, evaluate, graph_of
from ..exercises.exercise import Exercise, Step
from ..lang.expr import Expr, free_names, to_text
from .recompute import Recomputer

POINTS = 8


@dataclass
class FormulaVerdict:
    verdict: str  # correct, wrong or invalid
    message: str


def check_formula(ex: Exercise, step: Step, formula: Expr,
                  seconds: float = limits.SIMPLIFY_SECONDS) -> FormulaVerdict:
    """Whether `formula` (in the exercise's input and node names) is the step's formula."""
    names = free_names(formula)
    for name in names:
        if name not in ex.graph.names:
            close = difflib.get_close_matches(name, list(ex.graph.names), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            return FormulaVerdict("invalid", f"unknown name '{name}' in the formula{hint}")
    graph = graph_of(formula)
    agreed = 0
    for point in _points(ex, step):
        mine, expected = _at(ex, step, graph, point)
        if mine is None or expected is None:
            continue
        if mine.shape != expected.shape or not np.allclose(mine, expected, rtol=1e-6,
                                                           atol=1e-9):
            where = ", ".join(f"{n} = {float(np.ravel(point[n])[0]):.4g}"
                              for n in list(point)[:4])
            return FormulaVerdict("wrong", f"{to_text(formula)} is not the formula for "
                                  f"{step.text}: they differ at {where}")
        agreed += 1
    if agreed < 3:
        return FormulaVerdict("invalid", "could not evaluate the formula at enough points "
                              "to compare it")
    if any(np.ndim(v) for v in ex.given.values()):
        return FormulaVerdict("correct", f"equal to {step.text} at {agreed} random points")
    return _proof(ex, step, formula, seconds, agreed)


def _points(ex: Exercise, step: Step) -> list[dict[str, np.ndarray]]:
    """Input values near the given ones, the same for every run (seeded by the step)."""
    rng = np.random.default_rng(zlib.crc32(step.text.encode()))
    points = []
    for _ in range(POINTS):
        point = {}
        for name, value in ex.given.items():
            jitter = rng.uniform(-0.3, 0.3, size=np.shape(value))
            point[name] = np.asarray(value * (1 + jitter) + 0.1 * jitter, dtype=float)
        points.append(point)
    return points


def _at(ex: Exercise, step: Step, graph: Graph, point: dict[str, np.ndarray]
        ) -> tuple[np.ndarray | None, np.ndarray | None]:
    moved = dataclasses.replace(ex, given=point)
    try:
        truth = Recomputer(moved)
        values = truth.values
        expected = truth.value(step)
        bound = {name: values[index] for name, index in ex.graph.names.items()}
        mine = evaluate(graph, bound)[graph.output]
    except GradtutorError:
        return None, None
    mine = np.broadcast_to(mine, np.shape(expected)) if np.ndim(mine) == 0 else mine
    finite = np.all(np.isfinite(mine)) and np.all(np.isfinite(expected))
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
    return FormulaVerdict("correct", f"equal at {agreed} random points (sympy could not "
                          "simplify the difference to 0)")


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
