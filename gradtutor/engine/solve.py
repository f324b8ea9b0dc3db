"""`solve` for an expression or program: values, gradients, symbolic forms, cross-checks."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..base import sandbox
from ..base.errors import GradtutorError
from ..lang.parser import parse_program
from . import crosscheck
from .graph import Graph, backprop, build_graph, evaluate, local_gradients

Array = np.ndarray


@dataclass
class NodeReport:
    name: str | None  # None for an intermediate the program did not name
    expression: str
    operation: str
    inputs: list[str]  # the labels of the nodes it reads
    value: Array | None = None
    grad: Array | None = None  # d(output)/d(this node)
    local: list[Array | None] = field(default_factory=list)  # d(node)/d(input), scalar nodes


@dataclass
class Solution:
    output: str
    source: str
    inputs: list[str]
    symbolic: dict[str, str | None]  # d(output)/d(input) as a formula; None: numeric only
    value: Array | None
    gradients: dict[str, Array]  # every input and named intermediate
    nodes: list[NodeReport]
    checks: dict[str, str]  # finite_difference, symbolic
    messages: list[str]
    graph: Graph = field(repr=False)
    values: list[Array] | None = field(default=None, repr=False)


def solve_program(source: str, values: Mapping[str, Array] | None = None, *,
                  with_symbolic: bool = True) -> Solution:
    """Everything `gradtutor solve` shows for an expression or a program."""
    graph = build_graph(parse_program(source))
    values = dict(values or {})
    _check_value_names(graph, values)
    missing = [name for name in graph.inputs if name not in values]
    messages = []
    if missing and values:
        messages.append("no value for " + ", ".join(missing) + ": give every input a value for "
                        "numbers; showing the symbolic result only")
    node_values = None if missing else evaluate(graph, values)
    grads = backprop(graph, node_values, graph.output) if node_values is not None else {}
    gradients = _named_gradients(graph, grads, node_values)
    symbolic, evaluators = _symbolic(graph, node_values, values, messages) if with_symbolic \
        else ({}, {})
    checks = _checks(graph, values, gradients, evaluators, node_values, messages)
    if node_values is not None and np.ndim(node_values[graph.output]) > 0:
        messages.append(f"{graph.output_name} is not a scalar: gradients are those of the sum "
                        "of its entries")
    return Solution(
        output=graph.output_name, source=source, inputs=list(graph.inputs), symbolic=symbolic,
        value=None if node_values is None else node_values[graph.output], gradients=gradients,
        nodes=_node_reports(graph, node_values, grads), checks=checks, messages=messages,
        graph=graph, values=node_values,
    )


def _check_value_names(graph: Graph, values: Mapping[str, Array]) -> None:
    for name in values:
        if name in graph.inputs:
            continue
        if name in graph.names:
            raise GradtutorError(f"'{name}' is computed by the program; only its inputs "
                                 f"({', '.join(graph.inputs)}) take values", field=f"value {name}")
        close = difflib.get_close_matches(name, graph.inputs, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise GradtutorError(f"'{name}' does not appear in the expression{hint}",
                             field=f"value {name}")


def _named_gradients(graph: Graph, grads: Mapping[int, Array],
                     node_values: list[Array] | None) -> dict[str, Array]:
    if node_values is None:
        return {}
    names = [*graph.inputs, *(n for n in graph.assigned if graph.names[n] != graph.output)]
    return {name: grads.get(graph.names[name], np.zeros_like(node_values[graph.names[name]]))
            for name in names}


def _node_reports(graph: Graph, node_values: list[Array] | None,
                  grads: Mapping[int, Array]) -> list[NodeReport]:
    reports = []
    for node in graph.nodes:
        if node.op in ("input", "const"):
            continue
        report = NodeReport(node.name, node.text, node.op,
                            [graph.nodes[i].label for i in node.inputs])
        if node_values is not None:
            report.value = node_values[node.index]
            report.grad = grads.get(node.index, np.zeros_like(report.value))
            if np.ndim(report.value) == 0:
                report.local = local_gradients(graph, node_values, node.index)
        reports.append(report)
    return reports


def _symbolic(graph: Graph, node_values: list[Array] | None, values: Mapping[str, Array],
              messages: list[str]) -> tuple[dict[str, str | None], dict]:
    """Formulas for d(output)/d(input), and their values at the point: in the worker
    process, since sympy can run without bound on hostile input."""
    try:
        formulas, at_point, notes = sandbox.run(symbolic_forms, graph, node_values,
                                                dict(values), what="the symbolic gradients")
    except (RecursionError, ArithmeticError, ValueError, TypeError) as error:  # sympy failed
        messages.append(f"no symbolic form ({type(error).__name__} in sympy): numeric "
                        "gradient only")
        return dict.fromkeys(graph.inputs), {}
    messages.extend(notes)
    evaluators = {name: None if value is None else (lambda value=value: value)
                  for name, value in at_point.items()}
    return formulas, evaluators


def symbolic_forms(graph: Graph, node_values: list[Array] | None, values: dict[str, Array]
                   ) -> tuple[dict[str, str | None], dict[str, Array | None], list[str]]:
    """The formulas, their values at the point (when there is one), and notes on both."""
    from . import symbolic

    scalar = node_values is None or all(np.ndim(node_values[graph.names[n]]) == 0
                                        for n in graph.inputs)
    try:
        if scalar:
            exprs = symbolic.scalar_gradients(graph)
        elif node_values is not None:
            exprs = symbolic.matrix_gradients(graph, node_values)
        else:
            exprs = {}
    except symbolic.NotScalar:
        return dict.fromkeys(graph.inputs), {}, [
            "the symbolic form of a vector or matrix expression needs values for its inputs, "
            "to know the shapes"]
    formulas = {name: None if expr is None else symbolic.formula(expr)
                for name, expr in exprs.items()}
    at = dict(values) if node_values is None else \
        {name: node_values[index] for name, index in graph.names.items()}
    at_point = {name: None if expr is None else symbolic.value_at(expr, at)
                for name, expr in exprs.items()} if node_values is not None else {}
    notes = []
    if any(f is None for f in formulas.values()):
        reason = "no clean matrix formula" if not scalar else "the formula is too large to print"
        notes.append(f"{reason} for " + ", ".join(
            n for n, f in formulas.items() if f is None) + ": numeric gradient only")
    return formulas, at_point, notes


def _checks(graph: Graph, values: Mapping[str, Array], gradients: Mapping[str, Array],
            evaluators: Mapping, node_values: list[Array] | None,
            messages: list[str]) -> dict[str, str]:
    if node_values is None:
        return {"finite_difference": "skipped", "symbolic": "skipped"}
    input_gradients = {name: gradients[name] for name in graph.inputs}
    fd = crosscheck.finite_differences(graph, values, input_gradients)
    sym = crosscheck.compare_symbolic(input_gradients, evaluators) if evaluators else \
        crosscheck.Verdict("unavailable")
    messages.extend(fd.messages + sym.messages)
    return {"finite_difference": fd.status, "symbolic": sym.status}
