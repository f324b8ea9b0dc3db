"""The graph a walkthrough is built from: one step per named node, each a graph of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..base import limits
from ..base.errors import LimitError
from ..engine.graph import Graph, build_graph, evaluate
from ..engine.graph import Node as GraphNode
from ..lang.expr import Assignment, Expr, Program
from .model import Array
from .terms import Term, expr_term


@dataclass
class Step:
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


class Context:
    """The whole graph evaluated once, and each named node as a Step of its own."""

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

    def _step(self, name: str, expr: Expr) -> Step:
        graph = build_graph(Program((Assignment(name, expr),)))
        values = evaluate(graph, {n: self.named[n] for n in graph.inputs})
        ops = [n for n in graph.nodes if n.op not in ("input", "const")]
        return Step(name, expr, graph, values, list(graph.inputs), ops)

    def value(self, name: str) -> Array:
        return self.named[name]

    def term(self, name: str) -> Term:
        return expr_term(self.steps[name].expr, self.named)
