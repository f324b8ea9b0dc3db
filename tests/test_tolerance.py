"""The tolerance scales with the quantity; sigfigs, decimals and per-step rules."""

from pathlib import Path

import numpy as np

from gradtutor.base.compare import Tolerance, close
from gradtutor.exercises.answers import parse_answers
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import load_exercise

EXERCISE = """\
id: precise
title: precision rules
given: {x: 0.7311, y: 0.0332}
graph:
  a: 1*x
  b: 1*y
output: b
ask:
  - a
  - step: b
    tolerance: {decimals: 3}
tolerance: {sigfigs: 3}
"""


def test_no_absolute_floor_lets_zero_a_sign_or_four_times_pass_on_a_small_value() -> None:
    tol = Tolerance(scale=1.0)
    true = np.float64(2e-6)
    for wrong in (0.0, -2e-6, 8e-6):
        assert not close(np.float64(wrong), true, tol)
    assert close(np.float64(2.01e-6), true, tol)
    assert close(np.float64(0.0), np.float64(0.0), tol)
    assert not close(np.float64(1e-6), np.float64(0.0), tol)


def test_sigfigs_and_decimals_per_exercise_and_per_step(tmp_path: Path) -> None:
    path = tmp_path / "precise.yaml"
    path.write_text(EXERCISE)
    ex = load_exercise(str(path))

    def verdicts(answers: str) -> dict:
        result = check_answers(ex, parse_answers(f"answers: {{{answers}}}", file="a.yaml"))
        return {s.step: (s.verdict, s.diagnosis) for s in result.steps}

    assert verdicts("a: 0.731, b: 0.033") == {"a": ("correct", None), "b": ("correct", None)}
    assert verdicts("a: 0.73, b: 0.03")["a"] == ("wrong", "too-few-figures")
    assert verdicts("a: 0.735, b: 0.034") == {"a": ("wrong", None), "b": ("wrong", None)}


def test_rounding_the_final_value_is_too_few_figures_not_rounded_early() -> None:
    ex = load_exercise(str(Path(__file__).parent / "corpus" / "exercises" / "mean-loss.yaml"))
    result = check_answers(ex, parse_answers("answers: {L: 0.4}", file="a.yaml"))
    step = next(s for s in result.steps if s.step == "L")
    assert (step.verdict, step.diagnosis) == ("wrong", "too-few-figures")
    assert "give at least 2 significant figures" in step.message
