"""One spec per operation of the language: everything gradtutor knows about it, in one entry.

An entry (`Op`) holds how the operation is called (function name, arity, a literal second
argument such as an axis), its numpy forward, its gradient, its kink convention, its sympy
form, and the words the walkthrough uses for it. The gradient is written once, over an
algebra (`algebra.py`): the same function gives the engine's numbers, the symbolic side's
local derivatives and the walkthrough's formulas. Operations whose gradient is not local x
upstream (matrix products, reductions, softmax) keep hooks of their own.

Adding an operation is one entry in `OPS` (and its tests). Kink conventions (the same in
numbers, formulas and walkthroughs): relu'(0) = step(0) = 0, leaky_relu'(0) = its slope,
abs'(0) = sign'(x) = 0, and at a tie max and min route the gradient to their first argument.
Nothing here imports sympy until a symbolic form is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from .algebra import Algebra, NumpyAlgebra

Array = np.ndarray
Forward = Callable[[Sequence[Array], dict[str, Any]], Array]
# vjp(upstream, inputs, output, attrs, needs) -> one gradient per input, None where needs[i]
# is false: the engine asks only for gradients that lead to something it was asked about.
Vjp = Callable[[Array, Sequence[Array], Array, dict[str, Any], Sequence[bool]], list]
# grad(algebra, upstream, inputs, output, attrs) -> the gradient each input receives
Grad = Callable[[Algebra, Any, Sequence[Any], Any, Mapping[str, Any]], list]
# kink(inputs, attrs) -> the branch every entry takes. When the branches differ between two
# points, a finite difference across them straddles a kink.
Kink = Callable[[Sequence[Array], dict[str, Any]], Array]
# sympy(forms, inputs, attrs) -> the node as a sympy expression; `forms` is sympy_forms
SympyForm = Callable[[Any, Sequence[Any], Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Option:
    """A literal second argument kept as an attribute of the node (an axis, a slope)."""

    name: str  # the attribute: "axis", "slope"
    what: str  # the message's words: "an axis: 0, 1, -1 or -2"
    accepts: Callable[[float], bool]
    convert: Callable[[float], Any]


AXIS = Option("axis", "an axis: 0, 1, -1 or -2", lambda v: v in (-2, -1, 0, 1), int)
SLOPE = Option("slope", "the slope: a number such as 0.2", lambda v: bool(np.isfinite(v)),
               float)


@dataclass(frozen=True)
class Op:
    """Everything about one operation. To add one: an entry in `OPS` with a numpy forward, a
    `grad` written with operators and the algebra's helpers, a `sympy` form (a function of
    `sympy_forms`, adding one there if sympy lacks it), `call`/`arity`/`option` for the
    parser, and `kink` where the derivative jumps; then its tests (see tests/test_ops.py)."""

    name: str
    forward: Forward
    # None: `grad` evaluated with numpy. The older entries that keep a rule of their own
    # (div, sqrt, tanh, sigmoid: grouped differently) give the exact floats the golden files
    # pin; tests/test_ops.py checks that they agree with their `grad`.
    numeric_vjp: Vjp | None = None
    grad: Grad | None = None  # None: a hook of its own (the walkthrough's matrix rules)
    gate: str | None = None  # the backward pattern the notes name: "add", "mul", "max", "relu"
    kink: Kink | None = None
    elementwise: bool = True  # broadcasts: gradients are summed back to each input's shape
    call: str | None = None  # the function name in the language (max1 is called "max")
    arity: tuple[int, int] = (1, 1)  # how many arguments the call takes, an option included
    option: Option | None = None
    sympy: SympyForm | None = None  # None: no scalar symbolic form (a matrix product)
    sympy_grad: Callable[[Sequence[Any]], list] | None = None  # local derivatives, if not grad
    words: str = ""  # what the walkthrough calls it: "multiply" (a "multiply gate")
    latex: str | None = None  # the call's name in LaTeX, e.g. \sigma; else \operatorname
    activation: bool = False  # ends a layer in a walkthrough's layer table
    # |input| beyond which the derivative is all but 0 (sigmoid'(5) = 0.0066, tanh'(2.5) =
    # 0.027): a per-student variant's inputs stay within it
    saturates: float | None = None

    def __post_init__(self) -> None:
        assert self.numeric_vjp is not None or self.grad is not None, self.name
        if not self.words:
            object.__setattr__(self, "words", self.call or self.name)

    @cached_property
    def vjp(self) -> Vjp:
        """The engine's vector-Jacobian product."""
        if self.numeric_vjp is not None:
            return self.numeric_vjp
        assert self.grad is not None
        return _numeric(self.grad)

    def symbolic(self, args: Sequence[Any], attrs: Mapping[str, Any]) -> Any:
        """The node as a sympy expression of its inputs' expressions."""
        from . import sympy_forms

        if self.sympy is None:
            raise KeyError(self.name)
        return self.sympy(sympy_forms, args, attrs)

    def local_derivatives(self, args: Sequence[Any], attrs: Mapping[str, Any]) -> list:
        """d(node)/d(each input) as sympy expressions (a scalar node)."""
        import sympy as sp

        if self.sympy_grad is not None:
            return self.sympy_grad(args)
        assert self.grad is not None
        out = self.symbolic(args, attrs)
        return [sp.Integer(0) if part is None else part
                for part in self.grad(sympy_algebra(), sp.Integer(1), args, out, attrs)]


