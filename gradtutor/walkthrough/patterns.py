"""Teaching prose: the notes' name for what a single gate does to the gradient (distributor,
switcher, router), with the step's own numbers."""

from __future__ import annotations

import numpy as np

from ..base import fmt
from ..engine.graph import Node as GraphNode
from ..engine.graph import local_gradients
from ..ops.specs import OPS
from .display import and_list, arg_label
from .model import Array
from .steps import Context, Step


def pattern(step: Step, upstream: Array, context: Context) -> str | None:
    """The notes' name for what a single gate does to the gradient, with this node's numbers."""
    node = step.gate
    if node is None or OPS[node.op].gate is None:
        return None
    graph = step.graph
    names = [arg_label(graph.nodes[i]) for i in node.inputs]
    live = [n for n, i in zip(names, node.inputs, strict=True)
            if graph.nodes[i].op != "const"]
    scalar = step.scalar
    up = fmt.value(upstream) if scalar else "the upstream gradient"
    if node.op == "add":
        return (f"add gate: distributes the upstream gradient {up} unchanged to "
                f"{and_list(live)} (a gradient distributor)" if scalar else
                f"add gate: distributes the upstream gradient unchanged to {and_list(live)} "
                "(a gradient distributor)")
    if node.op == "sub":
        return (f"subtract gate: distributes the upstream gradient: {names[0]} gets it as it "
                f"is, {names[1]} gets it negated (a gradient distributor)")
    if node.op == "mul":
        return _mul_pattern(step, node, names)
    if node.op in ("max", "min"):
        return _route_pattern(step, node, names)
    if node.op in ("max1", "min1"):
        which = "largest" if node.op == "max1" else "smallest"
        return (f"{node.op[:-1]}: routes the upstream gradient to the {which} entry of "
                f"{names[0]} (a gradient router); the others get 0")
    assert node.op == "relu"
    return _relu_pattern(step, node, names[0])






def _mul_pattern(step: Step, node: GraphNode, names: list[str]) -> str:
    start = "multiply gate: swaps its inputs' values (a gradient switcher): "
    values = [step.values[i] for i in node.inputs]
    if not step.scalar:
        return start + "each input gets the other input's value times the upstream gradient"
    a, b = names
    if node.inputs[0] == node.inputs[1]:
        return start + f"both inputs are {a}, so {a} gets its own value from each side: " \
            f"2 * {a} times the upstream gradient"
    consts = [step.graph.nodes[i].op == "const" for i in node.inputs]
    gets = []
    if not consts[0]:
        gets.append(f"{a} gets the constant {b}" if consts[1] else
                    f"{a} gets the value of {b} ({fmt.value(values[1])})")
    if not consts[1]:
        gets.append(f"{b} gets the constant {a}" if consts[0] else
                    f"{b} gets the value of {a} ({fmt.value(values[0])})")
    return start + " and ".join(gets) + " times the upstream gradient"


def _route_pattern(step: Step, node: GraphNode, names: list[str]) -> str:
    word = "larger" if node.op == "max" else "smaller"
    start = f"{node.op} gate: routes the upstream gradient to the {word} input " \
            "(a gradient router)"
    if not step.scalar:
        return start + ", entry by entry; the other input gets 0 there"
    local = local_gradients(step.graph, step.values, node.index)
    first_wins = local[0] is not None and float(local[0]) != 0
    winner, loser = (0, 1) if first_wins else (1, 0)
    values = [step.values[i] for i in node.inputs]
    tie = float(values[0]) == float(values[1])
    why = " (a tie: by convention the first argument wins)" if tie else ""
    return (f"{start}: {names[winner]} = {fmt.value(values[winner])} wins and gets all of "
            f"it, {names[loser]} = {fmt.value(values[loser])} gets 0{why}")


def _relu_pattern(step: Step, node: GraphNode, name: str) -> str:
    local = local_gradients(step.graph, step.values, node.index)[0]
    value = step.values[node.inputs[0]]
    if np.ndim(value) == 0:
        if local is not None and float(local) != 0:
            return (f"relu passes the upstream gradient through unchanged: its input "
                    f"{name} = {fmt.value(value)} > 0")
        return (f"relu blocks the upstream gradient: its input {name} = {fmt.value(value)} "
                "<= 0, where relu' = 0")
    blocked = int(np.sum(np.asarray(local) == 0)) if local is not None else 0
    return (f"relu passes the upstream gradient where its input {name} is positive and "
            f"blocks it elsewhere: {blocked} of {np.size(value)} entries blocked")
