"""Checking answers: verdicts, scores, tolerance and rounding, text answers, bad steps."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import gradtutor as gt
from gradtutor.base import limits
from gradtutor.base.compare import Tolerance, close, matches_rounding, written_precision
from gradtutor.base.errors import AnswersError
from gradtutor.cli.app import app
from gradtutor.exercises.answers import parse_answers
from gradtutor.exercises.exercise import Exercise, bundled_ids
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import load_exercise
from gradtutor.marking.check import answer_key

from oracle import ORACLES

ROOT = Path(__file__).resolve().parent.parent
EXPECTATIONS = yaml.safe_load((ROOT / "tests" / "sample_expectations.yaml").read_text())
runner = CliRunner()
GRAPH_IDS = [i for i in bundled_ids() if isinstance(load_exercise(i), Exercise)]


def check_text(exercise_id: str, answers: str) -> dict:
    ex = load_exercise(exercise_id)
    result = check_answers(ex, parse_answers(answers, file="a.yaml", exercise_id=ex.id))
    return {s.step: s for s in result.steps} | {"_result": result}


@pytest.mark.parametrize("exercise_id", sorted(EXPECTATIONS["exercises"]))
def test_each_sample_answers_file_gets_the_verdicts_its_mistakes_deserve(exercise_id: str
                                                                          ) -> None:
    expected = EXPECTATIONS["exercises"][exercise_id]
    ex = load_exercise(exercise_id)
    result = check_answers(ex, parse_answers((ROOT / expected["answers"]).read_bytes(),
                                              file=expected["answers"], exercise_id=ex.id))
    for step in result.steps:
        want = expected["steps"][step.step]
        assert step.verdict == want["verdict"], (step.step, step.message)
        allowed = {want.get("diagnosis"), *want.get("also", [])}
        assert step.diagnosis in allowed if want["verdict"] == "wrong" else \
            step.diagnosis is None, step.step
    assert result.max_score == expected["max_score"]
    assert result.score == expected["correct_weight"] + expected["follow_through_weight"]


@pytest.mark.parametrize("exercise_id", GRAPH_IDS)
def test_answer_key_matches_the_independent_oracle(exercise_id: str) -> None:
    if exercise_id not in ORACLES:
        pytest.skip("no hand-written oracle for this exercise")
    key = answer_key(load_exercise(exercise_id))
    for step, value in key.expected.items():
        np.testing.assert_allclose(value, ORACLES[exercise_id][step], rtol=1e-9, atol=1e-12,
                                   err_msg=f"{exercise_id} {step}")


@pytest.mark.parametrize("exercise_id", bundled_ids())
def test_key_checks_fully_correct_and_template_fully_missing(exercise_id: str,
                                                             tmp_path: Path) -> None:
    key = runner.invoke(app, ["solve", exercise_id, "--format", "yaml"])
    assert key.exit_code == 0
    (tmp_path / "key.yaml").write_text(key.stdout)
    checked = runner.invoke(app, ["check", exercise_id, str(tmp_path / "key.yaml"),
                                  "--format", "json"])
    assert checked.exit_code == 0, checked.output
    data = json.loads(checked.stdout)
    assert {s["verdict"] for s in data["steps"]} == {"correct"}
    assert data["score"] == data["max_score"]
    blank = runner.invoke(app, ["template", exercise_id])
    assert blank.exit_code == 0
    (tmp_path / "blank.yaml").write_text(blank.stdout)
    checked = runner.invoke(app, ["check", exercise_id, str(tmp_path / "blank.yaml"),
                                  "--format", "json"])
    assert checked.exit_code == 1
    data = json.loads(checked.stdout)
    assert {s["verdict"] for s in data["steps"]} == {"missing"}
    assert data["score"] == 0


def test_validate_passes_for_every_bundled_exercise() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "exercises")])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok: ") == len(bundled_ids())


@pytest.mark.parametrize(("text", "precision"), [
    ("0.73", (2, 2)), ("-0.54", (2, 2)), ("0.20", (2, 2)), ("7.3e-1", (2, 2)),
    ("1.36", (2, 3)), ("0.7", (1, 1)), ("15500", (0, 3)), ("x", None),
])
def test_written_precision(text: str, precision: tuple | None) -> None:
    got = written_precision(text)
    assert got == precision if precision is None or text != "15500" else got[0] == 0


def test_rounding_rule() -> None:
    assert matches_rounding(0.73, 0.7311, "0.73")
    assert not matches_rounding(0.7, 0.7311, "0.7")  # one significant figure
    assert matches_rounding(0.20, 0.1966, "0.20")  # trailing zero as written
    assert not matches_rounding(0.19, 0.1966, "0.19")
    assert not matches_rounding(-0.09, -0.0879, "-0.09")


def test_tolerance_relative_or_absolute() -> None:
    tol = Tolerance(0.01, 1e-4)
    assert close(np.asarray(0.7311 * 1.009), np.asarray(0.7311), tol)
    assert not close(np.asarray(0.7311 * 1.02), np.asarray(0.7311), tol)
    assert close(np.asarray(5e-5), np.asarray(0.0), tol)
    assert not close(np.asarray(np.nan), np.asarray(0.0), tol)
    assert not close(np.asarray([1.0, 2.0]), np.asarray([1.0, 2.0, 3.0]), tol)


def test_numbers_pass_by_tolerance_or_rounding() -> None:
    steps = check_text("sigmoid-neuron", "exercise: sigmoid-neuron\nanswers:\n  f8: 0.73\n"
                       "  f6: 0.7\n  df8/dw0: -0.2\n  df8/dx0: 0.3932\n")
    assert steps["f8"].verdict == "correct"
    assert steps["f6"].verdict == "wrong"
    assert steps["df8/dw0"].verdict == "wrong"  # -0.2 is 1.7% off and has one figure
    assert steps["df8/dx0"].verdict == "correct"


def test_vectors_and_matrices_entry_by_entry_after_the_shape() -> None:
    steps = check_text("vectorized-norm", "answers:\n  q: [0.22, 0.26]\n"
                       "  df/dW: [[0.088, 0.176], [0.104, 0.21]]\n  df/dx: [-0.112, 0.636, 0]\n")
    assert steps["q"].verdict == "correct"
    assert steps["df/dW"].verdict == "correct"  # 0.21 is 0.96% from 0.208
    assert steps["df/dx"].verdict == "wrong"
    assert "expected shape 2, got 3" in steps["df/dx"].message


def test_text_answers_are_evaluated_or_checked_as_formulas() -> None:
    steps = check_text("add-mul-gate", "answers:\n  f: '(-2 + 5) * -4'\n  df/dx: z\n"
                       "  df/dz: x + y\n  df/dq: '2*z'\n  dq/dx: '1'\n  df/dy: y\n")
    assert steps["f"].verdict == "correct"
    assert steps["df/dx"].verdict == "correct"
    assert steps["df/dz"].verdict == "correct"
    assert "points of the exercise's domain" in steps["df/dz"].message
    assert steps["df/dq"].verdict == "wrong"
    assert steps["dq/dx"].verdict == "correct"
    assert steps["df/dy"].verdict == "wrong"


def test_formulas_may_use_node_names() -> None:
    steps = check_text("sigmoid-neuron", "answers:\n  df8/df7: '-1/f7**2'\n"
                       "  df8/df5: 'df8 * f6'\n  df8/df6: '-1/(1 + f6)**2'\n")
    assert steps["df8/df7"].verdict == "correct"
    assert steps["df8/df5"].verdict == "invalid"
    assert "unknown name 'df8'" in steps["df8/df5"].message
    assert steps["df8/df6"].verdict == "correct"


def test_an_equivalence_that_takes_too_long_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "SIMPLIFY_SECONDS", 0.0001)
    from gradtutor.marking import formulas

    ex = load_exercise("sigmoid-neuron")
    step = next(i.step for i in ex.ask if i.step.text == "df8/df7")
    from gradtutor.lang.parser import parse_expression

    verdict = formulas._proof(ex, step, parse_expression("-1/f7**2"), 0.0001, 1)
    assert verdict.verdict == "invalid"
    assert "did not finish within" in verdict.message


@pytest.mark.parametrize(("value", "message"), [
    ("true", "expected a number, got true"),
    ("{a: 1}", "expected a number, a list of numbers or a formula"),
    ("[[1, 2], [3]]", "ragged matrix"),
    ("\"__import__('os')\"", "names may not start with two underscores"),
    ("'9**9**9**9'", "power too large"),
    ("'lambda: 0'", "unexpected character ':'"),
    ("'exp(' ", "expected"),
])
def test_a_bad_step_is_invalid_and_the_rest_is_checked(value: str, message: str) -> None:
    steps = check_text("sigmoid-neuron", f"answers:\n  f6: {value}\n  f8: 0.7311\n")
    assert steps["f6"].verdict == "invalid"
    assert message in steps["f6"].message
    assert steps["f8"].verdict == "correct"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "'nan'"])
def test_nan_and_infinity_are_answers_and_wrong_ones(value: str) -> None:
    steps = check_text("sigmoid-neuron", f"answers:\n  f6: {value}\n")
    assert steps["f6"].verdict in ("wrong", "invalid")
    assert steps["f6"].score == 0


def test_unknown_steps_are_noted_with_a_suggestion() -> None:
    steps = check_text("sigmoid-neuron", "answers:\n  df8/dw3: 1\n  f8: 0.7311\n")
    assert steps["_result"].notes == ["line 2: 'df8/dw3' is not a step of this exercise "
                                      "(did you mean df8/dw2?)"]


def test_answers_for_another_exercise_are_refused() -> None:
    with pytest.raises(AnswersError, match="these answers are for exercise 'max-gate', not "
                       "'sigmoid-neuron'"):
        parse_answers("exercise: max-gate\nanswers: {f1: 1}\n", file="a.yaml",
                      exercise_id="sigmoid-neuron")


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("- 1\n- 2\n", "an answers file is a mapping"),
    ("answers: 5\n", "'answers' must map step names to values"),
    ("exercise: sigmoid-neuron\nanswer: {f8: 1}\n", "unknown key 'answer'"),
])
def test_unreadable_answers_files(text: str, message: str) -> None:
    with pytest.raises(AnswersError, match=message):
        parse_answers(text, file="a.yaml", exercise_id="sigmoid-neuron")


def test_follow_through_credit_is_configurable(tmp_path: Path) -> None:
    source = (ROOT / "exercises" / "exploding-relu-chain.yaml").read_text()
    path = tmp_path / "half.yaml"
    path.write_text(source.replace("output: f9", "output: f9\nfollow_through: 0.5"))
    ex = load_exercise(str(path))
    assert ex.follow_through == 0.5
    answers = parse_answers("answers: {df9/df7: 248, df9/dx: 31000}", file="a.yaml")
    result = check_answers(ex, answers)
    carried = [s for s in result.steps if s.verdict == "follow-through"]
    assert [s.step for s in carried] == ["df9/dx"]
    assert carried[0].score == 0.5 * carried[0].max_score


def test_degenerate_answers_are_not_carried_forward() -> None:
    # a zero entered early does not earn the steps computed from it
    steps = check_text("exploding-relu-chain", "answers: {df9/df7: 0, df9/df6: 0, df9/dx: 0}")
    assert steps["df9/df6"].verdict == "wrong"
    assert steps["df9/dx"].verdict == "wrong"
    # nor does the same number typed for every step
    steps = check_text("add-mul-gate", "answers: {q: 7, f: 7, df/dq: 7, df/dx: 7, df/dz: 7}")
    assert all(steps[s].verdict == "wrong" for s in ("f", "df/dx"))


def test_hints_and_summary() -> None:
    steps = check_text("max-gate", "answers: {df4/dz: 0, df4/dw: 2}")
    result = steps["_result"]
    assert steps["df4/dz"].hint is not None
    assert steps["f1"].verdict == "missing"
    assert result.summary.startswith("score 0/15; 0 of 11 steps correct; first to fix: "
                                     "df4/dz (wrong-branch)")


def test_a_note_repeated_on_rows_in_a_row_is_said_once_with_a_count() -> None:
    from gradtutor.render import draw

    answers = ROOT / "exercises" / "answers" / "exploding-relu-chain.yaml"
    result = check_answers(load_exercise("exploding-relu-chain"),
                           parse_answers(answers.read_bytes(), file=str(answers),
                                         exercise_id="exploding-relu-chain"))
    text = draw.render(result, "plain")
    note = "right given your earlier answers (error carried forward from df9/df7)"
    assert text.count(note) == 1
    assert f"{note} (×9: df9/df6 to df9/dw2)" in " ".join(text.split())


def test_follow_through_taken_back_for_a_key_of_other_numbers_says_nothing_of_it() -> None:
    """Three slips where the given numbers enter, and much carried from them: read as a key
    of other numbers, so nothing follows through; no step may still say it does (the
    feedback that hides expected values shows marking's advice)."""
    answers = {"z1": 1.5, "a1": 0.818, "z2": 0.409, "a2": 0.601, "z3": 1.3, "a3": 0.7859,
               "L": 1.02, "dL/da3": -0.2141, "dL/dz3": -0.03602, "dL/da2": -0.018}
    checked = gt.check("vanishing-sigmoid-chain", answers, feedback="diagnosis").result
    assert {step.verdict for step in checked.steps} == {"wrong", "missing"}
    assert not [step.step for step in checked.steps if "earlier answers" in step.message]