def _numeric(grad: Grad) -> Vjp:
    def vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict, needs: Sequence[bool]
            ) -> list:
        return grad(NUMPY, g, ins, out, attrs)

    return vjp


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
           grad: Callable[[Algebra, Any, Any, Any], Any], **kw: Any) -> Op:
    """grad(algebra, upstream, x, output) -> the gradient for x."""
    return Op(name, lambda ins, attrs: forward(ins[0]),
              grad=lambda x, g, ins, out, attrs: [grad(x, g, ins[0], out)], call=name, **kw)


def _binary(name: str, forward: Callable[[Array, Array], Array],
            grad: Callable[[Algebra, Any, Any, Any, Any], list], **kw: Any) -> Op:
    """grad(algebra, upstream, a, b, output) -> the gradients for a and b."""
    return Op(name, lambda ins, attrs: forward(ins[0], ins[1]),
              grad=lambda x, g, ins, out, attrs: grad(x, g, ins[0], ins[1], out), **kw)


def _sympy(function: str) -> SympyForm:
    """The sympy function (or sympy_forms function) of that name, applied to the inputs."""
    return lambda forms, args, attrs: getattr(forms, function)(*args)


def _identity_on_scalars(forms: Any, args: Sequence[Any], attrs: Mapping[str, Any]) -> Any:
    return args[0]


def _ones(args: Sequence[Any]) -> list:
    import sympy as sp

    return [sp.Integer(1)]


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


def _first_wins(relation: str) -> Callable[[Algebra, Any, Any, Any, Any], list]:
    """max/min of two: the gradient goes to the winner; at a tie, to the first argument."""

    def grad(x: Algebra, g: Any, a: Any, b: Any, out: Any) -> list:
        first = x.cond(a, relation, b)
        return [first * g, x.otherwise(first) * g]

    return grad


def _pick_one(argpick: Callable[[Array], Any]) -> Vjp:
    """max/min of one argument: the gradient goes to the first entry that attains it."""

    def vjp(g: Array, ins: Sequence[Array], out: Array) -> list:
        grad = np.zeros_like(ins[0])
        grad.flat[argpick(ins[0])] = g
        return [grad]

    return _local(vjp)


def _extreme(name: str, argpick: Callable[[Array], Any], pick: Callable[[Array], Any]) -> Op:
    """max or min of one argument: the gradient reaches the entry that equals the result."""
    return Op(name + "1", lambda ins, attrs: np.asarray(pick(ins[0])), _pick_one(argpick),
              grad=lambda x, g, ins, out, attrs: [x.cond(ins[0], "==", x.fn(name + "1", ins[0]))
                                                 * g],
              gate="max", elementwise=False,
              kink=lambda ins, attrs: np.asarray(argpick(ins[0])), call=name,
              sympy=_identity_on_scalars, sympy_grad=_ones,
              words=f"{name} of the entries", latex=rf"\{name}")


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

    # on a scalar, a reduction is the identity
    return Op(name, forward, vjp, elementwise=False, call=name, arity=(1, 2), option=AXIS,
              sympy=_identity_on_scalars, sympy_grad=_ones)


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


def _zeros(args: Sequence[Any]) -> list:
    import sympy as sp

    return [sp.Integer(0)]


def _pow_grad(x: Algebra, g: Any, a: Any, b: Any, out: Any) -> list:
    exponent = x.constant(b)
    if exponent is not None:  # a formula writes d(a**3)/da as 3 * a**2
        power = a if exponent == 2 else a ** (exponent - 1)
        return [exponent * power * g, None]
    return [b * a ** (b - 1) * g, out * x.fn("log", a) * g]


