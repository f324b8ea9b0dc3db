"""Formulas for the walkthrough: a small tree that prints as text and as LaTeX, with
names or with their numbers (`dL/dz3 = a3*(1 - a3) * dL/da3 = 0.2449 * (-0.4283)`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from ..base import fmt
from ..engine.graph import Node as GraphNode
from ..lang.expr import Binary, Call, Const, Expr, Name, Num, Transpose, Unary
from ..ops.algebra import OPPOSITE
from ..ops.specs import BINARY_OPS, CONSTANTS, OPS, call_latex, option_of

Array = np.ndarray


@dataclass(frozen=True)
class Formula:
    """A formula written twice: in the expression language and in LaTeX."""

    text: str
    latex: str


_ATOM = 5
_STRENGTH = {"add": 1, "sub": 1, "mul": 2, "div": 2, "matmul": 2, "neg": 3, "pow": 4}
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "pow": "**"}
_KIND_OF = {symbol: BINARY_OPS[symbol] for symbol in BINARY_OPS}
_OP_SYMBOL = {op: symbol for symbol, op in BINARY_OPS.items() if symbol != "^"}
_OPTION_CALLS = frozenset(op.call for op in OPS.values() if op.option is not None)
_LATEX_RELATION = {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq", "==": "="}


@dataclass(frozen=True, eq=False)
class Term:
    kind: str  # leaf, add, sub, mul, div, pow, matmul, neg, T, call, cond, select
    args: tuple[Term, ...] = ()
    text: str = ""  # a leaf's text, a call's function, a condition's relation
    latex: str = ""
    value: Any = None  # a leaf's value, shown when numbers are filled in
    label: str | None = None  # a leaf that stands for a named value (listed with its shape)
    loose: bool = False  # a leaf whose text needs parentheses inside any operation (dL/dY)
    ndim: int = 0
    column: bool = False  # a vector leaf written as a column (a factor of a matrix product)

    # operators, so that an operation's spec writes its gradient once (ops/algebra.py)
    def __add__(self, other: Term | float) -> Term:
        return op_term("add", self, _term(other))

    def __radd__(self, other: float) -> Term:
        return op_term("add", _term(other), self)

    def __sub__(self, other: Term | float) -> Term:
        return op_term("sub", self, _term(other))

    def __rsub__(self, other: float) -> Term:
        return op_term("sub", _term(other), self)

    def __mul__(self, other: Term | float) -> Term:
        return op_term("mul", self, _term(other))

    def __rmul__(self, other: float) -> Term:
        return op_term("mul", _term(other), self)

    def __truediv__(self, other: Term | float) -> Term:
        return op_term("div", self, _term(other))

    def __rtruediv__(self, other: float) -> Term:
        return op_term("div", _term(other), self)

    def __pow__(self, other: Term | float) -> Term:
        return op_term("pow", self, _term(other))

    def __neg__(self) -> Term:
        return op_term("neg", self)


def _term(x: Term | float) -> Term:
    return x if isinstance(x, Term) else number(float(x))


class TermAlgebra:
    """Gradients as walkthrough formulas: the algebra of ops/algebra.py over Terms."""

    def fn(self, op: str, *args: Term) -> Term:
        return call(OPS[op].call or op, *args)

    def cond(self, a: Term, relation: str, b: Term | float) -> Term:
        return op_term("cond", a, _term(b), text=relation)

    def otherwise(self, condition: Term) -> Term:
        return op_term("cond", *condition.args, text=OPPOSITE[condition.text])

    def where(self, a: Term, relation: str, b: Term | float, then: Term | float,
              other: Term | float) -> Term:
        return op_term("select", a, _term(b), _term(then), _term(other), text=relation)

    def transpose(self, a: Term) -> Term:
        return op_term("T", a)

    def literal(self, value: float) -> Term:
        return number(value)

    def constant(self, a: Term) -> float | None:
        if a.kind == "leaf" and a.label is None and a.value is not None:
            return float(a.value)
        return None


TERMS = TermAlgebra()


def leaf(text: str, latex: str, value: Any = None, *, label: str | None = None,
          loose: bool = False) -> Term:
    return Term("leaf", (), text, latex, value, label, loose, int(np.ndim(value)))


def number(x: float) -> Term:
    text = fmt.number(x)
    return leaf(text, latex_number(text), np.float64(x))


def op_term(kind: str, *args: Term, text: str = "", ndim: int | None = None) -> Term:
    if ndim is None:
        ndim = max((a.ndim for a in args), default=0)
    return Term(kind, args, text, ndim=ndim)


def call(func: str, *args: Term) -> Term:
    reduces = func in ("sum", "mean", "max", "min") and len(args) == 1
    ndim = 0 if reduces else max(0, args[0].ndim - 1) if func in ("sum", "mean") else None
    if func == "outer":  # a vector in an outer product is a column, as in the notes
        args, ndim = tuple(as_column(a) for a in args), 2
    return op_term("call", *args, text=func, ndim=ndim)


def matmul(a: Term, b: Term, *, ndim: int | None = None) -> Term:
    if ndim is None:
        ndim = max(a.ndim + b.ndim - 2, 0)
    if ndim > 0:  # a vector in a matrix or outer product is a column, as in the notes
        a, b = as_column(a), as_column(b)
    return op_term("matmul", a, b, ndim=ndim)


def as_column(term: Term) -> Term:
    if term.kind == "T":
        return Term("T", (as_column(term.args[0]),), ndim=term.ndim)
    if term.kind != "leaf" or term.ndim != 1:
        return term
    return replace(term, column=True)


def _strength(term: Term, numbers: bool, latex: bool) -> int:
    if term.kind == "leaf":
        if numbers and term.value is not None and np.ndim(term.value) == 0 \
                and float(term.value) < 0:
            return _STRENGTH["neg"]
        return 0 if term.loose and not latex and not numbers else _ATOM
    if term.kind in _STRENGTH:
        return _STRENGTH[term.kind]
    return _ATOM


def show(term: Term, *, latex: bool = False, numbers: bool = False) -> str:
    """The formula as text (the expression language) or LaTeX, with names or with numbers."""
    def wrap(sub: Term, needed: int) -> str:
        inner = show(sub, latex=latex, numbers=numbers)
        if _strength(sub, numbers, latex) < needed:
            return rf"\left({inner}\right)" if latex else f"({inner})"
        return inner

    if term.kind == "leaf":
        if numbers and term.value is not None:
            return latex_value(term.value, column=term.column) if latex else \
                fmt.value(term.value)
        return term.latex if latex else term.text
    if term.kind == "neg":
        operand = term.args[0]
        signed = operand.kind == "leaf" and _strength(operand, numbers, latex) < _ATOM
        return "-" + wrap(operand, _STRENGTH["neg"] + (1 if latex or signed else 0))
    if term.kind == "T":
        return wrap(term.args[0], _ATOM) + (r"^{\top}" if latex else ".T")
    if term.kind == "call":
        return _show_call(term, latex=latex, numbers=numbers)
    if term.kind == "select":
        return _show_select(term, latex=latex, numbers=numbers)
    if term.kind == "cond":
        left, right = (show(a, latex=latex, numbers=numbers) for a in term.args)
        if latex:
            return rf"\left[{left} {_LATEX_RELATION[term.text]} {right}\right]"
        return step_text(left, term.text, right)
    return _show_binary(term, wrap, latex=latex, numbers=numbers)


def _show_binary(term: Term, wrap: Any, *, latex: bool, numbers: bool) -> str:
    kind, (left, right) = term.kind, term.args
    strength = _STRENGTH[kind]
    if latex and kind == "div":
        return rf"\frac{{{show(left, latex=True, numbers=numbers)}}}" \
               rf"{{{show(right, latex=True, numbers=numbers)}}}"
    if kind == "pow":
        base = wrap(left, _ATOM if latex else strength + 1)
        exponent = show(right, latex=latex, numbers=numbers) if latex else \
            wrap(right, _STRENGTH["neg"])
        return f"{base}^{{{exponent}}}" if latex else f"{base}**{exponent}"
    left_text = wrap(left, strength)
    right_needed = strength + 1
    if numbers and right.kind == "leaf" and _strength(right, numbers, latex) < _ATOM:
        right_needed = _ATOM  # 3 * (-4), not 3 * -4
    right_text = wrap(right, right_needed)
    if not latex:
        return f"{left_text} {_SYMBOL[kind]} {right_text}"
    if kind == "mul":
        joiner = r" \odot " if left.ndim and right.ndim else r" \cdot "
    elif kind == "matmul":
        joiner = r" \, "
    else:
        joiner = f" {_SYMBOL[kind]} "
    return left_text + joiner + right_text


def _show_select(term: Term, *, latex: bool, numbers: bool) -> str:
    """(step(z) + 0.01 * (1 - step(z))): a kink's two branches, in the language."""
    a, b, then, other = (show(arg, latex=latex, numbers=numbers) for arg in term.args)
    if latex:
        return (rf"\begin{{cases}} {then} & {a} {_LATEX_RELATION[term.text]} {b} \\ "
                rf"{other} & \text{{otherwise}} \end{{cases}}")
    condition = step_text(a, term.text, b)
    first = condition if then == "1" else f"{then} * {condition}"
    return f"({first} + {other} * (1 - {condition}))"


