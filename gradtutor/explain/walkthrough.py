"""The chain-rule walkthrough of `gradtutor explain`: one data structure that every format draws.

The notes' recipe, with every number filled in:

1) the sub-functions (one named node each) and the computational graph;
2) the local derivative of every edge, in symbols (for a vector or matrix step: the rule that
   gives each input's gradient from the upstream gradient, e.g. dW = X.T @ G);
3) the forward pass; 4) the backward pass from the end of the circuit, local x upstream, with
   a reused value's contributions added up; 5) the gradients.

A bare expression is split into one node per operation, named n1, n2, ... in forward order
(the output keeps the name f, as in `solve`); a program or an exercise is explained at the
level of its named nodes, each node one step whose local derivatives are taken with respect to
the names it reads. Every number comes from the graph engine and every symbolic derivative from
the symbolic side; the renderers (documents.py, render.py) only lay the result out.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base import fmt, limits
from ..base.errors import GradtutorError, LimitError
from ..engine.graph import Graph, backprop, build_graph, evaluate, local_gradients
from ..engine.graph import Node as GraphNode
from ..lang.expr import Assignment, Expr, Name, Program
from ..lang.parser import parse_expression, parse_program
from ..ops.specs import OPS
from .terms import (
    TERMS,
    Formula,
    Term,
    call,
    derivative,
    expr_term,
    formula,
    latex_name,
    leaf,
    leaf_expr,
    matmul,
    name_leaf,
    number,
    numbers,
    op_expr,
    op_term,
    show,
    upstream_leaf,
)

if TYPE_CHECKING:
    from ..exercises.exercise import Exercise

Array = np.ndarray


# -- the data structure ------------------------------------------------------------------


@dataclass
class Node:
    """Step 1: a node of the computational graph."""

    name: str
    expression: Formula | None  # None for an input
    operation: str  # "input", "add gate", "multiply gate", "exp", "composite: ..."
    inputs: list[str]
    value: Array
    grad: Array | None  # d(output)/d(node); None when the node does not lead to the output


@dataclass
class Local:
    """Step 2: the local derivative of one edge, in symbols."""

    of: str
    wrt: str
    symbol: Formula  # d(of)/d(wrt), or for a rule: the downstream gradient d(output)/d(wrt)
    formula: Formula
    rule: bool  # True: a vector or matrix step's rule, written in the upstream gradient


@dataclass
class Forward:
    """Step 3: one node's value, from its inputs' values."""

    name: str
    expression: Formula
    numbers: Formula
    value: Array
    shapes: list[tuple[str, str]]  # vector and matrix steps: (name, shape), the result last


@dataclass
class Edge:
    """Step 4: what one node sends back to one of its inputs: local x upstream."""

    of: str  # the node sending the gradient
    wrt: str  # the node or input receiving it
    gradient: Formula  # the downstream gradient's symbol, d(output)/d(wrt)
    formula: Formula  # local x upstream in symbols (a matrix rule for a matrix step)
    numbers: Formula  # the same with every number filled in
    value: Array
    local: Array | None  # the local derivative's value (scalar steps)
    shapes: list[tuple[str, str]]  # matrix steps: the operands' shapes, the result last
    part: tuple[int, int] | None = None  # (k, n): the k-th of the n contributions to wrt


@dataclass
class FanIn:
    """Step 4: a value used by several nodes: its gradient is the sum of their contributions."""

    name: str
    gradient: Formula
    parts: list[tuple[str, Array]]  # (the node it came from, the contribution)
    numbers: Formula  # the contributions added up, with numbers
    total: Array


@dataclass
class BackwardStep:
    """Step 4: one node of the backward pass, from the end of the circuit."""

    name: str
    expression: Formula
    upstream_symbol: Formula  # d(output)/d(name)
    upstream: Array
    pattern: str | None  # the gate pattern the notes name, in a sentence
    notes: list[str]  # the matrix rules used, and other remarks
    edges: list[Edge]
    sums: list[FanIn]


@dataclass
class LayerRow:
    layer: int
    nodes: list[str]
    output: str  # the layer's activation
    grad: float  # the size (norm) of d(loss)/d(activation)
    params: list[tuple[str, float]]  # the inputs the layer reads and the size of their gradients


@dataclass
class Layers:
    """Chains and networks: the gradient's size layer by layer, and what it means."""

    loss: str
    rows: list[LayerRow]  # layer 1 first
    factor: float  # the average change of the gradient's size per layer, going back
    verdict: str  # "vanishing", "exploding" or "steady"
    remark: str


