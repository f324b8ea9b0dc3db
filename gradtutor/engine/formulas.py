"""Gradient formulas written in the expression language itself, for vectors and matrices.

The chain rule is run over the graph with formulas for values: every adjoint is an
expression of the language (`lang.expr`) with a known shape, so each printed gradient is
valid gradtutor input meaning the same under numpy's rules (a 1-D vector's `.T` is itself,
`x @ y` of two vectors is their dot product, `outer(q, x)` is q xᵀ). Layout convention: a
gradient has the shape of the value it belongs to. Named intermediate nodes appear by name
(`W.T @ (u * h * (1 - h))`). Where the language cannot say it (a column stretched by
broadcasting, a tie inside max(v)), `NoFormula` says why and the gradient is numeric only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..base.errors import GradtutorError
from ..lang.expr import Binary, Call, Const, Expr, Name, Num, Transpose, Unary, to_text
from ..lang.parser import parse_program
from ..ops.specs import BINARY_OPS, OPS
from .graph import Graph, Node, build_graph, evaluate

Array = np.ndarray
Shape = tuple[int, ...]
_SYMBOL_OF = {op: symbol for symbol, op in BINARY_OPS.items() if symbol != "^"}


class NoFormula(GradtutorError):
    """The language has no formula for this gradient (the message says why)."""


def _number(value: float) -> Num:
    text = repr(float(value))
    text = text[:-2] if text.endswith(".0") else text
    return Num(float(value), text)


@dataclass(frozen=True)
class F:
    """A formula `coef * core` of a known shape; core None means ones of that shape
    (written ones_like(like)). Keeping the number apart folds 2 * (3 * x) into 6 * x and
    drops a product with ones."""

    shape: Shape
    coef: float = 1.0
    core: Expr | None = None
    like: Expr | None = None  # an expression of this shape, for ones_like(...)
    complement: F | None = None  # for a condition: 1 where it does not hold
    # core is a scalar copied to every entry, written core * ones_like(spread); it folds
    # away in a product or sum with a value of the full shape
    spread: Expr | None = None

    # -- reading -------------------------------------------------------------------------
    @property
    def zero(self) -> bool:
        return self.coef == 0.0

    def core_expr(self) -> Expr | None:
        if self.core is not None and self.spread is not None:
            return Binary("*", self.core, Call("ones_like", (self.spread,)))
        if self.core is not None:
            return self.core
        if self.shape == ():
            return None
        assert self.like is not None
        return Call("ones_like", (self.like,))

    def expr(self) -> Expr:
        core = self.core_expr()
        if core is None:
            return _number(self.coef)
        if self.coef == 1.0:
            return core
        if self.coef == -1.0 and isinstance(core, Binary) and core.op == "-":
            return Binary("-", core.right, core.left)  # -(a - b) reads b - a
        if self.coef == -1.0:
            return Unary("-", core)
        if self.coef == 0.0:
            return Binary("*", Num(0.0, "0"), core)
        inverse = 1.0 / self.coef
        if abs(self.coef) < 1 and inverse == round(inverse):
            return Binary("/", core if inverse > 0 else Unary("-", core), _number(abs(inverse)))
        return Binary("*", _number(self.coef), core)

    def text(self) -> str:
        return to_text(self.expr())

    # -- arithmetic ----------------------------------------------------------------------
    def __add__(self, other: F | float) -> F:
        return add(self, lift(other))

    def __radd__(self, other: float) -> F:
        return add(lift(other), self)

    def __sub__(self, other: F | float) -> F:
        return add(self, -lift(other))

    def __rsub__(self, other: float) -> F:
        return add(lift(other), -self)

    def __mul__(self, other: F | float) -> F:
        return mul(self, lift(other))

    def __rmul__(self, other: float) -> F:
        return mul(lift(other), self)

    def __truediv__(self, other: F | float) -> F:
        other = lift(other)
        if other.core is None and other.shape == ():
            return scaled(self, 1.0 / other.coef)
        if self.zero:
            return self
        if other.zero:
            return binary("/", self, other)
        quotient = binary("/", scaled(self, 1.0 / self.coef), scaled(other, 1.0 / other.coef))
        return scaled(quotient, self.coef / other.coef)

    def __rtruediv__(self, other: float) -> F:
        return lift(other) / self

    def __pow__(self, other: F | float) -> F:
        other = lift(other)
        if other.core is None and other.shape == () and other.coef == 1.0:
            return self
        return binary("**", self, other)

    def __neg__(self) -> F:
        return scaled(self, -1.0)


def lift(x: F | float) -> F:
    return x if isinstance(x, F) else F((), float(x))


def leaf(expr: Expr, shape: Shape) -> F:
    return F(shape, 1.0, expr)


def ones(like: Expr, shape: Shape, coef: float = 1.0) -> F:
    return F(shape, coef, None, like)


def scaled(f: F, factor: float) -> F:
    return F(f.shape, f.coef * factor, f.core, f.like, spread=f.spread)


def narrow(f: F) -> F:
    """A spread scalar as the scalar itself (broadcasting copies it back)."""
    return F((), f.coef, f.core) if f.spread is not None else f


def _reciprocal(f: F) -> Expr | None:
    """B when f's core is 1 / B."""
    core = f.core
    if f.spread is None and isinstance(core, Binary) and core.op == "/" \
            and isinstance(core.left, Num) and core.left.value == 1.0:
        return core.right
    return None