def step_text(left: str, relation: str, right: str) -> str:
    """1 where `left relation right` holds, else 0, in the language: step(x) is 1 for x > 0,
    so a tie goes where the conventions send it (left >= right is 1 - step(right - left))."""
    def gap(a: str, b: str) -> str:
        loose = " " in b or b.startswith("-")
        b = f"({b})" if loose else b
        return a if b == "0" else f"-{b}" if a == "0" else f"{a} - {b}"

    texts = {">": f"step({gap(left, right)})", "<": f"step({gap(right, left)})",
             ">=": f"(1 - step({gap(right, left)}))", "<=": f"(1 - step({gap(left, right)}))"}
    return texts.get(relation, f"({left} {relation} {right})")


def _show_call(term: Term, *, latex: bool, numbers: bool) -> str:
    args = [show(a, latex=latex, numbers=numbers) for a in term.args]
    func = term.text
    if not latex:
        return f"{func}({', '.join(args)})"
    if func == "sqrt":
        return rf"\sqrt{{{args[0]}}}"
    if func == "outer":  # outer(a, b) = a bᵀ
        first, second = (rf"\left({arg}\right)" if term.args[i].kind != "leaf" else arg
                         for i, arg in enumerate(args))
        return rf"{first} \, {second}^{{\top}}"
    if func in ("sum", "mean") :
        under = rf"_{{\text{{axis }} {args[1]}}}" if len(args) > 1 else ""
        word = r"\sum" if func == "sum" else r"\operatorname{mean}"
        return rf"{word}{under}\left({args[0]}\right)"
    name = call_latex(func) or rf"\operatorname{{{func}}}"
    return rf"{name}\left({', '.join(args)}\right)"