@dataclass
class Reveal:
    """`--step N`: one asked step of an exercise, a hint first, then the step worked out."""

    number: int
    count: int
    step: str
    hint: str
    hint_from_author: bool
    weight: float
    answer_symbol: Formula
    answer: Array
    forward: list[Forward]
    edges: list[Edge]
    sums: list[FanIn]
    notes: list[str]
    hint_only: bool = False


@dataclass
class Walkthrough:
    title: str
    target: str  # what was asked for: an exercise id or file, an expression or a program
    kind: str  # "expression", "program" or "exercise"
    description: str  # Markdown (exercises)
    output: str
    naming: str | None  # how the intermediate nodes were named, for a bare expression
    inputs: list[tuple[str, Array]]
    nodes: list[Node]  # inputs first, then the computed nodes in forward order
    locals: list[Local]
    forward: list[Forward]
    backward: list[BackwardStep]
    gradients: list[tuple[Formula, Array]]  # d(output)/d(every input and node)
    layers: Layers | None
    notes: list[str] = field(default_factory=list)
    reveal: Reveal | None = None

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)


# -- building ----------------------------------------------------------------------------

NAMING = ("each operation is one node, named n1, n2, ... in forward order; the output is {out}")


@dataclass
class _Step:
    """One named node, as a graph of its own whose inputs are the names it reads."""

    name: str
    expr: Expr
    graph: Graph
    values: list[Array]
    inputs: list[str]  # the names it reads, in order of first use
    ops: list[GraphNode]  # its operations, in forward order

    @property
    def value(self) -> Array:
        return self.values[self.graph.output]

    @property
    def scalar(self) -> bool:
        return all(np.ndim(v) == 0 for v in self.values)

    @property
    def root(self) -> GraphNode:
        """The operation that makes the node's value (the last one)."""
        return self.graph.nodes[self.graph.output]

    @property
    def gate(self) -> GraphNode | None:
        """The one operation of a single-operation node."""
        return self.ops[0] if len(self.ops) == 1 else None


class _Context:
    def __init__(self, steps: list[tuple[str, Expr]], inputs: Mapping[str, Array],
                 output: str) -> None:
        if len(steps) > limits.MAX_WALKTHROUGH_STEPS:
            raise LimitError(f"a walkthrough of {len(steps):,} steps is more than anyone can "
                             f"read (the limit is {limits.MAX_WALKTHROUGH_STEPS}); "
                             "`gradtutor solve` gives every value and gradient")
        program = Program(tuple(Assignment(name, expr) for name, expr in steps))
        self.graph = build_graph(program)
        used = self.graph.inputs
        self.inputs = [n for n in inputs if n in used] + [n for n in used if n not in inputs]
        self.graph.output = self.graph.names[output]
        self.output = output
        self.values = evaluate(self.graph, inputs)
        self.named = {name: self.values[index] for name, index in self.graph.names.items()}
        self.steps = {name: self._step(name, expr) for name, expr in steps}
        self.order = [name for name, _ in steps]

    def _step(self, name: str, expr: Expr) -> _Step:
        graph = build_graph(Program((Assignment(name, expr),)))
        values = evaluate(graph, {n: self.named[n] for n in graph.inputs})
        ops = [n for n in graph.nodes if n.op not in ("input", "const")]
        return _Step(name, expr, graph, values, list(graph.inputs), ops)

    def value(self, name: str) -> Array:
        return self.named[name]

    def term(self, name: str) -> Term:
        return expr_term(self.steps[name].expr, self.named)