def _broadcast(a: F, b: F) -> Shape:
    try:
        return tuple(np.broadcast_shapes(a.shape, b.shape))
    except ValueError as error:
        raise NoFormula("shapes do not fit") from error


def _wide(a: F, b: F, shape: Shape) -> F:
    """Whichever operand already has the result's shape (to write ones_like of it)."""
    return a if a.shape == shape else b


def mul(a: F, b: F) -> F:
    shape = _broadcast(a, b)
    coef = a.coef * b.coef
    if coef == 0.0:
        if not shape:
            return F((), 0.0)
        wide = _wide(a, b, shape)
        like = wide.core_expr() if wide.core is not None else wide.like
        assert like is not None  # a formula of an array's shape has an expression of it
        return ones(like, shape, 0.0)
    if a.spread is not None and b.shape == shape:
        return mul(narrow(a), b)
    if b.spread is not None and a.shape == shape:
        return mul(a, narrow(b))
    if a.core is None and (b.shape == shape or a.shape == ()):
        return F(shape, coef, b.core, b.like, spread=b.spread)
    if b.core is None and (a.shape == shape or b.shape == ()):
        return F(shape, coef, a.core, a.like, spread=a.spread)
    if (below := _reciprocal(b)) is not None:
        return F(shape, coef, Binary("/", _core(scaled(a, 1.0 / a.coef)), below))
    if (below := _reciprocal(a)) is not None:
        return F(shape, coef, Binary("/", _core(scaled(b, 1.0 / b.coef)), below))
    return F(shape, coef, Binary("*", _core(scaled(a, 1.0 / a.coef)),
                                 _core(scaled(b, 1.0 / b.coef))))


def _core(f: F) -> Expr:
    core = f.core_expr()
    assert core is not None
    return core


def add(a: F, b: F) -> F:
    shape = _broadcast(a, b)
    if b.zero and a.shape == shape:
        return a
    if a.zero and b.shape == shape:
        return b
    if a.spread is not None and b.shape == shape:
        return add(narrow(a), b)
    if b.spread is not None and a.shape == shape:
        return add(a, narrow(b))
    if a.core == b.core and a.shape == b.shape and a.spread == b.spread and \
            (a.core is not None or a.like == b.like):
        return F(shape, a.coef + b.coef, a.core, a.like, spread=a.spread)
    if b.coef < 0:
        return F(shape, 1.0, Binary("-", a.expr(), scaled(b, -1.0).expr()))
    return F(shape, 1.0, Binary("+", a.expr(), b.expr()))


def binary(symbol: str, a: F, b: F) -> F:
    shape = _broadcast(a, b)
    return F(shape, 1.0, Binary(symbol, a.expr(), b.expr()))


