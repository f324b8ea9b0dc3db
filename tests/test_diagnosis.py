"""Named misconceptions and error carried forward.

For every code in the catalogue: an answers file that makes exactly that mistake on a real
exercise gets exactly that diagnosis. A correct answer never gets one. And corrupting one
forward value of a key, then recomputing everything downstream correctly, gives `wrong` on
the corrupted step and `follow-through` (never `wrong`) downstream.
"""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradtutor.exercises.answers import Answer, Answers, parse_answers
from gradtutor.exercises.exercise import Exercise, bundled_ids
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import AnyExercise, load_exercise
from gradtutor.marking.check import answer_key
from gradtutor.marking.diagnosis import CATALOGUE, CODES, by_code
from gradtutor.marking.recompute import Overrides, step_value

FIXTURES = Path(__file__).parent / "fixtures" / "mistakes"

CORPUS = Path(__file__).parent / "corpus" / "exercises"

# code -> (exercise, the answers that make exactly that mistake, the step that shows it); an
# exercise of the fair-grader corpus is named by its file
MISTAKES = {
    "sign-flipped": ("softmax", "dL/dz: [0.341, -0.2424, -0.0986]", "dL/dz"),
    "transposed": ("vectorized-norm", "df/dW: [[0.088, 0.104], [0.176, 0.208]]", "df/dW"),
    "factor-of-two": ("vectorized-norm", "df/dW: [[0.044, 0.088], [0.052, 0.104]]", "df/dW"),
    "activation-derivative-wrong-argument": (
        "vanishing-sigmoid-chain", "dL/da3: -0.428\n  dL/dz3: -0.0879", "dL/dz3"),
    "activation-not-differentiated": ("deep-sigmoid-chain",
                                      "dL/da1: 7.997e-06\n  dL/dz1: 4.197e-06", "dL/dz1"),
    "relu-always-one": ("mlp-batch", "dL/dZ1: [[-0.49, 0.84], [0.69, -1.18]]", "dL/dZ1"),
    "added-not-multiplied": ("deep-sigmoid-chain", "dL/da4: 0.5128\n  dL/dz4: 0.7626",
                             "dL/dz4"),
    "own-value-at-multiply": ("deep-sigmoid-chain", "dL/dz2: 8.0e-05\n  dL/dw2: 8.0e-06",
                              "dL/dw2"),
    "forward-value-as-gradient": ("mean-loss", "dL/dv: [0.6, -1.5, 3.0, 0.9]", "dL/dv"),
    "local-gradient-missing": ("deep-sigmoid-chain", "dL/da3: 0.01281\n  dL/dz3: 0.01281",
                               "dL/dz3"),
    "missing-half": ("deep-sigmoid-chain", "dL/da4: 1.026", "dL/da4"),
    "mean-not-divided": ("mlp-mse", "dL/da2: [[-0.6569], [0.3245], [-0.2727], [-0.6502]]",
                         "dL/da2"),
    "local-gradient-only": ("add-mul-gate", "df/dx: 1", "df/dx"),
    "fan-out-not-summed": ("fan-out", "df/dq: 3", "df/dq"),
    "wrong-branch": ("max-gate", "df4/dz: 0", "df4/dz"),
    "batch-sum-vs-mean": ("mlp-batch", "dL/db1: [0.345, -0.591]", "dL/db1"),
    "not-reduced-over-batch": ("linear-layer", "dL/db: [[0.1, -0.2], [0.3, -0.1], [0.2, 0.0]]",
                               "dL/db"),
    "shape-mismatch": ("linear-layer", "dL/db: [[0.6], [-0.3]]", "dL/db"),
    "too-few-figures": ("tanh-neuron", "L: 0.1", "L"),
    "rounded-early": ("sigmoid-neuron", "df8/df4: 0.19", "df8/df4"),
    "update-sign-flipped": ("linear-layer", "'W - lr*dL/dW': [[0.48, -1.01], [1.595, 0.155]]",
                            "W - lr*dL/dW"),
    "learning-rate-forgotten": ("linear-layer", "'b - lr*dL/db': [-0.5, 0.1]", "b - lr*dL/db"),
}


def exercise_named(exercise_id: str) -> AnyExercise:
    corpus = CORPUS / f"{exercise_id}.yaml"
    return load_exercise(str(corpus) if corpus.exists() else exercise_id)


def test_every_code_has_a_case() -> None:
    assert sorted(MISTAKES) == sorted(CODES)