def formula(term: Term) -> Formula:
    return Formula(show(term), show(term, latex=True))


def numbers(term: Term) -> Formula:
    return Formula(show(term, numbers=True), show(term, latex=True, numbers=True))


def latex_number(text: str) -> str:
    """A number as `fmt.number` writes it, in LaTeX: 1.5e-07 becomes 1.5 \\times 10^{-7}."""
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    if text == "nan":
        return r"\text{nan}"
    mantissa, sep, exponent = text.partition("e")
    if not sep:
        return text
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def latex_value(v: Any, *, column: bool = False) -> str:
    """A scalar, or a vector (a row, or a column) or matrix as a bmatrix."""
    array = np.asarray(v, dtype=float)
    if array.ndim == 0:
        return latex_number(fmt.number(float(array)))
    rows = array.reshape(-1, 1) if array.ndim == 1 and column else np.atleast_2d(array)
    body = r" \\ ".join(" & ".join(latex_number(fmt.number(float(x))) for x in row)
                        for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


@lru_cache(maxsize=512)
def latex_name(name: str) -> str:
    """A name the way sympy writes it in LaTeX: w0 is w_{0}, alpha is \\alpha."""
    import sympy as sp

    return sp.latex(sp.Symbol(name))


def derivative(of: str, wrt: str) -> Formula:
    """The symbol d(of)/d(wrt)."""
    return Formula(f"d{of}/d{wrt}",
                   rf"\frac{{\partial {latex_name(of)}}}{{\partial {latex_name(wrt)}}}")


def name_leaf(name: str, value: Any) -> Term:
    return leaf(name, latex_name(name), value, label=name)


def upstream_leaf(of: str, name: str, value: Any, ndim: int | None = None) -> Term:
    symbol = derivative(of, name)
    base = leaf(symbol.text, symbol.latex, value, label=symbol.text, loose=True)
    return base if ndim is None else Term("leaf", (), base.text, base.latex, value, base.label,
                                          True, ndim)


def expr_term(expr: Expr, values: Mapping[str, Any]) -> Term:
    """A parsed expression as a formula, its names carrying their values."""
    if isinstance(expr, Num):
        return leaf(expr.text, latex_number(expr.text), np.float64(expr.value))
    if isinstance(expr, Const):
        return leaf(expr.name, "e" if expr.name == "e" else r"\pi",
                     np.float64(CONSTANTS[expr.name]))
    if isinstance(expr, Name):
        return name_leaf(expr.id, values.get(expr.id))
    if isinstance(expr, Unary):
        return op_term("neg", expr_term(expr.operand, values))
    if isinstance(expr, Transpose):
        return op_term("T", expr_term(expr.operand, values))
    if isinstance(expr, Binary):
        left, right = expr_term(expr.left, values), expr_term(expr.right, values)
        kind = _KIND_OF[expr.op]
        return matmul(left, right) if kind == "matmul" else op_term(kind, left, right)
    assert isinstance(expr, Call)
    return call(expr.func, *(expr_term(a, values) for a in expr.args))


def op_expr(node: GraphNode, args: list[Expr]) -> Expr:
    """The expression an engine node computes, written with the given arguments."""
    if node.op in _OP_SYMBOL:
        return Binary(_OP_SYMBOL[node.op], args[0], args[1])
    if node.op == "neg":
        return Unary("-", args[0])
    if node.op == "transpose":
        return Transpose(args[0])
    if node.op == "id":
        return args[0]
    func = OPS[node.op].call or node.op
    option = option_of(func, len(args) + 1) if func in _OPTION_CALLS else None
    if option is not None and option.name in node.attrs:
        literal = node.attrs[option.name]
        return Call(func, (*args, Num(float(literal), str(literal))))
    return Call(func, tuple(args))


def leaf_expr(node: GraphNode) -> Expr:
    if node.op == "const":
        if node.text in CONSTANTS:
            return Const(node.text)
        return Num(float(node.attrs["value"]), node.text)
    return Name(node.label)
