"""`gradtutor explain`: the walkthrough of an expression, a program or an exercise.

A bare expression is split into one node per operation, named n1, n2, ... in forward order
(the output keeps the name f, as in `solve`); a program or an exercise is explained at the
level of its named nodes, each node one step whose local derivatives are taken with respect to
the names it reads. The walkthrough is data (model.py); the renderers only lay it out.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..base import fmt
from ..base.errors import GradtutorError
from ..engine.graph import Graph, build_graph
from ..lang.expr import Expr, Name, Program
from ..lang.parser import parse_expression, parse_program
from ..marking.recompute import step_value
from .build import walkthrough
from .display import NAMING
from .model import Array, Update, Walkthrough
from .reveal import reveal
from .steps import Context
from .terms import Formula, latex_name, latex_value, leaf_expr, op_expr

if TYPE_CHECKING:
    from ..exercises.exercise import Exercise, Step


def explain_source(source: str, values: Mapping[str, Array]) -> Walkthrough:
    """The walkthrough of an expression or program as typed; a target that looks like a
    mistyped exercise id gets the id's error rather than a parse error."""
    try:
        program = parse_program(source)
    except GradtutorError:
        _suggest_exercise(source)
        raise
    return explain_program(program, values, source=source)


def explain_program(program: Program, values: Mapping[str, Array], *, source: str
                    ) -> Walkthrough:
    """The walkthrough of a parsed expression (one node per operation) or program."""
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
    context = Context(steps, values, graph.output_name)
    return walkthrough(context, title=title, target=source, kind=kind, naming=naming)


def explain_graph_exercise(exercise: Exercise, *, target: str, network: bool = False,
                           step: int | None = None, hint_only: bool = False) -> Walkthrough:
    """The walkthrough of a graph exercise (`network`: written as layers); with `step`, its
    N-th asked step revealed."""
    steps = [(name, parse_expression(exercise.nodes[name])) for name in exercise.graph.assigned]
    context = Context(steps, dict(exercise.given), exercise.output)
    walk = walkthrough(context, title=exercise.title, target=target, kind="exercise",
                       naming=None, description=exercise.description, network=network)
    walk.updates = [update(exercise, item.step) for item in exercise.ask if item.step.is_update]
    if step is not None:
        walk.reveal = reveal(context, walk, exercise, step, hint_only)
    elif hint_only:
        raise GradtutorError("a hint is for one step: give the step too", field="hint")
    return walk


def update(exercise: Exercise, step: Step) -> Update:
    """`W - lr * dL/dW` worked out with the exercise's numbers."""
    gradient = step.gradient
    value, rate = exercise.given[step.wrt], exercise.given[step.rate or ""]
    applied = step_value(exercise, gradient)
    top, bottom = latex_name(gradient.of or ""), latex_name(step.wrt)
    symbol = rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
    formula = Formula(f"{step.wrt} - {step.rate} * {gradient.text}",
                      rf"{latex_name(step.wrt)} - {latex_name(step.rate or '')} \, {symbol}")
    numbers = Formula(f"{fmt.value(value)} - {fmt.value(rate)} * {fmt.value(applied)}",
                      rf"{latex_value(value)} - {latex_value(rate)} \, {latex_value(applied)}")
    return Update(step.wrt, formula, numbers, value - rate * applied)


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
