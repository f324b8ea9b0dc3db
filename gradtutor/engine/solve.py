"""`solve` for an expression or program: values, gradients, symbolic forms, cross-checks."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
    """Formulas for d(output)/d(input), worked out in the worker process (sympy can run
    without bound on hostile input), each read back by the language's own parser: a way to
    compute each at the point (by the engine), or None where there is no formula."""
    at = dict(values) if node_values is None else \
        {name: node_values[index] for name, index in graph.names.items()}
    try:
        texts, reasons, notes = sandbox.run(formula_texts, graph, node_values,
                                            what="the symbolic gradients")
    except (RecursionError, ArithmeticError, ValueError, TypeError) as error:  # sympy failed
        messages.append(f"no symbolic form ({type(error).__name__} in sympy): numeric "
                        "gradient only")
        return dict.fromkeys(graph.inputs), {}
    messages.extend(notes)
    formulas: dict[str, str | None] = {}
    evaluators: dict[str, Callable[[], Array] | None] = {}
    for name in graph.inputs:
        text = texts.get(name)
        if text is not None:
            why = _unreadable(text, graph.names)
            if why is not None:
                text, reasons[name] = None, why
        formulas[name] = text
        evaluators[name] = None if text is None else _reader(text, at)
    for why, names in _grouped(reasons).items():
        messages.append(f"numeric gradient only for {', '.join(names)}: {why}")
    return formulas, evaluators


def _reader(text: str, at: dict[str, Array]) -> Callable[[], Array]:
    """A formula's value at the point, computed when the check asks for it."""
    return lambda: _formulas_module().read_back(text, at)


def _formulas_module() -> Any:
    from . import formulas

    return formulas


def formula_texts(graph: Graph, node_values: list[Array] | None
                  ) -> tuple[dict[str, str | None], dict[str, str], list[str]]:
    """Each input's formula as text (None where there is none), why there is none, and notes:
    the work the worker process does."""
    from . import formulas, symbolic

    arrays = node_values is not None and any(np.ndim(v) > 0 for v in node_values)
    if not arrays:
        try:
            exprs = symbolic.scalar_gradients(graph)
        except symbolic.NotScalar:
            return dict.fromkeys(graph.inputs), {}, [
                "the symbolic form of a vector or matrix expression needs values for its "
                "inputs, to know the shapes"]
        except RecursionError:
            exprs = None
        if exprs is not None or node_values is None:
            exprs = exprs or {}
            texts = {name: None if expr is None else symbolic.formula(expr)
                     for name, expr in exprs.items()}
            return texts, {name: "the formula is too large to print"
                           for name, text in texts.items() if text is None}, []
    assert node_values is not None
    found = formulas.gradients(graph, node_values)
    return ({name: f.text() if isinstance(f, formulas.F) else None for name, f in found.items()},
            {name: str(f) for name, f in found.items() if isinstance(f, formulas.NoFormula)}, [])


def _unreadable(text: str, known: Mapping[str, int]) -> str | None:
    """Why a formula cannot be typed back into gradtutor; None when it can."""
    from ..lang.expr import free_names
    from ..lang.parser import parse_program

    try:
        program = parse_program(text)
    except GradtutorError as error:
        return f"the formula {text!r} is not in the expression language ({error})"
    names = {name for statement in program.statements for name in free_names(statement.expr)}
    unknown = sorted(names - set(known))
    if unknown:
        return (f"the formula {text!r} uses {', '.join(unknown)}, which the expression "
                "language does not know")
    return None


def _grouped(reasons: Mapping[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, why in reasons.items():
        grouped.setdefault(why, []).append(name)
    return grouped


def _checks(graph: Graph, values: Mapping[str, Array], gradients: Mapping[str, Array],
            evaluators: Mapping, node_values: list[Array] | None,
            messages: list[str]) -> dict[str, str]:
    if node_values is None:
        return {"finite_difference": "skipped", "symbolic": "skipped"}
    input_gradients = {name: gradients[name] for name in graph.inputs}
    fd = crosscheck.finite_differences(graph, values, input_gradients)
    sym = crosscheck.compare_symbolic(input_gradients, evaluators) if evaluators else \
        crosscheck.Verdict("unavailable")
    if not np.all(np.isfinite(node_values[graph.output])) and sym.status != "unavailable":
        sym = crosscheck.Verdict("singular", fd.messages)
    messages.extend(dict.fromkeys(m for m in fd.messages + sym.messages if m not in messages))
    return {"finite_difference": fd.status, "symbolic": sym.status}
