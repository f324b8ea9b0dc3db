"""Teaching prose for chains and networks: the gradient's size layer by layer, and whether
it vanishes or explodes on the way back."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..base import fmt
from ..ops.specs import OPS
from .display import unique
from .model import Array, LayerRow, Layers
from .steps import Context, Step

VANISHING, EXPLODING = 0.5, 2.0  # average change of the gradient's size per layer, going back


def _size(value: Array) -> float:
    return float(np.linalg.norm(np.asarray(value, dtype=float).ravel()))


def layer_sizes(context: Context, grads: Mapping[int, Array], network: bool) -> Layers | None:
    """A chain of two or more layers (each ending in an activation): the gradient's size."""
    graph = context.graph
    groups: list[list[str]] = []
    current: list[str] = []
    leads = graph.ancestors(graph.output)
    for name in context.order:
        if graph.names[name] not in leads:
            continue
        current.append(name)
        if _is_activation(context.steps[name], network):
            groups.append(current)
            current = []
    if len(groups) < 2:
        return None
    rows = []
    for position, nodes in enumerate(groups, start=1):
        output = nodes[-1]
        params = [n for name in nodes for n in context.steps[name].inputs
                  if n in graph.inputs]
        rows.append(LayerRow(position, nodes, output, _size(grads[graph.names[output]]),
                             [(n, _size(grads[graph.names[n]])) for n in unique(params)]))
    first, last = rows[0].grad, rows[-1].grad
    if last == 0 or not np.isfinite(first) or not np.isfinite(last):
        return None
    factor = (first / last) ** (1 / (len(rows) - 1)) if first > 0 else 0.0
    verdict = "vanishing" if factor < VANISHING else "exploding" if factor > EXPLODING \
        else "steady"
    kinds = {context.steps[r.output].root.op for r in rows}
    return Layers(context.output, rows, factor, verdict, _remark(verdict, factor, rows, kinds))


def _is_activation(step: Step, network: bool) -> bool:
    if OPS[step.root.op].activation:
        return True
    return network and step.name.startswith("a") and step.name[1:].isdigit()


def _remark(verdict: str, factor: float, rows: list[LayerRow], kinds: set[str]) -> str:
    first, last = rows[0], rows[-1]
    span = (f"from {fmt.number(last.grad)} at layer {last.layer} to "
            f"{fmt.number(first.grad)} at layer {first.layer}")
    per = f"about x{fmt.number(factor, 2)} per layer"
    if verdict == "vanishing":
        cause = " Each sigmoid multiplies it by a (1 - a), at most 0.25, and each weight by " \
            "its value." if "sigmoid" in kinds else " Each tanh multiplies it by 1 - a**2, at " \
            "most 1 and far less where it saturates." if "tanh" in kinds else " Each layer " \
            "multiplies it by its local derivatives, here smaller than 1."
        return (f"The gradient vanishes on the way back: it shrinks by {per}, {span}, so the "
                f"first layers barely learn.{cause} What helps: ReLU activations (their "
                "derivative is 1 where they are active), careful weight initialisation, and "
                "normalisation (batch norm).")
    if verdict == "exploding":
        return (f"The gradient explodes on the way back: it grows by {per}, {span}; each "
                "layer multiplies it by its weights, here larger than 1, so a gradient "
                "descent step overshoots. What helps: gradient clipping (cap the gradient's "
                "norm at a threshold), smaller initial weights (careful initialisation), and "
                "normalisation (batch norm).")
    return (f"The gradient keeps its size from layer to layer ({per}, {span}): it neither "
            "vanishes nor explodes here.")
