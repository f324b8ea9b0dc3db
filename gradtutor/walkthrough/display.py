"""Display rules of a walkthrough: how operations, shapes and lists of names are worded."""

from __future__ import annotations

from ..base import fmt
from ..engine.graph import Node as GraphNode
from ..ops.specs import OPS
from .model import Array
from .steps import Step

NAMING = ("each operation is one node, named n1, n2, ... in forward order; the output is {out}")


def operation(step: Step) -> str:
    """What a node does, in words: "add gate", "exp", "composite: multiply, add"."""
    if step.gate is not None:
        op = step.gate.op
        word = OPS[op].words
        return f"{word} gate" if OPS[op].gate else word
    return "composite: " + ", ".join(OPS[n.op].words for n in step.ops)


def shape_labels(pairs: list[tuple[str, Array]]) -> list[tuple[str, str]]:
    return [(name, fmt.shape(value)) for name, value in pairs]


def arg_label(node: GraphNode) -> str:
    return node.label if node.op != "const" else node.text


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def unique(items: list[str]) -> list[str]:
    """Each item once, in the order first met (notes gathered from several edges)."""
    return list(dict.fromkeys(items))
