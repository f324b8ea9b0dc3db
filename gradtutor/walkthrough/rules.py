"""Gradient rules of vector and matrix steps: each input's gradient as a formula in the
upstream gradient (dW = X.T @ G, a broadcast input's gradient summed back, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..base import fmt
from ..engine.graph import Node as GraphNode
from ..lang.expr import Expr
from ..ops.specs import OPS
from .display import unique
from .model import Array
from .steps import Step
from .terms import (
    TERMS,
    Term,
    call,
    expr_term,
    leaf_expr,
    matmul,
    name_leaf,
    number,
    op_expr,
    op_term,
    show,
)


@dataclass
class _Rule:
    term: Term
    notes: list[str]


def gradient_rules(step: Step, upstream: Term, named: Mapping[str, Array]) -> dict[str, _Rule]:
    """How each input's gradient follows from the upstream gradient, as formulas."""
    graph, values = step.graph, step.values
    refs: dict[int, Term] = {}
    exprs: dict[int, Expr] = {}
    for node in graph.nodes:
        if node.op in ("input", "const"):
            exprs[node.index] = leaf_expr(node)
        else:
            exprs[node.index] = op_expr(node, [exprs[i] for i in node.inputs])
        refs[node.index] = expr_term(exprs[node.index], named)
    refs[graph.output] = name_leaf(step.name, step.value)
    grads: dict[int, Term] = {graph.output: upstream}
    notes: dict[int, list[str]] = {graph.output: []}
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        if index not in grads or not node.inputs:
            continue
        args = [refs[i] for i in node.inputs]
        parts, said = _vjp_terms(node, grads[index], args, refs[index],
                                 [values[i] for i in node.inputs])
        for source, part in zip(node.inputs, parts, strict=True):
            if part is None or graph.nodes[source].op == "const":
                continue
            part, more = _unbroadcast(part, node, values[source], values[index],
                                      graph.nodes[source])
            combined = [*notes[index], *said, *more]
            if source in grads:
                grads[source] = op_term("add", grads[source], part)
                notes[source] = unique(notes[source] + combined)
            else:
                grads[source], notes[source] = part, unique(combined)
    return {name: _Rule(_fold(grads[graph.names[name]]), notes[graph.names[name]])
            for name in step.inputs if graph.names[name] in grads}


def _fold(term: Term) -> Term:
    """Gather the numbers of a product into one: 2 * (a - y) * (0.5 * G / 4) is (a - y) * G / 4."""
    if term.kind not in ("mul", "div", "neg"):
        if term.kind == "leaf" or term.kind == "cond":
            return term
        return Term(term.kind, tuple(_fold(a) for a in term.args), term.text, term.latex,
                    term.value, term.label, term.loose, term.ndim)
    tops: list[Term] = []
    bottoms: list[Term] = []
    coefficient = _gather(term, tops, bottoms)
    if coefficient == 0:
        return number(0.0)
    tops = [_fold(t) for t in tops]
    bottoms = [_fold(t) for t in bottoms]
    divisor = 1 / abs(coefficient)
    whole = abs(divisor - round(divisor)) < 1e-12 and round(divisor) >= 2
    if whole:
        bottoms.insert(0, number(float(round(divisor))))
    elif abs(coefficient) != 1:
        tops.insert(0, number(abs(coefficient)))
    result = tops[0] if tops else number(1.0)
    if coefficient < 0:
        result = op_term("neg", result)
    for factor in tops[1:]:
        result = op_term("mul", result, factor)
    for factor in bottoms:
        result = op_term("div", result, factor)
    return result


def _gather(term: Term, tops: list[Term], bottoms: list[Term], up: bool = True) -> float:
    """Split a product into its factors above and below the line; returns its number."""
    if term.kind == "mul":
        return _gather(term.args[0], tops, bottoms, up) * \
            _gather(term.args[1], tops, bottoms, up)
    if term.kind == "div":
        return _gather(term.args[0], tops, bottoms, up) * \
            _gather(term.args[1], tops, bottoms, not up)
    if term.kind == "neg":
        return -_gather(term.args[0], tops, bottoms, up)
    if term.kind == "leaf" and term.label is None and term.value is not None \
            and np.ndim(term.value) == 0 and float(term.value) != 0:
        number = float(term.value)
        return number if up else 1 / number
    (tops if up else bottoms).append(term)
    return 1.0




