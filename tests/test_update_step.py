"""The SGD update step `W - lr*dL/dW`: its key, follow-through from the student's own
gradient, and its diagnoses (linear-layer, notes 004)."""

from pathlib import Path

import numpy as np
import pytest

from gradtutor.base.errors import GradtutorError
from gradtutor.exercises.answers import parse_answers
from gradtutor.exercises.exercise import parse_step
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import load_exercise
from gradtutor.marking.check import answer_key

UPDATE_W = "W - lr*dL/dW"


def verdicts(text: str) -> dict[str, tuple[str, str | None]]:
    ex = load_exercise("linear-layer")
    result = check_answers(ex, parse_answers(f"exercise: linear-layer\nanswers:\n{text}",
                                             file="update.yaml", exercise_id="linear-layer"))
    return {s.step: (s.verdict, s.diagnosis) for s in result.steps}


def test_the_key_is_w_minus_lr_times_the_gradient() -> None:
    ex = load_exercise("linear-layer")
    X, W, b, G, lr = (ex.given[n] for n in ("X", "W", "b", "G", "lr"))
    key = answer_key(ex).expected
    np.testing.assert_allclose(key[UPDATE_W], W - lr * (X.T @ G))
    np.testing.assert_allclose(key["b - lr*dL/db"], b - lr * G.sum(axis=0))


def test_an_update_of_a_wrong_gradient_follows_through() -> None:
    found = verdicts("  dL/dW: [[-0.2, 0.95], [-0.1, -0.45]]\n"
                     "  W - lr*dL/dW: [[0.52, -1.095], [1.51, 0.245]]\n")
    assert found["dL/dW"] == ("wrong", "transposed")
    assert found[UPDATE_W] == ("follow-through", None)


def test_a_wrong_update_is_wrong() -> None:
    found = verdicts("  dL/dW: [[-0.2, -0.1], [0.95, -0.45]]\n"
                     "  W - lr*dL/dW: [[0.6, -0.9], [1.5, 0.3]]\n")
    assert found["dL/dW"] == ("correct", None)
    assert found[UPDATE_W] == ("wrong", None)


def test_the_update_is_parsed_in_one_form() -> None:
    step = parse_step(" W -  lr *  dL / dW ")
    assert (step.text, step.wrt, step.rate, step.gradient.text) == \
        (UPDATE_W, "W", "lr", "dL/dW")
    assert step.is_update and not step.is_gradient
    with pytest.raises(GradtutorError, match="own gradient"):
        parse_step("W - lr*dL/db")


def test_an_update_names_given_values(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("id: t\ntitle: t\ngiven: {w: 2.0}\ngraph: {L: w * w}\noutput: L\n"
                    "ask: [dL/dw, w - eta*dL/dw]\n", encoding="utf-8")
    with pytest.raises(GradtutorError, match="'eta' is not a given value"):
        load_exercise(str(path))
