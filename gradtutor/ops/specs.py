"""The operations of the graph engine: forward values and vector-Jacobian products, in numpy.

One table, `OPS`, keyed by operation name. Each entry computes its value from its inputs'
values and sends an upstream gradient back to each input (the engine then sums it over
broadcast axes). Kink conventions: relu'(0) = 0, abs'(0) = 0, and at a tie max and min route
the gradient to their first argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray
Forward = Callable[[Sequence[Array], dict[str, Any]], Array]
# vjp(upstream, inputs, output, attrs, needs) -> one gradient per input, None where needs[i]
# is false: the engine asks only for gradients that lead to something it was asked about.
Vjp = Callable[[Array, Sequence[Array], Array, dict[str, Any], Sequence[bool]], list]
# kink(inputs, attrs) -> the branch every entry takes. When the branches differ between two
# points, a finite difference across them straddles a kink.
Kink = Callable[[Sequence[Array], dict[str, Any]], Array]


@dataclass(frozen=True)
class Op:
    name: str
    forward: Forward
    vjp: Vjp
    gate: str | None = None  # the backward pattern the notes name: "add", "mul", "max", "relu"
    kink: Kink | None = None
    elementwise: bool = True  # broadcasts: gradients are summed back to each input's shape


def sum_to_shape(grad: Array, shape: tuple[int, ...]) -> Array:
    """Undo numpy broadcasting: sum over the axes that broadcasting added or stretched."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _local(fn: Callable[[Array, Sequence[Array], Array], list]) -> Vjp:
    """A vjp that is cheap for every input, so it ignores `needs` and `attrs`."""
    return lambda g, ins, out, attrs, needs: fn(g, ins, out)


def _unary(name: str, forward: Callable[[Array], Array],
           vjp: Callable[[Array, Array, Array], Array], **kw: Any) -> Op:
    """vjp(upstream, x, output) -> gradient for x."""
    return Op(name, lambda ins, attrs: forward(ins[0]),
              _local(lambda g, ins, out: [vjp(g, ins[0], out)]), **kw)


def _binary(name: str, forward: Callable[[Array, Array], Array],
            vjp: Callable[[Array, Sequence[Array], Array], list], **kw: Any) -> Op:
    return Op(name, lambda ins, attrs: forward(ins[0], ins[1]), _local(vjp), **kw)


def _matmul_vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict,
                needs: Sequence[bool]) -> list:
    """dA = G B^T and dB = A^T G, with numpy's rules for vector operands."""
    a, b = ins
    a2 = a if a.ndim == 2 else a.reshape(1, -1)
    b2 = b if b.ndim == 2 else b.reshape(-1, 1)
    g2 = g.reshape(a2.shape[0], b2.shape[1])
    da = (g2 @ b2.T).reshape(a.shape) if needs[0] else None
    db = (a2.T @ g2).reshape(b.shape) if needs[1] else None
    return [da, db]


def _pow_vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict,
             needs: Sequence[bool]) -> list:
    a, b = ins
    d_base = g * b * np.power(a, b - 1) if needs[0] else None
    d_exp = g * out * np.log(np.where(a > 0, a, np.nan)) if needs[1] else None
    return [d_base, d_exp]


def _first_wins(compare: Callable[[Array, Array], Array]
                ) -> Callable[[Array, Sequence[Array], Array], list]:
    """max/min of two: the gradient goes to the winner; at a tie, to the first argument."""

    def vjp(g: Array, ins: Sequence[Array], out: Array) -> list:
        first = compare(ins[0], ins[1])
        return [g * first, g * ~first]

    return vjp


def _pick_one(argpick: Callable[[Array], Any]) -> Vjp:
    """max/min of one argument: the gradient goes to the first entry that attains it."""

    def vjp(g: Array, ins: Sequence[Array], out: Array) -> list:
        grad = np.zeros_like(ins[0])
        grad.flat[argpick(ins[0])] = g
        return [grad]

    return _local(vjp)


def axis_of(x: Array, attrs: dict) -> int | None:
    """The axis a reduction or softmax works along; None means every entry."""
    return attrs.get("axis") if x.ndim else None


def reduced_count(shape: tuple[int, ...], axis: int | None) -> int:
    """How many entries a reduction over `axis` combines into each result."""
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return shape[axis]


def _reduction(name: str, mean: bool) -> Op:
    def forward(ins: Sequence[Array], attrs: dict) -> Array:
        x = ins[0]
        axis = axis_of(x, attrs)
        return np.asarray(np.mean(x, axis=axis) if mean else np.sum(x, axis=axis))

    def vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict,
            needs: Sequence[bool]) -> list:
        x = ins[0]
        axis = axis_of(x, attrs)
        if axis is not None:
            g = np.expand_dims(g, axis)
        if mean:
            g = g / max(reduced_count(x.shape, axis), 1)
        return [np.broadcast_to(g, x.shape)]

    return Op(name, forward, vjp, elementwise=False)


