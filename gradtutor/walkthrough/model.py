"""The walkthrough of `gradtutor explain` as data: what `explain --format json` writes and
what every renderer lays out.

The notes' recipe, with every number filled in: 1) the sub-functions (one named node each) and
the computational graph; 2) the local derivative of every edge, in symbols (for a vector or
matrix step: the rule that gives each input's gradient from the upstream gradient, e.g.
dW = X.T @ G); 3) the forward pass; 4) the backward pass from the end of the circuit, local x
upstream, with a reused value's contributions added up; 5) the gradients (and the SGD
updates an exercise asks for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .terms import Formula

Array = np.ndarray


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
class Update:
    """An asked SGD step: the given value moved against its gradient by the learning rate."""

    name: str  # the given value updated
    formula: Formula  # W - lr * dL/dW
    numbers: Formula  # the same with every number filled in
    value: Array


@dataclass
class Walkthrough:
    json_kind: ClassVar[str | None] = None  # a perceptron walkthrough's JSON is tagged
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
    updates: list[Update] = field(default_factory=list)  # the asked SGD steps, last

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)
