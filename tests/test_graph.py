"""The graph engine: forward and backward passes, broadcasting, shapes, kinks, depth."""

import numpy as np
import pytest

from gradtutor.base.errors import ExpressionError, GradtutorError, ShapeError
from gradtutor.engine.graph import backprop, build_graph, evaluate, local_gradients
from gradtutor.lang.parser import parse_program


def run(source: str, **inputs: object) -> tuple:
    graph = build_graph(parse_program(source))
    values = evaluate(graph, {k: np.asarray(v, dtype=float) for k, v in inputs.items()})
    grads = backprop(graph, values, graph.output)
    return graph, values, grads


def grad(graph: object, grads: dict, name: str) -> np.ndarray:
    return grads[graph.names[name]]


def test_micrograd_sanity_check() -> None:
    # micrograd test/test_engine.py::test_sanity_check (PyTorch: y = -20, dy/dx = 46)
    graph, values, grads = run(
        "z = 2*x + 2 + x; q = relu(z) + z*x; h = relu(z*z); y = h + q + q*x", x=-4.0)
    assert values[graph.output] == pytest.approx(-20.0)
    assert grad(graph, grads, "x") == pytest.approx(46.0)


def test_micrograd_more_ops() -> None:
    # micrograd test/test_engine.py::test_more_ops; the values PyTorch gives there
    graph, values, grads = run(
        "c = a + b; d = a*b + b**3; c2 = c + c + 1; c3 = c2 + 1 + c2 + (-a);"
        "d2 = d + d*2 + relu(b + a); d3 = d2 + 3*d2 + relu(b - a); e = c3 - d3;"
        "f = e**2; g = f / 2.0; g2 = g + 10.0 / f", a=-4.0, b=2.0)
    assert values[graph.output] == pytest.approx(24.7041, abs=1e-4)
    assert grad(graph, grads, "a") == pytest.approx(138.8338, abs=1e-4)
    assert grad(graph, grads, "b") == pytest.approx(645.5773, abs=1e-4)


def test_add_mul_gate_of_the_notes() -> None:
    graph, values, grads = run("q = x + y; f = q*z", x=-2, y=5, z=-4)
    assert values[graph.output] == -12
    assert [float(grad(graph, grads, n)) for n in ("x", "y", "z", "q")] == [-4, -4, 3, -4]


def test_vectorized_norm_of_the_notes() -> None:
    graph, values, grads = run("q = W @ x; f = sum(q**2)", W=[[0.1, 0.5], [-0.3, 0.8]],
                               x=[0.2, 0.4])
    assert values[graph.output] == pytest.approx(0.116)
    np.testing.assert_allclose(values[graph.names["q"]], [0.22, 0.26])
    np.testing.assert_allclose(grad(graph, grads, "W"), [[0.088, 0.176], [0.104, 0.208]])
    np.testing.assert_allclose(grad(graph, grads, "x"), [-0.112, 0.636])


