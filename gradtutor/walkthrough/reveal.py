"""`explain --step N [--hint]`: one asked step of an exercise, a hint first, then the step
worked out."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import fmt
from ..base.errors import GradtutorError
from ..engine.graph import backprop
from .build import backward_pass
from .display import and_list, unique
from .model import Reveal, Walkthrough
from .steps import Context
from .terms import Formula, derivative, formula, latex_name


def reveal(context: Context, walk: Walkthrough, exercise: Any, number: int,
            hint_only: bool) -> Reveal:
    count = len(exercise.ask)
    if not 1 <= number <= count:
        raise GradtutorError(f"{exercise.id} asks {count} steps: step takes 1 to {count}, "
                             f"not {number}", field="step")
    item = exercise.ask[number - 1]
    step = item.step
    if step.is_update:
        return _reveal_update(walk, item, number, count, hint_only)
    if step.of is None:
        forward = [f for f in walk.forward if f.name == step.wrt]
        notes = [] if forward else [f"{step.wrt} is given: {fmt.value(context.value(step.wrt))}"]
        hint = item.hint or _value_hint(context, step.wrt)
        return Reveal(number, count, step.text, hint, item.hint is not None, item.weight,
                      Formula(step.wrt, latex_name(step.wrt)), context.value(step.wrt),
                      forward, [], [], notes, hint_only)
    return _reveal_gradient(context, walk, item, number, count, hint_only)


def _reveal_gradient(context: Context, walk: Walkthrough, item: Any, number: int, count: int,
                     hint_only: bool) -> Reveal:
    step = item.step
    graph = context.graph
    of, wrt = step.of, step.wrt
    of_index, wrt_index = graph.names[of], graph.names[wrt]
    grads = backprop(graph, context.values, of_index)
    answer = grads.get(wrt_index, np.zeros_like(context.value(wrt)))
    backward = walk.backward if of == context.output else backward_pass(context, of)
    edges = [e for b in backward for e in b.edges if e.wrt == wrt]
    sums = [s for b in backward for s in b.sums if s.name == wrt]
    notes = unique([n for b in backward if any(e.wrt == wrt for e in b.edges)
                     for n in ([b.pattern] if b.pattern else []) + b.notes])
    if of == wrt:
        notes.append(f"d{of}/d{of} = 1: the backward pass starts here")
    elif wrt_index not in graph.ancestors(of_index):
        notes.append(f"{wrt} does not feed {of}: the gradient is 0")
    hint = item.hint or _gradient_hint(context, of, wrt)
    return Reveal(number, count, step.text, hint, item.hint is not None, item.weight,
                  derivative(of, wrt), answer, [], edges, sums, notes, hint_only)


def _reveal_update(walk: Walkthrough, item: Any, number: int, count: int,
                   hint_only: bool) -> Reveal:
    """An SGD step: its gradient first (a step of its own), then value - rate * gradient."""
    step = item.step
    update = next(u for u in walk.updates if u.name == step.wrt)
    worked = " = ".join([f"new {step.wrt}", update.formula.text, update.numbers.text,
                         fmt.value(update.value)])
    hint = item.hint or (f"Work out {step.gradient.text} first, then step against it: "
                         f"{step.wrt} - {step.rate} * {step.gradient.text}.")
    return Reveal(number, count, step.text, hint, item.hint is not None, item.weight,
                  Formula(f"new {step.wrt}", rf"{latex_name(step.wrt)}_{{\text{{new}}}}"),
                  update.value, [], [], [], [worked], hint_only)


def _value_hint(context: Context, name: str) -> str:
    if name not in context.steps:
        return f"{name} is one of the given inputs."
    step = context.steps[name]
    inputs = and_list(step.inputs) if step.inputs else "the constants"
    return (f"Forward pass: {name} = {formula(context.term(name)).text}; put in the values "
            f"of {inputs}.")


def _gradient_hint(context: Context, of: str, wrt: str) -> str:
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
