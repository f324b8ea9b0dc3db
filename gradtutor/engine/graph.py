"""The computational graph: nodes in creation order, a forward pass and a backward pass.

A program becomes a list of nodes, one per operation, each knowing its inputs by index.
Creation order is a topological order, so both passes are plain loops (no recursion, so a
graph thousands of nodes deep is fine). Values are float64 numpy arrays of any shape up to
matrices; elementwise operations broadcast, and the backward pass sums a gradient back to
the shape of the value it belongs to (a bias's gradient has the bias's shape).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..base import limits
from ..base.errors import ExpressionError, GradtutorError, LimitError, ShapeError
from ..lang.expr import (
    Assignment,
    Binary,
    Call,
    Const,
    Expr,
    Name,
    Num,
    Program,
    Transpose,
    Unary,
    free_names,
    to_text,
)
from ..lang.values import shape_text
from ..ops.specs import (
    BINARY_OPS,
    CONSTANTS,
    OPS,
    Vjp,
    op_for_call,
    option_of,
    sum_to_shape,
)

Array = np.ndarray


@dataclass
class Node:
    index: int
    op: str
    inputs: tuple[int, ...]
    text: str  # the sub-expression this node computes, in the expression language
    name: str | None = None  # assignment or input name; None for an intermediate
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.text


@dataclass
class Graph:
    nodes: list[Node]
    names: dict[str, int]  # every input and named node -> its index
    inputs: list[str]  # free variables, in order of first use
    assigned: list[str]  # named nodes, in program order
    output: int
    source: str = ""
    _users: list[list[int]] | None = field(default=None, init=False, repr=False, compare=False)
    # what later layers work out once from the structure alone (keyed by their own names)
    derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                    compare=False)

    def index(self, name: str) -> int:
        return self.names[name]

    @property
    def output_name(self) -> str:
        return self.nodes[self.output].label

    def consumers(self) -> list[list[int]]:
        """For every node, the nodes that read it (one entry per use); worked out once, as a
        built graph does not change (the guards of a class's variants ask it often)."""
        if self._users is None or len(self._users) != len(self.nodes):
            self._users = [[] for _ in self.nodes]
            for node in self.nodes:
                for source in node.inputs:
                    self._users[source].append(node.index)
        return self._users

    def ancestors(self, index: int) -> set[int]:
        """Every node the given node depends on, itself included."""
        seen = {index}
        for i in range(index, -1, -1):
            if i in seen:
                seen.update(self.nodes[i].inputs)
        return seen


def build_graph(program: Program, *, output_name: str = "f") -> Graph:
    """Turn a parsed program into a graph. A bare last expression is named `output_name`."""
    builder = _Builder(program.source)
    statements = program.statements
    for position, statement in enumerate(statements):
        if statement.name is None and position != len(statements) - 1:
            raise ExpressionError("only the last statement may be a bare expression; name "
                                  "the others (q = ...)", column=statement.pos,
                                  source=program.source)
        name = statement.name
        if name is None:  # a bare expression's output is f, unless it reads an f of its own
            name = _free_name(output_name, {*builder.names, *free_names(statement.expr)})
        builder.assign(name, statement.expr, statement.pos)
    return builder.graph()


def graph_of(expr: Expr) -> Graph:
    """The graph that computes one expression (its output is called f)."""
    return build_graph(Program((Assignment(None, expr),)))


def _free_name(wanted: str, taken: Collection[str]) -> str:
    if wanted not in taken:
        return wanted
    return next(f"{wanted}{i}" for i in range(1, len(taken) + 2) if f"{wanted}{i}" not in taken)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.nodes: list[Node] = []
        self.names: dict[str, int] = {}
        self.inputs: list[str] = []
        self.assigned: list[str] = []

    def add(self, op: str, inputs: tuple[int, ...], text: str, **attrs: Any) -> int:
        node = Node(len(self.nodes), op, inputs, text, attrs=attrs)
        self.nodes.append(node)
        return node.index

    def assign(self, name: str, expr: Expr, pos: int = 0) -> None:
        index = self.build(expr)
        if name in self.inputs:  # `x = 2*x`: the name would mean two values at once
            raise ExpressionError(f"'{name}' is read as an input before it is assigned; give "
                                  "the assignment a new name", column=pos or None,
                                  source=self.source or None)
        if self.nodes[index].name is not None or self.nodes[index].op in ("input", "const"):
            # `a = b` or `a = 2`: the name needs a node of its own
            index = self.add("id", (index,), to_text(expr))
        self.nodes[index].name = name
        self.names[name] = index
        self.assigned.append(name)

    def build(self, expr: Expr) -> int:
        if isinstance(expr, Num):
            return self.add("const", (), expr.text, value=np.float64(expr.value))
        if isinstance(expr, Const):
            return self.add("const", (), expr.name, value=np.float64(CONSTANTS[expr.name]))
        if isinstance(expr, Name):
            return self.name(expr)
        text = to_text(expr)
        if isinstance(expr, Unary):
            return self.add("neg", (self.build(expr.operand),), text)
        if isinstance(expr, Transpose):
            return self.add("transpose", (self.build(expr.operand),), text)
        if isinstance(expr, Binary):
            left, right = self.build(expr.left), self.build(expr.right)
            return self.add(BINARY_OPS[expr.op], (left, right), text)
        assert isinstance(expr, Call)
        args = expr.args
        attrs: dict[str, Any] = {}
        op = op_for_call(expr.func, len(args))
        option = option_of(expr.func, len(args))
        if option is not None:
            attrs[option.name] = option.convert(args[-1].value)  # type: ignore[union-attr]
            args = args[:-1]
        inputs = tuple(self.build(arg) for arg in args)
        return self.add(op, inputs, text, **attrs)

    def name(self, expr: Name) -> int:
        if expr.id in self.names:
            return self.names[expr.id]
        index = self.add("input", (), expr.id)
        self.nodes[index].name = expr.id
        self.names[expr.id] = index
        self.inputs.append(expr.id)
        return index

    def graph(self) -> Graph:
        return Graph(self.nodes, self.names, self.inputs, self.assigned,
                     output=self.names[self.assigned[-1]], source=self.source)


# -- forward -----------------------------------------------------------------------------

Transform = Callable[[Array], Array]


def evaluate(graph: Graph, inputs: Mapping[str, Array], *,
             overrides: Mapping[int, Array] | None = None,
             transform: Transform | None = None,
             replaced: dict[int, Array] | None = None) -> list[Array]:
    """Every node's value, in node order.

    `overrides` replaces the value of chosen nodes (as a student's own answers would), and
    `transform` is applied to every computed value (rounding, for the rounded-early check).
    `replaced`, when given, receives what each overridden node computed from its inputs
    before its override replaced it.
    """
    values: list[Array] = []
    held = 0  # numbers in `values`: every node's value is kept (backprop reads them)
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            overridden = overrides is not None and node.index in overrides
            if overridden and replaced is None:
                values.append(overrides[node.index])  # type: ignore[index]
                continue
            if node.op == "input":
                value = _input_value(node, inputs)
            else:
                value = _forward(graph, node, [values[i] for i in node.inputs])
            value = transform(value) if transform and node.op != "const" else value
            if overridden:
                replaced[node.index] = value  # type: ignore[index]
                value = overrides[node.index]  # type: ignore[index]
            held += np.size(value)
            if held > limits.MAX_HELD_ENTRIES:
                raise LimitError(f"the nodes' values would hold more than "
                                 f"{limits.MAX_HELD_ENTRIES:,} numbers (at {node.label})",
                                 field=node.name)
            values.append(value)
    return values


def node_value(graph: Graph, index: int, args: list[Array]) -> Array:
    """What node `index` computes from the given values of its inputs (one step of
    `evaluate`, which an operation node's value must equal)."""
    with np.errstate(all="ignore"):
        return _forward(graph, graph.nodes[index], args)


def _input_value(node: Node, inputs: Mapping[str, Array]) -> Array:
    name = node.name or ""
    if name not in inputs:
        raise GradtutorError(f"no value for '{name}'", field=name)
    return inputs[name]


def _forward(graph: Graph, node: Node, args: list[Array]) -> Array:
    try:
        _check_size(node, args)
        return np.asarray(OPS[node.op].forward(args, node.attrs), dtype=np.float64)
    except (ValueError, IndexError) as error:  # numpy's way of saying shapes do not fit
        raise ShapeError(_shape_message(node, args, error), field=node.name) from None


def _check_size(node: Node, args: list[Array]) -> None:
    """Refuse a result too large to hold before numpy allocates it: broadcasting a 20,000
    vector against a 20,000 x 1 column would ask for 3 GB."""
    if len(args) != 2:
        return  # one argument: the result is no larger than it
    a, b = args
    if node.op == "matmul":
        size = (a.shape[0] if a.ndim == 2 else 1) * (b.shape[-1] if b.ndim == 2 else 1)
    elif node.op == "outer":
        size = a.size * b.size
    elif a.shape == b.shape or a.ndim == 0 or b.ndim == 0:  # no broadcasting to work out
        size = max(a.size, b.size)
    else:
        size = int(np.prod(np.broadcast_shapes(a.shape, b.shape), dtype=np.int64))
    if size > limits.MAX_ENTRIES:
        where = f"{node.name} = {node.text}" if node.name else node.text
        raise LimitError(f"{where}: the result would have {size:,} entries; the limit is "
                         f"{limits.MAX_ENTRIES:,}", field=node.name)


def _shape_message(node: Node, args: list[Array], error: Exception) -> str:
    shapes = [shape_text(a.shape) for a in args]
    where = f"{node.name} = {node.text}" if node.name else node.text
    if node.op == "matmul":
        detail = f"cannot multiply {shapes[0]} @ {shapes[1]}"
    elif "axis" in node.attrs:
        detail = f"axis {node.attrs['axis']} does not exist for shape {shapes[0]}"
    elif len(shapes) == 2:
        detail = f"shapes {shapes[0]} and {shapes[1]} do not broadcast"
    else:
        detail = str(error)
    return f"shape error at {where}: {detail}"


# -- backward ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """How the backward pass computes; the defaults are right. Other rules model a mistake."""

    vjps: Mapping[str, Vjp] = field(default_factory=dict)  # op name -> a different vjp
    accumulate: Callable[[Array, Array], Array] = np.add  # combine two uses of one value
    unbroadcast: Callable[[Array, tuple[int, ...]], Array] = sum_to_shape


DEFAULT_RULES = Rules()


def backprop(graph: Graph, values: list[Array], of: int, wrt: Collection[int] | None = None,
             *, seed: Array | None = None, grad_overrides: Mapping[int, Array] | None = None,
             rules: Rules = DEFAULT_RULES, transform: Transform | None = None,
             replaced: dict[int, Array] | None = None) -> dict[int, Array]:
    """Gradients of node `of` with respect to the nodes it depends on.

    The seed defaults to ones (for a vector or matrix `of`, the gradient of the sum of its
    entries). Only gradients that lead to a node in `wrt` are computed (all, when None).
    `grad_overrides` replaces the gradient arriving at chosen nodes before it flows on;
    `transform` is applied to each node's gradient once it is complete (rounding).
    `replaced`, when given, receives the gradient each overridden node had gathered before
    its override replaced it.
    """
    wanted = _leads_to(graph, of, wrt)
    start = values[of]
    grads: dict[int, Array] = {of: np.ones_like(start) if seed is None else seed}
    with np.errstate(all="ignore"):
        for index in range(of, -1, -1):
            if index not in grads:
                continue
            if transform is not None:
                grads[index] = transform(grads[index])
            if grad_overrides and index in grad_overrides and index != of:
                if replaced is not None:
                    replaced[index] = grads[index]
                grads[index] = grad_overrides[index]
            node = graph.nodes[index]
            if not node.inputs:
                continue
            needs = [wanted[i] for i in node.inputs]
            if not any(needs):
                continue
            op = OPS[node.op]
            vjp = rules.vjps.get(node.op, op.vjp)
            args = [values[i] for i in node.inputs]
            parts = vjp(grads[index], args, values[index], node.attrs, needs)
            for source, need, part, arg in zip(node.inputs, needs, parts, args, strict=True):
                if not need or part is None:
                    continue
                part = rules.unbroadcast(np.asarray(part), arg.shape) if op.elementwise else part
                grads[source] = rules.accumulate(grads[source], part) if source in grads else part
    return {i: g for i, g in grads.items() if wanted[i]}


def _leads_to(graph: Graph, of: int, wrt: Collection[int] | None) -> list[bool]:
    """For every node: does a gradient arriving there lead on to something wanted?"""
    if wrt is None:
        return [True] * len(graph.nodes)
    targets = set(wrt)
    leads = [False] * len(graph.nodes)
    for node in graph.nodes[: of + 1]:
        leads[node.index] = node.index in targets or any(leads[i] for i in node.inputs)
    return leads


def local_gradients(graph: Graph, values: list[Array], index: int,
                    upstream: Array | None = None) -> list[Array | None]:
    """What node `index` sends back to each of its inputs for the given upstream gradient.

    With the default upstream of ones and a scalar node, these are the local derivatives of
    the node with respect to each input.
    """
    node = graph.nodes[index]
    upstream = np.ones_like(values[index]) if upstream is None else upstream
    op = OPS[node.op]
    args = [values[i] for i in node.inputs]
    with np.errstate(all="ignore"):
        parts = op.vjp(upstream, args, values[index], node.attrs, [True] * len(args))
    return [
        None if part is None else
        sum_to_shape(np.asarray(part), arg.shape) if op.elementwise else np.asarray(part)
        for part, arg in zip(parts, args, strict=True)
    ]


def kink_signature(graph: Graph, values: list[Array]) -> list[Array]:
    """The branch every kinked operation takes at these values (relu, abs, max, min)."""
    signature = []
    for node in graph.nodes:
        kink = OPS[node.op].kink
        if kink is not None:
            signature.append(np.asarray(kink([values[i] for i in node.inputs], node.attrs)))
    return signature