def call(func: str, shape: Shape, *args: F, option: Expr | None = None) -> F:
    exprs = tuple(a.expr() for a in args) + ((option,) if option is not None else ())
    return F(shape, 1.0, Call(func, exprs))


def transpose(a: F) -> F:
    if len(a.shape) < 2:
        return a
    shape = (a.shape[1], a.shape[0])
    if a.core is None:
        return ones(Transpose(a.like), shape, a.coef)  # type: ignore[arg-type]
    if a.spread is not None:
        return F(shape, a.coef, a.core, spread=Transpose(a.spread))
    if isinstance(a.core, Transpose):
        return F(shape, a.coef, a.core.operand)
    return F(shape, a.coef, Transpose(a.core))


def matmul(a: F, b: F, shape: Shape) -> F:
    if a.zero or b.zero:
        wide = Call("ones_like", (Binary("@", _core(a), _core(b)),))
        return F(shape, 0.0, None, wide.args[0]) if shape else F((), 0.0)
    return F(shape, a.coef * b.coef, Binary("@", _core(scaled(a, 1 / a.coef)),
                                          _core(scaled(b, 1 / b.coef))))


def step_of(a: F) -> F:
    return F(a.shape, 1.0, Call("step", (a.expr(),)))


class FormulaAlgebra:
    """The algebra of ops/algebra.py over formulas, so each spec's gradient is used as is."""

    def fn(self, op: str, *args: F) -> F:
        spec = OPS[op]
        shape: Shape = () if not spec.elementwise else args[0].shape
        for arg in args[1:]:
            shape = _broadcast(F(shape), arg)
        return call(spec.call or op, shape, *args)

    def cond(self, a: F, relation: str, b: F | float) -> F:
        b = lift(b)
        if relation == ">":
            yes, no = step_of(a - b), None
        elif relation == "<":
            yes, no = step_of(b - a), None
        elif relation == ">=":
            no = step_of(b - a)
            yes = 1 - no
        elif relation == "<=":
            no = step_of(a - b)
            yes = 1 - no
        else:
            raise NoFormula("a tie test has no formula in the language")
        return F(yes.shape, yes.coef, yes.core, yes.like, complement=no)

    def otherwise(self, condition: F) -> F:
        return condition.complement if condition.complement is not None else 1 - condition

    def where(self, a: F, relation: str, b: F | float, then: F | float, other: F | float
              ) -> F:
        condition = self.cond(a, relation, b)
        return lift(then) * condition + lift(other) * self.otherwise(condition)

    def transpose(self, a: F) -> F:
        return transpose(a)

    def literal(self, value: float) -> F:
        return F((), float(value))

    def constant(self, a: F) -> float | None:
        return a.coef if a.core is None and a.shape == () else None


ALGEBRA = FormulaAlgebra()


# -- the chain rule ----------------------------------------------------------------------


def gradients(graph: Graph, values: Sequence[Array], of: int | None = None
              ) -> dict[str, F | NoFormula]:
    """d(sum of `of`)/d(input) for every input: a formula, or why there is none."""
    of = graph.output if of is None else of
    needed = graph.ancestors(of)
    refs: dict[int, F] = {}
    for node in graph.nodes[: of + 1]:
        if node.index in needed:
            refs[node.index] = _reference(node, refs, np.shape(values[node.index]), of)
    adjoints: dict[int, F | NoFormula] = {of: _seed(refs[of])}
    for index in range(of, -1, -1):
        node = graph.nodes[index]
        upstream = adjoints.get(index)
        if upstream is None or not node.inputs:
            continue
        parts = _parts(node, upstream, refs, values)
        for source, part in zip(node.inputs, parts, strict=True):
            if part is None or graph.nodes[source].op == "const":
                continue
            before = adjoints.get(source)
            adjoints[source] = _accumulate(before, part)
    result: dict[str, F | NoFormula] = {}
    for name in graph.inputs:
        index = graph.names[name]
        found = adjoints.get(index)
        if found is None or isinstance(found, F) and found.zero:
            found = _zeros(leaf(Name(name), np.shape(values[index])))
        result[name] = found
    return result


def _zeros(like: F) -> F:
    return scaled(ones(_core(like), like.shape), 0.0) if like.shape else F((), 0.0)


