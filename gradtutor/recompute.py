"""A step's value recomputed from chosen values under chosen rules.

The answer key is the step computed from the given values with the right rules. Error
carried forward recomputes it from the student's own earlier answers (their forward values
and their upstream gradients) with the right rules; a diagnosis recomputes it with a
mistaken rule. All three are this one function.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .exercise import Exercise, Step
from .graph import DEFAULT_RULES, Rules, Transform, backprop, evaluate

Array = np.ndarray


@dataclass
class Overrides:
    """Values to use in place of the computed ones: the student's own answers."""

    forward: dict[int, Array] = field(default_factory=dict)  # node -> value
    backward: dict[int, dict[int, Array]] = field(default_factory=dict)  # of -> {node: grad}

    def __bool__(self) -> bool:
        return bool(self.forward or self.backward)


NO_OVERRIDES = Overrides()


def node_values(ex: Exercise, overrides: Overrides = NO_OVERRIDES, *, skip: int | None = None,
                transform: Transform | None = None) -> list[Array]:
    """Every node's value, with the student's values in place (except at node `skip`)."""
    forward = {i: v for i, v in overrides.forward.items() if i != skip}
    return evaluate(ex.graph, ex.given, overrides=forward, transform=transform)


def step_value(ex: Exercise, step: Step, overrides: Overrides = NO_OVERRIDES, *,
               rules: Rules = DEFAULT_RULES, transform: Transform | None = None,
               values: list[Array] | None = None) -> Array:
    """The value of `step` given `overrides`, `rules` and `transform` (rounding)."""
    graph = ex.graph
    target = graph.names[step.wrt]
    if not step.is_gradient:
        return node_values(ex, overrides, skip=target, transform=transform)[target]
    if values is None:
        values = node_values(ex, overrides, transform=transform)
    of = graph.names[step.of or ""]
    upstream = {i: g for i, g in overrides.backward.get(of, {}).items() if i != target}
    grads = backprop(graph, values, of, wrt=[target], grad_overrides=upstream, rules=rules,
                     transform=transform)
    return grads.get(target, np.zeros_like(values[target]))


def influences(ex: Exercise, step: Step, overrides: Overrides) -> set[tuple[str, int]]:
    """The student's values that the recomputation of `step` really reads.

    ("value", node) for a forward value, ("grad", node) for an upstream gradient: those whose
    influence reaches the step without passing through another value the student gave (a
    nearer one shadows it).
    """
    graph = ex.graph
    target = graph.names[step.wrt]
    forward = {i for i in overrides.forward if step.is_gradient or i != target}
    reach: list[set[tuple[str, int]]] = []
    for node in graph.nodes:
        if node.index in forward:
            reach.append({("value", node.index)})
        else:
            reach.append(set().union(*(reach[i] for i in node.inputs)))
    if not step.is_gradient:
        return reach[target]
    of = graph.names[step.of or ""]
    upstream = {i for i in overrides.backward.get(of, {}) if i not in (of, target)}
    sources: dict[int, set[tuple[str, int]]] = {of: set()}
    for index in range(of, target - 1, -1):
        if index not in sources:
            continue
        if index in upstream:
            sources[index] = {("grad", index)}
        node = graph.nodes[index]
        # a local derivative reads the node's inputs and its own value
        local = set().union(reach[index], *(reach[i] for i in node.inputs))
        for source in node.inputs:
            sources.setdefault(source, set()).update(sources[index] | local)
    return sources.get(target, set())
