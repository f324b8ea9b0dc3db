"""Perceptron exercises: separability, the learning rule, networks, checking, loading."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradtutor.base.errors import ExerciseError
from gradtutor.exercises.answers import Answer, Answers, parse_answers
from gradtutor.exercises.perceptron.exact import num, read_number
from gradtutor.exercises.perceptron.functions import name_function
from gradtutor.exercises.perceptron.learning import LearningRule, run_rule
from gradtutor.exercises.perceptron.loading import PerceptronExercise, perceptron_from_yaml
from gradtutor.exercises.perceptron.networks import build_network
from gradtutor.exercises.perceptron.separability import (
    Certificate,
    find_certificate,
    separate,
    vertex_weights,
)
from gradtutor.exercises.perceptron.solving import (
    asked_text,
    key_answers,
    solve_perceptron,
    template_steps,
)
from gradtutor.exercises.perceptron.units import outputs
from gradtutor.exercises.yamlio import load_yaml
from gradtutor.kinds import load_exercise
from gradtutor.marking.perceptron import check_perceptron
from gradtutor.render import draw, export

F = Fraction
CUBE2 = [(F(a), F(b)) for a in (0, 1) for b in (0, 1)]
CUBE3 = [tuple(F(v) for v in p) for p in itertools.product((0, 1), repeat=3)]
ZERO2 = LearningRule((F(0), F(0), F(0)), F(1))
ZERO3 = LearningRule((F(0),) * 4, F(1))


def exercise(text: str, file: str = "ex.yaml") -> PerceptronExercise:
    return perceptron_from_yaml(load_yaml(text, file=file))


def answers(ex_id: str, body: dict[str, object]) -> Answers:
    return Answers("answers.yaml", ex_id, None,
                   {k: Answer(k, v, {(): str(v)} if isinstance(v, int | float) else {}, 3)
                    for k, v in body.items()})


def check_text(ex: PerceptronExercise, text: str):
    return check_perceptron(ex, parse_answers(f"exercise: {ex.id}\nanswers:\n{text}",
                                              file="answers.yaml"))


def table_yaml(rows, targets) -> str:
    return "\n".join(f"  - [{', '.join(num(v) for v in x)}, {t}]"
                     for x, t in zip(rows, targets, strict=True))


def verify(rows, targets, at_zero: int = 1, rule: LearningRule = ZERO2):
    """Separate, and check the proof: weights reproduce the table, or the certificate holds."""
    result = separate(rows, targets, at_zero, rule)
    if result.separable:
        assert outputs(result.weights, rows, at_zero) == list(targets)
        assert result.certificate is None
    else:
        assert result.certificate is not None
        assert result.certificate.verify(rows, targets)
        assert result.weights is None
    return result


# -- separability ----------------------------------------------------------------------------


@pytest.mark.parametrize("at_zero", [0, 1])
def test_exactly_xor_and_xnor_of_the_sixteen_are_not_separable(at_zero):
    inseparable = set()
    for targets in itertools.product((0, 1), repeat=4):
        if not verify(CUBE2, targets, at_zero).separable:
            inseparable.add(targets)
    assert inseparable == {(0, 1, 1, 0), (1, 0, 0, 1)}


def test_104_of_the_256_three_input_functions_are_threshold_functions():
    separable = sum(verify(CUBE3, t, 1, ZERO3).separable
                    for t in itertools.product((0, 1), repeat=8))
    assert separable == 104


def test_xor_certificate_is_the_two_diagonals():
    cert = find_certificate(CUBE2, [0, 1, 1, 0])
    assert cert is not None and cert.verify(CUBE2, [0, 1, 1, 0])
    assert sorted(cert.ones) == [(1, F(1, 2)), (2, F(1, 2))]
    assert sorted(cert.zeros) == [(0, F(1, 2)), (3, F(1, 2))]
    assert cert.point == (F(1, 2), F(1, 2))


def test_a_certificate_that_does_not_hold_is_refused():
    good = find_certificate(CUBE2, [0, 1, 1, 0])
    assert not good.verify(CUBE2, [0, 1, 1, 1])
    bent = Certificate(good.ones, good.zeros, (F(1, 2), F(1, 3)))
    assert not bent.verify(CUBE2, [0, 1, 1, 0])


def test_three_collinear_points_have_a_three_row_certificate():
    rows = [(F(0),), (F(1),), (F(2),)]
    cert = find_certificate(rows, [0, 1, 0])
    assert cert is not None and cert.verify(rows, [0, 1, 0])
    assert cert.point == (F(1),)


def test_a_slow_separable_table_gets_weights_by_linear_programming():
    rows, targets = [(F(1000),), (F(1001),)], [1, 0]
    result = verify(rows, targets, 1, LearningRule((F(0), F(0)), F(1)))
    assert result.separable and not result.converged
    assert vertex_weights(rows, targets) is not None


def test_vertex_weights_on_degenerate_rows():
    rows = [(F(0), F(0)), (F(1), F(1)), (F(2), F(2))]  # all on one line
    weights = vertex_weights(rows, [0, 0, 1])
    assert outputs(weights, rows, 1) == [0, 0, 1]
    assert vertex_weights(rows, [0, 1, 0]) is None


def test_the_learning_rule_converges_on_and_from_zero():
    trace, converged = run_rule(CUBE2, [0, 0, 0, 1], 1, ZERO2)
    assert converged
    assert len(trace) % 4 == 0
    assert not any(t.changed for t in trace[-4:])
    assert outputs(trace[-1].weights, CUBE2, 1) == [0, 0, 0, 1]
    assert [t.index for t in trace] == list(range(1, len(trace) + 1))


def test_the_learning_rule_never_settles_on_xor():
    trace, converged = run_rule(CUBE2, [0, 1, 1, 0], 1, ZERO2, max_epochs=50)
    assert not converged and len(trace) == 200
    for epoch in range(50):
        assert any(t.changed for t in trace[4 * epoch:4 * epoch + 4])


@st.composite
def tables(draw):
    """Distinct small integer points in 2 or 3 dimensions with random 0/1 targets."""
    n = draw(st.integers(1, 3))
    points = draw(st.lists(st.tuples(*[st.integers(-3, 3)] * n), min_size=2, max_size=9,
                           unique=True))
    targets = draw(st.lists(st.integers(0, 1), min_size=len(points), max_size=len(points)))
    return [tuple(F(v) for v in p) for p in points], targets


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(0, 1), st.sampled_from([F(1), F(1, 2), F(3)]))
def test_property_weights_reproduce_or_certificate_verifies(table, at_zero, rate):
    rows, targets = table
    n = len(rows[0])
    result = verify(rows, targets, at_zero, LearningRule((F(0),) * (n + 1), rate))
    if result.separable and result.converged:
        assert result.weights == result.trace[-1].weights


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(0, 1))
def test_property_the_two_layer_network_computes_any_table(table, at_zero):
    rows, targets = table
    n = len(rows[0])
    separation = separate(rows, targets, at_zero, LearningRule((F(0),) * (n + 1), F(1)))
    net = build_network(rows, targets, at_zero, separation)
    assert [net.run(x, at_zero)[2] for x in rows] == list(targets)


def test_three_input_parity_needs_the_staircase():
    targets = [int(sum(x) % 2) for x in CUBE3]
    separation = separate(CUBE3, targets, 1, ZERO3)
    assert not separation.separable
    net = build_network(CUBE3, targets, 1, separation)
    assert [net.run(x, 1)[2] for x in CUBE3] == targets


# -- naming functions --------------------------------------------------------------------------


def test_every_two_input_function_has_its_own_name():
    names = {}
    for targets in itertools.product((0, 1), repeat=4):
        named = name_function(CUBE2, targets, ["x1", "x2"])
        assert named is not None
        names[targets] = named.name
    assert len(set(names.values())) == 16
    assert names[(0, 0, 0, 1)] == "AND"
    assert names[(0, 1, 1, 1)] == "OR"
    assert names[(1, 1, 1, 0)] == "NAND"
    assert names[(1, 0, 0, 0)] == "NOR"
    assert names[(0, 1, 1, 0)] == "XOR"
    assert names[(1, 0, 0, 1)] == "XNOR"
    assert names[(0, 0, 1, 1)] == "x1"
    assert names[(1, 0, 1, 0)] == "NOT x2"
    assert names[(0, 0, 1, 0)] == "x1 AND NOT x2"
    assert names[(1, 0, 1, 1)] == "x1 OR NOT x2"
    assert names[(1, 1, 1, 1)] == "always 1"
    assert names[(0, 0, 0, 0)] == "always 0"


def test_codes_for_named_functions():
    code = {t: name_function(CUBE2, t, ["x1", "x2"]).code
            for t in itertools.product((0, 1), repeat=4)}
    assert code[(0, 1, 1, 1)] == "computes-or"
    assert code[(0, 0, 1, 0)] == "computes-conjunction"
    assert code[(1, 1, 0, 1)] == "computes-disjunction"
    assert code[(0, 1, 0, 1)] == "computes-input"
    assert code[(1, 1, 0, 0)] == "computes-not-input"
    assert code[(0, 0, 0, 0)] == "computes-constant"


def test_three_input_names():
    names = ["a", "b2", "c"]
    majority = [int(sum(x) >= 2) for x in CUBE3]
    assert name_function(CUBE3, majority, names).name == "MAJORITY"
    parity = [int(sum(x) % 2) for x in CUBE3]
    assert name_function(CUBE3, parity, names).code == "computes-xor"
    two = [int(x[0] == 1 and x[2] == 0) for x in CUBE3]
    assert name_function(CUBE3, two, names).name == "a AND NOT c"
    assert name_function(CUBE3, [int(all(x)) for x in CUBE3], names).name == "AND"


def test_no_name_for_an_incomplete_or_non_binary_table():
    assert name_function(CUBE2[:3], [0, 0, 1], ["x1", "x2"]) is None
    rows = [(F(0), F(0)), (F(0), F(2)), (F(2), F(0)), (F(2), F(2))]
    assert name_function(rows, [0, 0, 0, 1], ["x1", "x2"]) is None


# -- the bundled exercises and the acceptance criteria -----------------------------------------


def test_the_notes_and_attempt_computes_or():
    ex = load_exercise("and-perceptron")
    result = check_perceptron(ex, answers(ex.id, {"w1": 1, "w2": 1, "b": -1}))
    step = result.steps[0]
    assert not result.all_correct
    assert step.verdict == "wrong" and step.diagnosis == "computes-or"
    assert "(0, 1) and (1, 0)" in step.message
    assert "compute OR, not AND" in step.message
    assert "z = 0 exactly" in step.message
    assert step.details == ["(x1, x2) = (0, 1): z = 1*0 + 1*1 - 1 = 0 -> output 1, target 0",
                            "(x1, x2) = (1, 0): z = 1*1 + 1*0 - 1 = 0 -> output 1, target 0"]


def test_any_weights_that_compute_and_are_correct():
    ex = load_exercise("and-perceptron")
    for w1, w2, b in [(2, 3, -4), (1, 1, -1.5), (1, 1, -2), (0.5, 0.5, -0.75)]:
        result = check_perceptron(ex, answers(ex.id, {"w1": w1, "w2": w2, "b": b}))
        assert result.all_correct and result.score == 1


def test_or_accepts_the_and_attempt():
    ex = load_exercise("or-perceptron")
    assert check_perceptron(ex, answers(ex.id, {"w1": 1, "w2": 1, "b": -1})).all_correct


def test_the_step_convention_is_configurable():
    text = ("id: and-strict\nkind: perceptron\ntitle: t\nactivation: {step: {at_zero: 0}}\n"
            "table:\n" + table_yaml(CUBE2, [0, 0, 0, 1]))
    ex = exercise(text)
    assert ex.at_zero == 0
    assert check_perceptron(ex, answers(ex.id, {"w1": 1, "w2": 1, "b": -1})).all_correct
    wrong = check_perceptron(ex, answers(ex.id, {"w1": 1, "w2": 1, "b": -2}))
    assert wrong.steps[0].diagnosis == "computes-constant"  # z <= 0 everywhere: always 0


def test_solve_xor_is_not_separable_and_its_network_checks():
    ex = load_exercise("xor-perceptron")
    solution = solve_perceptron(ex)
    assert not solution.separable and solution.weights is None
    assert solution.certificate.verify(ex.rows, ex.targets)
    text = draw.render(solution, "plain")
    assert "not linearly separable" in text
    assert "0.5*(0, 1) + 0.5*(1, 0) = (0.5, 0.5) = 0.5*(0, 0) + 0.5*(1, 1)" in text
    assert "computes OR" in text and "computes NAND" in text
    key = key_answers(ex)
    assert list(key) == template_steps(ex)
    assert check_perceptron(ex, answers(ex.id, key)).all_correct


def test_every_bundled_key_checks_fully_correct_and_self_tests_pass():
    from gradtutor.grading.catalog import run_self_tests

    for name in ("and", "or", "xor", "nand"):
        ex = load_exercise(f"{name}-perceptron")
        result = check_perceptron(ex, answers(ex.id, key_answers(ex)))
        assert result.all_correct and result.score == result.max_score > 0
        assert all(t.passed for t in run_self_tests(ex))
        assert asked_text(ex)


def test_the_bundled_samples_show_their_mistakes():
    from gradtutor.exercises.answers import read_answers
    from gradtutor.exercises.exercise import bundled_dir

    expected = {"and": "computes-or", "or": "computes-constant", "xor": "computes-or",
                "nand": "at-zero-convention"}
    for name, code in expected.items():
        ex = load_exercise(f"{name}-perceptron")
        path = bundled_dir() / "answers" / f"{name}-perceptron.yaml"
        result = check_perceptron(ex, read_answers(path, ex.id))
        assert result.first_mistake().diagnosis == code


def test_solution_json_and_plain_for_a_separable_table():
    ex = load_exercise("and-perceptron")
    solution = solve_perceptron(ex)
    data = export.perceptron_data(solution)
    export.dumps(data)  # JSON-ready
    assert data["separable"] is True and data["certificate"] is None
    assert data["weights"] == solution.key
    assert data["learning_rule"]["converged"] is True
    text = draw.render(solution, "plain")
    assert "linearly separable" in text and "learning rule" in text


def test_rich_rendering_runs():
    from gradtutor.render import rich as render

    for name in ("and", "xor", "nand"):
        console = render.console()
        with console.capture() as captured:
            solution = solve_perceptron(load_exercise(f"{name}-perceptron"))
            console.print(draw.render(solution, "rich"))
        assert name.upper() in captured.get()


# -- networks ----------------------------------------------------------------------------------


XOR_NET = {"h1.w1": 1, "h1.w2": 1, "h1.b": -1, "h2.w1": -1, "h2.w2": -1, "h2.b": 1,
           "out.w1": 1, "out.w2": 1, "out.b": -2}


def test_a_different_correct_network_is_correct():
    ex = load_exercise("xor-perceptron")
    other = {"h1.w1": 1, "h1.w2": -1, "h1.b": -1, "h2.w1": -1, "h2.w2": 1, "h2.b": -1,
             "out.w1": 1, "out.w2": 1, "out.b": -1}  # x1 AND NOT x2, OR NOT x1 AND x2
    result = check_perceptron(ex, answers(ex.id, other))
    assert result.all_correct
    assert result.steps[0].details == ["h1 computes x1 AND NOT x2", "h2 computes NOT x1 AND x2"]


def test_a_network_with_a_hidden_unit_on_z_zero():
    ex = load_exercise("xor-perceptron")
    result = check_perceptron(ex, answers(ex.id, {**XOR_NET, "h2.b": 2}))
    step = result.steps[0]
    assert step.verdict == "wrong" and step.diagnosis == "computes-or"
    assert "h2 computes always 1" in step.details
    assert step.details[0].startswith("(x1, x2) = (1, 1): h1 = g(1) = 1, h2 = g(0) = 1")


def test_one_perceptron_for_xor_needs_a_hidden_layer():
    ex = load_exercise("xor-perceptron")
    result = check_perceptron(ex, answers(ex.id, {"w1": 1, "w2": 1, "b": -1}))
    step = result.steps[0]
    assert step.verdict == "wrong" and step.diagnosis == "needs-hidden-layer"
    assert "not linearly separable" in step.message and "compute OR" in step.message
    assert result.notes == []


def test_a_partial_network_is_missing_keys():
    ex = load_exercise("xor-perceptron")
    partial = dict(XOR_NET)
    del partial["out.b"]
    step = check_perceptron(ex, answers(ex.id, partial)).steps[0]
    assert step.verdict == "missing" and "out.b" in step.message


# -- traces ------------------------------------------------------------------------------------


def trace_exercise(rate: str = "1", updates: int = 8) -> PerceptronExercise:
    return exercise("id: nand-trace\nkind: perceptron\ntitle: t\nask: [trace]\n"
                    f"learning_rule: {{rate: {rate}, updates: {updates}}}\n"
                    "table:\n" + table_yaml(CUBE2, [1, 1, 1, 0]))


def trace_answers(ex: PerceptronExercise, weights: dict[int, tuple]) -> Answers:
    body = {}
    for k, (w1, w2, b) in weights.items():
        body.update({f"w1@{k}": w1, f"w2@{k}": w2, f"b@{k}": b})
    return answers(ex.id, body)


def true_trace(ex: PerceptronExercise) -> dict[int, tuple]:
    key = key_answers(ex)
    return {k: (key[f"w1@{k}"], key[f"w2@{k}"], key[f"b@{k}"])
            for k in range(1, ex.trace_length() + 1)}


def test_trace_follow_through_then_back_on_track():
    ex = trace_exercise()
    given_weights = true_trace(ex)
    assert given_weights[4] == (-1, -1, -1)
    given_weights.update({1: (0, 0, 1), 2: (0, 0, 1), 3: (0, 0, 1), 4: (-1, -1, 0)})
    result = check_perceptron(ex, trace_answers(ex, given_weights))
    verdicts = [s.verdict for s in result.steps]
    assert verdicts == ["wrong", "follow-through", "follow-through", "follow-through",
                        "correct", "correct", "correct", "correct"]
    assert result.steps[0].diagnosis == "at-zero-convention"
    assert result.score == 7


def test_follow_through_credit_is_configurable():
    ex = trace_exercise()
    ex.follow_through = 0.5
    given_weights = true_trace(ex)
    given_weights.update({1: (0, 0, 1), 2: (0, 0, 1)})
    result = check_perceptron(ex, trace_answers(ex, given_weights))
    assert result.steps[1].verdict == "follow-through" and result.steps[1].score == 0.5


def test_a_missing_update_carries_forward():
    ex = trace_exercise()
    given_weights = true_trace(ex)
    given_weights.update({1: (0, 0, 1), 3: (0, 0, 1), 4: (-1, -1, 0)})
    del given_weights[2]
    result = check_perceptron(ex, trace_answers(ex, given_weights))
    assert [s.verdict for s in result.steps[:4]] == ["wrong", "missing", "follow-through",
                                                     "follow-through"]


@pytest.mark.parametrize(("update", "slip", "code"), [
    (4, (0, 0, 0), "at-zero-convention"),  # z = 0 at (1, 1): g(0) = 0 would leave them
    (6, (-1, 0, 1), None),  # the right answer, for contrast: row (0, 1), z = -1
    (6, (-1, -1, 0), "no-update"),
    (6, (-1, -2, -1), "sign-flipped"),
    (6, (-1, 0, 0), "bias-not-updated"),
    (6, (-1, 1, 2), "used-z-not-output"),
    (6, (0, -1, 1), "wrong-row"),
    (6, (5, 5, 5), None),
])
def test_trace_diagnoses(update, slip, code):
    ex = trace_exercise()
    given_weights = true_trace(ex)
    assert given_weights[5] == (-1, -1, 0)
    given_weights[update] = slip
    step = check_perceptron(ex, trace_answers(ex, given_weights)).steps[update - 1]
    if slip == given_weights.get(update) and code is None and slip != (5, 5, 5):
        assert step.verdict == "correct"
    else:
        assert step.verdict == "wrong" and step.diagnosis == code, step.message


def test_trace_updated_when_correct():
    ex = exercise("id: t\nkind: perceptron\ntitle: t\nask: trace\n"
                  "learning_rule: {updates: 4}\ntable:\n" + table_yaml(CUBE2, [0, 0, 0, 1]))
    truth = true_trace(ex)
    assert truth[1] == truth[2] == (0, 0, -1)  # row (0, 1) at update 2: z = -1, right
    step = check_perceptron(ex, trace_answers(ex, {**truth, 2: (0, -1, -2)})).steps[1]
    assert step.diagnosis == "updated-when-correct"


def test_trace_diagnoses_with_a_learning_rate():
    ex = trace_exercise(rate="0.5")
    truth = true_trace(ex)
    assert truth[4] == (-0.5, -0.5, -0.5)
    for slip, code in [((-1, -1, -1), "learning-rate-ignored"),
                       ((-0.5, -0.5, 0), "bias-not-updated")]:
        step = check_perceptron(ex, trace_answers(ex, {**truth, 4: slip})).steps[3]
        assert step.diagnosis == code


def test_trace_used_z_not_output():
    ex = exercise("id: t\nkind: perceptron\ntitle: t\nask: trace\n"
                  "learning_rule: {initial: {w1: 1, w2: 1, b: 1}, updates: 4}\n"
                  "table:\n" + table_yaml(CUBE2, [1, 1, 1, 0]))
    truth = true_trace(ex)
    assert truth[4] == (0, 0, 0)  # z = 3, output 1, target 0
    step = check_perceptron(ex, trace_answers(ex, {**truth, 4: (-2, -2, -2)})).steps[3]
    assert step.diagnosis == "used-z-not-output"


def test_trace_values_within_tolerance_and_as_fractions():
    ex = trace_exercise(rate="1/3", updates=4)
    truth = true_trace(ex)
    assert truth[4] == ("-1/3", "-1/3", "-1/3")
    result = check_perceptron(ex, trace_answers(ex, {**truth, 4: (-0.3333, "-1/3", -0.33334)}))
    assert result.all_correct


def test_trace_length_defaults_to_convergence():
    ex = exercise("id: t\nkind: perceptron\ntitle: t\nask: [trace, weights]\ntable:\n"
                  + table_yaml(CUBE2, [0, 0, 0, 1]))
    trace, _ = run_rule(CUBE2, [0, 0, 0, 1], 1, ZERO2)
    assert ex.trace_length() == len(trace)
    assert len(template_steps(ex)) == 3 * len(trace) + 3


# -- hostile answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["hello", "1/0", "[1, 2]", "{a: 1}", "true", ".nan", ".inf",
                                   "1e400", "'1e99999'", "'1 +'", "'x + 1'", "'__import__'",
                                   "1" + "0" * 400, "'" + "9" * 3000 + "'", "''", "'[1]'",
                                   "'1e-99999'"])
def test_hostile_values_are_invalid_not_exceptions(value):
    ex = load_exercise("and-perceptron")
    result = check_text(ex, f"  w1: {value}\n  w2: 1\n  b: -2\n")
    assert result.steps[0].verdict == "invalid", result.steps[0].message
    assert result.steps[0].message.startswith("w1: ")


@pytest.mark.parametrize("body", ["", "  w1: 1\n", "  w1:\n  w2:\n  b:\n", "  W1: 1\n"])
def test_missing_values(body):
    ex = load_exercise("and-perceptron")
    result = check_text(ex, body or "  {}\n")
    assert result.steps[0].verdict == "missing"


def test_unasked_keys_are_noted_with_a_suggestion():
    ex = load_exercise("and-perceptron")
    result = check_text(ex, "  w1: 2\n  w2: 1\n  bias: -3\n")
    assert result.steps[0].verdict == "missing"
    assert result.notes == ["'bias' is not asked (did you mean 'b'?): it was not checked"]


def test_many_unasked_keys_are_summarised():
    ex = load_exercise("and-perceptron")
    body = {f"k{i}": i for i in range(50)}
    result = check_perceptron(ex, answers(ex.id, {**body, "w1": 2, "w2": 1, "b": -3}))
    assert result.all_correct and len(result.notes) == 11


def test_numbers_are_exact_as_written():
    assert read_number(0.1, "0.1") + read_number(0.2, "0.2") == read_number(0.3, "0.3")
    assert read_number("-1/2") == F(-1, 2)
    assert read_number("2*0.25") == F(1, 2)
    ex = load_exercise("and-perceptron")
    # z at (1, 1) is 0.1 + 0.2 - 0.3 = 0 exactly: output 1; elsewhere negative
    result = check_text(ex, "  w1: 0.1\n  w2: 0.2\n  b: -0.3\n")
    assert result.all_correct


def test_huge_but_finite_weights_are_fine():
    ex = load_exercise("and-perceptron")
    assert "at most 1e300" in check_text(ex, "  w1: 2e300\n  w2: 1\n  b: 1\n").steps[0].message
    wrong = check_text(ex, "  w1: 1e300\n  w2: 1e300\n  b: 1e300\n").steps[0]
    assert wrong.details[0] == "(x1, x2) = (0, 0): z = 1e+300*0 + 1e+300*0 + 1e+300 = 1e+300 " \
        "-> output 1, target 0"
    assert check_text(ex, "  w1: 1e299\n  w2: 1e299\n  b: -1.5e299\n").all_correct


# -- loading -----------------------------------------------------------------------------------


GOOD = """id: t
kind: perceptron
title: t
table:
  - [0, 0, 0]
  - [0, 1, 0]
  - [1, 0, 0]
  - [1, 1, 1]