def test_sigmoid_neuron_of_the_notes() -> None:
    graph, values, grads = run(
        "f1 = w0*x0; f2 = w1*x1; f3 = f1 + f2; f4 = f3 + w2; f5 = -f4; f6 = exp(f5);"
        "f7 = 1 + f6; f8 = 1/f7", w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
    assert values[graph.output] == pytest.approx(0.7311, abs=1e-4)
    expected = {"w0": -0.197, "x0": 0.393, "w1": -0.393, "x1": -0.590, "w2": 0.197}
    for name, value in expected.items():
        assert grad(graph, grads, name) == pytest.approx(value, abs=1e-3)


def test_a_value_used_twice_gets_the_sum_of_its_gradients() -> None:
    graph, _, grads = run("f = x*x + x", x=3.0)
    assert grad(graph, grads, "x") == 7.0
    graph, _, grads = run("a = 2*x; f = a*a + sigmoid(a)", x=0.0)
    assert grad(graph, grads, "a") == pytest.approx(0.25)


def test_bias_gradient_is_summed_over_the_batch_and_has_the_bias_shape() -> None:
    g = [[0.1, -0.2], [0.3, -0.1], [0.2, 0.0]]
    for bias in ([0.0, 0.0], [[0.0, 0.0]]):
        graph, _, grads = run("Y = X @ W + b; L = sum(G*Y)", X=[[1.0, 2.0], [0.5, 1.0],
                              [0.0, 3.0]], W=np.eye(2), b=bias, G=g)
        db = grad(graph, grads, "b")
        assert db.shape == np.shape(bias)
        np.testing.assert_allclose(db.ravel(), [0.6, -0.3])
        np.testing.assert_allclose(grad(graph, grads, "W"),
                                   np.array([[1.0, 2.0], [0.5, 1.0], [0.0, 3.0]]).T @ g)
        np.testing.assert_allclose(grad(graph, grads, "X"), np.asarray(g) @ np.eye(2).T)


def test_reductions_softmax_and_transpose() -> None:
    graph, values, grads = run("m = mean(x); s = sum(x, 0); f = m + sum(s*s)",
                               x=[[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(values[graph.names["s"]], [4.0, 6.0])
    np.testing.assert_allclose(grad(graph, grads, "x"), [[8.25, 12.25], [8.25, 12.25]])
    z = np.array([2.0, 1.0, 0.1])
    y = np.array([1.0, 0.0, 0.0])
    graph, values, grads = run("a = softmax(z); L = -sum(y*log(a))", z=z, y=y)
    a = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(grad(graph, grads, "z"), a - y)
    graph, values, grads = run("f = sum(A.T @ v)", A=[[1.0, 2.0], [3.0, 4.0]], v=[1.0, -1.0])
    np.testing.assert_allclose(grad(graph, grads, "A"), [[1.0, 1.0], [-1.0, -1.0]])


def test_kink_conventions() -> None:
    graph, _, grads = run("f = relu(x)", x=0.0)
    assert grad(graph, grads, "x") == 0.0
    graph, _, grads = run("f = max(z, w)", z=1.0, w=1.0)
    assert (grad(graph, grads, "z"), grad(graph, grads, "w")) == (1.0, 0.0)
    graph, _, grads = run("f = min(z, w)", z=1.0, w=1.0)
    assert (grad(graph, grads, "z"), grad(graph, grads, "w")) == (1.0, 0.0)
    graph, _, grads = run("f = abs(x)", x=0.0)
    assert grad(graph, grads, "x") == 0.0
    graph, _, grads = run("f = max(v)", v=[3.0, 1.0, 3.0])
    np.testing.assert_array_equal(grad(graph, grads, "v"), [1.0, 0.0, 0.0])


def test_shape_errors_name_the_node_and_both_shapes() -> None:
    graph = build_graph(parse_program("q = W @ x; f = sum(q)"))
    with pytest.raises(ShapeError) as caught:
        evaluate(graph, {"W": np.ones((2, 3)), "x": np.ones(2)})
    assert str(caught.value) == "q: shape error at q = W @ x: cannot multiply (2, 3) @ (2,)"
    graph = build_graph(parse_program("f = a + b"))
    with pytest.raises(ShapeError, match=r"shapes \(2, 3\) and \(2,\) do not broadcast"):
        evaluate(graph, {"a": np.ones((2, 3)), "b": np.ones(2)})


def test_missing_input_value() -> None:
    graph = build_graph(parse_program("f = x * y"))
    with pytest.raises(GradtutorError, match="no value for 'y'"):
        evaluate(graph, {"x": np.asarray(1.0)})


def test_every_pair_has_a_derivative() -> None:
    graph, values, _ = run("a = 2*x; b = a + 1; c = b*b", x=1.0)
    # d b / d a through the graph, and a derivative of an earlier node by a later one is 0
    from_b = backprop(graph, values, graph.names["b"])
    assert from_b[graph.names["a"]] == 1.0
    from_a = backprop(graph, values, graph.names["a"], wrt=[graph.names["c"]])
    assert graph.names["c"] not in from_a


def test_only_wanted_gradients_are_computed() -> None:
    graph = build_graph(parse_program("h = relu(X @ W1); L = sum(h @ W2)"))
    values = evaluate(graph, {"X": np.ones((4, 3)), "W1": np.ones((3, 5)),
                              "W2": np.ones((5, 2))})
    grads = backprop(graph, values, graph.output, wrt=[graph.names["W1"]])
    assert graph.names["W1"] in grads and graph.names["X"] not in grads


def test_local_gradients_of_a_scalar_node() -> None:
    graph, values, _ = run("f = x * y", x=3.0, y=-2.0)
    assert [float(g) for g in local_gradients(graph, values, graph.output)] == [-2.0, 3.0]


def test_a_graph_thousands_of_nodes_deep() -> None:
    depth = 5000
    source = "a0 = x; " + "; ".join(f"a{i} = a{i - 1} + 0.001*a{i - 1}"
                                    for i in range(1, depth + 1))
    graph, values, grads = run(source, x=1.0)
    assert len(graph.nodes) > 3 * depth
    assert values[graph.output] == pytest.approx(1.001 ** depth)
    assert grad(graph, grads, "x") == pytest.approx(1.001 ** depth)


def test_a_name_is_not_both_an_input_and_a_node() -> None:
    with pytest.raises(ExpressionError, match="'x' is read as an input before it is assigned"):
        build_graph(parse_program("x = 2*x"))


def test_a_bare_expression_reading_f_gets_another_output_name() -> None:
    graph, values, grads = run("f * 2", f=3.0)
    assert graph.output_name == "f1"
    assert values[graph.output] == 6.0 and grad(graph, grads, "f") == 2.0
