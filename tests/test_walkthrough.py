"""The walkthrough data structure of `gradtutor explain`: its numbers, formulas and remarks."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.base import fmt
from gradtutor.base.errors import GradtutorError
from gradtutor.engine.solve import solve_program
from gradtutor.exercises.exercise import Exercise, bundled_ids
from gradtutor.grading import catalog
from gradtutor.kinds import explain, load_exercise
from gradtutor.lang.expr import Binary, Name, Num, Unary
from gradtutor.walkthrough.model import Walkthrough
from gradtutor.walkthrough.terms import expr_term, formula, latex_number, latex_value, numbers

from oracle import ORACLES  # tests/ is not a package: pytest puts it on sys.path

GRAPH_IDS = [i for i in bundled_ids() if isinstance(load_exercise(i), Exercise)]
AT = {"x": np.float64(-2.0), "y": np.float64(5.0), "z": np.float64(-4.0)}


def edges(w: Walkthrough) -> dict[tuple[str, str], object]:
    return {(e.of, e.wrt): e for step in w.backward for e in step.edges}


def gradient(w: Walkthrough, name: str) -> np.ndarray:
    return next(v for symbol, v in w.gradients if symbol.text == f"d{w.output}/d{name}")


def test_bundled_graph_exercises_are_found() -> None:
    assert {"add-mul-gate", "sigmoid-neuron", "max-gate", "linear-layer", "mlp-mse"} <= \
        set(GRAPH_IDS)


# -- the notes' first example, every field -----------------------------------------------


def test_add_mul_gate_graph_locals_and_forward() -> None:
    w = explain("add-mul-gate")
    assert (w.kind, w.output, w.naming) == ("exercise", "f", None)
    assert [(n.name, n.operation, n.inputs) for n in w.nodes] == [
        ("x", "input", []), ("y", "input", []), ("z", "input", []),
        ("q", "add gate", ["x", "y"]), ("f", "multiply gate", ["q", "z"])]
    assert [(lo.symbol.text, lo.formula.text, lo.rule) for lo in w.locals] == [
        ("dq/dx", "1", False), ("dq/dy", "1", False), ("df/dq", "z", False),
        ("df/dz", "q", False)]
    assert [(f.name, f.expression.text, f.numbers.text, float(f.value)) for f in w.forward] \
        == [("q", "x + y", "-2 + 5", 3.0), ("f", "q * z", "3 * (-4)", -12.0)]
    assert w.forward[1].numbers.latex == r"3 \cdot \left(-4\right)"


def test_add_mul_gate_backward_is_local_times_upstream() -> None:
    w = explain("add-mul-gate")
    assert [(b.name, b.upstream_symbol.text, float(b.upstream)) for b in w.backward] == [
        ("f", "df/df", 1.0), ("q", "df/dq", -4.0)]
    lines = [(e.gradient.text, e.formula.text, e.numbers.text, float(e.value), float(e.local))
             for b in w.backward for e in b.edges]
    assert lines == [
        ("df/dq", "z * df/df", "-4 * 1", -4.0, -4.0),
        ("df/dz", "q * df/df", "3 * 1", 3.0, 3.0),
        ("df/dx", "1 * df/dq", "1 * (-4)", -4.0, 1.0),
        ("df/dy", "1 * df/dq", "1 * (-4)", -4.0, 1.0),
    ]
    assert w.backward[0].edges[0].formula.latex == \
        r"z \cdot \frac{\partial f}{\partial f}"
    assert [(s.text, float(v)) for s, v in w.gradients] == [
        ("df/dx", -4.0), ("df/dy", -4.0), ("df/dz", 3.0), ("df/dq", -4.0)]
    assert w.layers is None and w.reveal is None


def test_gate_patterns_are_named() -> None:
    w = explain("add-mul-gate")
    assert w.backward[0].pattern == (
        "multiply gate: swaps its inputs' values (a gradient switcher): q gets the value of z "
        "(-4) and z gets the value of q (3) times the upstream gradient")
    assert w.backward[1].pattern == ("add gate: distributes the upstream gradient -4 "
                                     "unchanged to x and y (a gradient distributor)")


def test_max_gate_routes_and_the_add_gate_distributes() -> None:
    w = explain("max-gate")
    patterns = {b.name: b.pattern for b in w.backward}
    assert patterns["f2"] == ("max gate: routes the upstream gradient to the larger input (a "
                              "gradient router): z = 2 wins and gets all of it, w = -1 gets 0")
    assert patterns["f3"].startswith("add gate: distributes the upstream gradient 2")
    assert patterns["f4"] == ("multiply gate: swaps its inputs' values (a gradient switcher): "
                              "f3 gets the constant 2 times the upstream gradient")
    line = edges(w)[("f2", "z")]
    assert (line.formula.text, line.numbers.text) == \
        ("(1 - step(w - z)) * df4/df2", "1 * 2")
    assert float(edges(w)[("f2", "w")].value) == 0.0


def test_relu_passes_or_blocks() -> None:
    passes = explain("exploding-relu-chain")
    assert {b.name: b.pattern for b in passes.backward}["f6"] == \
        "relu passes the upstream gradient through unchanged: its input f5 = 125 > 0"
    blocked = explain("relu(a)*b", {"a": np.float64(-1.0), "b": np.float64(3.0)})
    assert {b.name: b.pattern for b in blocked.backward}["n1"] == \
        "relu blocks the upstream gradient: its input a = -1 <= 0, where relu' = 0"


def test_relu_on_a_matrix_counts_the_blocked_entries() -> None:
    w = explain("sum(relu(A))", {"A": np.array([[1.0, -2.0], [0.0, 3.0]])})
    assert {b.name: b.pattern for b in w.backward}["n1"] == (
        "relu passes the upstream gradient where its input A is positive and blocks it "
        "elsewhere: 2 of 4 entries blocked")


def test_a_tie_goes_to_the_first_argument() -> None:
    w = explain("max(a, b)", {"a": np.float64(2.0), "b": np.float64(2.0)})
    assert w.backward[0].pattern.endswith(
        "a = 2 wins and gets all of it, b = 2 gets 0 (a tie: by convention the first "
        "argument wins)")


# -- agreement with the engine, with solve, and with the independent oracle --------------


@pytest.mark.parametrize("ex_id", sorted(ORACLES))
def test_every_number_agrees_with_the_oracle(ex_id: str) -> None:
    w = explain(ex_id)
    oracle = ORACLES[ex_id]
    values = {f.name: f.value for f in w.forward} | dict(w.inputs)
    grads = {s.text: v for s, v in w.gradients}
    checked = 0
    for step, expected in oracle.items():
        if "/" not in step:
            got = values[step]
        elif step.startswith(f"d{w.output}/"):
            got = grads.get(step, np.ones(()))
        else:
            continue
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=step)
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize("ex_id", GRAPH_IDS)
def test_every_asked_step_agrees_with_the_answer_key(ex_id: str) -> None:
    key = catalog.key_answers(load_exercise(ex_id))
    for number, (step, expected) in enumerate(key.items(), start=1):
        reveal = explain(ex_id, step=number).reveal
        assert reveal is not None and reveal.step == step
        np.testing.assert_allclose(reveal.answer, expected, rtol=1e-12, err_msg=step)


@pytest.mark.parametrize("ex_id", GRAPH_IDS)
def test_contributions_add_up_to_each_gradient(ex_id: str) -> None:
    w = explain(ex_id)
    received: dict[str, np.ndarray] = {}
    for step in w.backward:
        np.testing.assert_allclose(step.upstream, w.node(step.name).grad)
        for edge in step.edges:
            received[edge.wrt] = received.get(edge.wrt, 0) + edge.value
        for total in step.sums:
            np.testing.assert_allclose(sum(v for _, v in total.parts), total.total)
    for name, value in received.items():
        np.testing.assert_allclose(value, w.node(name).grad, err_msg=name)


def test_sigmoid_neuron_agrees_with_solve() -> None:
    program = "; ".join(f"{n} = {e}" for n, e in load_exercise("sigmoid-neuron").nodes.items())
    given = load_exercise("sigmoid-neuron").given
    solution = solve_program(program, given)
    w = explain("sigmoid-neuron")
    for node in solution.nodes:
        if node.name:
            np.testing.assert_allclose(w.node(node.name).value, node.value)
            np.testing.assert_allclose(w.node(node.name).grad, node.grad)
    for name, value in solution.gradients.items():
        np.testing.assert_allclose(gradient(w, name), value)
    assert fmt.value(w.node("f8").value) == "0.731059"
    assert fmt.value(gradient(w, "w0")) == "-0.196612"


def test_sigmoid_neuron_local_derivatives_in_symbols() -> None:
    w = explain("sigmoid-neuron")
    locals_ = {lo.symbol.text: lo.formula.text for lo in w.locals}
    assert locals_ == {"df1/dw0": "x0", "df1/dx0": "w0", "df2/dw1": "x1", "df2/dx1": "w1",
                       "df3/df1": "1", "df3/df2": "1", "df4/df3": "1", "df4/dw2": "1",
                       "df5/df4": "-1", "df6/df5": "f6", "df7/df6": "1",
                       "df8/df7": "-1/f7**2"}
    line = edges(w)[("f8", "f7")]
    assert (line.formula.text, line.numbers.text, fmt.value(line.value)) == \
        ("(-1/f7**2) * df8/df8", "-0.534447 * 1", "-0.534447")
    assert line.formula.latex == \
        r"\left(- \frac{1}{f_{7}^{2}}\right) \cdot \frac{\partial f_{8}}{\partial f_{8}}"


# -- chains and networks -----------------------------------------------------------------


def test_the_vanishing_chain_is_pointed_out() -> None:
    layers = explain("vanishing-sigmoid-chain").layers
    assert layers is not None and layers.verdict == "vanishing"
    assert [(r.layer, r.nodes, r.output) for r in layers.rows] == [
        (1, ["z1", "a1"], "a1"), (2, ["z2", "a2"], "a2"), (3, ["z3", "a3"], "a3")]
    assert [round(r.grad, 6) for r in layers.rows] == [0.006399, 0.052444, 0.428348]
    assert [p for r in layers.rows for p, _ in r.params] == ["w1", "x", "w2", "w3"]
    assert round(layers.factor, 3) == 0.122
    assert layers.remark.startswith("The gradient vanishes on the way back: it shrinks by "
                                    "about x0.12 per layer, from 0.428348 at layer 3 to "
                                    "0.00639928 at layer 1")
    assert "ReLU" in layers.remark and "initialisation" in layers.remark
    assert "normalisation" in layers.remark and "at most 0.25" in layers.remark


def test_the_exploding_chain_is_pointed_out() -> None:
    layers = explain("exploding-relu-chain").layers
    assert layers is not None and layers.verdict == "exploding"
    assert [r.grad for r in layers.rows] == [3100.0, 620.0, 124.0]
    assert layers.factor == pytest.approx(5.0)
    assert layers.remark.startswith("The gradient explodes on the way back: it grows by "
                                    "about x5 per layer, from 124 at layer 3 to 3100 at "
                                    "layer 1")
    assert "clipping" in layers.remark and "initialisation" in layers.remark


def test_a_healthy_network_is_called_steady() -> None:
    layers = explain("mlp-mse").layers
    assert layers is not None and layers.verdict == "steady"
    assert [r.nodes for r in layers.rows] == [["z1", "a1"], ["z2", "a2"]]
    assert "neither vanishes nor explodes" in layers.remark


def test_no_layer_table_without_two_layers() -> None:
    assert explain("sigmoid-neuron").layers is None
    assert explain("score-bias").layers is None


# -- matrix steps ------------------------------------------------------------------------


def test_linear_layer_uses_the_matrix_rules() -> None:
    w = explain("linear-layer")
    rules = {lo.symbol.text: lo.formula.text for lo in w.locals if lo.of == "Y"}
    assert rules == {"dL/dX": "(dL/dY) @ W.T", "dL/dW": "X.T @ (dL/dY)",
                     "dL/db": "sum(dL/dY, 0)"}
    step = next(b for b in w.backward if b.name == "Y")
    assert step.notes == [
        "matrix product X @ W: the left factor gets G @ W.T and the right factor X.T @ G, G "
        "being the gradient arriving at the product; each has the shape of the factor it "
        "belongs to",
        "b is added to every row (one row per sample): its gradient is the upstream gradient "
        "summed over the batch (axis 0), the shape of b",
    ]
    dw = edges(w)[("Y", "W")]
    assert dw.shapes == [("X", "3x2"), ("dL/dY", "3x2"), ("dL/dW", "2x2")]
    assert dw.numbers.text == \
        "[[1, 2], [-1, 0.5], [0, 3]].T @ [[0.1, -0.2], [0.3, -0.1], [0.2, 0]]"
    assert fmt.value(dw.value) == "[[-0.2, -0.1], [0.95, -0.45]]"
    assert fmt.value(edges(w)[("Y", "b")].value) == "[0.6, -0.3]"
    assert w.forward[0].shapes == [("X", "3x2"), ("W", "2x2"), ("b", "2"), ("Y", "3x2")]


def test_vector_factors_are_columns_in_an_outer_product() -> None:
    w = explain("vectorized-norm")
    dw = edges(w)[("q", "W")]
    assert dw.formula.text == "outer(df/dq, x)"  # valid input: x.T of a 1-D x is x itself
    assert dw.numbers.latex == (r"\begin{bmatrix} 0.44 \\ 0.52 \end{bmatrix} \, "
                                r"\begin{bmatrix} 0.2 \\ 0.4 \end{bmatrix}^{\top}")
    assert any("outer product" in note for b in w.backward for note in b.notes)


def test_constants_of_a_mean_are_gathered() -> None:
    w = explain("mlp-mse")
    rules = {lo.symbol.text: lo.formula.text for lo in w.locals if lo.of == "L"}
    assert rules["dL/da2"] == "(a2 - Y) * (dL/dL) / 4"


def test_softmax_rule() -> None:
    w = explain("softmax")
    rules = {lo.symbol.text: lo.formula.text for lo in w.locals}
    assert rules["dL/dz"] == "a * ((dL/da) - sum((dL/da) * a))"
    assert rules["dL/da"] == "-y * (dL/dL) / a"


# -- expressions and programs ------------------------------------------------------------


def test_an_expression_gets_one_node_per_operation() -> None:
    w = explain("(x+y)*z", AT)
    assert (w.kind, w.title) == ("expression", "f = (x + y) * z")
    assert w.naming == ("each operation is one node, named n1, n2, ... in forward order; the "
                        "output is f")
    assert [(n.name, n.expression.text) for n in w.nodes if n.expression] == \
        [("n1", "x + y"), ("f", "n1 * z")]
    assert [float(v) for _, v in w.gradients] == [-4.0, -4.0, 3.0, -4.0]


def test_names_already_taken_are_skipped() -> None:
    w = explain("n1 * (n1 + 2)", {"n1": np.float64(3.0)})
    assert [n.name for n in w.nodes] == ["n1", "n2", "f"]


def test_a_program_keeps_its_names() -> None:
    w = explain("q = x + y; f = q*z", AT)
    assert w.kind == "program" and w.naming is None
    assert [n.name for n in w.nodes] == ["x", "y", "z", "q", "f"]


def test_a_reused_value_adds_up_its_contributions() -> None:
    w = explain("x*x + x", {"x": np.float64(3.0)})
    first, second = (e for b in w.backward for e in b.edges if e.wrt == "x")
    assert (first.part, second.part) == ((1, 2), (2, 2))
    assert second.formula.text == "2*x * df/dn1"
    (total,) = [s for b in w.backward for s in b.sums]
    assert (total.name, total.numbers.text, float(total.total)) == ("x", "1 + 6", 7.0)
    assert [(name, float(v)) for name, v in total.parts] == [("f", 1.0), ("n1", 6.0)]
    assert w.backward[-1].pattern.endswith(
        "both inputs are x, so x gets its own value from each side: 2 * x times the "
        "upstream gradient")


def test_a_vector_output_is_summed() -> None:
    w = explain("W @ x", {"W": np.eye(2), "x": np.array([1.0, 2.0])})
    assert w.notes == ["f is not a scalar: the gradients are those of the sum of its entries "
                       "(the backward pass starts from ones)"]
    np.testing.assert_allclose(gradient(w, "x"), [1.0, 1.0])


@pytest.mark.parametrize(("target", "values", "message"), [
    ("(x+y)*z", {"x": 1.0}, "values: explain fills in every number: give a value for y, z"),
    ("(x+y)*z", {"x": 1.0, "y": 1.0, "z": 1.0, "w": 2.0}, "'w' is not an input"),
    ("q = x + 1; q * 2", {"x": 1.0, "q": 2.0}, "'q' is computed by the program"),
    ("add-mul-gate", {"x": 1.0}, "an exercise has its own given values"),
    ("and-perceptron", {"x1": 1.0}, "an exercise has its own given values"),
    ("sigmoid-nueron", {}, "did you mean sigmoid-neuron?"),
    ("(x+", {}, ""),
])
def test_bad_input_is_a_clear_error(target: str, values: dict, message: str) -> None:
    with pytest.raises(GradtutorError) as caught:
        explain(target, {k: np.float64(v) for k, v in values.items()})
    assert message in str(caught.value)


# -- revealing one step ------------------------------------------------------------------


def test_reveal_a_gradient_step() -> None:
    w = explain("add-mul-gate", step=7)
    reveal = w.reveal
    assert reveal is not None
    assert (reveal.number, reveal.count, reveal.step, reveal.weight) == (7, 8, "df/dx", 2.0)
    assert reveal.hint.startswith("Chain rule: df/dx = df/dq * dq/dx")
    assert reveal.hint_from_author and not reveal.hint_only
    assert [e.numbers.text for e in reveal.edges] == ["1 * (-4)"]
    assert float(reveal.answer) == -4.0
    assert reveal.notes == ["add gate: distributes the upstream gradient -4 unchanged to x "
                            "and y (a gradient distributor)"]


def test_reveal_a_local_derivative_and_a_value() -> None:
    local = explain("add-mul-gate", step=3).reveal
    assert local is not None and local.step == "dq/dx" and float(local.answer) == 1.0
    assert [e.formula.text for e in local.edges] == ["1 * dq/dq"]
    value = explain("add-mul-gate", step=1).reveal
    assert value is not None and value.step == "q"
    assert [f.numbers.text for f in value.forward] == ["-2 + 5"]


def test_generated_hints() -> None:
    value = explain("x-plus-yz", step=1).reveal  # g: no hint in the file
    assert value is not None and not value.hint_from_author
    assert value.hint == "Forward pass: g = y * z; put in the values of y and z."
    local = explain("x-plus-yz", step=4).reveal  # dg/dy
    assert local is not None and local.hint == (
        "y feeds g directly: dg/dy is the local derivative of g = y * z with respect to y.")
    chain = explain("sigmoid-neuron", step=6).reveal  # df8/df6
    assert chain is not None and chain.hint == \
        "Local derivative times upstream: df8/df6 = df7/df6 * df8/df7."


def test_reveal_hint_only_and_range() -> None:
    assert explain("max-gate", step=2, hint_only=True).reveal.hint_only
    with pytest.raises(GradtutorError, match="step: max-gate asks 11 steps: step takes 1 to 11"):
        explain("max-gate", step=12)
    with pytest.raises(GradtutorError, match="step: step reveals the asked steps of an exercise"):
        explain("(x+y)*z", AT, step=1)


# -- formulas ----------------------------------------------------------------------------


def test_formulas_with_names_and_with_numbers() -> None:
    values = {"a": np.float64(-2.0), "b": np.float64(4.0)}
    term = expr_term(Binary("-", Name("a"), Unary("-", Name("b"))), values)
    assert formula(term).text == "a - -b"
    assert numbers(term).text == "-2 - -4"
    assert numbers(expr_term(Binary("*", Name("b"), Name("a")), values)).text == "4 * (-2)"
    assert numbers(expr_term(Unary("-", Name("a")), values)).text == "-(-2)"
    assert numbers(expr_term(Binary("**", Name("a"), Num(2.0, "2")), values)).text == "(-2)**2"
    div = expr_term(Binary("/", Name("a"), Name("b")), values)
    assert formula(div).latex == r"\frac{a}{b}"


def test_latex_numbers_and_values() -> None:
    assert latex_number("1.5e-07") == r"1.5 \times 10^{-7}"
    assert latex_number("-inf") == r"-\infty"
    assert latex_value(np.array([1.0, 2.0])) == r"\begin{bmatrix} 1 & 2 \end{bmatrix}"
    assert latex_value(np.array([1.0, 2.0]), column=True) == \
        r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}"
    assert latex_value(np.array([[1.0, 2.0], [3.0, 4.0]])) == \
        r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"


def test_a_program_of_layers_is_a_chain_too() -> None:
    program = "; ".join(f"h{i + 1} = relu(h{i} * w{i})" for i in range(4))
    values = {"h0": np.float64(0.5)} | {f"w{i}": np.float64(3.0) for i in range(4)}
    layers = explain(program, values).layers
    assert layers is not None and layers.verdict == "exploding"
    assert [r.nodes for r in layers.rows] == [["h1"], ["h2"], ["h3"], ["h4"]]
    assert layers.factor == pytest.approx(3.0)
    tanh = "; ".join(f"h{i + 1} = tanh(h{i} * 2 + 1)" for i in range(4))
    saturated = explain(tanh, {"h0": np.float64(0.5)}).layers
    assert saturated is not None and saturated.verdict == "vanishing"
    assert "Each tanh multiplies it by 1 - a**2" in saturated.remark