def explain_source(source: str, values: Mapping[str, Array]) -> Walkthrough:
    """The walkthrough of an expression (one node per operation) or a program."""
    try:
        program = parse_program(source)
    except GradtutorError:
        _suggest_exercise(source)
        raise
    graph = build_graph(program)
    _check_values(graph, values)
    if len(program.statements) == 1 and program.statements[0].name is None:
        steps = _operation_steps(graph)
        kind, naming = "expression", NAMING.format(out=graph.output_name)
    else:
        steps = [(name, _statement_expr(graph, program, name)) for name in graph.assigned]
        kind, naming = "program", None
    title = f"{graph.output_name} = {graph.nodes[graph.output].text}" if kind == "expression" \
        else source.strip()
    context = _Context(steps, values, graph.output_name)
    return _walkthrough(context, title=title, target=source, kind=kind, naming=naming)


def _suggest_exercise(target: str) -> None:
    """A target that looks like a mistyped exercise id gets the id's error, not a parse error."""
    from ..exercises.exercise import ID_PATTERN, resolve_exercise

    if "-" in target and ID_PATTERN.match(target):
        resolve_exercise(target)


def _statement_expr(graph: Graph, program: Program, name: str) -> Expr:
    position = graph.assigned.index(name)
    return program.statements[position].expr


