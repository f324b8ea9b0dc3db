"""Words students read: points (not weight), a mistyped exercise id, the template's command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
GRAPH = "id: pts\ntitle: t\ngiven: {x: 2}\ngraph: {f: x*x}\nask:\n  - {step: f, %s}\n"
PERCEPTRON = ("id: pts\nkind: perceptron\ntitle: t\ninputs: [x1]\ntable: [[0, 1], [1, 0]]\n"
              "ask:\n  - {step: weights, %s}\n")


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("text", [GRAPH, PERCEPTRON])
@pytest.mark.parametrize("key", ["points", "weight"])
def test_points_and_its_alias_weight_are_read(text: str, key: str, tmp_path: Path) -> None:
    path = tmp_path / "ex.yaml"
    path.write_text(text % f"{key}: 3")
    run = invoke("solve", str(path), "--format", "json")
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    if "steps" in data:
        assert data["steps"][0]["points"] == data["steps"][0]["weight"] == 3.0


@pytest.mark.parametrize(("text", "line"), [(GRAPH, 6), (PERCEPTRON, 7)])
def test_points_and_weight_at_once_is_an_error_naming_the_field(text: str, line: int,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "ex.yaml"
    path.write_text(text % "points: 2, weight: 2")
    run = invoke("validate", str(path))
    assert run.exit_code == 2
    assert f"{path}:{line}: ask[0].weight: give 'points' or 'weight'" in run.output


def test_solve_of_an_exercise_shows_a_points_column() -> None:
    run = invoke("solve", "max-gate", "--format", "plain")
    assert run.output.splitlines()[2].split() == ["step", "value", "points"]


@pytest.mark.parametrize("command", ["solve", "explain"])
@pytest.mark.parametrize(("typed", "meant"), [("maxgate", "max-gate"),
                                              ("sigmoid-neron", "sigmoid-neuron")])
def test_a_name_close_to_a_bundled_id_is_a_mistyped_exercise(command: str, typed: str,
                                                             meant: str) -> None:
    run = invoke(command, typed)
    assert run.exit_code == 2
    assert f"no exercise '{typed}'; did you mean {meant}?" in run.output


def test_a_name_far_from_every_id_is_still_an_expression() -> None:
    run = invoke("solve", "x", "--format", "json")
    assert run.exit_code == 0, run.output


def test_the_template_names_a_command_that_works(tmp_path: Path) -> None:
    own = tmp_path / "my exercise.yaml"
    own.write_text((ROOT / "exercises" / "max-gate.yaml").read_text())
    last = [line for line in invoke("template", str(own)).output.splitlines()
            if line.startswith("# Then run")]
    assert last == [f"# Then run: gradtutor check '{own}' THIS_FILE"]
    assert "# Then run: gradtutor check max-gate THIS_FILE" in invoke("template",
                                                                       "max-gate").output
