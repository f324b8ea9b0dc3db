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


# A name or a reference in a formula stands for its true value: an answer that names its
# own step, or a step the procedure only knows after it, would earn credit for nothing.
def _asked(exercise_id: str) -> list:
    ex = load_exercise(exercise_id)
    return [item.step for item in getattr(ex, "ask", []) if not item.step.is_update]


GRAPH_IDS = [i for i in sorted(p.stem for p in (Path(__file__).parent.parent / "exercises")
                               .glob("*.yaml")) if "perceptron" not in i]


@pytest.mark.parametrize("exercise_id", GRAPH_IDS)
def test_a_step_answered_with_its_own_name_earns_nothing(exercise_id: str) -> None:
    ex = load_exercise(exercise_id)
    asked = _asked(exercise_id)
    answers = "answers:\n" + "".join(f"  {step.text}: '{step.text}'\n" for step in asked)
    steps = steps_of(ex, answers)
    assert {name: step.verdict for name, step in steps.items() if name in
            {s.text for s in asked}} == dict.fromkeys((s.text for s in asked), "invalid")
    assert all("the step it answers" in steps[s.text].message for s in asked)


@pytest.mark.parametrize("exercise_id", ["add-mul-gate", "fan-out", "sigmoid-neuron",
                                         "linear-layer", "mlp-mse"])
def test_no_two_steps_can_vouch_for_each_other(exercise_id: str) -> None:
    """Each step answered with the other's name: at most one of the two is right."""
    ex = load_exercise(exercise_id)
    asked = _asked(exercise_id)
    pairs = [(a, b) for i, a in enumerate(asked) for b in asked[i + 1:]]
    for first, second in pairs:
        steps = steps_of(ex, f"answers:\n  {first.text}: '{second.text}'\n"
                         f"  {second.text}: '{first.text}'\n")
        verdicts = (steps[first.text].verdict, steps[second.text].verdict)
        assert verdicts.count("correct") <= 1, (first.text, second.text, verdicts)


def test_circular_formulas_are_invalid_with_a_reason() -> None:
    steps = steps_of(load_exercise("add-mul-gate"),
                     "answers:\n  q: f/z\n  dq/dx: df/dx / df/dq\n  dq/dy: df/dz\n"
                     "  df/dy: df/dx\n")
    assert {name: s.verdict for name, s in steps.items() if s.given is not None} == \
        dict.fromkeys(("q", "dq/dx", "dq/dy", "df/dy"), "invalid")
    assert steps["q"].message == "the formula names f, which is computed from q: write q " \
        "from the values it is computed from"
    assert steps["dq/dy"].message.startswith("the formula names df/dz, which the backward "
                                             "pass does not know before dq/dy")
    assert "the formula names df/dz, a gradient" in steps_of(
        load_exercise("add-mul-gate"), "answers:\n  q: df/dz\n")["q"].message


def test_the_chain_rule_written_as_a_formula_is_still_right() -> None:
    fan = steps_of(load_exercise("fan-out"),
                   "answers:\n  f: s + t\n  df/dq: df/ds * 2*q + df/dt * 3\n"
                   "  df/dw: x * df/dq\n  df/dx: df/dq * dq/dx\n  df/ds: 1\n")
    assert {name: s.verdict for name, s in fan.items() if s.given is not None} == \
        dict.fromkeys(("f", "df/dq", "df/dw", "df/dx", "df/ds"), "correct")
    layer = steps_of(load_exercise("linear-layer"),
                     "answers:\n  dL/dW: X.T @ dL/dY\n  dL/dX: dL/dY @ W.T\n"
                     "  dL/db: sum(dL/dY, 0)\n")
    assert {name: s.verdict for name, s in layer.items() if s.given is not None} == \
        dict.fromkeys(("dL/dW", "dL/dX", "dL/db"), "correct")
