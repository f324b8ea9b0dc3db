"""The symbolic side (sympy): node expressions, local derivatives and gradients in symbols.

Sympy objects are built from the project's own graph, never from user text. Gradients come
from the chain rule applied node by node (an adjoint per node, local derivative times
upstream), not from differentiating one swollen expression, so deep chains stay fast. Each
operation's sympy form and local derivatives come from its spec (ops/specs.py), so they follow
the engine's kink conventions: relu'(0) = 0, and max/min route a tie to their first argument.

Importing this module imports sympy (about half a second), so callers import it lazily.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..base import limits
from ..base.errors import GradtutorError
from ..base.timebox import time_limit
from ..ops.specs import OPS, Op
from .graph import Graph, Node

SIMPLIFY_MAX_SIZE = 120  # bigger formulas are shown as the chain rule built them


def _number(node: Node) -> sp.Expr:
    if node.text == "e":
        return sp.E
    if node.text == "pi":
        return sp.pi
    return sp.Rational(node.text)  # exact: 0.5 is 1/2, so (a - y)**2/2 differentiates cleanly


class NotScalar(GradtutorError):
    """The graph needs shapes (a matrix product) that the scalar symbolic side cannot model."""


def symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


EXPAND_MAX_OPERATIONS = 40  # up to this many operations, gradients are written in the inputs
MAX_FORMULA_SIZE = 20_000  # a formula with more parts than this is not printed


@dataclass
class ChainRule:
    """The symbolic backward pass from one node.

    `refs`: how each node appears inside other nodes' formulas (a symbol for an input or a
    named node, else its own formula). `formulas`: each node's formula in those terms.
    `adjoints`: d(of)/d(node) for every node it depends on, in the same terms.
    """

    refs: dict[int, sp.Expr]
    formulas: dict[int, sp.Expr]
    adjoints: dict[int, sp.Expr]


def chain_rule(graph: Graph, of: int, *, stop_at: Callable[[Node], bool] | None = None
               ) -> ChainRule:
    """Node-by-node symbolic backprop from node `of`: adjoint = upstream x local derivative.

    Named nodes appear as their symbols, so each formula stays the size of one step (a
    sigmoid's local derivative reads a3*(1 - a3), not a nested expression). Propagation stops
    at nodes for which `stop_at` is true.
    """
    needed = graph.ancestors(of)
    refs: dict[int, sp.Expr] = {}
    formulas: dict[int, sp.Expr] = {}
    folds: dict[sp.Expr, sp.Expr] = {}  # a named node's formula -> its symbol
    for node in graph.nodes[: of + 1]:
        if node.index not in needed:
            continue
        formula = _formula(node, [refs[i] for i in node.inputs])
        formulas[node.index] = formula
        refs[node.index] = formula
        if node.name is not None:
            refs[node.index] = symbol(node.name)
            if not formula.is_Atom:
                folds.setdefault(formula, refs[node.index])
    adjoints: dict[int, sp.Expr] = {of: sp.Integer(1)}
    for index in range(of, -1, -1):
        node = graph.nodes[index]
        stopped = stop_at is not None and stop_at(node) and index != of
        if index not in adjoints or not node.inputs or stopped:
            continue
        locals_ = _op(node).local_derivatives([refs[i] for i in node.inputs], node.attrs)
        for source, local in zip(node.inputs, locals_, strict=True):
            if graph.nodes[source].op == "const":
                continue
            contribution = adjoints[index] * local.xreplace(folds)
            adjoints[source] = adjoints.get(source, sp.Integer(0)) + contribution
    return ChainRule(refs, formulas, adjoints)


def _formula(node: Node, args: list[sp.Expr]) -> sp.Expr:
    if node.op == "input":
        return symbol(node.label)
    if node.op == "const":
        return _number(node)
    return _op(node).symbolic(args, node.attrs)


def _op(node: Node) -> Op:
    op = OPS[node.op]
    if op.sympy is None:
        raise NotScalar(f"'{node.text}' needs vector or matrix shapes")
    return op


def in_inputs(graph: Graph, rule: ChainRule) -> dict[sp.Expr, sp.Expr]:
    """The substitution that writes a named-node formula in the inputs alone."""
    full: dict[int, sp.Expr] = {}
    for index in sorted(rule.formulas):
        node = graph.nodes[index]
        full[index] = _formula(node, [full[i] for i in node.inputs])
    named = {i: name for i in full
             if (name := graph.nodes[i].name) is not None and graph.nodes[i].op != "input"}
    return {symbol(name): full[i] for i, name in named.items()}


def operation_count(graph: Graph, of: int) -> int:
    return sum(1 for i in graph.ancestors(of) if graph.nodes[i].op not in ("input", "const"))


def tree_size(expr: sp.Basic, memo: dict[int, int] | None = None) -> int:
    """How many parts the formula has when written out (shared parts counted each time)."""
    memo = {} if memo is None else memo
    key = id(expr)
    if key not in memo:
        memo[key] = 1 + sum(tree_size(arg, memo) for arg in expr.args)
    return memo[key]


def simplified(expr: sp.Expr, seconds: float = limits.SIMPLIFY_SECONDS) -> sp.Expr:
    """`expr` simplified when it is small and sympy is quick about it; else as it is.

    A simplification that brings in a function the expression did not have (cosh where the
    notes write exp) is not kept: the formula should read like the student's own working.
    """
    if tree_size(expr) > SIMPLIFY_MAX_SIZE or seconds <= 0:
        return expr
    try:
        with time_limit(seconds, "simplification"):
            result = sp.simplify(expr)
    except GradtutorError:
        return expr
    except Exception:  # sympy's simplify can fail on odd input: keep the formula as it is
        return expr
    if _function_kinds(result) - _function_kinds(expr):
        return expr
    return result if sp.count_ops(result) <= sp.count_ops(expr) else expr


class Budget:
    """Seconds shared by a series of simplifications: together they take at most `total`."""

    def __init__(self, total: float = limits.SIMPLIFY_SECONDS) -> None:
        self.deadline = time.monotonic() + total

    def left(self, most: float = 0.5) -> float:
        return min(most, self.deadline - time.monotonic())


def _function_kinds(expr: sp.Basic) -> set[type]:
    return {type(f) for f in expr.atoms(sp.Function)}


class _Printer(StrPrinter):
    """Formulas in the expression language's own spelling: @ for matrix products."""

    def _print_MatMul(self, expr: sp.Basic) -> str:
        coefficient, factors = expr.as_coeff_mmul()
        text = " @ ".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in factors.args)
        return text if coefficient == 1 else f"{self._print(coefficient)}*{text}"

    def _print_Abs(self, expr: sp.Basic) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: sp.Basic) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Basic) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "e"

    def _print_Piecewise(self, expr: sp.Basic) -> str:
        """No form in the language: the round trip finds `where(...)` unknown and says so."""
        return "where(...)"


