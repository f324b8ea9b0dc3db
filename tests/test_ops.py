"""One spec per operation: the spec's forms agree, and softplus, leaky_relu and sign (each
added as one entry in gradtutor/ops/specs.py) work in the engine, the symbolic side, the
walkthrough and every command."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.base.errors import ExpressionError
from gradtutor.cli.app import app
from gradtutor.engine import crosscheck, symbolic
from gradtutor.engine.graph import backprop, build_graph, evaluate
from gradtutor.exercises.answers import parse_answers
from gradtutor.kinds import explain, kind_of, load_exercise
from gradtutor.lang.parser import parse_program
from gradtutor.ops.specs import NUMPY, OPS
from gradtutor.walkthrough.terms import TERMS, name_leaf, show, upstream_leaf

runner = CliRunner()


def solve(source: str, **inputs: float) -> tuple[float, dict[str, float]]:
    graph = build_graph(parse_program(source))
    values = evaluate(graph, {n: np.asarray(v) for n, v in inputs.items()})
    grads = backprop(graph, values, graph.output)
    return float(values[graph.output]), {n: float(grads[graph.names[n]]) for n in graph.inputs}


# -- the engine: hand values, finite differences, kinks -----------------------------------


@pytest.mark.parametrize(("source", "x", "value", "slope"), [
    ("softplus(x)", 0.0, np.log(2.0), 0.5),
    ("softplus(x)", 2.0, np.log1p(np.exp(2.0)), 1 / (1 + np.exp(-2.0))),
    ("softplus(x)", -800.0, 0.0, 0.0),  # computed stably: no overflow, no nan
    ("softplus(x)", 800.0, 800.0, 1.0),
    ("leaky_relu(x)", 3.0, 3.0, 1.0),
    ("leaky_relu(x)", -2.0, -0.02, 0.01),
    ("leaky_relu(x)", 0.0, 0.0, 0.01),  # at the kink: the left slope, as relu'(0) = 0
    ("leaky_relu(x, 0.2)", -2.0, -0.4, 0.2),
    ("leaky_relu(x, 0.2)", 0.5, 0.5, 1.0),
    ("sign(x)", -3.0, -1.0, 0.0),
    ("sign(x)", 0.0, 0.0, 0.0),
    ("sign(x)", 0.25, 1.0, 0.0),
])
def test_new_operations_by_hand(source: str, x: float, value: float, slope: float) -> None:
    got, grads = solve(source, x=x)
    assert got == pytest.approx(value, abs=1e-12)
    assert grads["x"] == pytest.approx(slope, abs=1e-12)


@pytest.mark.parametrize("source", ["softplus(x * w) + w", "leaky_relu(x * w - 1) * w",
                                    "leaky_relu(x, 0.3) * w", "sign(x) * w + softplus(w)"])
def test_new_operations_agree_with_finite_differences(source: str) -> None:
    graph = build_graph(parse_program(source))
    present = {"x": np.asarray(-1.3), "w": np.asarray(0.7)}
    values = evaluate(graph, present)
    grads = backprop(graph, values, graph.output)
    gradients = {n: grads[graph.names[n]] for n in present}
    assert crosscheck.finite_differences(graph, present, gradients).status == "agree"


@pytest.mark.parametrize("source", ["leaky_relu(x)", "sign(x)", "leaky_relu(x, 0.2)"])
def test_new_kinks_are_reported_as_kinks(source: str) -> None:
    graph = build_graph(parse_program(source))
    present = {"x": np.asarray(0.0)}
    values = evaluate(graph, present)
    grads = backprop(graph, values, graph.output)
    verdict = crosscheck.finite_differences(graph, present, {"x": grads[graph.names["x"]]})
    assert verdict.status == "kink"


def test_leaky_relu_works_entrywise_on_arrays() -> None:
    graph = build_graph(parse_program("sum(leaky_relu(v, 0.1) * u)"))
    values = evaluate(graph, {"v": np.array([-1.0, 0.0, 2.0]), "u": np.array([1.0, 2.0, 3.0])})
    grads = backprop(graph, values, graph.output)
    assert float(values[graph.output]) == pytest.approx(-0.1 + 0 + 6.0)
    np.testing.assert_allclose(grads[graph.names["v"]], [0.1, 0.2, 3.0])


@pytest.mark.parametrize(("source", "message"), [
    ("leaky_relu(x, y)", "the second argument of leaky_relu() is the slope"),
    ("leaky_relu(x, 1, 2)", "leaky_relu() takes 1 or 2 argument(s), got 3"),
    ("sign(x, 1)", "sign() takes 1 argument(s), got 2"),
    ("softplus = 2", "'softplus' is a function and cannot be assigned"),
])
def test_bad_calls_get_clear_messages(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_program(source)


def test_a_constant_call_folds_with_its_slope() -> None:
    assert solve("leaky_relu(-2, 0.5) * x", x=1.0)[1]["x"] == pytest.approx(-1.0)


# -- the symbolic side ---------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    ("softplus(x)", {"x": "sigmoid(x)"}),
    ("leaky_relu(x)", {"x": "99*step(x)/100 + 1/100"}),
    ("leaky_relu(x, 0.2)", {"x": "4*step(x)/5 + 1/5"}),
    ("sign(x) * y", {"x": "0", "y": "sign(x)"}),
    ("softplus(x)**2", {"x": "2*sigmoid(x)*softplus(x)"}),
    ("leaky_relu(x, 0.2)**2", {"x": "2*(4*step(x) + 1)*leaky_relu(x, 0.2)/5"}),
])
def test_symbolic_formulas(source: str, expected: dict[str, str]) -> None:
    gradients = symbolic.scalar_gradients(build_graph(parse_program(source)))
    assert {n: symbolic.formula(e) for n, e in gradients.items()} == expected


def test_symbolic_values_match_the_engine() -> None:
    source = "softplus(x * y) + leaky_relu(x - y, 0.3) * sign(y)"
    graph = build_graph(parse_program(source))
    inputs = {"x": np.asarray(-0.8), "y": np.asarray(1.7)}
    values = evaluate(graph, inputs)
    grads = backprop(graph, values, graph.output)
    for name, formula in symbolic.scalar_gradients(graph).items():
        assert float(symbolic.value_at(formula, inputs)) == pytest.approx(
            float(grads[graph.names[name]]))


# -- one spec, three algebras: the forms of an entry cannot drift apart ---------------------


@pytest.mark.parametrize("name", [n for n, op in OPS.items() if op.grad is not None])
def test_each_spec_gradient_agrees_with_its_numbers(name: str) -> None:
    """Where an entry keeps its own numeric rule (to keep pinned outputs bit for bit), the
    gradient it writes for the symbolic side and the walkthrough gives the same numbers."""
    op = OPS[name]
    rng = np.random.default_rng(7)
    arity = 2 if name in ("add", "sub", "mul", "div", "pow", "max", "min") else 1
    for _ in range(20):
        ins = [rng.uniform(0.3, 2.0, size=3) * rng.choice([-1, 1], size=3) for _ in range(arity)]
        if name in ("log", "sqrt", "pow"):
            ins[0] = np.abs(ins[0])
        out = np.asarray(op.forward(ins, {}))
        g = rng.normal(size=out.shape)
        numeric = op.vjp(g, ins, out, {}, [True] * arity)
        written = op.grad(NUMPY, g, ins, out, {})
        for got, want in zip(written, numeric, strict=True):
            if got is not None and want is not None:
                np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-12)


def test_the_gradient_is_written_once_for_terms() -> None:
    x, g = name_leaf("z", np.float64(-1.0)), upstream_leaf("f", "a", np.float64(1.0))
    out = name_leaf("a", np.float64(-0.2))
    (term,) = OPS["leaky_relu"].grad(TERMS, g, [x], out, {"slope": 0.2})
    assert show(term) == "(step(z) + 0.2 * (1 - step(z))) * (df/da)"
    assert show(term, numbers=True) == "(step(-1) + 0.2 * (1 - step(-1))) * 1"
    (term,) = OPS["softplus"].grad(TERMS, g, [x], out, {})
    assert show(term, latex=True) == r"\sigma\left(z\right) \cdot \frac{\partial f}{\partial a}"


# -- the walkthrough and every command ------------------------------------------------------


def test_explain_walks_through_a_leaky_relu() -> None:
    walk = explain("leaky_relu(x*w)", {"x": np.asarray(-2.0), "w": np.asarray(3.0)})
    assert [n.operation for n in walk.nodes] == ["input", "input", "multiply gate",
                                                 "leaky relu"]
    local = next(item for item in walk.locals if item.of == "f")
    assert local.formula.text == "99*step(n1)/100 + 1/100"
    gradients = {symbol.text: float(value) for symbol, value in walk.gradients}
    assert gradients == {"df/dx": pytest.approx(0.03), "df/dw": pytest.approx(-0.02),
                         "df/dn1": pytest.approx(0.01)}


@pytest.mark.parametrize("fmt", ["plain", "markdown", "latex", "dot", "json"])
@pytest.mark.parametrize("source", ["leaky_relu(x*w)", "softplus(x) * sign(w)",
                                    "leaky_relu(x, 0.2) + softplus(w)"])
def test_explain_in_every_format(source: str, fmt: str) -> None:
    result = runner.invoke(app, ["explain", source, "--at", "x=-2", "--at", "w=3",
                                 "--format", fmt])
    assert result.exit_code == 0, result.output
    assert source.split("(")[0].split("_")[0] in result.output


def test_explain_a_vector_step_writes_the_rule() -> None:
    result = runner.invoke(app, ["explain", "sum(leaky_relu(W @ x, 0.2))", "--at",
                                 "W=[[1, -2], [0.5, 1]]", "--at", "x=[1, -1]", "--format",
                                 "plain"])
    assert result.exit_code == 0, result.output
    assert "df/dn1 = (step(n1) + 0.2 * (1 - step(n1))) * (df/dn2)" in result.output


@pytest.mark.parametrize("fmt", ["json", "plain", "rich"])
def test_solve_in_every_format(fmt: str) -> None:
    result = runner.invoke(app, ["solve", "softplus(x) + leaky_relu(x*y, 0.2) + sign(y)",
                                 "--at", "x=-1", "--at", "y=2", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert json.dumps(data).count("sigmoid(x)") >= 1
    else:
        assert "sigmoid" in result.output


def test_check_a_formula_answer_that_uses_them(tmp_path: Path) -> None:
    path = tmp_path / "leaky.yaml"
    path.write_text("id: leaky\ntitle: A leaky relu\ngiven: {x: -2, w: 3}\n"
                    "graph:\n  z: x*w\n  a: leaky_relu(z, 0.2)\n  f: softplus(a) + sign(w)\n"
                    "output: f\nask: [a, df/dz, da/dz, df/dx]\n")
    exercise = load_exercise(str(path))
    answers = parse_answers("answers:\n  a: leaky_relu(-6, 0.2)\n"
                            "  df/dz: 'sigmoid(a) * 0.2'\n  da/dz: '0.2'\n"
                            "  df/dx: 'sigmoid(leaky_relu(x*w, 0.2)) * 0.2 * w'\n",
                            file="a.yaml", exercise_id="leaky")
    steps = {s.step: s for s in kind_of(exercise).check(exercise, answers).steps}
    assert {name: s.verdict for name, s in steps.items()} == dict.fromkeys(
        ["a", "df/dz", "da/dz", "df/dx"], "correct")


# -- the light path never imports sympy ------------------------------------------------------


def test_parsing_and_the_numeric_engine_do_not_import_sympy() -> None:
    code = (
        "import sys, numpy as np, gradtutor\n"
        "from gradtutor.lang.parser import parse_program\n"
        "from gradtutor.engine.graph import build_graph, evaluate, backprop\n"
        "from gradtutor.engine import crosscheck\n"
        "g = build_graph(parse_program('softplus(x) + leaky_relu(x, 0.2) * sign(x) + x**2'))\n"
        "x = {'x': np.asarray(1.5)}\n"
        "v = evaluate(g, x); gr = backprop(g, v, g.output)\n"
        "crosscheck.finite_differences(g, x, {'x': gr[g.names['x']]})\n"
        "print('sympy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
