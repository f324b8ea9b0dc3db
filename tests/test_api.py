"""The public Python API: `import gradtutor as gt`. Each result's `.to_dict()` is the JSON the
command prints for the same input, and the errors are the named exceptions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import gradtutor as gt
from gradtutor.base.errors import AnswersError, ExerciseError, GradtutorError, ParseError
from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "exercises" / "answers"
AT = {"x": -2, "y": 5, "z": -4}
runner = CliRunner()


def cli_json(*args: str) -> object:
    outcome = runner.invoke(app, [*args, "--format", "json"])
    assert outcome.exit_code in (0, 1), outcome.stderr
    return json.loads(outcome.stdout)


def at(values: dict[str, object]) -> list[str]:
    return [item for name, v in values.items() for item in ("--at", f"{name}={v}")]


def test_importing_gradtutor_stays_light() -> None:
    code = ("import gradtutor, sys; print(sorted(m for m in ('sympy', 'rich', 'typer', "
            "'numpy', 'yaml') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert loaded.stdout == "[]\n"


def test_the_api_is_listed() -> None:
    assert {"solve", "check", "check_files", "explain", "template", "load_exercise",
            "GradtutorError"} <= set(dir(gt))
    assert gt.GradtutorError is GradtutorError
    with pytest.raises(AttributeError):
        gt.no_such_function  # noqa: B018


# -- solve -----------------------------------------------------------------------------------


def test_solve_an_expression() -> None:
    solved = gt.solve("(x+y)*z", **AT)
    assert isinstance(solved, gt.Solution)
    assert solved.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert solved.value == -12.0
    assert solved.formulas == {"x": "z", "y": "z", "z": "x + y"}
    assert solved.checks == {"finite_difference": "agree", "symbolic": "agree"}


@pytest.mark.parametrize(("source", "values"), [
    ("(x+y)*z", AT),
    ("q = x + y; f = q*z", AT),
    ("sum((W@x)**2)", {"W": [[0.1, 0.5], [-0.3, 0.8]], "x": [0.2, 0.4]}),
    ("x*y", {"x": 2}),  # a value missing: the symbolic result and a message
])
def test_solve_to_dict_is_the_cli_json(source: str, values: dict) -> None:
    expected = cli_json("solve", source, *at({k: json.dumps(v) for k, v in values.items()}))
    assert gt.solve(source, **values).to_dict() == expected


def test_solve_takes_numpy_values() -> None:
    solved = gt.solve("sum(W@x)", W=np.eye(2), x=np.array([1.0, 2.0]))
    np.testing.assert_allclose(solved.gradients["x"], [1.0, 1.0])
    assert gt.solve("x*y", x=np.float64(2), y="1/2").value == 1.0


@pytest.mark.parametrize("exercise", ["sigmoid-neuron", "max-gate", "and-perceptron",
                                      "xor-perceptron"])
def test_solve_an_exercise_gives_its_key(exercise: str) -> None:
    key = gt.solve(exercise)
    assert isinstance(key, gt.AnswerKey)
    assert key.to_dict() == cli_json("solve", exercise)
    assert gt.check(exercise, key.steps).all_correct


def test_solve_a_loaded_exercise() -> None:
    ex = gt.load_exercise(ROOT / "exercises" / "max-gate.yaml")
    key = gt.solve(ex)
    assert isinstance(key, gt.AnswerKey) and key.exercise == "max-gate"
    assert key.answers_yaml().startswith("# Answer key for max-gate: ")


def test_solve_display() -> None:
    markdown = gt.solve("(x+y)*z", **AT)._repr_markdown_()
    assert "$\\mathrm{f} = -12$" in markdown
    assert "| $\\partial \\mathrm{f} / \\partial \\mathrm{x}$ | `z` | $-4$ |" in markdown
    assert markdown == gt.solve("(x+y)*z", **AT)._repr_markdown_()  # the markdown renderer's
    html = gt.solve("(x+y)*z", **AT)._repr_html_()
    assert "<td>$\\partial \\mathrm{f} / \\partial \\mathrm{x}$</td>\n<td><code>z</code></td>" \
        "\n<td>$-4$</td>" in html


# -- check -----------------------------------------------------------------------------------


def test_check_a_file_is_the_cli_json() -> None:
    path = str(ANSWERS / "sigmoid-neuron.yaml")
    checked = gt.check("sigmoid-neuron", path)
    assert checked.to_dict() == cli_json("check", "sigmoid-neuron", path)


def test_check_answers_from_a_dict() -> None:
    checked = gt.check("sigmoid-neuron", {"f8": 0.73})
    f8 = next(step for step in checked.steps if step.step == "f8")
    assert f8.verdict == "correct"
    assert checked.score == 1.0 and not checked.all_correct
    assert "| `f8` | correct | `0.73` | `0.731059` | 1/1 |" in checked._repr_markdown_()


def test_a_dict_answer_is_read_as_the_same_file_would_be(tmp_path: Path) -> None:
    answers = {"f8": 0.7, "df8/df7": -0.534, "f4": [1, 2], "f6": "e**-1"}
    file = tmp_path / "a.yaml"
    file.write_text("exercise: sigmoid-neuron\nanswers:\n  f8: 0.7\n  df8/df7: -0.534\n"
                    "  f4: [1, 2]\n  f6: 'e**-1'\n")
    from_file = gt.check("sigmoid-neuron", file).to_dict()
    from_dict = gt.check("sigmoid-neuron", answers).to_dict()
    assert from_dict.pop("answers_file") == "<answers>"
    from_file.pop("answers_file")
    for step in from_file["steps"]:  # where in the file; a dict has no lines
        step.pop("line", None)
    assert from_dict == from_file
    verdicts = {s["step"]: s["verdict"] for s in from_dict["steps"]}
    assert [verdicts[step] for step in answers] == ["wrong", "correct", "wrong", "correct"]


def test_check_loaded_answers() -> None:
    path = ANSWERS / "max-gate.yaml"
    answers = gt.load_answers(path, "max-gate")
    assert gt.check("max-gate", answers).to_dict() == gt.check("max-gate", path).to_dict()


def test_check_files_is_the_cli_json(tmp_path: Path) -> None:
    paths = [str(ANSWERS / "sigmoid-neuron.yaml"), str(tmp_path / "broken.yaml")]
    (tmp_path / "broken.yaml").write_text("answers: [1\n")
    checked = gt.check_files("sigmoid-neuron", paths)
    outcome = runner.invoke(app, ["check", "sigmoid-neuron", *paths, "--format", "json"])
    assert outcome.exit_code == 2
    assert checked.to_dict() == json.loads(outcome.stdout)
    assert checked.summary.files == 2 and checked.summary.checked == 1
    assert "# class summary: 2 files, 1 checked, 1 unreadable" in checked._repr_markdown_()


def test_check_files_of_a_folder() -> None:
    checked = gt.check_files("max-gate", ANSWERS / "max-gate.yaml")
    assert checked.to_dict() == cli_json("check", "max-gate", str(ANSWERS / "max-gate.yaml"))


# -- explain and template ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [("max-gate",), ("and-perceptron",), ("(x+y)*z",)])
def test_explain_to_dict_is_the_cli_json(args: tuple[str, ...]) -> None:
    values = AT if args[0] == "(x+y)*z" else {}
    assert gt.explain(*args, **values).to_dict() == cli_json("explain", *args, *at(values))


def test_explain_displays_math() -> None:
    assert "$$" in gt.explain("max-gate")._repr_markdown_()
    assert "$$" in gt.explain("and-perceptron")._repr_markdown_()
    html = gt.explain("max-gate")._repr_html_()
    assert html.startswith("<h1>A max gate routes the gradient")
    assert "\\frac{\\partial f_{1}}{\\partial x} &amp;= y \\\\\n" in html  # LaTeX kept as is


def test_html_holds_no_raw_html_from_the_input() -> None:
    checked = gt.check("sigmoid-neuron", {"f8": "<script>alert(1)</script>"})
    assert "<script>" not in checked._repr_html_()
    assert "<script>" not in gt.solve("max-gate")._repr_html_()
    assert gt.explain("max-gate").render("latex").startswith("\\documentclass")


def test_explain_a_step_and_a_loaded_exercise() -> None:
    walk = gt.explain(gt.load_exercise("max-gate"), step=11)
    assert "Step 11 of 11: df4/dw" in walk.text()
    assert "Answer" not in gt.explain("max-gate", step=11, hint=True).text()


def test_template_is_the_cli_text() -> None:
    outcome = runner.invoke(app, ["template", "sigmoid-neuron"])
    assert gt.template("sigmoid-neuron") == outcome.stdout


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: gt.solve("(x+"), ParseError, "expected a number"),
    (lambda: gt.solve("x*y", w=1), GradtutorError, "value w: 'w' does not appear"),
    (lambda: gt.solve("x*y", x="oops"), GradtutorError, "value x: "),
    (lambda: gt.solve("max-gate", x=1), GradtutorError, "values are for expressions"),
    (lambda: gt.load_exercise("sigmoid-nueron"), ExerciseError, "did you mean sigmoid-neuron"),
    (lambda: gt.check("max-gate", ANSWERS / "sigmoid-neuron.yaml"), AnswersError,
     "not 'max-gate'"),
    (lambda: gt.check("max-gate", ANSWERS / "missing.yaml"), AnswersError, "missing.yaml"),
    (lambda: gt.check_files("max-gate", []), GradtutorError, "no answers files found"),
    (lambda: gt.explain("(x+y)*z", x=1), GradtutorError, "give a value for y, z"),
    (lambda: gt.explain("max-gate", step=12), GradtutorError, "step takes 1 to 11"),
])
def test_errors_are_named_exceptions_not_exits(call, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)


def test_the_readme_example_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    code = readme.split("<!-- python-api -->\n```python\n")[1].split("```\n<!-- /python-api")[0]
    code += "\nprint(walk._repr_markdown_().count('$$') > 0, key.exercise, blank[:2])\n"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert ran.stdout.splitlines() == [
        "{'x': -4.0, 'y': -4.0, 'z': 3.0}", "-12.0 {'x': 'z', 'y': 'z', 'z': 'x + y'}",
        "score 1/17; 1 of 16 steps correct; first to fix: f4 (missing)",
        "True sigmoid-neuron # "]


def test_explain_stays_the_function_after_the_walkthrough_layer_is_imported() -> None:
    code = ("import gradtutor as gt, gradtutor.walkthrough.explain, gradtutor.api; "
            "assert gt.explain is gradtutor.api.explain; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
