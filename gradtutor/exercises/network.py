"""The `network:` shorthand: layers, activations and a loss, expanded into named nodes.

    z1 = X @ W1 + b1      a1 = act1(z1)      ...      L = loss(aK, Y)

One sample per row of `X`; see docs/exercise-format.md for the fields.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .fields import unknown_keys

NETWORK_KEYS = ("input", "target", "layers", "loss")
LAYER_KEYS = ("weights", "bias", "activation")
ACTIVATIONS = {
    "identity": "{z}", "sigmoid": "sigmoid({z})", "relu": "relu({z})", "tanh": "tanh({z})",
    "softmax": "softmax({z}, 1)",
}
LOSSES = {
    "mse": "mean(({a} - {y})**2)",
    "half-mse": "0.5*mean(({a} - {y})**2)",
    "cross-entropy": "-mean(sum({y}*log({a}), 1))",
}


def expand_network(raw: Any, given: dict[str, np.ndarray], problems: Any) -> dict[str, str]:
    """The named nodes a network stands for; problems go to the exercise loader's list."""
    if not isinstance(raw, dict):
        problems.add(("network",), "'network' must be a mapping with layers and a loss")
        return {}
    unknown_keys(raw, NETWORK_KEYS, ("network",), problems)
    source = _name(raw, "input", "X", given, problems)
    target = _name(raw, "target", "Y", given, problems)
    layers = raw.get("layers")
    if not isinstance(layers, list) or not layers:
        problems.add(("network", "layers"), "'layers' must be a list of {weights, bias, "
                     "activation}")
        return {}
    nodes: dict[str, str] = {}
    previous = source
    for index, layer in enumerate(layers, start=1):
        expanded = _layer(layer, index, previous, given, problems)
        if expanded is None:
            return {}
        nodes.update(expanded)
        previous = f"a{index}"
    loss = raw.get("loss", "mse")
    if not isinstance(loss, str) or loss not in LOSSES:
        problems.add(("network", "loss"), f"unknown loss '{loss}'; expected "
                     f"{', '.join(LOSSES)}")
        return {}
    nodes["L"] = LOSSES[loss].format(a=previous, y=target)
    return nodes


def _name(raw: dict, key: str, default: str, given: dict, problems: Any) -> str:
    name = raw.get(key, default)
    if not isinstance(name, str) or name not in given:
        problems.add(("network", key), f"the network's {key} '{name}' must be a name under "
                     "'given'")
    return str(name)


def _layer(layer: Any, index: int, previous: str, given: dict, problems: Any
           ) -> dict[str, str] | None:
    path = ("network", "layers", index - 1)
    if not isinstance(layer, dict):
        problems.add(path, "a layer is {weights: W1, bias: b1, activation: sigmoid}")
        return None
    unknown_keys(layer, LAYER_KEYS, path, problems)
    weights, bias = layer.get("weights"), layer.get("bias")
    activation = layer.get("activation", "identity")
    for key, name in (("weights", weights), ("bias", bias)):
        if (key == "weights" or name is not None) and \
                (not isinstance(name, str) or name not in given):
            problems.add((*path, key), f"{key} '{name}' must be a name under 'given'")
            return None
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        problems.add((*path, "activation"), f"unknown activation '{activation}'; expected "
                     f"{', '.join(ACTIVATIONS)}")
        return None
    affine = f"{previous} @ {weights}" + (f" + {bias}" if bias is not None else "")
    return {f"z{index}": affine, f"a{index}": ACTIVATIONS[activation].format(z=f"z{index}")}
