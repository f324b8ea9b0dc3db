"""The operations' sympy side: the functions sympy lacks, and the algebra of local derivatives.

Importing this module imports sympy (about half a second): only the symbolic side imports it,
lazily. The functions are kept whole (sigmoid(x), not 1/(1 + exp(-x))) so formulas read like
the notes, and follow the engine's kink conventions (relu'(0) = 0, leaky_relu'(0) = slope).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy import Abs, Max, Min, cos, exp, log, sign, sin, sqrt, tanh  # noqa: F401 (for specs)
from sympy.core.logic import fuzzy_and

DEFAULT_SLOPE = sp.Rational(1, 100)


class _RealFunction(sp.Function):
    """A function that is real wherever its arguments are (so |exp(sigmoid(s))| simplifies
    to exp(sigmoid(s)), never to exp(re(sigmoid(s))), which the language cannot say)."""

    def _eval_is_extended_real(self) -> bool | None:
        return fuzzy_and(arg.is_extended_real for arg in self.args)


class step(_RealFunction):  # noqa: N801 (prints as the language spells it)
    """1 for x > 0, else 0 (step(0) = 0, the kink convention of relu)."""

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number and x.is_extended_real:
            return sp.Integer(1) if x > 0 else sp.Integer(0)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


def indicator(a: sp.Expr, relation: str, b: sp.Expr) -> sp.Expr:
    """1 where `a relation b` holds, else 0, in the language's words (step); ties as the
    conventions say: a >= b is 1 - step(b - a)."""
    if relation == ">":
        return step(a - b)
    if relation == "<":
        return step(b - a)
    if relation == ">=":
        return 1 - step(b - a)
    if relation == "<=":
        return 1 - step(a - b)
    return sp.Piecewise((1, sp.Eq(a, b)), (0, True))  # no form in the language


class sigmoid(_RealFunction):  # noqa: N801 (prints as the language spells it)
    """The logistic function, kept whole so formulas read like the notes."""

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_Number:
            return 1 / (1 + sp.exp(-x))
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))


class relu(_RealFunction):  # noqa: N801
    """max(x, 0), with relu'(0) = 0."""

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number and x.is_extended_real:
            return x if x > 0 else sp.Integer(0)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return step(self.args[0])

    def _eval_rewrite_as_Max(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(x, 0)


class softplus(_RealFunction):  # noqa: N801
    """log(1 + e^x), whose derivative is sigmoid(x)."""

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_Number:
            return sp.log(1 + sp.exp(x))
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.log(1 + sp.exp(x))


class leaky_relu(_RealFunction):  # noqa: N801
    """x for x > 0, else slope * x; the derivative at 0 is the slope (as relu'(0) = 0)."""

    nargs = 2

    @classmethod
    def eval(cls, x: sp.Expr, slope: sp.Expr) -> sp.Expr | None:
        if x.is_number and x.is_extended_real:
            return x if x > 0 else slope * x
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, slope = self.args
        if argindex == 1:
            return step(x) + slope * (1 - step(x))
        return x * (1 - step(x))

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, slope: sp.Expr, **kwargs: object
                                   ) -> sp.Expr:
        return sp.Piecewise((x, x > 0), (slope * x, True))

    def _sympystr(self, printer: Any) -> str:
        x, slope = self.args
        if slope == DEFAULT_SLOPE:
            return f"leaky_relu({printer._print(x)})"
        return f"leaky_relu({printer._print(x)}, {float(slope)!r})"


def exact(value: float) -> sp.Expr:
    """A number of a spec, exact as the numbers of a formula are: 0.2 is 1/5."""
    return sp.Rational(repr(float(value)))


class SympyAlgebra:
    """Local derivatives as sympy expressions (the gradient with upstream g = 1)."""

    def __init__(self, ops: Mapping[str, Any]) -> None:
        self.ops = ops

    def fn(self, op: str, *args: Any) -> Any:
        return self.ops[op].symbolic(list(args), {})

    def cond(self, a: Any, relation: str, b: Any) -> Any:
        return indicator(a, relation, b)

    def otherwise(self, condition: Any) -> Any:
        return sp.expand(1 - condition)

    def where(self, a: Any, relation: str, b: Any, then: Any, other: Any) -> Any:
        condition = indicator(a, relation, b)
        return then * condition + other * (1 - condition)

    def transpose(self, a: Any) -> Any:
        return a  # a scalar

    def literal(self, value: float) -> Any:
        return exact(value)

    def constant(self, a: Any) -> float | None:
        return None