def _outer(ins: Sequence[Array], attrs: dict) -> Array:
    a, b = ins
    if a.ndim > 1 or b.ndim > 1:
        raise ValueError("outer() takes two vectors or numbers")
    return np.outer(a, b)


def _outer_vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict,
               needs: Sequence[bool]) -> list:
    """outer(a, b) = a bᵀ: a gets G @ b, b gets Gᵀ @ a."""
    a, b = ins
    da = (g @ b.reshape(-1)).reshape(a.shape) if needs[0] else None
    db = (g.T @ a.reshape(-1)).reshape(b.shape) if needs[1] else None
    return [da, db]


def _leaky_relu(ins: Sequence[Array], attrs: dict) -> Array:
    x = ins[0]
    return np.where(x > 0, x, attrs.get("slope", 0.01) * x)


def _leaky_relu_grad(x: Algebra, g: Any, ins: Sequence[Any], out: Any,
                     attrs: Mapping[str, Any]) -> list:
    return [x.where(ins[0], ">", 0, 1, x.literal(attrs.get("slope", 0.01))) * g]


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("input", lambda ins, attrs: attrs["value"], _local(lambda g, ins, out: []),
           elementwise=False),
        Op("const", lambda ins, attrs: attrs["value"], _local(lambda g, ins, out: []),
           elementwise=False),
        Op("id", lambda ins, attrs: ins[0], grad=lambda x, g, ins, out, attrs: [g],
           elementwise=False, sympy=_identity_on_scalars, words="copy"),
        _binary("add", np.add, lambda x, g, a, b, out: [g, g], gate="add",
                sympy=lambda forms, args, attrs: args[0] + args[1]),
        _binary("sub", np.subtract, lambda x, g, a, b, out: [g, -g], gate="add",
                sympy=lambda forms, args, attrs: args[0] - args[1], words="subtract"),
        _binary("mul", np.multiply, lambda x, g, a, b, out: [b * g, a * g], gate="mul",
                sympy=lambda forms, args, attrs: args[0] * args[1], words="multiply"),
        # the numbers keep their own rule: -g * out / b is what every pinned output computed
        _binary("div", np.divide, lambda x, g, a, b, out: [g / b, -(a / b ** 2 * g)],
                numeric_vjp=_local(lambda g, ins, out: [g / ins[1], -g * out / ins[1]]),
                sympy=lambda forms, args, attrs: args[0] / args[1], words="divide"),
        _binary("pow", np.power, _pow_grad, numeric_vjp=_pow_vjp,
                sympy=lambda forms, args, attrs: args[0] ** args[1], words="power"),
        Op("matmul", lambda ins, attrs: np.asarray(np.matmul(ins[0], ins[1])), _matmul_vjp,
           elementwise=False, words="matrix product"),
        Op("transpose", lambda ins, attrs: ins[0].T,
           grad=lambda x, g, ins, out, attrs: [x.transpose(g)], elementwise=False,
           sympy=_identity_on_scalars, words="transpose"),
        Op("neg", lambda ins, attrs: np.negative(ins[0]),
           grad=lambda x, g, ins, out, attrs: [-g],
           sympy=lambda forms, args, attrs: -args[0], words="negate"),
        _unary("exp", np.exp, lambda x, g, a, out: out * g, sympy=_sympy("exp"),
               latex=r"\exp"),
        _unary("log", np.log, lambda x, g, a, out: g / a, sympy=_sympy("log"), latex=r"\log"),
        _unary("sqrt", np.sqrt, lambda x, g, a, out: g / (2 * out),
               numeric_vjp=_local(lambda g, ins, out: [g * 0.5 / out]), sympy=_sympy("sqrt"),
               words="square root"),
        _unary("abs", np.abs, lambda x, g, a, out: x.fn("sign", a) * g,
               kink=lambda ins, attrs: np.sign(ins[0]), sympy=_sympy("Abs")),
        _unary("sign", np.sign, lambda x, g, a, out: 0 * g,
               kink=lambda ins, attrs: np.sign(ins[0]), sympy=_sympy("sign"),
               sympy_grad=_zeros),
        # step(x) = 1 for x > 0, else 0 (so step(0) = 0): the derivative of relu(x)
        _unary("step", lambda x: (x > 0).astype(np.float64), lambda x, g, a, out: 0 * g,
               kink=lambda ins, attrs: ins[0] > 0, sympy=_sympy("step"), sympy_grad=_zeros,
               words="step"),
        _unary("ones_like", np.ones_like, lambda x, g, a, out: 0 * g,
               sympy=lambda forms, args, attrs: forms.sp.Integer(1), sympy_grad=_zeros,
               words="ones like", latex=r"\mathbf{1}"),
        Op("outer", _outer, _outer_vjp, elementwise=False, call="outer", arity=(2, 2),
           words="outer product"),
        _unary("sin", np.sin, lambda x, g, a, out: x.fn("cos", a) * g, sympy=_sympy("sin"),
               latex=r"\sin"),
        _unary("cos", np.cos, lambda x, g, a, out: -(x.fn("sin", a) * g), sympy=_sympy("cos"),
               latex=r"\cos"),
        _unary("tanh", np.tanh, lambda x, g, a, out: (1 - out ** 2) * g,
               numeric_vjp=_local(lambda g, ins, out: [g * (1.0 - out * out)]),
               sympy=_sympy("tanh"), latex=r"\tanh", activation=True, saturates=2.5),
        _unary("sigmoid", _sigmoid, lambda x, g, a, out: out * (1 - out) * g,
               numeric_vjp=_local(lambda g, ins, out: [g * out * (1.0 - out)]),
               sympy=_sympy("sigmoid"), latex=r"\sigma", activation=True, saturates=5.0),
        _unary("relu", lambda x: np.maximum(x, 0.0), lambda x, g, a, out: x.cond(a, ">", 0) * g,
               gate="relu", kink=lambda ins, attrs: ins[0] > 0, sympy=_sympy("relu"),
               activation=True),
        _unary("softplus", lambda x: np.logaddexp(0.0, x),
               lambda x, g, a, out: x.fn("sigmoid", a) * g, sympy=_sympy("softplus"),
               activation=True),
        Op("leaky_relu", _leaky_relu, grad=_leaky_relu_grad, call="leaky_relu", arity=(1, 2),
           option=SLOPE, kink=lambda ins, attrs: ins[0] > 0, activation=True,
           sympy=lambda forms, args, attrs: forms.leaky_relu(
               args[0], forms.exact(attrs.get("slope", 0.01))),
           words="leaky relu", latex=r"\operatorname{leaky\_relu}"),
        _binary("max", np.maximum, _first_wins(">="), gate="max", call="max", arity=(2, 2),
                kink=lambda ins, attrs: ins[0] >= ins[1], sympy=_sympy("Max"), latex=r"\max"),
        _binary("min", np.minimum, _first_wins("<="), gate="max", call="min", arity=(2, 2),
                kink=lambda ins, attrs: ins[0] <= ins[1], sympy=_sympy("Min"), latex=r"\min"),
        _extreme("max", np.argmax, np.max),
        _extreme("min", np.argmin, np.min),
        _reduction("sum", mean=False),
        _reduction("mean", mean=True),
        # on a scalar, softmax is the constant 1
        Op("softmax", _softmax, _softmax_vjp, elementwise=False, call="softmax", arity=(1, 2),
           option=AXIS, sympy=lambda forms, args, attrs: 1, sympy_grad=_zeros,
           activation=True),
    )
}