def _seed(out: F) -> F:
    return ones(_core(out), out.shape) if out.shape else F((), 1.0)


def _accumulate(before: F | NoFormula | None, part: F | NoFormula) -> F | NoFormula:
    if before is None:
        return part
    if isinstance(before, NoFormula):
        return before
    if isinstance(part, NoFormula):
        return part
    return before + part


def _reference(node: Node, refs: Mapping[int, F], shape: Shape, of: int) -> F:
    """How the node appears in other formulas: its name, or its own expression."""
    if node.op == "const":
        text = node.text
        if text in ("e", "pi"):
            return leaf(Const(text), ())
        value = float(node.attrs["value"])
        return F((), value)
    if node.name is not None and (node.op == "input" or node.index != of):
        return leaf(Name(node.name), shape)
    args = [refs[i] for i in node.inputs]
    return leaf(_node_expr(node, args), shape)


def _node_expr(node: Node, args: list[F]) -> Expr:
    exprs = [a.expr() for a in args]
    if node.op == "id":
        return exprs[0]
    if node.op == "neg":
        return Unary("-", exprs[0])
    if node.op == "transpose":
        return Transpose(exprs[0])
    if node.op in _SYMBOL_OF:
        return Binary(_SYMBOL_OF[node.op], exprs[0], exprs[1])
    spec = OPS[node.op]
    if spec.option is not None and spec.option.name in node.attrs:
        exprs.append(_number(node.attrs[spec.option.name]))
    return Call(spec.call or node.op, tuple(exprs))


def _parts(node: Node, g: F | NoFormula, refs: Mapping[int, F], values: Sequence[Array]
           ) -> list[F | NoFormula | None]:
    if isinstance(g, NoFormula):
        return [g] * len(node.inputs)
    args = [refs[i] for i in node.inputs]
    arg_values = [np.asarray(values[i]) for i in node.inputs]
    try:
        return _vjp(node, g, args, refs[node.index], arg_values)
    except NoFormula as why:
        return [why] * len(node.inputs)


def _vjp(node: Node, g: F, args: list[F], out: F, arg_values: list[Array]
         ) -> list[F | NoFormula | None]:
    op = node.op
    if g.zero:
        return [_zeros(a) for a in args]
    if op == "matmul":
        return _matmul(g, args[0], args[1])
    if op == "outer":
        a, b = args
        return [matmul(g, b, a.shape), matmul(transpose(g), a, b.shape)]
    if op in ("sum", "mean"):
        return [_spread(node, g, args[0])]
    if op == "softmax":
        return [_softmax(node, g, out)]
    if op in ("max1", "min1"):
        return [_extreme(op, g, args[0], arg_values[0])]
    spec = OPS[op]
    assert spec.grad is not None, op
    parts = spec.grad(ALGEBRA, g, args, out, node.attrs)
    if not spec.elementwise:
        return list(parts)
    return [None if part is None else unbroadcast(part, arg)
            for part, arg in zip(parts, args, strict=True)]


def unbroadcast(grad: F, arg: F) -> F:
    """Sum a gradient back to its argument's shape, in the language (sum(G), sum(G, 0))."""
    target = arg.shape
    if grad.shape == target:
        return grad
    if target == ():
        return _sum_all(grad)
    if len(target) == 1 and len(grad.shape) == 2 and grad.shape[1] == target[0]:
        if grad.core is None:
            return ones(_core(arg), target, grad.coef * grad.shape[0])
        return call("sum", target, grad, option=Num(0.0, "0"))
    raise NoFormula(f"a gradient of shape {grad.shape} summed back to shape {target} "
                    "needs a reshape, which the language does not have")


def _sum_all(grad: F) -> F:
    if grad.core is None:
        return F((), grad.coef * float(np.prod(grad.shape)))
    if grad.spread is not None:
        return F((), grad.coef * float(np.prod(grad.shape)), grad.core)
    return F((), grad.coef, Call("sum", (_core(grad),)))


