"""Formula answers: compared numerically on the exercise's own domain (marking/formulas.py)."""

from pathlib import Path

import numpy as np
import pytest

from gradtutor.base.errors import ExerciseError
from gradtutor.exercises.answers import parse_answers
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import load_exercise
from gradtutor.marking import formulas

BATCH_NETWORK = """\
id: batch-softmax
title: A two-layer network, softmax and cross-entropy, a batch of two
given:
  X: [[1.0, -0.5], [0.3, 0.8]]
  W1: [[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]]
  b1: [0.1, 0.0, -0.1]
  W2: [[0.3, -0.1], [0.2, 0.4], [-0.5, 0.1]]
  b2: [0.0, 0.1]
  Y: [[1, 0], [0, 1]]
network:
  layers:
    - {weights: W1, bias: b1, activation: sigmoid}
    - {weights: W2, bias: b2, activation: softmax}
  loss: cross-entropy
ask: [dL/dz2, dL/dW2, dL/db2]
"""


def steps_of(ex: object, answers: str) -> dict:
    result = check_answers(ex, parse_answers(answers, file="a.yaml", exercise_id=None))
    return {s.step: s for s in result.steps}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ex.yaml"
    path.write_text(text)
    return path


def test_the_bundled_softmax_accepts_the_course_answer_a_minus_y() -> None:
    steps = steps_of(load_exercise("softmax"), "answers:\n  dL/dz: a - y\n  dL/da: -y/a\n")
    assert steps["dL/dz"].verdict == "correct"
    assert steps["dL/da"].verdict == "correct"


def test_a_wrong_formula_on_the_domain_is_still_wrong() -> None:
    steps = steps_of(load_exercise("softmax"), "answers:\n  dL/dz: y - a\n  dL/da: -1/a\n")
    assert steps["dL/dz"].verdict == "wrong"
    assert steps["dL/da"].verdict == "wrong"  # equal only where y is all ones


def test_batch_forms_are_accepted_on_a_network_with_one_hot_targets(tmp_path: Path) -> None:
    ex = load_exercise(str(write(tmp_path, BATCH_NETWORK)))
    assert ex.domain["Y"] == "one-hot"
    steps = steps_of(ex, "answers:\n  dL/dz2: (a2 - Y)/2\n  dL/dW2: a1.T @ (a2 - Y) / 2\n"
                     "  dL/db2: sum((a2 - Y)/2, 0)\n")
    assert {s.verdict for s in steps.values()} == {"correct"}
    wrong = steps_of(ex, "answers:\n  dL/dz2: a2 - Y\n")
    assert wrong["dL/dz2"].verdict == "wrong"  # the 1/m of the mean forgotten


def test_drawn_points_keep_one_hot_rows_simplex_rows_and_fixed_values() -> None:
    rng = np.random.default_rng(1)
    one_hot = np.array([[1.0, 0, 0], [0, 0, 1]])
    for _ in range(20):
        drawn = formulas._draw(one_hot, "one-hot", rng)
        assert set(np.unique(drawn)) <= {0.0, 1.0}
        np.testing.assert_array_equal(drawn.sum(1), [1, 1])
        simplex = formulas._draw(np.array([0.2, 0.3, 0.5]), "simplex", rng)
        assert np.all(simplex >= 0) and np.isclose(simplex.sum(), 1)
        assert formulas._draw(one_hot, "fixed", rng) is one_hot
        assert np.all(formulas._draw(np.array([-1.0, 2.0]), "positive", rng) > 0)


def test_fixed_and_domain_are_declared_in_the_exercise(tmp_path: Path) -> None:
    ex = load_exercise(str(write(tmp_path, BATCH_NETWORK + "fixed: [X]\n"
                                 "domain: {W2: free, Y: one-hot}\n")))
    assert ex.domain["X"] == "fixed" and ex.domain["W1"] == "free"
    bad = BATCH_NETWORK + "domain: {W1: one-hot, Q: free, b1: round}\n"
    with pytest.raises(ExerciseError) as error:
        load_exercise(str(write(tmp_path, bad)))
    text = str(error.value)
    assert "'W1' is declared one-hot but its given value is not" in text
    assert "'Q' is not a name under 'given'" in text
    assert "unknown domain 'round'" in text


def test_a_formula_may_name_other_steps_as_their_true_values() -> None:
    steps = steps_of(load_exercise("sigmoid-neuron"),
                     "answers:\n  df8/df5: f6 * df8/df6\n  df8/df6: ∂f8/∂f7\n"
                     "  df8/dw0: x0 * df8/df3\n  df8/dx0: w1 * df8/df1\n")
    assert steps["df8/df5"].verdict == "correct"
    assert "df8/df6 read as its true value" in steps["df8/df5"].message
    assert steps["df8/df6"].verdict == "correct"
    assert steps["df8/dw0"].verdict == "correct"
    assert steps["df8/dx0"].verdict == "wrong"
    assert steps["df8/dx0"].message.startswith("w1 * df8/df1 is not the formula for df8/dx0")


def test_a_reference_to_no_step_says_how_to_name_one() -> None:
    steps = steps_of(load_exercise("sigmoid-neuron"), "answers:\n  df8/df5: f6 * dq/df6\n")
    assert steps["df8/df5"].verdict == "invalid"
    assert "a formula may name another step as dA/dB" in steps["df8/df5"].message


def test_the_truth_at_the_drawn_points_is_computed_once_per_exercise() -> None:
    ex = load_exercise("softmax")
    first = formulas._points(ex)
    steps_of(ex, "answers:\n  dL/dz: a - y\n")
    assert formulas._points(ex) is first
    assert first[0].given is ex.given  # the given point is always one of them