def _check_values(graph: Graph, values: Mapping[str, Array]) -> None:
    for name in values:
        if name not in graph.inputs:
            known = "computed by the program" if name in graph.names else "not an input"
            close = difflib.get_close_matches(name, graph.inputs, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise GradtutorError(f"'{name}' is {known}{hint}; the inputs are "
                                 f"{', '.join(graph.inputs)}", field=f"value {name}")
    missing = [name for name in graph.inputs if name not in values]
    if missing:
        raise GradtutorError("explain fills in every number: give a value for "
                             + ", ".join(missing), field="values")


def _operation_steps(graph: Graph) -> list[tuple[str, Expr]]:
    """One step per operation of a bare expression: n1, n2, ..., and the output's own name."""
    taken = set(graph.names)
    names: dict[int, str] = {}
    counter = 0
    for node in graph.nodes:
        if node.op in ("input", "const"):
            continue
        if node.index == graph.output:
            names[node.index] = graph.output_name
            continue
        counter += 1
        while f"n{counter}" in taken:
            counter += 1
        names[node.index] = f"n{counter}"

    def ref(index: int) -> Expr:
        node = graph.nodes[index]
        return Name(names[index]) if index in names else leaf_expr(node)

    return [(names[node.index], op_expr(node, [ref(i) for i in node.inputs]))
            for node in graph.nodes if node.index in names]


def explain_graph_exercise(exercise: Exercise, *, target: str, network: bool = False,
                           step: int | None = None, hint_only: bool = False) -> Walkthrough:
    """The walkthrough of a graph exercise (`network`: written as layers); with `step`, its
    N-th asked step revealed."""
    given = dict(exercise.given)
    graph = exercise.graph
    steps = [(name, parse_expression(exercise.nodes[name])) for name in graph.assigned]
    context = _Context(steps, given, exercise.output)
    walk = _walkthrough(context, title=exercise.title, target=target, kind="exercise",
                        naming=None, description=exercise.description,
                        network=network)
    if step is not None:
        walk.reveal = _reveal(context, walk, exercise, step, hint_only)
    elif hint_only:
        raise GradtutorError("a hint is for one step: give the step too", field="hint")
    return walk


def _walkthrough(context: _Context, *, title: str, target: str, kind: str,
                 naming: str | None, description: str = "", network: bool = False
                 ) -> Walkthrough:
    graph, output = context.graph, context.output
    grads = backprop(graph, context.values, graph.output)
    leads = graph.ancestors(graph.output)
    backward = _backward(context, output)
    notes = []
    if np.ndim(context.value(output)) > 0:
        notes.append(f"{output} is not a scalar: the gradients are those of the sum of its "
                     "entries (the backward pass starts from ones)")
    gradients = [(derivative(output, name), grads.get(graph.names[name],
                                                      np.zeros_like(context.value(name))))
                 for name in [*context.inputs, *context.order] if name != output]
    return Walkthrough(
        title=title, target=target, kind=kind, description=description, output=output,
        naming=naming, inputs=[(name, context.value(name)) for name in context.inputs],
        nodes=_nodes(context, grads, leads), locals=_locals(context),
        forward=[_forward(context, name) for name in context.order], backward=backward,
        gradients=gradients, layers=_layers(context, grads, network), notes=notes,
    )


def _nodes(context: _Context, grads: Mapping[int, Array], leads: set[int]) -> list[Node]:
    graph = context.graph

    def grad(name: str) -> Array | None:
        index = graph.names[name]
        if index not in leads:
            return None
        return grads.get(index, np.zeros_like(context.value(name)))

    nodes = [Node(name, None, "input", [], context.value(name), grad(name))
             for name in context.inputs]
    for name in context.order:
        step = context.steps[name]
        nodes.append(Node(name, formula(context.term(name)), _operation(step), step.inputs,
                          step.value, grad(name)))
    return nodes


def _operation(step: _Step) -> str:
    if step.gate is not None:
        op = step.gate.op
        word = OPS[op].words
        return f"{word} gate" if OPS[op].gate else word
    return "composite: " + ", ".join(OPS[n.op].words for n in step.ops)


# -- local derivatives -------------------------------------------------------------------


def _locals(context: _Context) -> list[Local]:
    result = []
    for name in context.order:
        step = context.steps[name]
        symbolic = _symbolic_locals(step)
        if symbolic is not None:
            result.extend(Local(name, wrt, derivative(name, wrt), symbolic[wrt].formula,
                                rule=False)
                          for wrt in step.inputs)
            continue
        upstream = upstream_leaf(context.output, name, None, ndim=np.ndim(step.value))
        rules = _rules(step, upstream, context.named)
        result.extend(Local(name, wrt, derivative(context.output, wrt) if wrt in rules
                            else derivative(name, wrt), formula(rules[wrt].term), rule=True)
                      for wrt in step.inputs if wrt in rules)
    return result


@dataclass(frozen=True)
class _Symbolic:
    formula: Formula  # the local derivative
    factor: Formula  # the same, parenthesised where a product needs it


_ZERO = _Symbolic(Formula("0", "0"), Formula("0", "0"))


@lru_cache(maxsize=256)
def _symbolic_cache(source: str, name: str) -> tuple[tuple[str, _Symbolic], ...] | None:
    from ..engine import symbolic

    graph = build_graph(parse_program(f"{name} = {source}"))
    try:
        derivatives = symbolic.local_derivatives(graph, name)
    except GradtutorError:  # not scalar, or too slow to simplify: the rule form is used
        return None
    return tuple((wrt, _sympy_local(expr)) for wrt, expr in derivatives.items())


def _symbolic_locals(step: _Step) -> dict[str, _Symbolic] | None:
    """d(step)/d(each input) in symbols, for a scalar step; None when it is not scalar."""
    if not step.scalar:
        return None
    source = step.graph.nodes[step.graph.output].text
    cached = _symbolic_cache(source, step.name)
    if cached is None:
        return None
    found = dict(cached)
    return {wrt: found.get(wrt, _ZERO) for wrt in step.inputs}


def _sympy_local(expr: Any) -> _Symbolic:
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
    return _Symbolic(plain, factor)


# -- gradient rules for vector and matrix steps ------------------------------------------


@dataclass
class _Rule:
    term: Term
    notes: list[str]


def _rules(step: _Step, upstream: Term, named: Mapping[str, Array]) -> dict[str, _Rule]:
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
                notes[source] = _unique(notes[source] + combined)
            else:
                grads[source], notes[source] = part, _unique(combined)
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


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


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
        notes.append("vectors are columns in these rules: a column times a row (v @ u.T) "
                     "is an outer product")
    left = matmul(g, op_term("T", b), ndim=2 if db == 1 else da)
    right = matmul(op_term("T", a), g, ndim=2 if da == 1 else db)
    return [left, right], notes


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


# -- forward and backward ----------------------------------------------------------------


def _shapes(pairs: list[tuple[str, Array]]) -> list[tuple[str, str]]:
    return [(name, fmt.shape(value)) for name, value in pairs]


def _forward(context: _Context, name: str) -> Forward:
    step = context.steps[name]
    term = context.term(name)
    shapes: list[tuple[str, str]] = []
    if not step.scalar:
        shapes = _shapes([*((n, context.value(n)) for n in step.inputs), (name, step.value)])
    return Forward(name, formula(term), numbers(term), step.value, shapes)


def _backward(context: _Context, of: str) -> list[BackwardStep]:
    """The backward pass from node `of`, one step per node that leads to it, last first."""
    graph = context.graph
    of_index = graph.names[of]
    grads = backprop(graph, context.values, of_index)
    leads = graph.ancestors(of_index)
    order = [n for n in context.order if graph.names[n] in leads]
    users: dict[str, list[str]] = {}
    for name in order:
        for wrt in context.steps[name].inputs:
            users.setdefault(wrt, []).append(name)
    received: dict[str, list[tuple[str, Array]]] = {}
    steps = []
    for name in reversed(order):
        step = context.steps[name]
        upstream = grads[graph.names[name]]
        edges, notes = _edges(context, step, of, upstream)
        sums = []
        for edge in edges:
            received.setdefault(edge.wrt, []).append((name, edge.value))
            count = len(users[edge.wrt])
            if count > 1:
                edge.part = (len(received[edge.wrt]), count)
            if count > 1 and len(received[edge.wrt]) == count:
                sums.append(_fan_in(of, edge.wrt, received[edge.wrt],
                                    grads[graph.names[edge.wrt]]))
        steps.append(BackwardStep(name, formula(context.term(name)), derivative(of, name),
                                  upstream, _pattern(step, upstream, context), notes, edges,
                                  sums))
    return steps


def _fan_in(of: str, name: str, parts: list[tuple[str, Array]], total: Array) -> FanIn:
    term = leaf("", "", parts[0][1])
    for _, value in parts[1:]:
        term = op_term("add", term, leaf("", "", value))
    return FanIn(name, derivative(of, name), list(parts), numbers(term), total)


def _edges(context: _Context, step: _Step, of: str, upstream: Array
           ) -> tuple[list[Edge], list[str]]:
    graph = step.graph
    seeded = backprop(graph, step.values, graph.output, seed=upstream)
    sent = {wrt: seeded.get(graph.names[wrt], np.zeros_like(context.value(wrt)))
            for wrt in step.inputs}
    symbolic = _symbolic_locals(step)
    if symbolic is not None:
        local = backprop(graph, step.values, graph.output)
        return [_scalar_edge(step, of, wrt, symbolic[wrt], local.get(graph.names[wrt]),
                             upstream, sent[wrt]) for wrt in step.inputs], []
    rules = _rules(step, upstream_leaf(of, step.name, upstream), context.named)
    edges, notes = [], []
    for wrt in step.inputs:
        if wrt not in rules:
            continue
        rule = rules[wrt]
        notes.extend(n for n in rule.notes if n not in notes)
        leaves = _labelled_leaves(rule.term)
        shapes = _shapes([*leaves, (derivative(of, wrt).text, sent[wrt])]) \
            if not step.scalar else []
        edges.append(Edge(step.name, wrt, derivative(of, wrt), formula(rule.term),
                          numbers(rule.term), sent[wrt], None, shapes))
    return edges, notes


def _scalar_edge(step: _Step, of: str, wrt: str, local: _Symbolic, local_value: Array | None,
                 upstream: Array, sent: Array) -> Edge:
    local_value = np.float64(0.0) if local_value is None else local_value
    factor = local.factor
    up = derivative(of, step.name)
    symbols = Formula(f"{factor.text} * {up.text}", rf"{factor.latex} \cdot {up.latex}")
    product = op_term("mul", leaf("", "", local_value), leaf("", "", upstream))
    return Edge(step.name, wrt, derivative(of, wrt), symbols, numbers(product), sent,
                local_value, [])


def _labelled_leaves(term: Term) -> list[tuple[str, Array]]:
    found: dict[str, Array] = {}
    stack = [term]
    while stack:
        current = stack.pop()
        if current.kind == "leaf" and current.label and current.value is not None:
            found.setdefault(current.label, current.value)
        stack.extend(reversed(current.args))
    return list(found.items())


# -- gate patterns -----------------------------------------------------------------------


def _pattern(step: _Step, upstream: Array, context: _Context) -> str | None:
    """The notes' name for what a single gate does to the gradient, with this node's numbers."""
    node = step.gate
    if node is None or OPS[node.op].gate is None:
        return None
    graph = step.graph
    names = [_arg_label(graph.nodes[i]) for i in node.inputs]
    live = [n for n, i in zip(names, node.inputs, strict=True)
            if graph.nodes[i].op != "const"]
    scalar = step.scalar
    up = fmt.value(upstream) if scalar else "the upstream gradient"
    if node.op == "add":
        return (f"add gate: distributes the upstream gradient {up} unchanged to "
                f"{_and(live)} (a gradient distributor)" if scalar else
                f"add gate: distributes the upstream gradient unchanged to {_and(live)} "
                "(a gradient distributor)")
    if node.op == "sub":
        return (f"subtract gate: distributes the upstream gradient: {names[0]} gets it as it "
                f"is, {names[1]} gets it negated (a gradient distributor)")
    if node.op == "mul":
        return _mul_pattern(step, node, names)
    if node.op in ("max", "min"):
        return _route_pattern(step, node, names)
    if node.op in ("max1", "min1"):
        which = "largest" if node.op == "max1" else "smallest"
        return (f"{node.op[:-1]}: routes the upstream gradient to the {which} entry of "
                f"{names[0]} (a gradient router); the others get 0")
    assert node.op == "relu"
    return _relu_pattern(step, node, names[0])


def _arg_label(node: GraphNode) -> str:
    return node.label if node.op != "const" else node.text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _mul_pattern(step: _Step, node: GraphNode, names: list[str]) -> str:
    start = "multiply gate: swaps its inputs' values (a gradient switcher): "
    values = [step.values[i] for i in node.inputs]
    if not step.scalar:
        return start + "each input gets the other input's value times the upstream gradient"
    a, b = names
    if node.inputs[0] == node.inputs[1]:
        return start + f"both inputs are {a}, so {a} gets its own value from each side: " \
            f"2 * {a} times the upstream gradient"
    consts = [step.graph.nodes[i].op == "const" for i in node.inputs]
    gets = []
    if not consts[0]:
        gets.append(f"{a} gets the constant {b}" if consts[1] else
                    f"{a} gets the value of {b} ({fmt.value(values[1])})")
    if not consts[1]:
        gets.append(f"{b} gets the constant {a}" if consts[0] else
                    f"{b} gets the value of {a} ({fmt.value(values[0])})")
    return start + " and ".join(gets) + " times the upstream gradient"


def _route_pattern(step: _Step, node: GraphNode, names: list[str]) -> str:
    word = "larger" if node.op == "max" else "smaller"
    start = f"{node.op} gate: routes the upstream gradient to the {word} input " \
            "(a gradient router)"
    if not step.scalar:
        return start + ", entry by entry; the other input gets 0 there"
    local = local_gradients(step.graph, step.values, node.index)
    first_wins = local[0] is not None and float(local[0]) != 0
    winner, loser = (0, 1) if first_wins else (1, 0)
    values = [step.values[i] for i in node.inputs]
    tie = float(values[0]) == float(values[1])
    why = " (a tie: by convention the first argument wins)" if tie else ""
    return (f"{start}: {names[winner]} = {fmt.value(values[winner])} wins and gets all of "
            f"it, {names[loser]} = {fmt.value(values[loser])} gets 0{why}")


def _relu_pattern(step: _Step, node: GraphNode, name: str) -> str:
    local = local_gradients(step.graph, step.values, node.index)[0]
    value = step.values[node.inputs[0]]
    if np.ndim(value) == 0:
        if local is not None and float(local) != 0:
            return (f"relu passes the upstream gradient through unchanged: its input "
                    f"{name} = {fmt.value(value)} > 0")
        return (f"relu blocks the upstream gradient: its input {name} = {fmt.value(value)} "
                "<= 0, where relu' = 0")
    blocked = int(np.sum(np.asarray(local) == 0)) if local is not None else 0
    return (f"relu passes the upstream gradient where its input {name} is positive and "
            f"blocks it elsewhere: {blocked} of {np.size(value)} entries blocked")


# -- layers ------------------------------------------------------------------------------

VANISHING, EXPLODING = 0.5, 2.0  # average change of the gradient's size per layer, going back


def _size(value: Array) -> float:
    return float(np.linalg.norm(np.asarray(value, dtype=float).ravel()))


def _layers(context: _Context, grads: Mapping[int, Array], network: bool) -> Layers | None:
    """A chain of two or more layers (each ending in an activation): the gradient's size."""
    graph = context.graph
    groups: list[list[str]] = []
    current: list[str] = []
    leads = graph.ancestors(graph.output)
    for name in context.order:
        if graph.names[name] not in leads:
            continue
        current.append(name)
        if _is_activation(context.steps[name], network):
            groups.append(current)
            current = []
    if len(groups) < 2:
        return None
    rows = []
    for position, nodes in enumerate(groups, start=1):
        output = nodes[-1]
        params = [n for name in nodes for n in context.steps[name].inputs
                  if n in graph.inputs]
        rows.append(LayerRow(position, nodes, output, _size(grads[graph.names[output]]),
                             [(n, _size(grads[graph.names[n]])) for n in _unique(params)]))
    first, last = rows[0].grad, rows[-1].grad
    if last == 0 or not np.isfinite(first) or not np.isfinite(last):
        return None
    factor = (first / last) ** (1 / (len(rows) - 1)) if first > 0 else 0.0
    verdict = "vanishing" if factor < VANISHING else "exploding" if factor > EXPLODING \
        else "steady"
    kinds = {context.steps[r.output].root.op for r in rows}
    return Layers(context.output, rows, factor, verdict, _remark(verdict, factor, rows, kinds))


def _is_activation(step: _Step, network: bool) -> bool:
    if OPS[step.root.op].activation:
        return True
    return network and step.name.startswith("a") and step.name[1:].isdigit()


def _remark(verdict: str, factor: float, rows: list[LayerRow], kinds: set[str]) -> str:
    first, last = rows[0], rows[-1]
    span = (f"from {fmt.number(last.grad)} at layer {last.layer} to "
            f"{fmt.number(first.grad)} at layer {first.layer}")
    per = f"about x{fmt.number(factor, 2)} per layer"
    if verdict == "vanishing":
        cause = " Each sigmoid multiplies it by a (1 - a), at most 0.25, and each weight by " \
            "its value." if "sigmoid" in kinds else " Each tanh multiplies it by 1 - a**2, at " \
            "most 1 and far less where it saturates." if "tanh" in kinds else " Each layer " \
            "multiplies it by its local derivatives, here smaller than 1."
        return (f"The gradient vanishes on the way back: it shrinks by {per}, {span}, so the "
                f"first layers barely learn.{cause} What helps: ReLU activations (their "
                "derivative is 1 where they are active), careful weight initialisation, and "
                "normalisation (batch norm).")
    if verdict == "exploding":
        return (f"The gradient explodes on the way back: it grows by {per}, {span}; each "
                "layer multiplies it by its weights, here larger than 1, so a gradient "
                "descent step overshoots. What helps: gradient clipping (cap the gradient's "
                "norm at a threshold), smaller initial weights (careful initialisation), and "
                "normalisation (batch norm).")
    return (f"The gradient keeps its size from layer to layer ({per}, {span}): it neither "
            "vanishes nor explodes here.")


# -- revealing one asked step ------------------------------------------------------------


def _reveal(context: _Context, walk: Walkthrough, exercise: Any, number: int,
            hint_only: bool) -> Reveal:
    count = len(exercise.ask)
    if not 1 <= number <= count:
        raise GradtutorError(f"{exercise.id} asks {count} steps: step takes 1 to {count}, "
                             f"not {number}", field="step")
    item = exercise.ask[number - 1]
    step = item.step
    if step.of is None:
        forward = [f for f in walk.forward if f.name == step.wrt]
        notes = [] if forward else [f"{step.wrt} is given: {fmt.value(context.value(step.wrt))}"]
        hint = item.hint or _value_hint(context, step.wrt)
        return Reveal(number, count, step.text, hint, item.hint is not None, item.weight,
                      Formula(step.wrt, latex_name(step.wrt)), context.value(step.wrt),
                      forward, [], [], notes, hint_only)
    return _reveal_gradient(context, walk, item, number, count, hint_only)


def _reveal_gradient(context: _Context, walk: Walkthrough, item: Any, number: int, count: int,
                     hint_only: bool) -> Reveal:
    step = item.step
    graph = context.graph
    of, wrt = step.of, step.wrt
    of_index, wrt_index = graph.names[of], graph.names[wrt]
    grads = backprop(graph, context.values, of_index)
    answer = grads.get(wrt_index, np.zeros_like(context.value(wrt)))
    backward = walk.backward if of == context.output else _backward(context, of)
    edges = [e for b in backward for e in b.edges if e.wrt == wrt]
    sums = [s for b in backward for s in b.sums if s.name == wrt]
    notes = _unique([n for b in backward if any(e.wrt == wrt for e in b.edges)
                     for n in ([b.pattern] if b.pattern else []) + b.notes])
    if of == wrt:
        notes.append(f"d{of}/d{of} = 1: the backward pass starts here")
    elif wrt_index not in graph.ancestors(of_index):
        notes.append(f"{wrt} does not feed {of}: the gradient is 0")
    hint = item.hint or _gradient_hint(context, of, wrt)
    return Reveal(number, count, step.text, hint, item.hint is not None, item.weight,
                  derivative(of, wrt), answer, [], edges, sums, notes, hint_only)


def _value_hint(context: _Context, name: str) -> str:
    if name not in context.steps:
        return f"{name} is one of the given inputs."
    step = context.steps[name]
    inputs = _and(step.inputs) if step.inputs else "the constants"
    return (f"Forward pass: {name} = {formula(context.term(name)).text}; put in the values "
            f"of {inputs}.")


def _gradient_hint(context: _Context, of: str, wrt: str) -> str:
    users = [n for n in context.order if wrt in context.steps[n].inputs
             and context.graph.names[n] in context.graph.ancestors(context.graph.names[of])]
    if not users:
        return f"Does {wrt} feed {of} at all?"
    if users == [of]:
        return (f"{wrt} feeds {of} directly: d{of}/d{wrt} is the local derivative of "
                f"{of} = {formula(context.term(of)).text} with respect to {wrt}.")
    terms = [f"d{user}/d{wrt} * d{of}/d{user}" for user in users]
    plural = " Add up one term for each node that reads it." if len(users) > 1 else ""
    return f"Local derivative times upstream: d{of}/d{wrt} = {' + '.join(terms)}.{plural}"
