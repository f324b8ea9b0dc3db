"""Step names in answers files: matched as students write them (exercises/answers.py)."""

import json

import pytest

from gradtutor.exercises.answers import match_step, parse_answers
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import load_exercise
from gradtutor.render import export

ASKED = ["L", "dL/dw1", "dL/dx2", "dL/dW", "dL/dw"]


@pytest.mark.parametrize(("key", "step"), [
    ("dL/dw1", "dL/dw1"), ("\u2202L/\u2202x2", "dL/dx2"), ("dL/dW1", "dL/dw1"),
    ("l", "L"), ("dL/dW", "dL/dW"), ("dL/dw", "dL/dw"),
])
def test_a_key_names_a_step_exactly_with_partial_signs_or_regardless_of_case(
        key: str, step: str) -> None:
    assert match_step(key, ASKED).step == step


def test_two_steps_differing_only_in_case_are_never_guessed_between() -> None:
    found = match_step("dl/DW", ASKED)
    assert found.step is None
    assert found.suggestion == "dL/dW or dL/dw"


def test_an_unknown_key_gets_the_closest_step_as_a_suggestion() -> None:
    assert match_step("dL/dw_1", ASKED).suggestion == "dL/dw1"
    assert match_step("zzz", ASKED).suggestion is None


def test_the_suggestion_reaches_every_output_format() -> None:
    ex = load_exercise("softmax")
    text = "answers:\n  a: [0.659, 0.2424, 0.09857]\n  \u2202L/\u2202A: [-1.517, 0, 0]\n" \
        "  dL/d_z: [-0.341, 0.2424, 0.09857]\n"
    result = check_answers(ex, parse_answers(text, file="a.yaml", exercise_id=None))
    steps = {s.step: s for s in result.steps}
    assert steps["dL/da"].verdict == "correct"  # ∂L/∂A, regardless of case
    hint = "did you mean dL/dz?"
    assert steps["dL/dz"].verdict == "missing" and hint in steps["dL/dz"].message
    assert hint in export.check_csv([result])
    assert hint in export.check_json([result])
    assert hint in json.dumps(export.gradescope(result))
    assert hint in json.dumps(export.prairielearn(result))


@pytest.mark.parametrize("written", ["Max-Gate", " max-gate ", "max-gate.yaml", "MAX-GATE.yml"])
def test_the_exercise_line_is_read_as_a_student_types_it(written: str) -> None:
    answers = parse_answers(f"exercise: '{written}'\nanswers:\n  f1: -15\n", file="a.yaml",
                            exercise_id="max-gate")
    assert list(answers.answers) == ["f1"]


def test_another_exercise_is_still_refused() -> None:
    from gradtutor.base.errors import AnswersError

    with pytest.raises(AnswersError, match="these answers are for exercise 'max-gates'"):
        parse_answers("exercise: max-gates\nanswers: {}\n", file="a.yaml", exercise_id="max-gate")


@pytest.mark.parametrize(("written", "verdict"), [
    ("1.6 × 10^4", "correct"), ("1.55*10**4", "correct"), ("1.6 · 10^(4)", "correct"),
    ("1.6e4", "correct"), ("2 × 10^4", "wrong"), ("1.7 × 10^4", "wrong")])
def test_times_ten_notation_keeps_its_figures_as_e_notation_does(written: str,
                                                                 verdict: str) -> None:
    """exploding-relu-chain's df9/dx is 15,500: 1.6 × 10^4 is it to the two figures written,
    as 1.6e4 is; 2 × 10^4 has too few figures."""
    ex = load_exercise("exploding-relu-chain")
    text = f"exercise: exploding-relu-chain\nanswers:\n  df9/dx: '{written}'\n"
    result = check_answers(ex, parse_answers(text, file="a.yaml", exercise_id=ex.id))
    step = next(s for s in result.steps if s.step == "df9/dx")
    assert step.verdict == verdict, step.message
    if written.startswith("2 "):
        assert step.diagnosis == "too-few-figures"