def _softmax(ins: Sequence[Array], attrs: dict) -> Array:
    x = ins[0]
    axis = axis_of(x, {"axis": -1, **attrs})
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _softmax_vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict,
                 needs: Sequence[bool]) -> list:
    axis = axis_of(out, {"axis": -1, **attrs})
    return [out * (g - np.sum(g * out, axis=axis, keepdims=True))]


def _sigmoid(x: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-x))


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("input", lambda ins, attrs: attrs["value"], _local(lambda g, ins, out: []),
           elementwise=False),
        Op("const", lambda ins, attrs: attrs["value"], _local(lambda g, ins, out: []),
           elementwise=False),
        Op("id", lambda ins, attrs: ins[0], _local(lambda g, ins, out: [g]), elementwise=False),
        _binary("add", np.add, lambda g, ins, out: [g, g], gate="add"),
        _binary("sub", np.subtract, lambda g, ins, out: [g, -g], gate="add"),
        _binary("mul", np.multiply, lambda g, ins, out: [g * ins[1], g * ins[0]], gate="mul"),
        _binary("div", np.divide, lambda g, ins, out: [g / ins[1], -g * out / ins[1]]),
        Op("pow", lambda ins, attrs: np.power(ins[0], ins[1]), _pow_vjp),
        Op("matmul", lambda ins, attrs: np.asarray(np.matmul(ins[0], ins[1])), _matmul_vjp,
           elementwise=False),
        Op("transpose", lambda ins, attrs: ins[0].T, _local(lambda g, ins, out: [g.T]),
           elementwise=False),
        _unary("neg", np.negative, lambda g, x, out: -g),
        _unary("exp", np.exp, lambda g, x, out: g * out),
        _unary("log", np.log, lambda g, x, out: g / x),
        _unary("sqrt", np.sqrt, lambda g, x, out: g * 0.5 / out),
        _unary("abs", np.abs, lambda g, x, out: g * np.sign(x),
               kink=lambda ins, attrs: np.sign(ins[0])),
        _unary("sin", np.sin, lambda g, x, out: g * np.cos(x)),
        _unary("cos", np.cos, lambda g, x, out: -g * np.sin(x)),
        _unary("tanh", np.tanh, lambda g, x, out: g * (1.0 - out * out)),
        _unary("sigmoid", _sigmoid, lambda g, x, out: g * out * (1.0 - out)),
        _unary("relu", lambda x: np.maximum(x, 0.0), lambda g, x, out: g * (x > 0),
               gate="relu", kink=lambda ins, attrs: ins[0] > 0),
        _binary("max", np.maximum, _first_wins(np.greater_equal), gate="max",
                kink=lambda ins, attrs: ins[0] >= ins[1]),
        _binary("min", np.minimum, _first_wins(np.less_equal), gate="max",
                kink=lambda ins, attrs: ins[0] <= ins[1]),
        Op("max1", lambda ins, attrs: np.asarray(np.max(ins[0])), _pick_one(np.argmax),
           gate="max", elementwise=False, kink=lambda ins, attrs: np.asarray(np.argmax(ins[0]))),
        Op("min1", lambda ins, attrs: np.asarray(np.min(ins[0])), _pick_one(np.argmin),
           gate="max", elementwise=False, kink=lambda ins, attrs: np.asarray(np.argmin(ins[0]))),
        _reduction("sum", mean=False),
        _reduction("mean", mean=True),
        Op("softmax", _softmax, _softmax_vjp, elementwise=False),
    )
}

BINARY_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "@": "matmul"}

# Function name -> (fewest, most arguments). The second argument of sum, mean and softmax is
# an axis (a literal integer); max and min take one argument (reduce) or two (elementwise).
FUNCTIONS: dict[str, tuple[int, int]] = {
    "exp": (1, 1), "log": (1, 1), "sqrt": (1, 1), "abs": (1, 1), "sin": (1, 1), "cos": (1, 1),
    "tanh": (1, 1), "sigmoid": (1, 1), "relu": (1, 1),
    "max": (1, 2), "min": (1, 2),
    "sum": (1, 2), "mean": (1, 2), "softmax": (1, 2),
}
AXIS_FUNCTIONS = frozenset({"sum", "mean", "softmax"})
CONSTANTS = {"e": float(np.e), "pi": float(np.pi)}


def op_for_call(func: str, nargs: int) -> str:
    """The engine operation a call becomes: max(v) reduces, max(a, b) is elementwise."""
    if func in ("max", "min") and nargs == 1:
        return func + "1"
    return func