"""


def problems(text: str) -> list[tuple[str | None, int | None, str | None, str]]:
    with pytest.raises(ExerciseError) as caught:
        exercise(text, file="bad.yaml")
    return [(p.file, p.line, p.field, p.message) for p in caught.value.problems]


def test_a_good_file_loads_with_defaults():
    ex = exercise(GOOD)
    assert ex.kind == "perceptron" and ex.inputs == ["x1", "x2"] and ex.at_zero == 1
    assert [p.what for p in ex.ask] == ["weights"] and ex.separable
    assert template_steps(ex) == ["w1", "w2", "b"]


@pytest.mark.parametrize(("change", "line", "field", "fragment"), [
    (("title: t\n", "title: t\ncolour: red\n"), 4, "colour", "unknown key 'colour'"),
    (("  - [1, 1, 1]\n", "  - [1, 1, 2]\n"), 8, "table[3][2]", "must be 0 or 1"),
    (("  - [1, 1, 1]\n", "  - [1, 1]\n"), 8, "table[3]", "has 2 values"),
    (("  - [1, 1, 1]\n", "  - [0, 1, 1]\n"), 8, "table[3]", "same inputs as table[1]"),
    (("  - [1, 1, 1]\n", "  - [1, hello, 1]\n"), 8, "table[3][1]", "'hello' is not a number"),
    (("title: t\n", "title: t\nactivation: sigmoid\n"), 4, "activation", "must be step"),
    (("title: t\n", "title: t\nactivation: {step: {at_zero: 2}}\n"), 4,
     "activation.step.at_zero", "at_zero is g(0)"),
    (("title: t\n", "title: t\ninputs: [a]\n"), 4, "inputs", "1 input names"),
    (("title: t\n", "title: t\ninputs: [a, b]\n"), 4, "inputs[1]", "the bias's name"),
    (("title: t\n", "title: t\nask: wieghts\n"), 4, "ask", "did you mean 'weights'"),
    (("title: t\n", "title: t\nhidden: 2\n"), 4, "hidden", "size of an asked network"),
    (("title: t\n", "title: t\nlearning_rule: {rate: -1}\n"), 4, "learning_rule.rate",
     "must be positive"),
    (("title: t\n", "title: t\nlearning_rule: {initial: {w3: 1}}\n"), 4,
     "learning_rule.initial.w3", "unknown key 'w3'"),
    (("title: t\n", "title: t\nlearning_rule: {updates: 0}\n"), 4, "learning_rule.updates",
     "whole number from 1"),
    (("id: t\n", "id: Bad_Id\n"), 1, "id", "not a valid id"),
])
def test_loader_problems_have_file_line_and_field(change, line, field, fragment):
    found = problems(GOOD.replace(*change))
    assert len(found) == 1, found
    file, got_line, got_field, message = found[0]
    assert (file, got_line, got_field) == ("bad.yaml", line, field)
    assert fragment in message


def test_several_problems_are_reported_together():
    text = GOOD.replace("title: t\n", "activation: relu\nask: nope\n")
    found = problems(text)
    assert {f[2] for f in found} >= {"activation", "ask"}
    assert any("missing 'title'" in f[3] for f in found)


def test_xor_cannot_ask_for_weights_or_an_open_ended_trace():
    xor = GOOD.replace("  - [0, 1, 0]\n  - [1, 0, 0]\n  - [1, 1, 1]\n",
                       "  - [0, 1, 1]\n  - [1, 0, 1]\n  - [1, 1, 0]\n")
    assert [p.what for p in exercise(xor).ask] == ["network"]
    found = problems(xor + "ask: weights\n")
    assert found[0][2] == "ask" and "XOR is not linearly separable" in found[0][3]
    found = problems(xor + "ask: trace\n")
    assert found[0][2] == "learning_rule" and "never converges" in found[0][3]
    found = problems(xor + "ask: network\nhidden: 1\n")
    assert found[0][2] == "hidden" and "set hidden: 2" in found[0][3]
    ex = exercise(xor + "ask: [network, trace]\nhidden: 3\nlearning_rule: {updates: 6}\n")
    key = key_answers(ex)
    assert key["h3.w1"] == 0 and key["out.w3"] == 0
    assert check_perceptron(ex, answers(ex.id, key)).all_correct


def test_a_table_too_large_to_decide_is_refused_clearly():
    rows = list(itertools.product((0, 1), repeat=5))
    text = ("id: t\nkind: perceptron\ntitle: t\nask: network\ntable:\n" +
            "\n".join(f"  - [{', '.join(map(str, x))}, {sum(x) % 2}]" for x in rows))
    start = time.monotonic()
    found = problems(text)
    assert time.monotonic() - start < 30
    assert found[0][2] == "table" and "too large to decide separability" in found[0][3]


def test_a_big_separable_table_loads_without_the_search():
    rows = list(itertools.product((0, 1), repeat=5))
    text = ("id: t\nkind: perceptron\ntitle: t\ntable:\n" +
            "\n".join(f"  - [{', '.join(map(str, x))}, {int(sum(x) >= 3)}]" for x in rows))
    ex = exercise(text)
    assert ex.separable
    assert check_perceptron(ex, answers(ex.id, key_answers(ex))).all_correct


def test_inputs_may_be_any_numbers():
    text = ("id: t\nkind: perceptron\ntitle: t\ntable:\n  - [-1.5, 2, 1]\n  - ['1/3', 0, 0]\n"
            "  - [4, -2, 0]\n")
    ex = exercise(text)
    assert ex.rows[1] == (F(1, 3), F(0))
    assert check_perceptron(ex, answers(ex.id, key_answers(ex))).all_correct


def test_too_many_rows_or_inputs():
    many = "id: t\nkind: perceptron\ntitle: t\ntable:\n" + \
        "\n".join(f"  - [{i}, {i % 2}]" for i in range(65))
    assert "at most 64 rows" in problems(many)[0][3]
    wide = "id: t\nkind: perceptron\ntitle: t\ntable:\n  - [" + "0, " * 9 + "1]\n"
    assert "at most 8 inputs" in problems(wide)[0][3]


def test_one_solution_written_at_every_update_is_not_carried_forward() -> None:
    """Weights from nowhere never change again: each later update would be 'right from
    your own previous weights' with no rule run. Only a named slip is carried forward."""
    from gradtutor.grading.batch import check_answers
    from gradtutor.kinds import load_exercise

    ex = load_exercise("nand-perceptron")
    lines = [f"  {name}@{i}: {value}" for i in range(1, 9)
             for name, value in (("w1", -2), ("w2", -1), ("b", 2))]
    text = "exercise: nand-perceptron\nanswers:\n" + "\n".join(lines) + \
        "\n  w1: -2\n  w2: -1\n  b: 2\n"
    result = check_answers(ex, parse_answers(text, file="a.yaml", exercise_id=ex.id))
    verdicts = {step.step: step.verdict for step in result.steps}
    assert "follow-through" not in verdicts.values()
    assert verdicts["weights"] == "correct" and result.score < result.max_score / 2
