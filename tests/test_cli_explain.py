"""`gradtutor explain` through the command line: formats, options, exit codes, messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

runner = CliRunner()
AT = ["--at", "x=-2", "--at", "y=5", "--at", "z=-4"]


def explain(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["explain", *args])
    return result.exit_code, result.stdout, result.stderr


def test_plain_is_the_default_in_a_pipe() -> None:
    code, out, err = explain("add-mul-gate")
    assert (code, err) == (0, "")
    assert out.startswith("An add gate feeding a multiply gate: f = (x + y) z\n=====")
    assert "     df/dx = 1 * df/dq = 1 * (-4) = -4\n" in out


def test_an_expression_with_at_values() -> None:
    code, out, _ = explain("(x+y)*z", *AT, "--format", "plain")
    assert code == 0
    assert out.startswith("f = (x + y) * z\n===============\n\nGiven: x = -2, y = 5, z = -4\n"
                          "Output: f\nNodes: each operation is one node, named n1, n2, ... in "
                          "forward order; the output is f\n")
    assert "   n1 = x + y = -2 + 5 = 3\n   f = n1 * z = 3 * (-4) = -12\n" in out
    assert out.endswith("5) Gradients\n   df/dx = -4\n   df/dy = -4\n   df/dz = 3\n"
                        "   df/dn1 = -4\n")


def test_a_program() -> None:
    code, out, _ = explain("q = x + y; f = q*z", *AT, "-f", "plain")
    assert code == 0
    assert "   q = x + y = -2 + 5 = 3\n" in out and "n1" not in out


@pytest.mark.parametrize(("form", "start", "inside"), [
    ("markdown", "# A sigmoid neuron with two inputs\n", r"f_{8} &= \frac{1}{f_{7}}"),
    ("latex", "\\documentclass[11pt]{article}\n", r"\end{document}"),
    ("dot", 'digraph "f8_walkthrough" {\n', '"f7" -> "f8" [label="df8/df7 = -1/f7**2\\n= '
                                           '-0.534447"];'),
    ("rich", "╭─ A sigmoid neuron with two inputs", "∂f8/∂w0 = x0 * ∂f8/∂f1 = -1 * 0.196612 "
                                                     "= -0.196612"),
])
def test_every_format(form: str, start: str, inside: str) -> None:
    code, out, err = explain("sigmoid-neuron", "--format", form)
    assert (code, err) == (0, "")
    assert out.startswith(start)
    assert inside in out


def test_step_then_hint() -> None:
    code, out, _ = explain("max-gate", "--step", "11", "-f", "plain")
    assert code == 0
    assert "Step 11 of 11: df4/dw (2 points)\n\nHint: The input of a max gate that lost " \
        "receives no gradient at all.\n" in out
    assert "   df4/dw = step(w - z) * df4/df2 = 0 * 2 = 0\n" in out
    assert out.endswith("Answer: df4/dw = 0\n")
    code, out, _ = explain("max-gate", "--step", "11", "--hint", "-f", "plain")
    assert code == 0 and "Answer" not in out and "df4/df2 = 0 * 2" not in out


@pytest.mark.parametrize(("args", "message"), [
    (["(x+y)*z", "--at", "x=1"], "error: --at: explain fills in every number: give a value "
                                 "for y, z\n"),
    (["(x+"], "error: expected a number, a name or '(', found end of input (column 4)\n"
              "  (x+\n     ^\n"),
    (["sigmoid-nueron"], "did you mean sigmoid-neuron?"),
    (["missing.yaml"], "missing.yaml"),
    (["and-perceptron", "--step", "2"], "error: --step: and-perceptron asks 1 part (weights): "
                                         "step takes 1 to 1, not 2\n"),
    (["add-mul-gate", "--at", "x=1"], "error: --at: an exercise has its own given values"),
    (["add-mul-gate", "--step", "9"], "error: --step: add-mul-gate asks 8 steps: step "
                                      "takes 1 to 8, not 9\n"),
    (["add-mul-gate", "--hint"], "error: --hint: --hint goes with --step N\n"),
    (["add-mul-gate", "--step", "1", "-f", "dot"], "--step shows one step in words"),
    (["(x+y)*z", *AT, "--step", "1"], "error: --step: step reveals the asked steps of an exercise"),
])
def test_bad_input_exits_2_with_one_message(args: list[str], message: str) -> None:
    code, out, err = explain(*args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_json_is_the_walkthrough_data_with_the_numbers_of_solve() -> None:
    code, out, err = explain("sigmoid-neuron", "--format", "json")
    assert (code, err) == (0, "")
    walk = json.loads(out)
    assert (walk["kind"], walk["output"]) == ("exercise", "f8")
    nodes = {node["name"]: node for node in walk["nodes"]}
    key = json.loads(runner.invoke(app, ["solve", "sigmoid-neuron", "-f", "json"]).stdout)
    for step in key["steps"]:
        of, _, wrt = step["step"].partition("/")
        if not wrt:
            assert nodes[of]["value"] == pytest.approx(step["expected"], rel=1e-12)
        elif of == "df8":
            assert nodes[wrt[1:]]["grad"] == pytest.approx(step["expected"], rel=1e-12)
    assert nodes["w0"]["grad"] == pytest.approx(-0.1966119332)  # the notes' dw0 = -0.197
    assert [step["name"] for step in walk["backward"]][:2] == ["f8", "f7"]


def test_json_of_a_perceptron_walkthrough() -> None:
    code, out, _ = explain("xor-perceptron", "--format", "json")
    assert code == 0
    walk = json.loads(out)
    assert (walk["kind"], walk["separable"]) == ("perceptron", False)
    assert [unit["name"] for unit in walk["network"]["hidden"]] == ["h1", "h2"]


def test_unknown_format_and_bad_step_are_usage_errors() -> None:
    assert explain("add-mul-gate", "--format", "yaml")[0] == 2
    assert explain("add-mul-gate", "--step", "0")[0] == 2


def test_help_names_the_formats_and_the_kink_conventions() -> None:
    result = runner.invoke(app, ["explain", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for word in ("markdown", "latex", "dot", "--step", "--hint", "relu'(0) = 0",
                 "gradtutor explain sigmoid-neuron --format latex"):
        assert word in result.stdout
