"""Building a walkthrough from the steps of a graph: nodes, local derivatives, the forward
and the backward pass, the gradients. Every number comes from the graph engine."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..engine.graph import backprop
from .derivatives import Symbolic, symbolic_locals
from .display import operation, shape_labels
from .layers import layer_sizes
from .model import (
    Array,
    BackwardStep,
    Edge,
    FanIn,
    Forward,
    Local,
    Node,
    Walkthrough,
)
from .patterns import pattern
from .rules import gradient_rules
from .steps import Context, Step
from .terms import Formula, Term, derivative, formula, leaf, numbers, op_term, upstream_leaf


def walkthrough(context: Context, *, title: str, target: str, kind: str,
                 naming: str | None, description: str = "", network: bool = False
                 ) -> Walkthrough:
    graph, output = context.graph, context.output
    grads = backprop(graph, context.values, graph.output)
    leads = graph.ancestors(graph.output)
    backward = backward_pass(context, output)
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
        forward=[forward_step(context, name) for name in context.order], backward=backward,
        gradients=gradients, layers=layer_sizes(context, grads, network), notes=notes,
    )


def _nodes(context: Context, grads: Mapping[int, Array], leads: set[int]) -> list[Node]:
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
        nodes.append(Node(name, formula(context.term(name)), operation(step), step.inputs,
                          step.value, grad(name)))
    return nodes


def _locals(context: Context) -> list[Local]:
    result: list[Local] = []
    for name in context.order:
        step = context.steps[name]
        symbolic = symbolic_locals(step)
        if symbolic is not None:
            result.extend(Local(name, wrt, derivative(name, wrt), symbolic[wrt].formula,
                                rule=False)
                          for wrt in step.inputs)
            continue
        upstream = upstream_leaf(context.output, name, None, ndim=np.ndim(step.value))
        rules = gradient_rules(step, upstream, context.named)
        result.extend(Local(name, wrt, derivative(context.output, wrt) if wrt in rules
                            else derivative(name, wrt), formula(rules[wrt].term), rule=True)
                      for wrt in step.inputs if wrt in rules)
    return result


def forward_step(context: Context, name: str) -> Forward:
    step = context.steps[name]
    term = context.term(name)
    shapes: list[tuple[str, str]] = []
    if not step.scalar:
        shapes = shape_labels([*((n, context.value(n)) for n in step.inputs), (name, step.value)])
    return Forward(name, formula(term), numbers(term), step.value, shapes)


def backward_pass(context: Context, of: str) -> list[BackwardStep]:
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
                                  upstream, pattern(step, upstream, context), notes, edges,
                                  sums))
    return steps


def _fan_in(of: str, name: str, parts: list[tuple[str, Array]], total: Array) -> FanIn:
    term = leaf("", "", parts[0][1])
    for _, value in parts[1:]:
        term = op_term("add", term, leaf("", "", value))
    return FanIn(name, derivative(of, name), list(parts), numbers(term), total)


def _edges(context: Context, step: Step, of: str, upstream: Array
           ) -> tuple[list[Edge], list[str]]:
    graph = step.graph
    seeded = backprop(graph, step.values, graph.output, seed=upstream)
    sent = {wrt: seeded.get(graph.names[wrt], np.zeros_like(context.value(wrt)))
            for wrt in step.inputs}
    symbolic = symbolic_locals(step)
    if symbolic is not None:
        local = backprop(graph, step.values, graph.output)
        return [_scalar_edge(step, of, wrt, symbolic[wrt], local.get(graph.names[wrt]),
                             upstream, sent[wrt]) for wrt in step.inputs], []
    rules = gradient_rules(step, upstream_leaf(of, step.name, upstream), context.named)
    edges: list[Edge] = []
    notes: list[str] = []
    for wrt in step.inputs:
        if wrt not in rules:
            continue
        rule = rules[wrt]
        notes.extend(n for n in rule.notes if n not in notes)
        leaves = _labelled_leaves(rule.term)
        shapes = shape_labels([*leaves, (derivative(of, wrt).text, sent[wrt])]) \
            if not step.scalar else []
        edges.append(Edge(step.name, wrt, derivative(of, wrt), formula(rule.term),
                          numbers(rule.term), sent[wrt], None, shapes))
    return edges, notes


def _scalar_edge(step: Step, of: str, wrt: str, local: Symbolic, local_value: Array | None,
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