@pytest.mark.parametrize("code", sorted(MISTAKES))
def test_each_mistake_gets_exactly_its_diagnosis(code: str) -> None:
    exercise_id, answers, step = MISTAKES[code]
    ex = exercise_named(exercise_id)
    text = f"exercise: {exercise_id}\nanswers:\n  {answers}\n"
    result = check_answers(ex, parse_answers(text, file=f"{code}.yaml", exercise_id=ex.id))
    found = {s.step: s for s in result.steps}
    assert found[step].verdict == "wrong", found[step].message
    assert found[step].diagnosis == code, found[step].message
    misconception = by_code(code)
    assert misconception.explanation in found[step].message
    assert misconception.fix.replace("{figures}", "2") in found[step].message
    diagnosed = [s.step for s in result.steps if s.diagnosis]
    assert diagnosed == [step]


def test_catalogue_entries_read_well() -> None:
    for misconception in CATALOGUE:
        assert misconception.explanation and misconception.fix
        assert "\n" not in misconception.explanation + misconception.fix
    assert len(set(CODES)) == len(CODES)


@pytest.mark.parametrize("exercise_id", [i for i in bundled_ids()
                                         if isinstance(load_exercise(i), Exercise)])
def test_a_correct_answer_never_gets_a_diagnosis(exercise_id: str) -> None:
    ex = load_exercise(exercise_id)
    key = answer_key(ex)
    for figures in (None, 4):
        answers = {}
        for step, value in key.expected.items():
            shown = value if figures is None else np.round(value, figures)
            answers[step] = Answer(step, np.asarray(shown).tolist(), {}, None)
        result = check_answers(ex, Answers("key.yaml", ex.id, None, answers))
        assert all(s.diagnosis is None for s in result.steps)


def test_the_notes_slips_are_caught() -> None:
    ex = load_exercise("vectorized-norm")
    result = check_answers(ex, parse_answers(
        "answers: {df/dW: [[0.088, 0.104], [0.176, 0.208]]}", file="notes.yaml"))
    assert {s.step: s.diagnosis for s in result.steps}["df/dW"] == "transposed"
    ex = load_exercise("vanishing-sigmoid-chain")
    text = (Path(__file__).parent.parent / "exercises" / "answers" /
            "vanishing-sigmoid-chain.yaml").read_text()
    result = check_answers(ex, parse_answers(text, file="notes.yaml"))
    verdicts = {s.step: (s.verdict, s.diagnosis, s.origin) for s in result.steps}
    assert verdicts["dL/dz3"] == ("wrong", "activation-derivative-wrong-argument", None)
    for step in ("dL/da2", "dL/dz2", "dL/da1", "dL/dz1", "dL/dw3", "dL/dw2", "dL/dw1"):
        assert verdicts[step] == ("follow-through", None, "dL/dz3")


GRAPH_IDS = [i for i in bundled_ids() if isinstance(load_exercise(i), Exercise)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(GRAPH_IDS), st.data(), st.floats(1.15, 1.9), st.booleans())
def test_a_corrupted_forward_value_is_wrong_and_what_follows_is_follow_through(
        exercise_id: str, data: st.DataObject, factor: float, negate: bool) -> None:
    ex = load_exercise(exercise_id)
    forward = [item for item in ex.ask if not item.step.is_gradient
               and item.step.wrt in ex.graph.assigned]
    if not forward:
        return
    corrupted_item = data.draw(st.sampled_from(forward))
    key = answer_key(ex)
    true_value = key.expected[corrupted_item.step.text]
    bad = true_value * (-factor if negate else factor)
    if not np.all(np.abs(bad - true_value) > 0.05 * np.abs(true_value) + 1e-3):
        return  # too close to the truth to be wrong (e.g. a zero entry)
    index = ex.graph.names[corrupted_item.step.wrt]
    student = Overrides(forward={index: bad})
    # the student's whole key: every step recomputed correctly from the corrupted value
    answers = {}
    for item in ex.ask:
        value = bad if item is corrupted_item else step_value(ex, item.step, student)
        assume(np.all(np.isfinite(value)))  # NaN is always wrong, never carried forward
        answers[item.step.text] = Answer(item.step.text, np.asarray(value).tolist(), {}, None)
    result = check_answers(ex, Answers("corrupted.yaml", ex.id, None, answers))
    verdicts = {s.step: s for s in result.steps}
    assert verdicts[corrupted_item.step.text].verdict == "wrong"
    for item in ex.ask:
        if item is corrupted_item:
            continue
        step = verdicts[item.step.text]
        assert step.verdict in ("correct", "follow-through"), (item.step.text, step.message)
        if step.verdict == "follow-through":
            assert step.origin == corrupted_item.step.text
