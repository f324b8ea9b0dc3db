"""Backprop, the symbolic side and finite differences agree, away from kinks.

The symbolic oracle here is independent of gradtutor.symbolic: the test turns the parsed
tree into plain sympy itself (explicit matrices of entry symbols for arrays) and calls
sympy.diff on the whole expression.
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradtutor.engine import crosscheck, formulas, symbolic
from gradtutor.engine.graph import DEFAULT_RULES, Graph, Rules, backprop, build_graph, evaluate
from gradtutor.lang.expr import Binary, Call, Const, Name, Num, Transpose, Unary
from gradtutor.lang.parser import parse_program

# -- an independent sympy oracle --------------------------------------------------------------

SCALAR_FUNCS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "sin": sp.sin,
    "cos": sp.cos, "tanh": sp.tanh, "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
    "relu": lambda u: sp.Max(u, 0), "softplus": lambda u: sp.log(1 + sp.exp(u)),
    "sign": sp.sign,
}


def leaky_relu(u: object, slope: object) -> object:
    return sp.Piecewise((u, u > 0), (slope * u, True))


def to_sympy(node: object, env: dict) -> object:
    """Our tree as a sympy scalar or sympy Matrix, built without gradtutor.symbolic."""
    if isinstance(node, Num):
        return sp.Rational(node.text)  # exact, as a hand derivation would be
    if isinstance(node, Const):
        return sp.E if node.name == "e" else sp.pi
    if isinstance(node, Name):
        return env[node.id]
    if isinstance(node, Unary):
        return -to_sympy(node.operand, env)
    if isinstance(node, Transpose):
        inner = to_sympy(node.operand, env)
        return inner.T if isinstance(inner, sp.MatrixBase) and inner.shape[1] != 1 else inner
    if isinstance(node, Binary):
        a, b = to_sympy(node.left, env), to_sympy(node.right, env)
        return binary(node.op, a, b)
    assert isinstance(node, Call)
    args = [to_sympy(a, env) for a in node.args]
    x = args[0]
    if node.func in SCALAR_FUNCS:
        return elementwise(SCALAR_FUNCS[node.func], x)
    if node.func == "leaky_relu":
        slope = args[1] if len(args) == 2 else sp.Rational(1, 100)
        return elementwise(lambda u: leaky_relu(u, slope), x)
    if node.func == "sum":
        return sum(x) if isinstance(x, sp.MatrixBase) else x
    if node.func == "mean":
        return sum(x) / len(x) if isinstance(x, sp.MatrixBase) else x
    if node.func == "softmax":
        exps = x.applyfunc(sp.exp)
        return exps / sum(exps)
    if node.func in ("max", "min") and len(args) == 2:
        pick = sp.Max if node.func == "max" else sp.Min
        return elementwise2(pick, x, args[1])
    raise NotImplementedError(node.func)


def elementwise(fn: object, x: object) -> object:
    return x.applyfunc(fn) if isinstance(x, sp.MatrixBase) else fn(x)


def elementwise2(fn: object, a: object, b: object) -> object:
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
        return sp.Matrix(a.shape[0], a.shape[1], lambda i, j: fn(a[i, j], b[i, j]))
    if isinstance(a, sp.MatrixBase):
        return a.applyfunc(lambda u: fn(u, b))
    if isinstance(b, sp.MatrixBase):
        return b.applyfunc(lambda u: fn(a, u))
    return fn(a, b)


def binary(op: str, a: object, b: object) -> object:
    if op == "+":
        return a + b if not _mixed(a, b) else elementwise2(lambda u, v: u + v, a, b)
    if op == "-":
        return a - b if not _mixed(a, b) else elementwise2(lambda u, v: u - v, a, b)
    if op == "*":
        both = isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)
        return a.multiply_elementwise(b) if both else a * b
    if op == "/":
        return elementwise2(lambda u, v: u / v, a, b)
    if op == "**":
        return elementwise2(lambda u, v: u ** v, a, b)
    assert op == "@"
    # every (n, 1) column here stands for a numpy 1-D vector: a row on the left of @
    left = a.T if a.shape[1] == 1 else a
    product = left * b
    if product.shape == (1, 1):
        return product[0, 0]
    return product.T if product.shape[0] == 1 else product


def _mixed(a: object, b: object) -> bool:
    return isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase)


def oracle_gradients(source: str, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """d(output)/d(every entry of every input) by sympy.diff on the whole expression."""
    program = parse_program(source)
    env, symbols = {}, {}
    for name, value in inputs.items():
        if value.ndim == 0:
            env[name] = symbols[name] = sp.Symbol(name, real=True)
        else:
            rows = value.shape[0]
            cols = value.shape[1] if value.ndim == 2 else 1
            matrix = sp.Matrix(rows, cols, lambda i, j, n=name: sp.Symbol(f"{n}_{i}_{j}",
                                                                         real=True))
            env[name] = matrix
            symbols[name] = matrix
    output = None
    for statement in program.statements:
        output = to_sympy(statement.expr, env)
        if statement.name:
            env[statement.name] = output
    total = sum(output) if isinstance(output, sp.MatrixBase) else output
    point = {}
    for name, value in inputs.items():
        if value.ndim == 0:
            point[symbols[name]] = sp.Float(float(value))
        else:
            for index, entry in enumerate(np.asarray(symbols[name]).ravel()):
                point[entry] = sp.Float(float(value.ravel()[index]))
    result = {}
    for name, value in inputs.items():
        entries = [symbols[name]] if value.ndim == 0 else np.asarray(symbols[name]).ravel()
        grads = [float(sp.sympify(sp.diff(total, e)).xreplace(point).evalf()) for e in entries]
        result[name] = np.array(grads).reshape(value.shape)
    return result


# -- random expressions ---------------------------------------------------------------------------

SAFE_UNARY = ["exp({})", "log({} * {} + 1)", "sqrt({} * {} + 1)", "abs({})", "sin({})",
              "cos({})", "tanh({})", "sigmoid({})", "relu({})", "-{}", "softplus({})",
              "leaky_relu({})", "leaky_relu({}, 0.2)", "sign({}) * {}"]
SAFE_BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / ({} * {} + 1)", "max({}, {})",
               "min({}, {})"]


@st.composite
def scalar_expression(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "y", "z", "0.5", "2"]))
    if draw(st.booleans()):
        template = draw(st.sampled_from(SAFE_UNARY))
        inner = draw(scalar_expression(depth + 1))
        return "(" + template.replace("{}", inner) + ")"
    template = draw(st.sampled_from(SAFE_BINARY + ["({})**2", "({})**3"]))
    holes = template.count("{}")
    if holes == 1:
        return "(" + template.format(draw(scalar_expression(depth + 1))) + ")"
    left = draw(scalar_expression(depth + 1))
    right = draw(scalar_expression(depth + 1))
    filled = template.replace("{}", left, 1).replace("{}", right)
    return "(" + filled + ")"


values = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3))


def on_a_kink(graph: Graph, node_values: list[np.ndarray]) -> bool:
    """A relu, leaky relu, abs or sign at 0, or a max or min tied: there the conventions rule,
    not calculus."""
    for node in graph.nodes:
        ins = [node_values[i] for i in node.inputs]
        if node.op in ("relu", "leaky_relu", "abs", "sign") and np.any(ins[0] == 0):
            return True
        if node.op in ("max", "min") and np.any(ins[0] == ins[1]):
            return True
        if node.op in ("max1", "min1"):
            extreme = np.max(ins[0]) if node.op == "max1" else np.min(ins[0])
            if np.count_nonzero(ins[0] == extreme) > 1:
                return True
    return False


def three_way(source: str, inputs: dict[str, np.ndarray]) -> None:
    graph = build_graph(parse_program(source))
    present = {n: inputs[n] for n in graph.inputs}
    assume(present)  # a constant has no gradient to check
    node_values = evaluate(graph, present)
    # sympy's Heaviside(0) = 1/2 is not the engine's convention (test_graph: test_kink_conventions)
    assume(not on_a_kink(graph, node_values))
    assume(np.all(np.isfinite(node_values[graph.output])))
    assume(abs(float(np.sum(node_values[graph.output]))) < 1e6)
    grads = backprop(graph, node_values, graph.output)
    gradients = {n: grads.get(graph.names[n], np.zeros_like(present[n])) for n in present}
    fd = crosscheck.finite_differences(graph, present, gradients)
    assume(fd.status not in ("kink", "singular"))  # the conventions rule there, not calculus
    assert fd.status == "agree", fd.messages
    oracle = oracle_gradients(source, present)
    for name in present:
        np.testing.assert_allclose(gradients[name], oracle[name], rtol=1e-6, atol=1e-9,
                                   err_msg=f"{source}: d/d{name}")
    if all(v.ndim == 0 for v in present.values()):
        chain = symbolic.scalar_gradients(graph)
        at = {n: node_values[i] for n, i in graph.names.items()}
        for name in present:
            np.testing.assert_allclose(symbolic.value_at(chain[name], at), gradients[name],
                                       rtol=1e-6, atol=1e-9, err_msg=f"{source}: chain rule")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(scalar_expression(), values, values, values)
def test_scalar_expressions_three_ways(source: str, x: float, y: float, z: float) -> None:
    three_way(source, {"x": np.asarray(x), "y": np.asarray(y), "z": np.asarray(z)})


ARRAY_TEMPLATES = [
    "sum(A @ v * v)", "sum((A @ v)**2)", "sum(sigmoid(A @ v + b))", "sum(tanh(A.T @ v) * b)",
    "mean(relu(A @ v - b))", "sum(softmax(A @ v) * b)", "sum(exp(A * A) / (B * B + 1))",
    "sum(max(A, B) @ v)", "sum(A @ B @ v)", "mean(A * B) + sum(v * b)",
    "sum(log(A @ A.T * A @ A.T + 1))", "v @ A @ b", "sum(min(A, B.T) * A)",
    "sum(leaky_relu(A @ v, 0.2) * b)", "mean(softplus(A * B) + sign(B) * A)",
    "sum(leaky_relu(A - B.T) @ v)",
]
small = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(st.sampled_from(ARRAY_TEMPLATES), st.lists(small, min_size=12, max_size=12))
def test_array_expressions_three_ways(source: str, numbers: list[float]) -> None:
    inputs = {"A": np.array(numbers[:4]).reshape(2, 2), "B": np.array(numbers[4:8]).reshape(2, 2),
              "v": np.array(numbers[8:10]), "b": np.array(numbers[10:12])}
    three_way(source, inputs)


@pytest.mark.parametrize("source", ["sum((W @ x)**2)", "q = W @ x; f = q.T @ q",
                                    "Y = X @ W; L = sum(G * Y)"])
def test_matrix_formulas_agree_with_backprop(source: str) -> None:
    rng = np.random.default_rng(1)
    inputs = {"W": rng.normal(size=(2, 2)), "x": rng.normal(size=2),
              "X": rng.normal(size=(3, 2)), "G": rng.normal(size=(3, 2))}
    graph = build_graph(parse_program(source))
    present = {n: inputs[n] for n in graph.inputs}
    node_values = evaluate(graph, present)
    grads = backprop(graph, node_values, graph.output)
    at = {n: node_values[i] for n, i in graph.names.items()}
    for name, found in formulas.gradients(graph, node_values).items():
        assert isinstance(found, formulas.F), found
        read = formulas.read_back(found.text(), at)
        assert read.shape == present[name].shape
        np.testing.assert_allclose(read, grads[graph.names[name]], rtol=1e-9)


def test_a_wrong_backward_rule_is_caught() -> None:
    """The checks can fail: a sigmoid vjp with a slip is reported as a disagreement."""
    graph = build_graph(parse_program("f = sigmoid(w*x)"))
    inputs = {"w": np.asarray(0.5), "x": np.asarray(1.0)}
    node_values = evaluate(graph, inputs)
    slipped = Rules(vjps={"sigmoid": lambda g, ins, out, attrs, needs: [g * ins[0] * (1 - ins[0])]})
    for rules, status in ((DEFAULT_RULES, "agree"), (slipped, "disagree")):
        grads = backprop(graph, node_values, graph.output, rules=rules)
        gradients = {n: grads[graph.names[n]] for n in inputs}
        assert crosscheck.finite_differences(graph, inputs, gradients).status == status
        evaluators = {n: (lambda e=e: symbolic.value_at(e, inputs))
                      for n, e in symbolic.scalar_gradients(graph).items()}
        assert crosscheck.compare_symbolic(gradients, evaluators).status == status


def test_kinks_are_reported_as_kinks() -> None:
    for source, inputs in (("f = relu(x)", {"x": 0.0}), ("f = max(x, y)", {"x": 1.0, "y": 1.0}),
                           ("f = min(x, 2*x)", {"x": 0.0})):
        graph = build_graph(parse_program(source))
        present = {n: np.asarray(v) for n, v in inputs.items()}
        node_values = evaluate(graph, present)
        grads = backprop(graph, node_values, graph.output)
        verdict = crosscheck.finite_differences(
            graph, present, {n: grads[graph.names[n]] for n in present})
        assert verdict.status == "kink"
        assert "straddles a kink" in verdict.messages[0]
