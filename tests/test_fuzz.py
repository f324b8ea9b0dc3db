"""Fuzzing with hypothesis: the parser, the value reader, the exercise loader, the answers
loader and checker, and the `check` and `validate` commands.

Whatever the input: a result or a GradtutorError, never another exception; every asked
step exactly one verdict and a score within [0, its weight]; exit statuses 0, 1 or 2,
never 3 (a bug); and every example within a deadline (generous: a guard against hangs, not
a measure of speed), so that a hang fails the test.

Every bug these tests found has a sample in tests/hostile/ (test_hostile.py). A strategy
that must avoid a known bug says so in a comment naming it, and the bug's strict xfail.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gradtutor.base import limits
from gradtutor.base.errors import ExerciseError, GradtutorError
from gradtutor.cli.app import app
from gradtutor.exercises.answers import parse_answers
from gradtutor.exercises.exercise import Exercise
from gradtutor.exercises.yamlio import load_yaml
from gradtutor.grading.batch import check_answers
from gradtutor.kinds import exercise_from_yaml, load_exercise
from gradtutor.lang.parser import parse_program, parse_value_text
from gradtutor.lang.values import parse_assignment, to_array
from gradtutor.marking.check import answer_key, check_exercise
from gradtutor.marking.results import VERDICTS

from bounds import HANG_SECONDS

SYMBOLIC_DEADLINE = timedelta(seconds=2 * limits.SIMPLIFY_SECONDS + HANG_SECONDS)
QUICK = settings(max_examples=300, deadline=timedelta(seconds=HANG_SECONDS),
                 suppress_health_check=[HealthCheck.too_slow])
CHECKING = settings(max_examples=120, deadline=SYMBOLIC_DEADLINE,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])
COMMANDS = settings(max_examples=25, deadline=SYMBOLIC_DEADLINE,
                    suppress_health_check=[HealthCheck.too_slow])

FUNCTIONS = ["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "max",
             "min", "sum", "mean", "softmax", "softplus", "leaky_relu", "sign"]
NUMBERS = ["0", "1", "2", "2.5", "-3", "1e-3", "1e308", "1e999", ".5", "7.", "9", "10",
           "0.0", "4300"]
NAMES = ["x", "y", "z", "W", "b", "q", "f", "e", "pi", "_a", "x0", "__x", "__import__"]
OPERATORS = ["+", "-", "*", "/", "**", "^", "@", "(", ")", ",", "=", ";", "\n", ".T",
             "[", "]", " "]
HOSTILE_BITS = ["'", '"', ".", ":", "lambda", "__class__", "`", "$", "#", "\\", "\x00",
                "\u200b", "ｘ", "foo(", "import", "%", "{", "}", "!"]


# -- strategies ----------------------------------------------------------------------------

tokens = st.sampled_from(NUMBERS + NAMES + OPERATORS + [f + "(" for f in FUNCTIONS])
token_text = st.lists(tokens | st.sampled_from(HOSTILE_BITS), max_size=80).map("".join)


@st.composite
def expression(draw: st.DrawFn, names: list[str], depth: int = 0) -> str:
    """A well-formed expression of `names` (and sometimes not quite), small and shallow."""
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(names) | st.sampled_from(NUMBERS))
    kind = draw(st.sampled_from(["binary", "binary", "unary", "call", "call2", "transpose",
                                 "paren", "power"]))
    inner = expression(names, depth + 1)
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/", "@"]))
        return f"{draw(inner)} {op} {draw(inner)}"
    if kind == "unary":
        return f"-{draw(inner)}"
    if kind == "call":
        return f"{draw(st.sampled_from(FUNCTIONS))}({draw(inner)})"
    if kind == "call2":
        func = draw(st.sampled_from(["max", "min", "sum", "mean", "softmax", "leaky_relu"]))
        second = draw(inner | st.sampled_from(["0", "1", "-1", "2", "0.2", "1e999"]))
        return f"{func}({draw(inner)}, {second})"
    if kind == "transpose":
        return f"({draw(inner)}).T"
    if kind == "power":
        return f"({draw(inner)})**{draw(st.sampled_from(['2', '0.5', '-1', '3', '100', 'x']))}"
    return f"({draw(inner)})"


def programs(names: list[str]) -> st.SearchStrategy[str]:
    """Programs of assignments: `q = ...; f = ...`."""
    statement = st.tuples(st.sampled_from(["q", "r", "f", "g", "x"]), expression(names))
    return st.lists(statement, min_size=1, max_size=4).map(
        lambda items: "; ".join(f"{name} = {text}" for name, text in items))


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
any_float = st.floats(width=64)
number = st.integers() | st.integers(-(10 ** 400), 10 ** 400) | any_float
scalar_junk = st.none() | st.booleans() | number | st.text(max_size=20) | \
    st.sampled_from(["1/3", "-2.5e3", "pi", "e", "nan", "inf", "[1, 2]", "[[1, 2], [3]]",
                     "9**9**9", "__import__('os')", "x", ""])
# mapping keys of junk never collide with a real field ("k" + text)
junk = st.recursive(scalar_junk, lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.text(max_size=6).map("k".__add__), inner, max_size=3),
                    max_leaves=12)
row = st.lists(finite | st.integers(-5, 5), min_size=1, max_size=3)
matrix = st.integers(1, 3).flatmap(lambda width: st.lists(
    st.lists(finite, min_size=width, max_size=width), min_size=1, max_size=3))
values = finite | st.integers(-100, 100) | row | matrix


def top_lists(inner: st.SearchStrategy) -> st.SearchStrategy:
    """Vectors and matrices, ragged ones and one-entry ones too."""
    return st.lists(inner, min_size=1, max_size=4) | st.lists(
        st.lists(inner, min_size=0, max_size=3), min_size=1, max_size=3)


def nested_lists() -> st.SearchStrategy:
    leaf = st.none() | st.booleans() | number | st.text(max_size=12) | \
        st.sampled_from(["1e-3", "-1/2", "pi", "2**2000", "[1]", "x", "1e999"])
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=5), max_leaves=30)


# -- (1) the parser --------------------------------------------------------------------------


@QUICK
@given(st.text(max_size=200))
def test_parse_program_on_any_text(text: str) -> None:
    with contextlib.suppress(GradtutorError):
        parse_program(text)


@QUICK
@given(token_text)
def test_parse_program_on_the_languages_own_tokens(text: str) -> None:
    try:
        program = parse_program(text)
    except GradtutorError as error:
        assert error.message and "\n" not in error.message
        return
    assert program.statements


@QUICK
@given(programs(["x", "y", "W", "b"]) | expression(["x", "y", "W", "b"]))
def test_parse_program_on_well_formed_programs(text: str) -> None:
    with contextlib.suppress(GradtutorError):
        parse_program(text)


@settings(max_examples=60, deadline=SYMBOLIC_DEADLINE,
          suppress_health_check=[HealthCheck.too_slow])
@given(expression(["x", "y", "W"]) | programs(["x", "y", "W"]),
       st.sampled_from([{}, {"x": 2.0}, {"x": -1.0, "y": 0.0, "W": [[1.0, 2.0], [3.0, 4.0]]},
                        {"x": [0.5, 0.0], "y": 3.0, "W": [[0.1, 0.2], [0.3, 0.4]]}]))
def test_solve_on_generated_programs(text: str, given_values: dict) -> None:
    """The whole of `solve` in the library: parse, graph, values, gradients, symbolic."""
    from gradtutor.engine.solve import solve_program

    values = {name: np.asarray(v, dtype=float) for name, v in given_values.items()}
    with contextlib.suppress(GradtutorError):
        solve_program(text, values)


# -- (2) values ------------------------------------------------------------------------------


@QUICK
@given(nested_lists())
def test_to_array_on_nested_lists(raw: object) -> None:
    try:
        array = to_array(raw)
    except GradtutorError:
        return
    assert array.dtype == np.float64 and array.ndim <= limits.MAX_NDIM
    assert array.size <= limits.MAX_ENTRIES


@QUICK
@given(st.text(max_size=60) | token_text, st.sampled_from(["", "x=", "W=", "x =", "=", "__a="]))
def test_parse_assignment_on_any_text(text: str, prefix: str) -> None:
    try:
        name, array = parse_assignment(prefix + text)
    except GradtutorError:
        return
    assert name.isidentifier() and not name.startswith("__")
    assert array.ndim <= limits.MAX_NDIM


@QUICK
@given(st.text(max_size=80) | token_text)
def test_parse_value_text_on_any_text(text: str) -> None:
    with contextlib.suppress(GradtutorError):
        parse_value_text(text, max_chars=limits.MAX_ANSWER_CHARS)


# -- (3) the exercise loader -----------------------------------------------------------------

INPUT_NAMES = ["x", "y", "W", "b", "X", "Y", "W1", "b1"]
NODE_NAMES = ["q", "f", "g", "h", "L"]
name_key = st.sampled_from(INPUT_NAMES + NODE_NAMES) | st.sampled_from(
    ["exp", "__f", "a b", "", "1", "df/dx", "a\nerror: b", "\r"]) | st.text(max_size=6)
step_text = st.sampled_from([f"d{a}/d{b}" for a in NODE_NAMES for b in INPUT_NAMES + NODE_NAMES]
                            + INPUT_NAMES + NODE_NAMES + ["d/d", "df/", "nosuch", ""])
# BUG_HUGE_NUMBERS (huge_numbers.yaml): an integer beyond float range as a weight or a
# self-test score raises OverflowError; those two fields get integers below 1e300 here
float_sized = st.integers(-(10 ** 300), 10 ** 300) | any_float
weight = float_sized | st.none() | st.booleans() | st.text(max_size=6)
ask_item = step_text | st.fixed_dictionaries(
    {"step": step_text}, optional={"weight": weight, "hint": st.text(max_size=10) | junk})
layer = st.fixed_dictionaries({}, optional={
    "weights": st.sampled_from(["W", "W1", "x"]) | junk,
    "bias": st.sampled_from(["b", "b1"]) | junk,
    "activation": st.sampled_from(["identity", "sigmoid", "relu", "tanh", "softmax", "evil"])
    | junk})
network = st.fixed_dictionaries({}, optional={
    "input": st.sampled_from(["X", "x"]), "target": st.sampled_from(["Y", "y"]),
    "layers": st.lists(layer | junk, max_size=3) | junk,
    "loss": st.sampled_from(["mse", "half-mse", "cross-entropy", "nope"]) | junk})
perceptron_fields = {
    "inputs": st.lists(st.sampled_from(["x1", "x2", "__x"]), max_size=3) | junk,
    "table": st.lists(st.lists(st.integers(-1, 2) | finite | junk, max_size=4), max_size=5),
    "activation": st.fixed_dictionaries({"step": st.fixed_dictionaries(
        {}, optional={"at_zero": st.integers(0, 1) | junk})}) | junk,
}
output = st.sampled_from(NODE_NAMES + INPUT_NAMES + ["nosuch", "__x"]) | junk
exercise_doc = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(["fuzz", "Fuzz!", "a-b", "../x"]) | junk,
    "title": st.text(max_size=10) | junk,
    "description": st.text(max_size=20),
    "kind": st.sampled_from(["graph", "network", "perceptron", "evil"]),
    "given": st.dictionaries(name_key, values | junk, max_size=4) | junk,
    "graph": st.dictionaries(st.sampled_from(NODE_NAMES) | name_key,
                             expression(INPUT_NAMES + NODE_NAMES) | junk, max_size=4) | junk,
    "network": network | junk,
    "output": output,
    "ask": st.lists(ask_item, max_size=4) | junk,
    "tolerance": st.fixed_dictionaries({}, optional={"rel": number | junk, "abs": number}) | junk,
    "follow_through": number | junk,
    "tests": st.lists(st.fixed_dictionaries({}, optional={
        "answers": st.dictionaries(step_text, values | junk, max_size=3) | junk,
        "score": float_sized | scalar_junk.filter(lambda v: not isinstance(v, int))
        | st.lists(scalar_junk, max_size=2)}), max_size=2) | junk,
    **{key: strategy for key, strategy in perceptron_fields.items()},
    "evil": junk,
})

small = st.floats(-10, 10, allow_nan=False) | st.integers(-3, 3) | \
    st.sampled_from([0.0, 1e-300, 1e300, -0.0])
test_answer = number | top_lists(finite)
SHAPED = {"x": small, "y": small, "v": st.lists(small, min_size=2, max_size=2),
          "W": st.lists(st.lists(small, min_size=2, max_size=2), min_size=2, max_size=2)}


@st.composite
def graph_exercise_doc(draw: st.DrawFn) -> dict:
    """A graph exercise that often loads: inputs of fitting shapes, nodes in forward order
    over them, and random ask, tolerance, follow_through and tests."""
    inputs = draw(st.lists(st.sampled_from(list(SHAPED)), min_size=1, max_size=4, unique=True))
    given = {name: draw(SHAPED[name]) for name in inputs}
    graph: dict = {}
    for node in draw(st.lists(st.sampled_from(NODE_NAMES), min_size=1, max_size=3,
                              unique=True)):
        graph[node] = draw(expression([*inputs, *graph]))
    document: dict = {"id": "fuzz", "title": "Fuzz", "given": given, "graph": graph}
    steps = [*graph, *inputs] + [f"d{a}/d{b}" for a in graph for b in [*graph, *inputs]]
    if draw(st.booleans()):
        document["ask"] = draw(st.lists(st.sampled_from(steps) | st.fixed_dictionaries(
            {"step": st.sampled_from(steps)},
            optional={"weight": st.floats(0.5, 3) | weight, "hint": st.text(max_size=8)}),
            min_size=1, max_size=4))
    if draw(st.booleans()):
        document["output"] = draw(st.sampled_from(list(graph)))
    if draw(st.booleans()):
        document["tolerance"] = draw(st.fixed_dictionaries(
            {}, optional={"rel": st.floats(0, 1) | number, "abs": st.floats(0, 1) | number}))
    if draw(st.booleans()):
        document["follow_through"] = draw(st.floats(0, 1) | number)
    if draw(st.booleans()):
        document["tests"] = draw(st.lists(st.fixed_dictionaries({
            "answers": st.dictionaries(st.sampled_from(steps), test_answer | expression(
                [*inputs, *graph]), max_size=3),
            "score": st.floats(0, 5) | float_sized}), max_size=2))
    return document


def dump(document: object) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@settings(max_examples=200, deadline=timedelta(seconds=HANG_SECONDS),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(exercise_doc | graph_exercise_doc())
def test_the_exercise_loader_on_random_documents(document: dict) -> None:
    """Loaded, or one ExerciseError whose every problem names the file; a graph exercise
    that loads has an answer key and checks an empty answers file."""
    try:
        loaded = load_yaml(dump(document), file="x.yaml", error=ExerciseError)
        exercise = exercise_from_yaml(loaded)
    except GradtutorError as error:
        assert isinstance(error, ExerciseError), type(error)
        for line in str(error).splitlines():
            assert line.startswith("x.yaml"), line
        return
    if not isinstance(exercise, Exercise):
        return
    try:
        answer_key(exercise)
    except GradtutorError:
        return
    blank = parse_answers(f"exercise: {exercise.id}\nanswers: {{}}\n", file="a.yaml",
                          exercise_id=exercise.id)
    result = check_answers(exercise, blank)
    assert [s.verdict for s in result.steps] == ["missing"] * len(exercise.ask)
    assert result.score == 0


@QUICK
@given(st.text(max_size=300))
def test_the_exercise_loader_on_any_text(text: str) -> None:
    with contextlib.suppress(GradtutorError):
        exercise_from_yaml(load_yaml(text, file="x.yaml", error=ExerciseError))


# -- (4) the answers loader and the checker --------------------------------------------------

BUNDLED = ["sigmoid-neuron", "vectorized-norm", "max-gate", "softmax", "mlp-mse",
           "and-perceptron"]
EXERCISES = {name: load_exercise(name) for name in BUNDLED}


def asked(exercise: object) -> list[str]:
    return [item.step.text for item in exercise.ask] if isinstance(exercise, Exercise) else []


def names_of(exercise: object) -> list[str]:
    if isinstance(exercise, Exercise):
        return list(exercise.graph.names)
    return ["w1", "w2", "b"]


def answer_values(names: list[str]) -> st.SearchStrategy:
    texts = st.text(max_size=30) | token_text | st.sampled_from(
        ["[0.7311]", "[[0.7311]]", "[0.22, [0.26]]", "[/]", "[bold]1[/bold]", "=1+1"])
    return (number | finite | top_lists(finite | number | st.text(max_size=6))
            | expression(names) | texts | st.none() | st.booleans()
            | st.dictionaries(st.text(max_size=4), finite, max_size=2))


@st.composite
def answers_doc(draw: st.DrawFn, exercise_id: str) -> dict:
    exercise = EXERCISES[exercise_id]
    steps = asked(exercise) or names_of(exercise)
    names = names_of(exercise)
    answer = answer_values(names)
    keys = st.sampled_from(steps) | st.sampled_from(
        ["nosuch", "df/dnope", "__import__('os')", "", "d f8 / d f7", "[/]"]) | \
        st.text(max_size=8)
    document: dict = {"exercise": draw(st.sampled_from([exercise_id, exercise_id, "other"])),
                      "answers": draw(st.dictionaries(keys, answer, max_size=8))}
    if draw(st.booleans()):
        document["student"] = draw(st.text(max_size=20) | junk)
    if draw(st.integers(0, 9)) == 0:
        document[draw(st.sampled_from(["answers", "evil"]))] = draw(junk)
    if draw(st.integers(0, 19)) == 0:
        del document["exercise"]
    return document


@CHECKING
@given(st.sampled_from(BUNDLED).flatmap(lambda name: st.tuples(st.just(name),
                                                               answers_doc(name))))
def test_the_checker_on_random_answers(case: tuple[str, dict]) -> None:
    """Read or refused; when read, every asked step one verdict and a score within
    [0, weight], the total within [0, max]."""
    exercise_id, document = case
    exercise = EXERCISES[exercise_id]
    try:
        answers = parse_answers(dump(document), file="a.yaml", exercise_id=exercise_id)
    except GradtutorError as error:
        assert str(error).startswith("a.yaml") and "\n" not in str(error)
        return
    assert_sound(exercise, check_answers(exercise, answers))


def assert_sound(exercise: object, result: object) -> None:
    """One verdict per asked step, in order; scores within [0, weight] and [0, max]."""
    if isinstance(exercise, Exercise):
        assert [s.step for s in result.steps] == asked(exercise)
        for step, item in zip(result.steps, exercise.ask, strict=True):
            assert step.max_score == item.weight
    for step in result.steps:
        assert step.verdict in VERDICTS, step
        assert 0 <= step.score <= step.max_score, step
        assert "\n" not in (step.message or "")
        if step.verdict == "invalid":
            assert step.message
    assert math.isfinite(result.score) and 0 <= result.score <= result.max_score


@CHECKING
@given(graph_exercise_doc(), st.data())
def test_the_checker_on_generated_exercises(document: dict, data: st.DataObject) -> None:
    """Random answers for a random exercise that loads (nothing is checked for one that
    does not: the loader test covers those)."""
    try:
        loaded = load_yaml(dump(document), file="x.yaml", error=ExerciseError)
        exercise = exercise_from_yaml(loaded)
        key = answer_key(exercise)
    except GradtutorError:
        return
    steps = asked(exercise)
    keys = st.sampled_from(steps) | st.sampled_from(["nosuch", "dq/dnope", ""])
    answers_map = data.draw(st.dictionaries(keys, answer_values(names_of(exercise)),
                                            max_size=6))
    text = dump({"exercise": "fuzz", "answers": answers_map})
    answers = parse_answers(text, file="a.yaml", exercise_id="fuzz")
    assert_sound(exercise, check_exercise(exercise, answers, key))


@QUICK
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_the_answers_loader_on_any_input(data: str | bytes) -> None:
    try:
        parse_answers(data, file="a.yaml", exercise_id="sigmoid-neuron")
    except GradtutorError as error:
        assert str(error).startswith("a.yaml")


# -- (5) the commands ------------------------------------------------------------------------

runner = CliRunner()


@COMMANDS
@given(st.sampled_from(["sigmoid-neuron", "vectorized-norm", "and-perceptron"]).flatmap(
    lambda name: st.tuples(st.just(name), answers_doc(name))),
    st.sampled_from(["json", "plain", "rich", "csv", "gradescope", "prairielearn"]))
def test_check_command_on_random_answers_files(case: tuple[str, dict], chosen: str) -> None:
    exercise_id, document = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "answers.yaml"
        path.write_text(dump(document), encoding="utf-8")
        result = runner.invoke(app, ["check", exercise_id, str(path), "--format", chosen])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@COMMANDS
@given(exercise_doc | graph_exercise_doc())
def test_validate_command_on_random_exercise_files(document: dict) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "exercise.yaml"
        path.write_text(dump(document), encoding="utf-8")
        result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("text", ["(" * 5000 + "x" + ")" * 5000, "x" + "**x" * 3000,
                                  "-" * 5000 + "x", "exp(" * 3000 + "x" + ")" * 3000,
                                  "[" * 5000, "x" * limits.MAX_EXPRESSION_CHARS + "y"])
def test_the_parser_on_the_largest_inputs(text: str) -> None:
    """The edge the generators do not reach: refused with a GradtutorError, quickly."""
    with pytest.raises(GradtutorError):
        parse_program(text)


# -- (6) the real command under the hard limits of issue 12 ---------------------------------
# Every example is a `python -m gradtutor` process under RLIMIT_CPU (10 s: a process that
# needs more is killed, and the test fails) and an address-space limit; its peak resident
# memory, children included, must stay under 500 MB.

CPU_SECONDS = 10
PEAK_MB = 500
LIMITED = settings(max_examples=8, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _hard_limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))


def run_limited(*args: str, cwd: Path) -> tuple[int, str]:
    """The command's exit status and its output, after asserting the limits held."""
    import os
    import subprocess
    import sys
    import threading

    if not hasattr(os, "wait4"):
        pytest.skip("needs POSIX resource limits and os.wait4")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    output = cwd / ".output"
    with output.open("wb") as stream:
        process = subprocess.Popen([sys.executable, "-m", "gradtutor", *args], cwd=cwd,
                                   env=env, stdin=subprocess.DEVNULL, stdout=stream,
                                   stderr=subprocess.STDOUT, preexec_fn=_hard_limits)
        timer = threading.Timer(6 * CPU_SECONDS, process.kill)  # a hang, not CPU: a bug
        timer.start()
        try:
            _, wait_status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
    status = os.waitstatus_to_exitcode(wait_status)
    process.returncode = status
    text = output.read_text(errors="replace")
    assert status >= 0, f"killed by signal {-status} (a limit): {text[-2000:]}"
    assert status in (0, 1, 2), text[-2000:]
    assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    assert peak_mb < PEAK_MB, f"peak {peak_mb:.0f} MB"
    return status, text


@LIMITED
@given(expression(["x", "y"]) | programs(["x", "y"]) | token_text,
       st.sampled_from([(), ("--at", "x=2"), ("--at", "x=1e7", "--at", "y=1000000")]))
def test_solve_under_the_hard_limits(text: str, at: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        argument = text.replace("\x00", " ") or "x"  # argv cannot hold a NUL
        run_limited("solve", "--format", "json", *at, "--", argument, cwd=Path(directory))


@LIMITED
@given(exercise_doc | graph_exercise_doc())
def test_validate_under_the_hard_limits(document: dict) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "exercise.yaml"
        path.write_text(dump(document), encoding="utf-8")
        run_limited("validate", str(path), cwd=Path(directory))


@LIMITED
@given(st.sampled_from(["sigmoid-neuron", "vectorized-norm", "and-perceptron"]).flatmap(
    lambda name: st.tuples(st.just(name), answers_doc(name))))
def test_check_under_the_hard_limits(case: tuple[str, dict]) -> None:
    exercise_id, document = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "answers.yaml"
        path.write_text(dump(document), encoding="utf-8")
        run_limited("check", exercise_id, str(path), "--format", "json", cwd=Path(directory))