NUMPY = NumpyAlgebra(OPS)


@lru_cache(maxsize=1)
def sympy_algebra() -> Any:
    """The algebra of local derivatives in sympy (imports sympy)."""
    from .sympy_forms import SympyAlgebra

    return SympyAlgebra(OPS)


BINARY_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "@": "matmul"}
CONSTANTS = {"e": float(np.e), "pi": float(np.pi)}


def _calls() -> dict[str, dict[int, Op]]:
    """Function name -> number of arguments -> the operation the call becomes."""
    calls: dict[str, dict[int, Op]] = {}
    for op in OPS.values():
        if op.call is not None:
            fewest, most = op.arity
            calls.setdefault(op.call, {}).update(dict.fromkeys(range(fewest, most + 1), op))
    return calls


CALLS = _calls()
# Function name -> (fewest, most arguments). max and min take one argument (reduce) or two.
FUNCTIONS: dict[str, tuple[int, int]] = {name: (min(ops), max(ops)) for name, ops in CALLS.items()}


def op_for_call(func: str, nargs: int) -> str:
    """The engine operation a call becomes: max(v) reduces, max(a, b) is elementwise."""
    return CALLS[func][nargs].name


def option_of(func: str, nargs: int) -> Option | None:
    """The literal last argument of this call, if it is one (sum(x, 0), leaky_relu(x, 0.2))."""
    op = CALLS[func][nargs]
    return op.option if op.option is not None and nargs == op.arity[1] else None


def call_latex(func: str) -> str | None:
    """A function's name in LaTeX, where it has one of its own (\\exp, \\sigma)."""
    ops = CALLS.get(func)
    return next(iter(ops.values())).latex if ops else None
