"""Exercise files: the format is the contract, and every authoring mistake is located."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.base.errors import ExerciseError
from gradtutor.cli.app import app
from gradtutor.exercises.exercise import (
    Exercise,
    bundled_ids,
    parse_step,
)
from gradtutor.exercises.yamlio import load_yaml
from gradtutor.kinds import exercise_from_yaml, load_exercise

runner = CliRunner()

# The SPEC's own example, character for character: written by someone else, never seen.
SPEC_EXAMPLE = (Path(__file__).parent / "fixtures" / "spec-example.yaml").read_text()


def load(text: str, name: str = "ex.yaml") -> Exercise:
    return exercise_from_yaml(load_yaml(text, file=name, error=ExerciseError))


def problems(text: str) -> list[str]:
    with pytest.raises(ExerciseError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems] or [str(caught.value)]


def test_every_bundled_exercise_loads() -> None:
    ids = bundled_ids()
    for required in ("add-mul-gate", "x-plus-yz", "max-gate", "sigmoid-neuron", "score-bias",
                     "vectorized-norm", "vanishing-sigmoid-chain", "exploding-relu-chain",
                     "linear-layer", "mlp-mse", "softmax", "and-perceptron", "or-perceptron",
                     "xor-perceptron"):
        assert required in ids
    for exercise_id in ids:
        assert load_exercise(exercise_id).id == exercise_id


def test_the_spec_example_loads_solves_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "theirs.yaml"
    path.write_text(SPEC_EXAMPLE)
    ex = load_exercise(str(path))
    assert [item.step.text for item in ex.ask] == ["f6", "f8", "df8/df7", "df8/dw0"]
    assert ex.ask[3].weight == 2 and ex.ask[3].hint.startswith("The gradient")
    key = tmp_path / "key.yaml"
    solved = runner.invoke(app, ["solve", str(path), "--format", "yaml"])
    assert solved.exit_code == 0
    key.write_text(solved.stdout)
    checked = runner.invoke(app, ["check", str(path), str(key), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    validated = runner.invoke(app, ["validate", str(path)])
    assert validated.exit_code == 0 and "1 self-test pass" in validated.stdout


def test_defaults() -> None:
    ex = load("id: tiny\ntitle: t\ngiven: {x: 2}\ngraph: {q: x*x, f: q + 1}\n")
    assert ex.output == "f"
    assert [i.step.text for i in ex.ask] == ["q", "f", "df/dq", "df/dx"]
    assert (ex.tolerance.rel, ex.tolerance.abs, ex.follow_through) == (0.01, None, 1.0)


def test_nodes_out_of_order_are_sorted() -> None:
    ex = load("id: tiny\ntitle: t\ngiven: {x: 2}\ngraph: {f: q + 1, q: x*x}\n")
    assert ex.graph.assigned == ["q", "f"]


def test_network_shorthand_expands_into_named_nodes() -> None:
    ex = load_exercise("mlp-mse")
    assert ex.kind == "network"
    assert ex.nodes == {"z1": "X @ W1 + b1", "a1": "sigmoid(z1)", "z2": "a1 @ W2 + b2",
                        "a2": "z2", "L": "0.5*mean((a2 - Y)**2)"}


@pytest.mark.parametrize(("text", "expected"), [
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: x +}\n",
     "ex.yaml:4: graph.f: expected a number, a name or '(', found end of input (column 4"),
    ("id: x\ntitle: t\ngiven: 5\ngraph: {f: x}\n",
     "ex.yaml:3: given: 'given' must map input names to values"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: x}\ntolerence: {rel: 0.1}\n",
     "ex.yaml:5: tolerence: unknown key 'tolerence' (did you mean 'tolerance'?)"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph:\n  f: x + f9\n",
     "ex.yaml:5: graph.f: undefined name 'f9'"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph:\n  a: b + x\n  b: a * 2\n",
     "ex.yaml:5: graph.a: cycle: a -> b -> a"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: 2*x}\nask: [f, df/dz]\n",
     "ex.yaml:5: ask[1]: step 'df/dz': no node or input 'z'"),
    ("id: x\ntitle: t\ngiven: {W: [[1, 2]], v: [1, 2, 3]}\ngraph:\n  q: W @ v\n",
     "ex.yaml:5: graph.q: shape error at q = W @ v: cannot multiply (1, 2) @ (3,)"),
    ("id: x\ntitle: t\ngiven: {x: [[1, 2], [3]]}\ngraph: {f: x}\n",
     "ex.yaml:3: given.x: ragged matrix: rows have lengths 2, 1"),
    ("id: Not_An_Id\ntitle: t\ngiven: {x: 1}\ngraph: {f: x}\n",
     "ex.yaml:1: id: 'Not_An_Id' is not a valid id"),
    ("title: t\ngiven: {x: 1}\ngraph: {f: x}\n", "ex.yaml:1: missing 'id'"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: x, f: 2}\n", "duplicate key 'f'"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: x}\noutput: g\n",
     "ex.yaml:5: output: output 'g' is not a node"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: x}\nask:\n  - {step: f, weight: -1}\n",
     "ex.yaml:6: ask[0].weight: weight must be a positive number"),
    ("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: __import__(x)}\n",
     "graph.f: names may not start with two underscores"),
    ("- a list\n", "ex.yaml:1: an exercise is a mapping of keys (id, title, ...), not a list"),
    ("", "the file is empty"),
    ("id: x\ntitle: t\ngiven: {X: [[1.0]], Y: [[1.0]], W1: [[1.0]]}\n"
     "network:\n  layers:\n    - {weights: W1, activation: softplus}\n",
     "network.layers[0].activation: unknown activation 'softplus'"),
])
def test_each_mistake_names_file_line_and_field(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems("id: x\ntitle: t\ngiven: {x: 1}\ngraph:\n  f: x + y\n  g: z\n"
                     "colour: red\n")
    assert len(found) == 3


@pytest.mark.parametrize(("text", "expected"), [
    ("f6", ("f6", None)), ("df8/df7", ("f7", "f8")), (" df8 / df7 ", ("f7", "f8")),
])
def test_step_names(text: str, expected: tuple) -> None:
    step = parse_step(text)
    assert (step.wrt, step.of) == expected


def test_bad_files_through_the_cli(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: t\ngiven: {x: 1}\ngraph: {f: x + y}\n")
    for args in (["validate", str(bad)], ["check", str(bad), str(bad)], ["solve", str(bad)],
                 ["template", str(bad)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert f"{bad}:4: graph.f: undefined name 'y'" in result.stderr
        assert "Traceback" not in result.output


def test_unknown_bundled_id_suggests_one() -> None:
    result = runner.invoke(app, ["solve", "sigmoid-nueron"])
    # an id-looking target that is no bundled exercise is taken as an expression
    assert result.exit_code == 2
    result = runner.invoke(app, ["check", "sigmoid-nueron", "x.yaml"])
    assert result.exit_code == 2
    assert "did you mean sigmoid-neuron?" in result.stderr


def test_bundled_exercises_ship_inside_the_package() -> None:
    from gradtutor.exercises.exercise import bundled_dir

    assert (bundled_dir() / "sigmoid-neuron.yaml").is_file()
    assert np.isclose(load_exercise("sigmoid-neuron").given["w0"], 2.0)


@pytest.mark.parametrize("name", ["e", "pi"])
def test_a_node_or_input_named_like_a_constant_is_refused_with_its_line(
        tmp_path: Path, name: str) -> None:
    path = tmp_path / "err.yaml"
    path.write_text(f"id: err\ntitle: t\ngiven: {{a: 0.8, y: 1.0}}\ngraph:\n"
                    f"  {name}: a - y\n  L: 0.5*{name}**2\n")
    with pytest.raises(ExerciseError) as error:
        load_exercise(str(path))
    text = str(error.value)
    assert f"'{name}' cannot name a node" in text and "err.yaml:5:" in text
    path.write_text(f"id: err\ntitle: t\ngiven: {{{name}: 0.8}}\ngraph:\n  L: 2*{name}\n")
    with pytest.raises(ExerciseError) as error:
        load_exercise(str(path))
    assert f"'{name}' cannot name an input" in str(error.value)