def _matmul(g: F, a: F, b: F) -> list[F | NoFormula | None]:
    da_shape, db_shape = a.shape, b.shape
    if len(da_shape) == 1 and len(db_shape) == 1:
        return [g * b, g * a]
    if len(da_shape) == 2 and len(db_shape) == 1:
        return [call_outer(g, b), matmul(transpose(a), g, db_shape)]
    if len(da_shape) == 1 and len(db_shape) == 2:
        return [matmul(b, g, da_shape), call_outer(a, g)]
    return [matmul(g, transpose(b), da_shape), matmul(transpose(a), g, db_shape)]


def call_outer(a: F, b: F) -> F:
    shape = (a.shape[0], b.shape[0])
    if a.zero or b.zero:
        return F(shape, 0.0, None, Call("outer", (_core(a), _core(b))))
    return F(shape, a.coef * b.coef, Call("outer", (_core(scaled(a, 1 / a.coef)),
                                                     _core(scaled(b, 1 / b.coef)))))


def _spread(node: Node, g: F, x: F) -> F:
    """A reduction's upstream gradient copied to every entry it combined."""
    axis = node.attrs.get("axis")
    if x.shape == ():
        return g
    count = float(np.prod(x.shape)) if axis is None or len(x.shape) == 1 else \
        float(x.shape[axis])
    if g.shape == () and g.core is not None:  # a scalar copied to every entry
        spread = F(x.shape, g.coef, g.core, spread=_core(x))
        return scaled(spread, 1.0 / count) if node.op == "mean" else spread
    spread = mul(g, ones(_core(x), x.shape)) if axis is None or len(x.shape) == 1 or \
        axis in (0, -2) else transpose(mul(g, ones(_core(transpose(x)), x.shape[::-1])))
    return scaled(spread, 1.0 / count) if node.op == "mean" else spread


def _softmax(node: Node, g: F, out: F) -> F:
    """a * (g - sum(g * a)) along the softmax's axis, a being the softmax."""
    if out.shape == ():
        return _zeros(out)
    core = g.core
    if g.spread is None and isinstance(core, Binary) and core.op == "/" \
            and core.right == out.expr():
        # g = c X / a, as from log(softmax(z)): a * (g - sum(g * a)) is c (X - a sum(X)),
        # so a cross-entropy -sum(y * log(a)) gives a * sum(y) - y (a - y for one-hot y)
        share = leaf(core.left, out.shape)
        return scaled(share - out * _along(node, share, out), g.coef)
    return out * (g - _along(node, g * out, out))


def _along(node: Node, weighted: F, out: F) -> F:
    """The sum of `weighted` along the softmax's axis, spread back to every entry."""
    axis = node.attrs.get("axis", -1)
    if len(out.shape) == 1:
        return _sum_all(weighted)
    if axis in (0, -2):
        return call("sum", (out.shape[1],), weighted, option=Num(0.0, "0"))
    row = call("sum", (out.shape[0],), weighted, option=Num(1.0, "1"))
    return transpose(mul(row, ones(_core(transpose(out)), out.shape[::-1])))


def _extreme(op: str, g: F, x: F, value: Array) -> F:
    if x.shape == ():
        return g
    pick = np.max(value) if op == "max1" else np.min(value)
    if np.count_nonzero(value == pick) > 1:
        raise NoFormula(f"{'max' if op == 'max1' else 'min'}() has a tie here: the gradient "
                        "goes to the first entry that attains it, which no formula says")
    func = "max" if op == "max1" else "min"
    extreme = F((), 1.0, Call(func, (x.expr(),)))
    gap = extreme - x if op == "max1" else x - extreme
    return g * (1 - step_of(gap))


def read_back(text: str, at: Mapping[str, Array]) -> Array:
    """A printed formula parsed by the language's own parser and computed by the engine, at
    the values of the inputs and named nodes it reads (the round trip of every formula)."""
    graph = build_graph(parse_program(text))
    unknown = [name for name in graph.inputs if name not in at]
    if unknown:
        raise NoFormula(f"the formula reads {', '.join(unknown)}, which the program does not "
                        "define")
    values = evaluate(graph, {name: np.asarray(at[name]) for name in graph.inputs})
    return values[graph.output]