def _vjp_terms(node: GraphNode, g: Term, args: list[Term], out: Term, arg_values: list[Array]
               ) -> tuple[list[Term | None], list[str]]:
    """The gradient each argument receives, as formulas in the upstream gradient g."""
    op = node.op
    a = args[0]
    said = []
    if op in ("sum", "mean") and np.ndim(arg_values[0]) > 0:
        said.append(f"{op}({show(a)}): every entry of {show(a)} gets the upstream gradient"
                    + (f", divided by the {fmt.number(_count(node, arg_values[0]))} entries "
                       "averaged" if op == "mean" else "") + " (copied to each entry)")
    if op == "matmul":
        return _matmul_terms(g, a, args[1], arg_values)
    if op == "outer":
        b = args[1]
        return [matmul(g, b, ndim=np.ndim(arg_values[0])),
                matmul(op_term("T", g), a, ndim=np.ndim(arg_values[1]))], [
            f"outer product of {show(a)} and {show(b)}: the first gets G @ {show(b)}, the "
            f"second G.T @ {show(a)}"]
    if op == "softmax":
        said.append(f"softmax: {show(a)} gets a * (G - sum(G * a)) with a = softmax({show(a)}), "
                    "the softmax Jacobian applied to the upstream gradient G")
        return [op_term("mul", out, op_term("sub", g, _softmax_sum(g, out, node)))], said
    if op == "sum":
        return [_spread(g, node, arg_values[0])], said
    if op == "mean":
        return [op_term("div", _spread(g, node, arg_values[0]),
                        number(_count(node, arg_values[0])))], said
    grad = OPS[op].grad  # every other operation's gradient is written once, in its spec
    assert grad is not None, op
    return grad(TERMS, g, args, out, node.attrs), said


def _matmul_terms(g: Term, a: Term, b: Term | None, arg_values: list[Array]
                  ) -> tuple[list[Term | None], list[str]]:
    assert b is not None
    da, db = arg_values[0].ndim, arg_values[1].ndim
    if da == 1 and db == 1:
        return [op_term("mul", b, g), op_term("mul", a, g)], [
            f"dot product {show(a)} @ {show(b)}: each vector gets the other one times the "
            "upstream gradient"]
    notes = [f"matrix product {show(a)} @ {show(b)}: the left factor gets G @ {show(b)}.T "
             f"and the right factor {show(a)}.T @ G, G being the gradient arriving at the "
             "product; each has the shape of the factor it belongs to"]
    if da == 1 or db == 1:
        notes.append("a vector's .T is itself in the language, so the outer product of a "
                     "column and a row (the notes' G b^T) is written outer(G, b)")
    if db == 1:  # A @ b: A gets G bᵀ, an outer product of two vectors
        return [call("outer", g, b), matmul(op_term("T", a), g, ndim=1)], notes
    if da == 1:  # a @ B: B gets a Gᵀ
        return [matmul(b, g, ndim=1), call("outer", a, g)], notes
    return [matmul(g, op_term("T", b), ndim=2), matmul(op_term("T", a), g, ndim=2)], notes


def _spread(g: Term, node: GraphNode, x: Array) -> Term:
    """A reduction's upstream gradient, copied to every entry it summed."""
    return g if "axis" not in node.attrs or x.ndim == 0 else call("broadcast", g)


def _count(node: GraphNode, x: Array) -> float:
    from ..ops.specs import axis_of, reduced_count

    return float(max(reduced_count(x.shape, axis_of(x, node.attrs)), 1))


def _softmax_sum(g: Term, out: Term, node: GraphNode) -> Term:
    product = op_term("mul", g, out)
    if out.ndim >= 2:
        axis = int(node.attrs.get("axis", -1))
        return call("sum", product, number(float(axis)))
    return call("sum", product)


def _unbroadcast(part: Term, node: GraphNode, arg: Array, out: Array, source: GraphNode
                 ) -> tuple[Term, list[str]]:
    """An elementwise operation's gradient, summed back to the shape of a broadcast input."""
    if not OPS[node.op].elementwise or np.shape(arg) == np.shape(out):
        return part, []
    name = source.label
    if np.ndim(arg) == 0:
        return call("sum", part), [f"{name} is a scalar used for every entry: its gradient "
                                    "is the sum of the upstream gradient's entries"]
    if np.ndim(out) == 2 and (np.ndim(arg) == 1 or np.shape(arg)[0] == 1):
        summed = call("sum", part, number(0))
        return summed, [f"{name} is added to every row (one row per sample): its gradient "
                        "is the upstream gradient summed over the batch (axis 0), the shape "
                        f"of {name}"]
    return call("sum", part, number(1)), [f"{name} is used for every column: its gradient "
                                            "is the upstream gradient summed over axis 1"]
