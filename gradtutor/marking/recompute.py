"""A step's value recomputed from chosen values under chosen rules.

The answer key is the step computed from the given values with the right rules. Error
carried forward recomputes it from the student's own earlier answers (their forward values
and their upstream gradients) with the right rules; a diagnosis recomputes it with a
mistaken rule. All three are this one function.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.graph import DEFAULT_RULES, Rules, Transform, backprop, evaluate
from ..exercises.exercise import Exercise, Step

Array = np.ndarray


@dataclass
class Overrides:
    """Values to use in place of the computed ones: the student's own answers."""

    forward: dict[int, Array] = field(default_factory=dict)  # node -> value
    backward: dict[int, dict[int, Array]] = field(default_factory=dict)  # of -> {node: grad}

    def __bool__(self) -> bool:
        return bool(self.forward or self.backward)


NO_OVERRIDES = Overrides()


def node_values(ex: Exercise, overrides: Overrides = NO_OVERRIDES, *,
                transform: Transform | None = None) -> list[Array]:
    """Every node's value, with the student's values in place."""
    return evaluate(ex.graph, ex.given, overrides=overrides.forward, transform=transform)


class Recomputer:
    """Every step recomputed from one set of overrides, under one set of rules.

    One forward pass serves every value step and one backward pass per output node serves
    every gradient step: at a node the student gave, the pass remembers what the node
    computed (or gathered) before the student's value replaced it, which is exactly that
    step recomputed from the student's other answers.
    """

    def __init__(self, ex: Exercise, overrides: Overrides = NO_OVERRIDES, *,
                 rules: Rules = DEFAULT_RULES, transform: Transform | None = None) -> None:
        self.ex = ex
        self.overrides = overrides
        self.rules = rules
        self.transform = transform
        self._computed: dict[int, Array] = {}
        self._values: list[Array] | None = None
        self._grads: dict[int, tuple[dict[int, Array], dict[int, Array]]] = {}

    def under(self, rules: Rules) -> Recomputer:
        """The same recomputation under other rules: rules change only the backward pass,
        so its forward values are these."""
        other = Recomputer(self.ex, self.overrides, rules=rules, transform=self.transform)
        other._values, other._computed = self.values, self._computed
        return other

    @property
    def values(self) -> list[Array]:
        if self._values is None:
            self._values = evaluate(self.ex.graph, self.ex.given,
                                    overrides=self.overrides.forward, transform=self.transform,
                                    replaced=self._computed)
        return self._values

    def value(self, step: Step) -> Array:
        """The step's value, recomputed."""
        if step.is_update:
            return self._update(step)
        graph = self.ex.graph
        target = graph.names[step.wrt]
        values = self.values
        if not step.is_gradient:
            return self._computed.get(target, values[target])
        grads, gathered = self._backward(graph.names[step.of or ""])
        if target in gathered:
            return gathered[target]
        return grads[target] if target in grads else np.zeros_like(values[target])

    def _update(self, step: Step) -> Array:
        """`W - lr*dL/dW` from the student's own dL/dW where they gave it."""
        graph, gradient = self.ex.graph, step.gradient
        own = self.overrides.backward.get(graph.names[gradient.of or ""], {})
        target = graph.names[step.wrt]
        applied = own[target] if target in own else self.value(gradient)
        return self.ex.given[step.wrt] - self.ex.given[step.rate or ""] * applied

    def gradients(self, of: int) -> dict[int, Array]:
        """Every node's gradient of node `of` (with the student's gradients in place)."""
        return self._backward(of)[0]

    def _backward(self, of: int) -> tuple[dict[int, Array], dict[int, Array]]:
        if of not in self._grads:
            gathered: dict[int, Array] = {}
            grads = backprop(self.ex.graph, self.values, of,
                             grad_overrides=self.overrides.backward.get(of),
                             rules=self.rules, transform=self.transform, replaced=gathered)
            self._grads[of] = (grads, gathered)
        return self._grads[of]


def exact(ex: Exercise, values: list[Array] | None = None) -> Recomputer:
    """The exercise recomputed from its given values with the right rules, kept on the
    exercise (its `truths`): the answer key and every mistake replayed read the one pass.
    `values`: every node's value when the caller has already evaluated the graph."""
    found = ex.truths.get("exact")
    if not isinstance(found, Recomputer):
        found = ex.truths["exact"] = Recomputer(ex)
        found._values = values
    return found


def step_value(ex: Exercise, step: Step, overrides: Overrides = NO_OVERRIDES, *,
               rules: Rules = DEFAULT_RULES, transform: Transform | None = None) -> Array:
    """The value of one step given `overrides`, `rules` and `transform` (rounding)."""
    return Recomputer(ex, overrides, rules=rules, transform=transform).value(step)


def influences(ex: Exercise, step: Step, overrides: Overrides) -> set[tuple[str, int]]:
    """The student's values that the recomputation of `step` really reads.

    ("value", node) for a forward value, ("grad", node) for an upstream gradient: those whose
    influence reaches the step without passing through another value the student gave (a
    nearer one shadows it).
    """
    graph = ex.graph
    target = graph.names[step.wrt]
    if step.is_update:
        own = overrides.backward.get(graph.names[step.gradient.of or ""], {})
        return {("grad", target)} if target in own else influences(ex, step.gradient, overrides)
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
