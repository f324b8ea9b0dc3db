"""The local derivatives of a scalar step, in symbols (from the symbolic side)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..base import sandbox
from ..base.errors import GradtutorError
from ..engine.graph import build_graph
from ..lang.parser import parse_program
from .steps import Step
from .terms import Formula


@dataclass(frozen=True)
class Symbolic:
    formula: Formula  # the local derivative
    factor: Formula  # the same, parenthesised where a product needs it


_ZERO = Symbolic(Formula("0", "0"), Formula("0", "0"))


@lru_cache(maxsize=256)
def _symbolic_cache(source: str, name: str) -> tuple[tuple[str, Symbolic], ...] | None:
    try:  # in the worker process: sympy can run without bound on a hostile step
        return sandbox.run(_symbolic_locals, source, name, what=f"the derivatives of {name}")
    except sandbox.TooExpensive:
        return None


def _symbolic_locals(source: str, name: str) -> tuple[tuple[str, Symbolic], ...] | None:
    from ..engine import symbolic

    graph = build_graph(parse_program(f"{name} = {source}"))
    try:
        derivatives = symbolic.local_derivatives(graph, name)
    except GradtutorError:  # not scalar, or too slow to simplify: the rule form is used
        return None
    return tuple((wrt, _sympy_local(expr)) for wrt, expr in derivatives.items())


def symbolic_locals(step: Step) -> dict[str, Symbolic] | None:
    """d(step)/d(each input) in symbols, for a scalar step; None when it is not scalar."""
    if not step.scalar:
        return None
    source = step.graph.nodes[step.graph.output].text
    cached = _symbolic_cache(source, step.name)
    if cached is None:
        return None
    found = dict(cached)
    return {wrt: found.get(wrt, _ZERO) for wrt in step.inputs}


def _sympy_local(expr: Any) -> Symbolic:
    import sympy as sp
    from sympy.printing.precedence import PRECEDENCE, precedence

    from ..engine import symbolic

    text = symbolic.formula(expr)
    latex = sp.latex(expr).replace(r"\operatorname{sigmoid}", r"\sigma")
    plain = Formula(text, latex)
    fraction = isinstance(expr, sp.Rational) and not expr.is_Integer
    loose = not isinstance(expr, sp.Piecewise) and (
        fraction or precedence(expr) < PRECEDENCE["Mul"] or expr.could_extract_minus_sign())
    factor = Formula(f"({text})", rf"\left({latex}\right)") if loose else plain
    return Symbolic(plain, factor)