def formula(expr: sp.Basic) -> str:
    """The formula as text, spelled the way the expression language writes it."""
    return _Printer().doprint(expr)


def scalar_gradients(graph: Graph, of: int | None = None) -> dict[str, sp.Expr | None]:
    """d(of)/d(input) for every input, simplified.

    Written in the inputs alone when the graph has at most EXPAND_MAX_OPERATIONS operations,
    otherwise in the named intermediate nodes. None for a formula too large to print.
    """
    of = graph.output if of is None else of
    rule = chain_rule(graph, of)
    small = operation_count(graph, of) <= EXPAND_MAX_OPERATIONS
    expand = in_inputs(graph, rule) if small else {}
    gradients: dict[str, sp.Expr | None] = {}
    memo: dict[int, int] = {}
    budget = Budget()
    for name in graph.inputs:
        adjoint = rule.adjoints.get(graph.names[name], sp.Integer(0)).xreplace(expand)
        if tree_size(adjoint, memo) > MAX_FORMULA_SIZE:
            gradients[name] = None
        else:
            # in named-node form a gradient is a product of local derivatives: already simple
            gradients[name] = simplified(adjoint, budget.left()) if small else adjoint
    return gradients


def local_derivatives(graph: Graph, name: str) -> dict[str, sp.Expr]:
    """d(name)/d(each named node or input it reads directly), in those names' symbols."""
    index = graph.names[name]

    def named(node: Node) -> bool:
        return node.name is not None

    rule = chain_rule(graph, index, stop_at=named)
    budget = Budget()
    return {graph.nodes[i].label: simplified(adjoint, budget.left())
            for i, adjoint in rule.adjoints.items() if i != index and named(graph.nodes[i])}


# -- numbers from formulas ---------------------------------------------------------------


def value_at(expr: sp.Basic, values: Mapping[str, object]) -> np.ndarray:
    """A scalar formula evaluated at numeric values (the tests' oracle; `solve` reads its
    printed formulas back with the language's own parser instead: engine/formulas.py)."""
    replacements: dict[sp.Basic, sp.Basic] = {}
    for sym in expr.free_symbols:
        value = np.asarray(values[str(sym)], dtype=float)
        if isinstance(sym, sp.MatrixSymbol):
            replacements[sym] = sp.ImmutableMatrix(value.reshape(sym.shape).tolist())
        else:
            replacements[sym] = sp.Float(float(value))
    try:
        result = expr.xreplace(replacements)
        number = complex(result.evalf())
    except (ValueError, TypeError, ArithmeticError):  # e.g. min(nan, 1): no value here
        return np.asarray(np.nan)
    return np.asarray(number.real if abs(number.imag) < 1e-12 else np.nan)
