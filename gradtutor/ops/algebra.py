"""The algebras an operation's gradient is written over, once for every backend.

A spec's `grad(x, g, args, out, attrs)` returns the gradient each argument receives from the
upstream gradient `g`, written with Python operators and the helper calls below. The same
function then computes numbers (numpy arrays, `NUMPY`), builds sympy local derivatives (with
g = 1; `sympy_forms.SympyAlgebra`) and builds the walkthrough's formulas (`explain.terms`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

RELATIONS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq,
}
OPPOSITE = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!="}


class Algebra(Protocol):
    """The helper calls a gradient may use beside + - * / ** and unary minus."""

    def fn(self, op: str, *args: Any) -> Any:
        """Operation `op` of the language applied to the operands (sin, sigmoid, max1, ...)."""

    def cond(self, a: Any, relation: str, b: Any) -> Any:
        """1 where `a relation b` holds, else 0."""

    def otherwise(self, condition: Any) -> Any:
        """1 where `condition` (made by `cond`) does not hold, else 0."""

    def where(self, a: Any, relation: str, b: Any, then: Any, other: Any) -> Any:
        """`then` where `a relation b` holds, else `other`."""

    def transpose(self, a: Any) -> Any: ...

    def literal(self, value: float) -> Any:
        """A number of the spec itself (a default slope), in this algebra."""

    def constant(self, a: Any) -> float | None:
        """The number a literal operand stands for (a formula may write it out); else None."""


class NumpyAlgebra:
    """Gradients as numbers: the engine's backward pass. `ops` is the table of specs."""

    def __init__(self, ops: Mapping[str, Any]) -> None:
        self.ops = ops

    def fn(self, op: str, *args: Any) -> Any:
        return self.ops[op].forward(list(args), {})

    def cond(self, a: Any, relation: str, b: Any) -> Any:
        return RELATIONS[relation](a, b)

    def otherwise(self, condition: Any) -> Any:
        return ~condition

    def where(self, a: Any, relation: str, b: Any, then: Any, other: Any) -> Any:
        return np.where(RELATIONS[relation](a, b), then, other)

    def transpose(self, a: Any) -> Any:
        return a.T

    def literal(self, value: float) -> Any:
        return value

    def constant(self, a: Any) -> float | None:
        return None

