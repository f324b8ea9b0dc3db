"""Hostile and broken input, through the real command line.

The corpus is in tests/hostile/:

- `expressions.txt`: expression texts (and `--at` values) for `solve` and `explain`; each
  sample says what its error message must contain (see the header of the file);
- `answers/*.yaml`: answers files for bundled exercises, with the verdicts below;
- `exercises/*.yaml`: exercise files, with the problems `validate` must name below (and
  `check` and `explain` too);
- `yaml/*`: the YAML-level samples of tests/test_yamlio.py, here also run through `check`.

Every sample proves, through `gradtutor.cli.app` (typer's CliRunner) or a real subprocess:
the exit status; no traceback and no "internal error" (exit status 3 is a bug); an error
is one line naming the file, the line and the field (an expression error: one line, then
the source and a caret); a bad step inside a readable answers file is that step's
`invalid` (or `wrong`) verdict and every other step is still checked; nothing ran (no
sample may create the file its `PWNED_PATH` names, which is replaced by a path under the
test's tmp_path); and every sample finishes within a generous time bound: the point is
"no hang", not speed. The worst samples also run in a subprocess under an address-space
limit, with their peak memory measured.

The last section covers the hard limits of issue 12 through real processes: work that no
signal stops ends in the symbolic worker; one file's unexpected exception is its own row;
batches with links, pipes and odd names; `--jobs` capped; Ctrl-C keeping the rows done;
`--output` never overwriting an input nor truncating a log; the command line's `-x`,
repeated and non-finite `--at` values.

Known bugs are marked `xfail(strict=True, reason="bug: ...")`: when one is fixed, its
test passes, pytest reports the XPASS as a failure, and the marker must go.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner
from written import written_copy

from gradtutor.base import limits
from gradtutor.cli.app import app

from bounds import HANG_SECONDS

try:
    import resource
except ImportError:  # not POSIX: the subprocess limits cannot be set
    resource = None  # type: ignore[assignment]

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXPRESSIONS = HOSTILE / "expressions.txt"
ANSWERS = HOSTILE / "answers"
EXERCISES = HOSTILE / "exercises"
YAML_SAMPLES = HOSTILE / "yaml"

PWNED = "PWNED_PATH"  # in a sample: replaced by a path that nothing may create
SECONDS = HANG_SECONDS  # per command: generous, so that CI does not flake; a hang takes forever
MEMORY_LIMIT = 1536 << 20  # address space of a subprocess: numpy and sympy reserve a lot
PEAK_MB = 400  # resident memory a subprocess may reach
LINE_CHARS = 1000  # an error line longer than this is not "one clear message"

SIGMOID = "sigmoid-neuron"
NORM = "vectorized-norm"
VERDICTS = ("correct", "follow-through", "wrong", "missing", "invalid")
ASKED = {
    SIGMOID: ["f4", "f6", "f7", "f8", "df8/df7", "df8/df6", "df8/df5", "df8/df4", "df8/df3",
              "df8/df2", "df8/df1", "df8/dw0", "df8/dx0", "df8/dw1", "df8/dx1", "df8/dw2"],
    NORM: ["q", "f", "df/dq", "df/dW", "df/dx"],
}
COMMANDS = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
runner = CliRunner()



# -- running gradtutor ---------------------------------------------------------------------


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float | None = None  # subprocesses only

    def describe(self) -> str:
        return (f"exit status {self.status} after {self.seconds:.2f} s\n"
                f"--- stderr ---\n{self.stderr[:3000]}\n--- stdout ---\n{self.stdout[:3000]}")


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    """The command through typer's CliRunner, in this process."""
    start = time.monotonic()
    result = runner.invoke(app, list(args), env=env)
    seconds = time.monotonic() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: "
                             f"{result.exception}") from result.exception
    return Run(result.exit_code, result.stdout, result.stderr, seconds)


def _limit_child() -> None:
    assert resource is not None
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))


def run_process(*args: str, cwd: Path, seconds: float = SECONDS) -> Run:
    """`python -m gradtutor ARGS` under an address-space limit, killed after `seconds`;
    its own peak resident memory comes from wait4."""
    if resource is None or not hasattr(os, "wait4"):
        pytest.skip("needs POSIX resource limits and os.wait4")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "COLUMNS": "100"}
    env.pop("PYTHONWARNINGS", None)
    out, err = cwd / ".gradtutor-stdout", cwd / ".gradtutor-stderr"
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "gradtutor", *args],
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                   cwd=cwd, env=env, preexec_fn=_limit_child)
        timer = threading.Timer(seconds, process.kill)
        timer.start()
        try:
            _, wait_status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(wait_status)
    elapsed = time.monotonic() - start
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Run(process.returncode, out.read_text(errors="replace"),
               err.read_text(errors="replace"), elapsed, peak)


def stage(sample: Path, directory: Path) -> Path:
    """A copy of the sample in `directory`, its PWNED_PATH pointing into `directory`."""
    target = directory / sample.name
    target.write_bytes(sample.read_bytes().replace(PWNED.encode(), pwned(directory).encode()))
    return target


def pwned(directory: Path) -> str:
    return str(directory / "PWNED")


# -- what every run must show --------------------------------------------------------------


def assert_sane(run: Run, directory: Path, seconds: float = SECONDS) -> None:
    """No traceback, no internal error, nothing executed, and no hang."""
    assert run.status >= 0, f"killed (a hang?): {run.describe()}"
    assert run.status != 3, f"internal error (a bug): {run.describe()}"
    for text in (run.stdout, run.stderr):
        assert "Traceback" not in text, run.describe()
    assert "internal error" not in run.stderr, run.describe()
    assert not Path(pwned(directory)).exists(), "a sample ran code: the PWNED file exists"
    assert run.seconds < seconds, f"took {run.seconds:.1f} s (bound {seconds:g} s)"


def message_lines(run: Run) -> list[str]:
    """stderr's lines without the 'error: ' prefix or its indentation."""
    lines = run.stderr.splitlines()
    assert lines, f"no message on stderr: {run.describe()}"
    assert lines[0].startswith("error: "), run.describe()
    for line in lines:
        assert len(line) <= LINE_CHARS, f"a {len(line):,}-character error line"
    return [line[len("error: "):] if line.startswith("error: ") else line.strip()
            for line in lines]


ANY_LINE = -1  # in an expectation: the message names some line, whichever


def assert_problem(lines: list[str], file: Path, line: int | None, field: str | None,
                   fragment: str) -> None:
    """One of the lines is `FILE:LINE: FIELD: ...FRAGMENT...` (no LINE when it is None)."""
    where = re.escape(f"{file}") + (r":\d+" if line == ANY_LINE else
                                     f":{line}" if line is not None else "")
    prefix = re.compile(where + ": " + (re.escape(f"{field}: ") if field else ""))
    assert any(prefix.match(text) and fragment in text for text in lines), \
        f"no line matching {prefix.pattern!r} containing {fragment!r} in:\n" + "\n".join(lines)


def assert_file_error(run: Run, file: Path, line: int | None, field: str | None,
                      fragment: str) -> None:
    """Exit status 2 and a message on stderr whose every line names the file."""
    assert run.status == 2, run.describe()
    lines = message_lines(run)
    for text in lines:
        assert text.startswith(f"{file}:"), text
    assert_problem(lines, file, line, field, fragment)


# -- expressions: solve and explain --------------------------------------------------------


@dataclass(frozen=True)
class ExpressionSample:
    name: str
    text: str
    at: tuple[str, ...] = ()
    expect: str = ""
    statuses: tuple[int, ...] = (2,)
    xfail: str | None = None


def read_expressions() -> list[ExpressionSample]:
    """The samples of expressions.txt, with the `## key: value` directives before each."""
    samples: list[ExpressionSample] = []
    pending: dict = {"at": []}
    for line in EXPRESSIONS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            key, colon, value = line[3:].partition(": ")
            if colon and key == "at":
                pending["at"].append(value)
            elif colon and key == "exit":
                pending["statuses"] = tuple(int(v) for v in value.split())
            elif colon and key in ("name", "expect", "xfail"):
                pending[key] = value
            continue
        if line.startswith("##") or not line.strip():
            continue
        assert "name" in pending, f"expressions.txt: no '## name:' before {line[:40]!r}"
        samples.append(ExpressionSample(text=line, at=tuple(pending.pop("at")), **pending))
        pending = {"at": []}
    return samples


EXPRESSION_SAMPLES = read_expressions()


def expression_params() -> list:
    params = []
    for command in ("solve", "explain"):
        for sample in EXPRESSION_SAMPLES:
            marks = [pytest.mark.xfail(strict=True, reason=sample.xfail)] if sample.xfail \
                else []
            if command not in COMMANDS:
                marks = [pytest.mark.skip(reason=f"no '{command}' command")]
            params.append(pytest.param(command, sample, marks=marks,
                                       id=f"{command}-{sample.name}"))
    return params


def test_the_expression_corpus_is_well_formed() -> None:
    names = [s.name for s in EXPRESSION_SAMPLES]
    assert len(names) == len(set(names)), "duplicate sample names in expressions.txt"
    assert len(names) >= 40
    for sample in EXPRESSION_SAMPLES:
        if sample.statuses == (2,):
            assert sample.expect, f"{sample.name}: no '## expect:'"


@pytest.mark.parametrize(("command", "sample"), expression_params())
def test_hostile_expression(command: str, sample: ExpressionSample, tmp_path: Path) -> None:
    """Exit status 2 (or as stated), one line with the expected message, then at most the
    source and a caret under the column; nothing run, no hang."""
    target = pwned(tmp_path)
    args = [command]
    for value in sample.at:
        args += ["--at", value.replace(PWNED, target)]
    run = run_cli(*args, "--format", "plain", "--", sample.text.replace(PWNED, target))
    assert_sane(run, tmp_path)
    assert run.status in sample.statuses, run.describe()
    if run.status != 2:
        return
    assert run.stdout == "", run.describe()
    lines = run.stderr.splitlines()
    assert lines[0].startswith("error: ") and sample.expect in lines[0], run.describe()
    assert len(lines[0]) <= LINE_CHARS
    assert len(lines) in (1, 3), f"not one line (and a caret): {run.describe()}"
    if len(lines) == 3:
        assert lines[1].startswith("  ") and lines[2].strip() == "^", run.describe()
        assert len(lines[1]) <= 210, "the caret line shows the whole source"


# -- answers files -------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A readable answers file: exit status `status` (1: not all right) and these verdicts.
    A value is a verdict, a set of allowed verdicts, or (verdict, fragment of its message).
    Every asked step not listed must be `missing`."""

    verdicts: dict
    exercise: str = SIGMOID
    notes: tuple[str, ...] = ()
    status: int = 1


@dataclass(frozen=True)
class Refused:
    """An unreadable answers file: exit status 2, one line naming file, line and field."""

    message: str
    line: int | None
    field: str | None = None
    exercise: str = SIGMOID


def invalid(fragment: str) -> tuple[str, str]:
    return ("invalid", fragment)


ALL_WRONG = dict.fromkeys(ASKED[SIGMOID], "wrong")
ANSWER_SAMPLES: dict[str, Report | Refused] = {
    # code, and ways into Python
    "code_import_os.yaml": Report({
        "f6": "correct", "f8": invalid("names may not start with two underscores"),
        "df8/df7": invalid("unexpected character"), "df8/dw0": invalid("unexpected character")}),
    "code_subclasses.yaml": Report({
        "f6": "correct", "f8": invalid("unexpected character '.' (column 3)"),
        "df8/dw0": invalid("unexpected character '.' (column 15)"),
        "df8/dx0": invalid("unexpected character '.'"),
        "df8/dw1": invalid("names may not start with two underscores")}),
    "code_lambda.yaml": Report({
        "f6": "correct", "f8": invalid("unexpected character ':'"),
        "df8/df7": invalid("unexpected character ':'"),
        "df8/df6": invalid("unexpected character '\"'"),
        "df8/df5": invalid("unexpected character ':'"),
        "df8/df4": invalid("a value must be a number, found name 'x'")}),
    "code_shell.yaml": Report({
        "f6": "correct", "f8": invalid("unexpected character '$'"),
        "df8/df7": invalid("unexpected character '`'"),
        "df8/df6": invalid("found end of input"),
        "df8/df5": invalid("unexpected character '&'")}),
    "unknown_functions.yaml": Report({
        "f6": "correct", "f8": invalid("unknown function 'system'"),
        "df8/df7": invalid("unknown function 'getattr'"),
        "df8/dw0": invalid("unknown function 'open'")}),
    "unknown_names.yaml": Report({
        "f6": "correct", "df8/dw0": invalid("unknown name 'evil'"),
        "df8/dx0": invalid("unknown name 'os'"), "df8/dw1": invalid("unknown name 'nan'"),
        "df8/dx1": invalid("unknown name 'inf'")}),
    "markup_injection.yaml": Report({
        "f6": "correct", "f8": invalid("found '/'"),
        "df8/df7": invalid("found name 'bold'")},
        notes=("'[/]' is not a step", "'[blink]df8/dw0' is not a step")),
    "csv_injection.yaml": Report({"f6": "correct", "f8": invalid("found '='")}),
    # sizes: powers, nesting, length, time
    "power_towers.yaml": Report({
        "f6": "correct", "f8": invalid("power too large"), "df8/df7": invalid("power too large"),
        "df8/df6": invalid("power too large: exponent"),
        "df8/df5": invalid("power too large: exponent"),
        "df8/df4": invalid("power too large"), "df8/df3": invalid("too large for a float")}),
    "deep_parentheses.yaml": Report({
        "f6": "correct", "f8": invalid("the limit is 2,000"),
        "df8/df7": invalid("nested more than 100 levels deep"),
        "df8/df6": invalid("nested more than 100 levels deep"),
        "df8/df5": invalid("nested more than 100 levels deep")}),
    "long_text.yaml": Report({"f6": "correct", "f8": invalid("the limit is 2,000")}),
    "flat_chain.yaml": Report({"f6": "correct", "f7": invalid("operations deep")}),
    # right formulas sympy cannot simplify in minutes: settled numerically, without sympy
    "slow_formula.yaml": Report({"f6": "correct", "df8/dw0": "correct", "df8/dx0": "correct"}),
    "time_budget.yaml": Report({**dict.fromkeys(ASKED[SIGMOID], ("correct", "domain")),
                                **dict.fromkeys(("f4", "f6", "f7", "f8"), "correct")},
                               status=0),
    # NaN, infinity, extreme and huge numbers
    "nan_inf.yaml": Report({
        "f6": "correct", "f4": "wrong", "f7": "wrong", "f8": "wrong", "df8/df7": "wrong",
        "df8/df6": "wrong", "df8/df5": "wrong", "df8/df4": invalid("too large for a float")}),
    "nan_everywhere.yaml": Report(ALL_WRONG),
    "extreme_floats.yaml": Report({
        "f6": "correct", "f4": "wrong", "f7": "wrong", "f8": "wrong", "df8/df7": "wrong",
        "df8/df6": {"wrong", "follow-through"}, "df8/df5": "wrong", "df8/dw0": "wrong"}),
    "huge_integer.yaml": Report({"f6": "correct", "f8": invalid("too large for a float")}),
    # wrong types and shapes
    "wrong_types.yaml": Report({
        "f6": "correct", "f4": invalid("expected a number"), "f7": invalid("got true"),
        "f8": invalid("got false"), "df8/df7": invalid("an empty list is not a value"),
        "df8/df6": invalid("an empty list is not a value"), "df8/df4": "wrong"}),
    "null_answer.yaml": Report({"f6": "correct"}),
    "wrong_shapes.yaml": Report({
        "f6": "correct", "f8": ("wrong", "expected shape scalar, got 2"),
        "df8/df7": ("wrong", "in the wrong shape"), "df8/df6": ("wrong", "in the wrong shape"),
        "df8/df5": ("wrong", "in the wrong shape"),
        "df8/dw0": ("wrong", "expected shape scalar, got 2x2")}),
    "norm_ragged.yaml": Report({
        "f": "correct", "df/dW": invalid("ragged matrix"),
        "q": invalid("a matrix mixes numbers and rows"),
        "df/dx": invalid("nested more than 2 deep")}, exercise=NORM),
    "norm_nan_matrix.yaml": Report({"f": "correct", "df/dW": "wrong", "q": "wrong",
                                    "df/dx": "wrong"}, exercise=NORM),
    "norm_matrix_text.yaml": Report({
        "f": "correct", "df/dW": invalid("names may not start with two underscores"),
        "q": invalid("expected ']'"), "df/dx": invalid("unexpected text after the value")},
        exercise=NORM),
    "norm_huge_matrix.yaml": Report({
        "f": "correct", "df/dW": ("wrong", "expected shape 2x2, got 200x200")}, exercise=NORM),
    "norm_transposed_code.yaml": Report({
        "f": "correct", "q": invalid("q is a forward value"), "df/dx": "correct",
        "df/dW": invalid("unexpected character '.'")}, exercise=NORM),
    # step names
    "unknown_steps.yaml": Report({"f6": "correct"}, notes=(
        "line 6: 'f9' is not a step of this exercise",
        "line 7: 'df8/dw9' is not a step of this exercise (did you mean df8/dw2?)",
        "line 8: '__import__('os')' is not a step", "line 9: '../../etc/passwd' is not a step",
        "line 10: 'df8/d__class__' is not a step", "line 12: '1' is not a step",
        "line 13: 'null' is not a step")),
    "duplicate_after_normalising.yaml": Report({
        "f6": "correct", "df8/df7": invalid("answered twice: 'df8/df7' (line 6) and "
                                            "'df8 / df7' (line 7)")}),
    "newline_in_step.yaml": Report({"f6": "correct"}, notes=("is not a step",)),
    "newline_in_top_key.yaml": Refused("unknown key", 5),
    # YAML: tags, aliases, duplicates, documents
    "python_tag_apply.yaml": Refused(
        "YAML tags are not allowed (found '!!python/object/apply:os.system')", 5, "answers.f8"),
    "python_tag_top.yaml": Refused(
        "YAML tags are not allowed (found '!!python/object/new:subprocess.Popen')", 1),
    "python_tag_name.yaml": Refused("YAML tags are not allowed (found '!!python/name:os.system')",
                                    5, "answers.f8"),
    "custom_tag.yaml": Refused("YAML tags are not allowed (found '!expr')", 5, "answers.f8"),
    "alias_bomb.yaml": Refused("YAML anchors are not allowed (found '&a')", 4, "lol"),
    "alias_reuse.yaml": Refused("YAML anchors are not allowed (found '&v')", 4, "answers.f6"),
    "merge_key.yaml": Refused("YAML merge keys ('<<') are not allowed", 4, "answers"),
    "duplicate_step.yaml": Refused("duplicate key 'f8' (first at line 6)", 7, "answers"),
    "duplicate_top_key.yaml": Refused("duplicate key 'exercise' (first at line 1)", 2),
    "two_documents.yaml": Refused("more than one YAML document", 5),
    "deep_yaml.yaml": Refused("YAML is nested more than 32 levels deep", 4),
    # not text
    "non_utf8.yaml": Refused("not a text file: invalid UTF-8 at byte offset 37", 2),
    "binary_garbage.yaml": Refused("not a text file: invalid UTF-8 at byte offset 0", 1),
    "nul_in_answer.yaml": Refused("not a text file: a NUL byte at byte offset 58", 4),
    # wrong shapes of the whole file
    "empty.yaml": Refused("the file is empty", None),
    "comments_only.yaml": Refused("the file is empty", None),
    "top_level_list.yaml": Refused("an answers file is a mapping", 1),
    "top_level_scalar.yaml": Refused("an answers file is a mapping", 1),
    "top_level_text.yaml": Refused("an answers file is a mapping", 1),
    "other_exercise.yaml": Refused(
        "these answers are for exercise 'vectorized-norm', not 'sigmoid-neuron'", 1, "exercise"),
    "unknown_top_key.yaml": Refused("unknown key '__class__'", 5, "__class__"),
    "exercise_wrong_type.yaml": Refused("'exercise' must be text", 1, "exercise"),
    "student_wrong_type.yaml": Refused("'student' must be text", 2, "student"),
    "answers_wrong_type.yaml": Refused("'answers' must map step names to values", 2, "answers"),
    "answers_text.yaml": Refused("'answers' must map step names to values", 2, "answers"),
    # sizes and numbers (issue 12)
    "many_unknown_steps.yaml": Refused("1,001 answers; an answers file holds at most 1,000", 4,
                                       "answers"),
    "huge_hex_student.yaml": Report({"f6": "wrong", "f4": invalid("characters long")}),
    "tiny_literals.yaml": Report({
        "f6": "wrong", "f4": invalid("too small for a float"), "f8": invalid("characters long"),
        "df8/dx0": invalid("too small for a float")}),
    "unicode_digits.yaml": Report({"f6": "wrong", "f4": invalid("unexpected character"),
                                   "f7": invalid("unexpected character")}),
    "long_literal_formula.yaml": Report({"f6": "wrong", "df8/dx0": "wrong"}),
}
ANSWER_BUGS: dict[str, str] = {}  # sample -> "bug: ..." (a strict xfail)
SLOW_ANSWERS = {  # samples that wait for a time bound, and their own bound
    "slow_formula.yaml": limits.SIMPLIFY_SECONDS + SECONDS,
    "time_budget.yaml": 4.0 + SECONDS,  # FILE_SECONDS is lowered to 4 s for this test
}
BIG_REPORTS = {"norm_huge_matrix.yaml": 3 * SECONDS}  # 40,000 entries to draw in a table


def answer_params() -> list:
    return [pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=ANSWER_BUGS[name])]
                         if name in ANSWER_BUGS else [], id=name)
            for name in sorted(ANSWER_SAMPLES)]


def test_every_answers_sample_has_an_expectation() -> None:
    files = {p.name for p in ANSWERS.iterdir() if p.is_file()}
    assert files == set(ANSWER_SAMPLES), "samples and expectations differ"
    assert set(ANSWER_BUGS) <= files


@pytest.mark.parametrize("name", answer_params())
def test_hostile_answers_file(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                              ) -> None:
    """`check --format json`: the verdict of every asked step, or one line naming the file,
    line and field with exit status 2 (the other formats: the test below)."""
    monkeypatch.setattr(limits, "FILE_SECONDS", 4.0)  # the time-budget sample: 4 s, not 10
    expected = ANSWER_SAMPLES[name]
    answers = stage(ANSWERS / name, tmp_path)
    seconds = SLOW_ANSWERS.get(name, SECONDS)
    exercise = written_copy(expected.exercise, tmp_path / "exercise")  # mallory's too
    run = run_cli("check", exercise, str(answers), "--format", "json")
    assert_sane(run, tmp_path, seconds)
    if isinstance(expected, Refused):
        assert_file_error(run, answers, expected.line, expected.field, expected.message)
        report = json.loads(run.stdout)
        assert expected.message in report["error"] and report["answers_file"] == str(answers)
    else:
        assert run.status == expected.status, run.describe()
        assert run.stderr == "", run.describe()
        assert_report(json.loads(run.stdout), expected, answers)


FORMATS = ("plain", "rich", "csv", "gradescope", "prairielearn")
RENDER_BUGS: dict[tuple[str, str], str] = {}  # (sample, format) -> "bug: ..." (strict xfail)


def render_params() -> list:
    params = []
    for name in sorted(set(ANSWER_SAMPLES) - set(SLOW_ANSWERS)):
        for chosen in FORMATS:
            reason = ANSWER_BUGS.get(name) or RENDER_BUGS.get((name, chosen))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(name, chosen, marks=marks, id=f"{chosen}-{name}"))
    return params


@pytest.mark.parametrize(("name", "chosen"), render_params())
def test_hostile_answers_file_renders(name: str, chosen: str, tmp_path: Path) -> None:
    """Every other report format survives every sample, with the same exit status."""
    expected = ANSWER_SAMPLES[name]
    answers = stage(ANSWERS / name, tmp_path)
    exercise = written_copy(expected.exercise, tmp_path / "exercise")
    run = run_cli("check", exercise, str(answers), "--format", chosen)
    assert_sane(run, tmp_path, BIG_REPORTS.get(name, SECONDS))
    if isinstance(expected, Refused):
        assert_file_error(run, answers, expected.line, expected.field, expected.message)
    else:
        assert run.status == 1 and run.stderr == "", run.describe()
        assert run.stdout.strip(), run.describe()
        forged = [line for line in run.stdout.splitlines() if line.startswith("error:")]
        assert not forged, f"a report line forged by the answers file: {forged}"


def assert_report(report: dict, expected: Report, answers: Path) -> None:
    assert report["exercise"] == expected.exercise
    assert report["answers_file"] == str(answers)
    assert "error" not in report
    steps = report["steps"]
    assert [s["step"] for s in steps] == ASKED[expected.exercise], "one verdict per step"
    for step in steps:
        want = expected.verdicts.get(step["step"], "missing")
        verdict, fragment = (want if isinstance(want, tuple) else (want, None))
        allowed = verdict if isinstance(verdict, set) else {verdict}
        assert allowed <= set(VERDICTS)
        assert step["verdict"] in allowed, f"{step['step']}: {step}"
        message = step.get("message") or ""
        assert "\n" not in message and len(message) <= LINE_CHARS, step
        if fragment is not None:
            assert fragment in message, f"{step['step']}: {message!r}"
        if step["verdict"] == "invalid":
            assert message, f"{step['step']}: invalid without a reason"
        assert 0 <= step["score"] <= step["max_score"], step
        if step["verdict"] != "correct" and step["verdict"] != "follow-through":
            assert step["score"] == 0, step
    assert report["max_score"] == sum(s["max_score"] for s in steps)
    assert 0 <= report["score"] <= report["max_score"]
    notes = report.get("notes", [])
    for note in expected.notes:
        assert any(note in n for n in notes), f"no note {note!r} in {notes}"


# -- exercise files ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """What `validate` says of an exercise sample: its exit status and problems, each
    (line, field, fragment) naming a line of the message. `check` with an answers file for
    it exits 2 when validate does, else 1."""

    problems: tuple[tuple[int | None, str | None, str], ...] = ()
    status: int = 2
    subprocess_only: bool = False  # too big for this process: run under a memory limit


def at(line: int | None, field_name: str | None, fragment: str) -> tuple:
    return (line, field_name, fragment)


TWO_UNDERSCORES = "names may not start with two underscores"
EXERCISE_SAMPLES: dict[str, Bad] = {
    # code, and ways into Python
    "code_import_os.yaml": Bad((at(8, "graph.f", TWO_UNDERSCORES),)),
    "code_subclasses.yaml": Bad((at(8, "graph.f", "unexpected character '.' (column 3"),)),
    "code_lambda.yaml": Bad((at(8, "graph.f", "unexpected character ':'"),)),
    "code_eval.yaml": Bad((at(8, "graph.f", "unknown function 'eval'"),)),
    "code_in_given.yaml": Bad((at(5, "given.x", TWO_UNDERSCORES),)),
    "code_in_output.yaml": Bad((at(9, "output", "output '__import__('os')' is not a node"),)),
    "code_in_ask.yaml": Bad((at(10, "ask[0]", "is not a step"),
                             at(11, "ask[1]", "'df/d__class__' is not a step"))),
    "code_in_tests.yaml": Bad((at(10, "tests[0]", "expected score 1, got 0"),), status=1),
    "network_hostile.yaml": Bad((at(10, "network.layers[0].activation",
                                    "unknown activation '__import__('os')'"),)),
    "perceptron_hostile.yaml": Bad((
        at(5, "inputs[0]", "is not a valid name"),
        at(7, "table[0][2]", "'exec(1)' is not a number"),
        at(8, "table[1][1]", "expected a number, not a list"),
        at(9, "table[2][0]", "expected a finite number, not nan"),
        at(10, "activation.step.at_zero", "not inf"),
        at(11, "ask[0]", "cannot ask '__class__'"))),
    "markup_title.yaml": Bad(status=0),
    "near_float_max.yaml": Bad(status=0),
    # graphs that are not graphs
    "cycle.yaml": Bad((at(8, "graph.a", "cycle: a -> b -> c -> a"),)),
    "self_reference.yaml": Bad((at(8, "graph.a", "node 'a' reads itself"),)),
    "undefined_name.yaml": Bad((at(8, "graph.f", "undefined name 'z'"),)),
    "bad_names.yaml": Bad((at(8, "graph.__f", "'__f' is not a valid node name"),
                           at(9, "graph.exp", "'exp' is not a valid node name"),
                           at(10, "graph.x", "'x' is both given and a node"),
                           at(11, "graph.a b", "'a b' is not a valid node name"))),
    "bad_id.yaml": Bad((at(2, "id", "'../../etc/passwd' is not a valid id"),)),
    "shape_mismatch.yaml": Bad((at(8, "graph", "cannot multiply (2, 2) @ (3,)"),)),
    # sizes
    "power_tower.yaml": Bad((at(8, "graph.f", "power too large: exponent"),)),
    "power_tower_given.yaml": Bad((at(5, "given.x", "power too large"),)),
    "deep_parentheses.yaml": Bad((at(8, "graph.f", "nested more than 100 levels deep"),)),
    "deep_calls.yaml": Bad((at(8, "graph.f", "nested more than 100 levels deep"),)),
    "flat_chain.yaml": Bad((at(8, "graph.f", "more than 250 operations deep"),)),
    "long_chain.yaml": Bad(status=0, subprocess_only=True),
    "broadcast_bomb.yaml": Bad((at(8, "graph", "x * y: the result would have 400,000,000 "
                                          "entries; the limit is 1,000,000"),),
                               subprocess_only=True),
    "outer_product_bomb.yaml": Bad((at(8, "graph", "u @ v: the result would have "
                                              "400,000,000 entries"),), subprocess_only=True),
    # values
    "ragged_given.yaml": Bad((at(5, "given.x", "ragged matrix: rows have lengths 2, 1"),)),
    "three_dimensional_given.yaml": Bad((at(5, "given.x", "nested more than 2 deep"),)),
    "wrong_given_types.yaml": Bad((at(5, "given.x", "got dict"), at(6, "given.y", "got true"),
                                   at(7, "given.z", "got nothing"),
                                   at(8, "given.w", "an empty list is not a value"))),
    "nonfinite_given.yaml": Bad((at(5, "given.x", "'x' is not finite"),
                                 at(6, "given.y", "'y' is not finite"))),
    "nonfinite_node.yaml": Bad((at(8, "graph", "step 'f' has no finite true value (-inf)"),)),
    "nan_weight.yaml": Bad((at(10, "ask[0].weight", "not nan"),
                            at(11, "ask[1].weight", "not inf"))),
    "nan_test_score.yaml": Bad((at(11, "tests[0].score", "not nan"),)),
    "huge_numbers.yaml": Bad((at(ANY_LINE, "ask[0].weight", ""),
                              at(13, "tolerance.rel", ""),
                              at(ANY_LINE, "tests[0].score", ""))),
    "perceptron_huge_numbers.yaml": Bad((at(ANY_LINE, "ask[0].weight", ""),
                                         at(ANY_LINE, "tests[0].score", ""))),
    # wrong types and keys
    "wrong_field_types.yaml": Bad((at(2, "id", "'id' must be text, not a number"),
                                   at(3, "title", "'title' must be text, not a list"),
                                   at(5, "given", "'given' must map input names to values"),
                                   at(6, "graph", "'graph' must map node names to expressions"))),
    "output_not_text.yaml": Bad((at(9, "output", "'output' must be a node's name, not a "
                                            "list"),)),
    "ask_wrong_items.yaml": Bad((at(10, "ask[0]", "a step is a name"),
                                 at(11, "ask[1]", "a step is a name"),
                                 at(12, "ask[2].weight", "weight must be a positive number"),
                                 at(13, "ask[3].evil", "unknown key 'evil'"),
                                 at(14, "ask[4]", "'d/d' is not a step"),
                                 at(15, "ask[5]", "no node or input 'nosuch'"))),
    "unknown_keys.yaml": Bad((at(9, "__class__", "unknown key '__class__'"),
                              at(10, "evil", "unknown key 'evil'"))),
    "network_list_fields.yaml": Bad((at(10, "network.layers[0].weights",
                                        "must be a name under 'given'"),)),
    "newline_in_key.yaml": Bad((at(5, "given.a\\nerror: a fake message",
                                   "is not a valid input name"),
                                at(8, "graph.f\\rg", "is not a valid node name"))),
    "network_wrong_types.yaml": Bad((at(7, "network.input", "must be a name under 'given'"),
                                     at(8, "network.layers[0]", "a layer is"))),
    "top_level_list.yaml": Bad((at(1, None, "an exercise is a mapping of keys"),)),
    "top_level_scalar.yaml": Bad((at(1, None, "an exercise is a mapping of keys"),)),
    "empty.yaml": Bad((at(None, None, "the file is empty"),)),
    # YAML
    "python_tag.yaml": Bad((at(4, "given.x", "YAML tags are not allowed (found "
                                             "'!!python/object/apply:os.system')"),)),
    "custom_tag.yaml": Bad((at(7, "graph.f", "YAML tags are not allowed (found '!expr')"),)),
    "aliases.yaml": Bad((at(7, "graph.f", "YAML anchors are not allowed (found '&e')"),)),
    "billion_laughs.yaml": Bad((at(7, "description",
                                   "YAML anchors are not allowed (found '&a')"),)),
    "duplicate_nodes.yaml": Bad((at(9, "graph", "duplicate key 'f' (first at line 7)"),)),
    "non_utf8.yaml": Bad((at(2, None, "not a text file: invalid UTF-8 at byte offset 22"),)),
    "binary_garbage.yaml": Bad((at(2, None, "not a text file: invalid UTF-8"),)),
    # counts, depth and numbers (issue 12)
    "many_self_tests.yaml": Bad((at(12, "tests", "201 self-tests; an exercise has at most"),)),
    "many_asked_steps.yaml": Bad((at(10, "ask", "1,001 asked steps"),)),
    "many_nodes.yaml": Bad((at(7, "graph", "5,001 nodes; a graph has at most 5,000"),)),
    "fibonacci_chain.yaml": Bad(status=0),
    "matrix_chain_memory.yaml": Bad((at(1018, "graph.A9",
                                        "would hold more than 10,000,000 numbers"),)),
    "unicode_digit_given.yaml": Bad((at(5, "given.x", "unexpected character"),)),
    "tiny_literal_node.yaml": Bad((at(7, "graph.f", "too small for a float (it would be 0)"),)),
    # drawn values and placeholders (numpy's int64, memory)
    "placeholder_width.yaml": Bad((at(2, "title", "'{x:>99999999999}': after the ':'"),
                                   at(3, "description", "widths and precisions up to 40"),
                                   at(11, "ask[0].hint", "'{x:0>1000000}'"))),
    "draw_huge_bounds.yaml": Bad((at(4, "given.x.integers", "bounds are at most 1e+15"),
                                  at(5, "given.y.integers", "bounds are at most 1e+15"),
                                  at(6, "given.z.uniform", "bounds are at most 1e+15"))),
    "draw_tiny_step.yaml": Bad((at(4, "given.x.step", "'step' 1e-300 leaves more than"),
                                at(5, "given.y.step", "1,000,000,000,000 values"))),
}
EXERCISE_BUGS: dict[str, str] = {}  # sample -> "bug: ..." (a strict xfail)


def exercise_params() -> list:
    return [pytest.param(name, marks=[pytest.mark.xfail(strict=True,
                                                        reason=EXERCISE_BUGS[name])]
                         if name in EXERCISE_BUGS else [], id=name)
            for name in sorted(EXERCISE_SAMPLES)]


def test_every_exercise_sample_has_an_expectation() -> None:
    files = {p.name for p in EXERCISES.iterdir() if p.is_file()}
    assert files == set(EXERCISE_SAMPLES), "samples and expectations differ"
    assert set(EXERCISE_BUGS) <= files


@pytest.mark.parametrize("name", exercise_params())
def test_hostile_exercise_file(name: str, tmp_path: Path) -> None:
    """`validate FILE` and `check FILE ANSWERS`: exit status 2 and every problem on a line
    of its own naming the file, the line and the field; nothing run, no hang."""
    expected = EXERCISE_SAMPLES[name]
    exercise = stage(EXERCISES / name, tmp_path)
    answers = tmp_path / "answers.yaml"
    answers.write_text("exercise: hostile\nanswers: {}\n")
    run = run_process if expected.subprocess_only else run_cli_in
    validated = run("validate", str(exercise), cwd=tmp_path)
    assert_sane(validated, tmp_path)
    assert validated.status == expected.status, validated.describe()
    if expected.status != 0:
        lines = message_lines(validated)
        for text in lines:
            assert text.startswith(f"{exercise}:"), text
        for line, field_name, fragment in expected.problems:
            assert_problem(lines, exercise, line, field_name, fragment)
    checked = run("check", str(exercise), str(answers), "--format", "json", cwd=tmp_path)
    assert_sane(checked, tmp_path)
    if expected.status == 2:
        assert checked.status == 2 and checked.stdout == "", checked.describe()
        assert message_lines(checked) == message_lines(validated)
    else:
        assert checked.status == 1, checked.describe()
        assert checked.stderr == "", checked.describe()


def run_cli_in(*args: str, cwd: Path) -> Run:
    return run_cli(*args)


EXPLAIN_BUGS = {**EXERCISE_BUGS}
# exercises that load and check, but are too large to write out as a walkthrough
EXPLAIN_REFUSED = {"long_chain.yaml": "a walkthrough of 3,000 steps is more than anyone can read",
                   "fibonacci_chain.yaml": "a walkthrough of 400 steps is more than anyone"}


def explain_params() -> list:
    marks = {name: [pytest.mark.xfail(strict=True, reason=reason)]
             for name, reason in EXPLAIN_BUGS.items()}
    if "explain" not in COMMANDS:
        return [pytest.param("", marks=[pytest.mark.skip(reason="no 'explain' command")])]
    return [pytest.param(name, marks=marks.get(name, []), id=name)
            for name in sorted(EXERCISE_SAMPLES)]


@pytest.mark.parametrize("name", explain_params())
def test_hostile_exercise_file_explained(name: str, tmp_path: Path) -> None:
    """`explain FILE`: the same message as validate (exit status 2), or a walkthrough."""
    expected = EXERCISE_SAMPLES[name]
    exercise = stage(EXERCISES / name, tmp_path)
    run = run_process if expected.subprocess_only else run_cli_in
    explained = run("explain", str(exercise), "--format", "plain", cwd=tmp_path)
    assert_sane(explained, tmp_path)
    if expected.status == 2:
        assert explained.status == 2 and explained.stdout == "", explained.describe()
        lines = message_lines(explained)
        for line, field_name, fragment in expected.problems:
            assert_problem(lines, exercise, line, field_name, fragment)
    elif name in EXPLAIN_REFUSED:
        assert explained.status == 2 and EXPLAIN_REFUSED[name] in explained.stderr, \
            explained.describe()
    else:
        assert explained.status == 0, explained.describe()


# -- the colleague's YAML samples, through check -------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in YAML_SAMPLES.iterdir()))
def test_yaml_sample_through_check(name: str, tmp_path: Path) -> None:
    """Every YAML-level sample as an answers file: a report (1) or one error naming the
    file (2), never a traceback."""
    answers = stage(YAML_SAMPLES / name, tmp_path)
    run = run_cli("check", SIGMOID, str(answers), "--format", "json")
    assert_sane(run, tmp_path)
    assert run.status in (1, 2), run.describe()
    report = json.loads(run.stdout)
    if run.status == 2:
        lines = message_lines(run)
        assert len(lines) == 1 and lines[0].startswith(f"{answers}"), run.describe()
        assert report["error"] == lines[0]
    else:
        assert [s["step"] for s in report["steps"]] == ASKED[SIGMOID]


# -- whole folders, renderers ------------------------------------------------------------------


def test_a_class_folder_full_of_hostile_files(tmp_path: Path) -> None:
    """Every sigmoid-neuron sample in one run: each file gets its own result, a bad one
    never stops the others, and the class summary renders in every format."""
    folder = tmp_path / "class"
    folder.mkdir()
    names = [n for n, e in ANSWER_SAMPLES.items() if e.exercise == SIGMOID
             and n not in ANSWER_BUGS and n not in SLOW_ANSWERS and n != "markup_injection.yaml"]
    for name in names:
        stage(ANSWERS / name, folder)
    run = run_cli("check", SIGMOID, str(folder), "--format", "json")
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    reports = json.loads(run.stdout)
    assert sorted(Path(r["answers_file"]).name for r in reports) == sorted(names)
    for report in reports:
        expected = ANSWER_SAMPLES[Path(report["answers_file"]).name]
        assert ("error" in report) == isinstance(expected, Refused), report
    refused = [n for n in names if isinstance(ANSWER_SAMPLES[n], Refused)]
    assert len(message_lines(run)) == len(refused)
    for chosen in ("plain", "csv", "rich"):
        rendered = run_cli("check", SIGMOID, str(folder), "--format", chosen)
        assert_sane(rendered, tmp_path)
        assert rendered.status == 2, rendered.describe()


def shown(text: str, output: str) -> bool:
    """Whether `text` appears in `output`, however a table wrapped it."""
    return "".join(text.split()) in "".join(output.split())


STUDENT_MARKUP = "[/][bold red]mallory[/bold red] [link=https://evil.example]click[/link]"
AUTHOR_MARKUP = "[/] A hostile [link=https://evil.example]exercise[/link]"


def test_rich_report_shows_student_markup_as_text(tmp_path: Path) -> None:
    """Console markup in an answers file is text in the rich report, not styles or links
    (a stray '[/]' used to crash the report of the whole class)."""
    answers = stage(ANSWERS / "markup_injection.yaml", tmp_path)
    run = run_cli("check", SIGMOID, str(answers), "--format", "rich", env={"COLUMNS": "300"})
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    assert shown(STUDENT_MARKUP, run.stdout), run.describe()
    assert shown("[bold]-0.5344[/bold]", run.stdout), run.describe()
    assert "\x1b]8;" not in run.stdout, "a terminal hyperlink"


def test_rich_answer_key_shows_author_markup_as_text(tmp_path: Path) -> None:
    exercise = stage(EXERCISES / "markup_title.yaml", tmp_path)
    run = run_cli("solve", str(exercise), "--format", "rich", env={"COLUMNS": "300"})
    assert_sane(run, tmp_path)
    assert run.status == 0, run.describe()
    assert shown(AUTHOR_MARKUP, run.stdout), run.describe()
    assert "\x1b]8;" not in run.stdout, "a terminal hyperlink"


@pytest.mark.parametrize("command", ["explain", "template"])
def test_author_markup_is_shown_as_text(command: str, tmp_path: Path) -> None:
    if command not in COMMANDS:
        pytest.skip(f"no '{command}' command")
    exercise = stage(EXERCISES / "markup_title.yaml", tmp_path)
    run = run_cli(command, str(exercise))
    assert_sane(run, tmp_path)
    assert run.status == 0, run.describe()
    assert shown(AUTHOR_MARKUP, run.stdout), run.describe()


def test_csv_export_does_not_start_a_cell_with_a_formula(tmp_path: Path) -> None:
    """A student named '=HYPERLINK(...)' is not a formula in the instructor's spreadsheet
    (OWASP CSV injection)."""
    answers = stage(ANSWERS / "csv_injection.yaml", tmp_path)
    run = run_cli("check", SIGMOID, str(answers), "--format", "csv")
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == 1 and "HYPERLINK" in rows[0]["student"]
    for cell in rows[0].values():
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


# -- a real process: exit statuses, memory, time ---------------------------------------------


PROCESS_SAMPLES = [
    # (what, sample, the command after the staged sample, exit status)
    pytest.param("answers", "code_import_os.yaml", ("check", SIGMOID), 1, id="code-in-answers"),
    pytest.param("answers", "slow_formula.yaml", ("check", SIGMOID), 1, id="slow-formula"),
    pytest.param("answers", "extreme_floats.yaml", ("check", SIGMOID), 1, id="extreme-floats"),
    pytest.param("answers", "norm_huge_matrix.yaml", ("check", NORM), 1, id="huge-matrix"),
    pytest.param("answers", "alias_bomb.yaml", ("check", SIGMOID), 2, id="alias-bomb"),
    pytest.param("answers", "binary_garbage.yaml", ("check", SIGMOID), 2, id="binary-garbage"),
    pytest.param("exercises", "billion_laughs.yaml", ("validate",), 2, id="billion-laughs"),
    pytest.param("exercises", "deep_parentheses.yaml", ("validate",), 2, id="deep-nesting"),
    pytest.param("exercises", "code_import_os.yaml", ("validate",), 2, id="code-in-graph"),
]


@pytest.mark.parametrize(("kind", "name", "command", "status"), PROCESS_SAMPLES)
def test_worst_samples_in_a_real_process(kind: str, name: str, command: tuple, status: int,
                                         tmp_path: Path) -> None:
    """`python -m gradtutor` under a 1.5 GB address-space limit: the right exit status,
    nothing on stderr but the one-line error, no warnings, and under PEAK_MB resident."""
    sample = stage(HOSTILE / kind / name, tmp_path)
    if command[0] == "check":
        args = (*command, str(sample), "--format", "json")
    else:
        args = (*command, str(sample))
    run = run_process(*args, cwd=tmp_path, seconds=limits.SIMPLIFY_SECONDS + SECONDS)
    assert_sane(run, tmp_path, limits.SIMPLIFY_SECONDS + SECONDS)
    assert run.status == status, run.describe()
    if status == 2:
        message_lines(run)
    else:
        assert run.stderr == "", f"noise on stderr: {run.describe()}"
    assert run.peak_mb is not None and run.peak_mb < PEAK_MB, f"peak {run.peak_mb:.0f} MB"


@pytest.mark.parametrize("text", [
    pytest.param("__import__('os').system('touch PWNED_PATH')", id="import-os"),
    pytest.param("(" * 5000 + "x" + ")" * 5000, id="deep-parentheses"),
    pytest.param("9**9**9**9", id="power-tower"),
    pytest.param("().__class__.__bases__[0].__subclasses__()", id="subclasses"),
])
def test_hostile_expression_in_a_real_process(text: str, tmp_path: Path) -> None:
    run = run_process("solve", "--", text.replace(PWNED, pwned(tmp_path)), cwd=tmp_path)
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    assert run.stderr.startswith("error: ") and len(run.stderr.splitlines()) == 3
    assert run.peak_mb is not None and run.peak_mb < PEAK_MB


def test_no_numpy_warnings_on_stderr(tmp_path: Path) -> None:
    """A key value near the largest float: overflow in the diagnoses stays silent (numpy
    used to print a RuntimeWarning, with a file name and a line of source)."""
    exercise = stage(EXERCISES / "near_float_max.yaml", tmp_path)
    answers = tmp_path / "answers.yaml"
    answers.write_text("exercise: hostile\nanswers: {g: 0, f: 3}\n")
    run = run_process("check", str(exercise), str(answers), "--format", "json", cwd=tmp_path)
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    assert run.stderr == "", run.describe()


@pytest.mark.parametrize("command", ["check-answers", "check-exercise", "validate-folder"])
def test_a_named_pipe_is_refused_not_waited_for(command: str, tmp_path: Path) -> None:
    """A FIFO (named pipe) as a file, or named *.yaml in a folder: refused, not read (an
    open() on it would wait forever for a writer)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.yaml")
    answers = stage(ANSWERS / "code_import_os.yaml", tmp_path)
    args = {"check-answers": ("check", SIGMOID, str(folder / "pipe.yaml")),
            "check-exercise": ("check", str(folder / "pipe.yaml"), str(answers)),
            "validate-folder": ("validate", str(folder))}[command]
    run = run_process(*args, cwd=tmp_path)  # refused at once; a wait is a hang
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    assert_problem(message_lines(run), folder / "pipe.yaml", None, None, "")


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    """--output writes through a symlink instead of renaming a file over it (which, run as
    root, used to replace /dev/full or /dev/null themselves with a regular file)."""
    target = tmp_path / "grades.csv"
    target.write_text("")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    answers = stage(ANSWERS / "code_import_os.yaml", tmp_path)
    run = run_cli("check", SIGMOID, str(answers), "--format", "csv", "--output", str(link))
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    assert link.is_symlink(), "the symlink was replaced by a regular file"
    assert "mallory" in target.read_text()


def test_the_time_budget_of_an_answers_file_holds_in_a_real_process(tmp_path: Path) -> None:
    """With the real bounds: twelve right formulas that sympy cannot simplify. Checked
    numerically first, the file is done within limits.FILE_SECONDS and a margin, each step
    right."""
    sample = stage(ANSWERS / "time_budget.yaml", tmp_path)
    bound = limits.FILE_SECONDS + 2 * SECONDS
    run = run_process("check", SIGMOID, str(sample), "--format", "json", cwd=tmp_path,
                      seconds=bound)
    assert_sane(run, tmp_path, bound)
    assert run.status == 0 and run.stderr == "", run.describe()
    steps = json.loads(run.stdout)["steps"]
    assert [s["step"] for s in steps] == ASKED[SIGMOID]
    assert {s["verdict"] for s in steps} == {"correct"}
    assert run.peak_mb is not None and run.peak_mb < PEAK_MB


# -- issue 12: hard limits, batches, files, the command line ---------------------------------


@pytest.mark.parametrize("args", [
    pytest.param(("x**y**y", "--at", "x=10", "--at", "y=1000000"), id="power-tower-at-point"),
    pytest.param(("exp(exp(x))", "--at", "x=1e7"), id="double-exponential"),
    pytest.param(("x*min(cos(exp(exp(exp(3)))), 5)",), id="triple-exponential-constant"),
])
def test_work_no_signal_stops_ends_in_the_worker(args: tuple[str, ...], tmp_path: Path) -> None:
    """Big-number and sympy work in C never sees a SIGALRM: it runs in the worker process,
    which is killed at its deadline; `solve` then exits 2 saying why (or finishes)."""
    bound = limits.WORKER_SECONDS + SECONDS
    run = run_process("solve", "--format", "plain", *args[1:], "--", args[0], cwd=tmp_path,
                      seconds=bound)
    assert_sane(run, tmp_path, bound)
    assert run.status in (0, 2), run.describe()
    if run.status == 2:
        assert len(message_lines(run)) == 1 and "too expensive to check" in run.stderr, \
            run.describe()
    assert run.peak_mb is not None and run.peak_mb < PEAK_MB


def test_the_worker_is_reused_and_replaced() -> None:
    """One worker for many calls; one that runs out is killed, and the next call gets a
    fresh one."""
    from gradtutor.base import sandbox

    if not sandbox.available():
        pytest.skip("no fork here")
    first = sandbox.run(os.getpid, what="a pid")
    assert sandbox.run(os.getpid, what="a pid") == first != os.getpid()
    with pytest.raises(sandbox.TooExpensive, match="too expensive to check: a nap took"):
        sandbox.run(time.sleep, 5, what="a nap", seconds=0.2)
    assert sandbox.run(os.getpid, what="a pid") != first
    if Path("/proc/self/statm").exists():  # where the worker can measure its address space
        with pytest.raises(sandbox.TooExpensive, match="more memory or CPU time"):
            sandbox.run(bytearray, 2 << 30, what="two gigabytes")
    assert sandbox.run(len, "abc", what="a length") == 3


def test_an_exception_in_one_file_is_that_files_row(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception while checking one file (here a RecursionError) is that
    file's error row; the others are checked and the platform output is written."""
    from gradtutor.grading import batch

    real = batch.check_answers

    def flaky(ex: object, answers: object) -> object:
        if "broken" in str(getattr(answers, "file", "")):
            raise RecursionError("maximum recursion depth exceeded")
        return real(ex, answers)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "check_answers", flaky)
    good = stage(ANSWERS / "code_import_os.yaml", tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(good.read_bytes())
    run = run_cli("check", SIGMOID, str(good), str(broken), "--format", "json")
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    reports = {Path(r["answers_file"]).name: r for r in json.loads(run.stdout)}
    assert "error" not in reports[good.name]
    assert "RecursionError" in reports[broken.name]["error"]
    assert str(broken) in reports[broken.name]["error"]
    results = tmp_path / "results.json"
    platform = run_cli("check", SIGMOID, str(broken), "--format", "gradescope",
                       "--output", str(results))
    assert platform.status == 2 and "RecursionError" in results.read_text(), platform.describe()


def make_class(folder: Path) -> dict[str, Path]:
    """A class folder with the awkward entries of a real one."""
    sample = ANSWERS / "code_import_os.yaml"
    (folder / "sub").mkdir(parents=True)
    entries = {name: folder / name for name in
               ("alice.yaml", "BOB.YAML", "carol.yaml.txt", "notes.txt", "sub/dave.yml")}
    for path in entries.values():
        path.write_bytes(sample.read_bytes())
    key = folder.parent / "key.yaml"
    key.write_bytes(sample.read_bytes())
    (folder / "sub" / "key.yaml").symlink_to(key)
    (folder / "sub" / "loop").symlink_to(folder)  # a loop a followed link would explode
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.yaml")
        entries["pipe.yaml"] = folder / "pipe.yaml"
    return entries


@pytest.mark.parametrize("how", ["folder", "recursive-glob"])
def test_a_batch_reports_every_odd_entry_and_leaves_nothing_out(how: str,
                                                                tmp_path: Path) -> None:
    """No symlinked folder or file is followed, nothing outside the root is graded; files
    that look like submissions get a row; every entry passed over is named on stderr."""
    folder = tmp_path / "class"
    entries = make_class(folder)
    target = str(folder) if how == "folder" else f"{folder}/**/*"
    run = run_process("check", SIGMOID, target, "--format", "csv", cwd=tmp_path)
    assert_sane(run, tmp_path)
    rows = {Path(r["answers_file"]).name for r in csv.DictReader(io.StringIO(run.stdout))}
    assert "key.yaml" not in rows and not any("loop" in r for r in rows)
    assert {"alice.yaml", "dave.yml", "BOB.YAML", "carol.yaml.txt"} <= rows
    if "pipe.yaml" in entries:
        assert "pipe.yaml" in rows and run.status == 2
        assert "pipe.yaml: not a regular file" in run.stderr
    assert "key.yaml: skipped: a symbolic link" in run.stderr
    assert "BOB.YAML: not named .yaml or .yml" in run.stderr
    if how == "folder":
        assert "notes.txt: skipped" in run.stderr


def test_jobs_are_capped_at_the_cores(tmp_path: Path) -> None:
    from gradtutor.grading.batch import MAX_JOBS, capped_jobs, default_jobs

    assert capped_jobs(100_000) == default_jobs() <= MAX_JOBS
    assert capped_jobs(1) == 1
    answers = stage(ANSWERS / "code_import_os.yaml", tmp_path)
    run = run_process("check", SIGMOID, str(answers), "--jobs", "100000", "--format", "json",
                      cwd=tmp_path)
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc; none elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_with_workers_keeps_what_is_done(tmp_path: Path) -> None:
    """SIGINT to the whole group (as a terminal sends it) while two workers check a large
    class: exit 130, the rows already graded in the partial --output, promptly."""
    import signal

    if not hasattr(os, "killpg"):
        pytest.skip("needs process groups")
    folder = tmp_path / "class"
    folder.mkdir()
    student = (HOSTILE.parent.parent / "exercises" / "answers" / "sigmoid-neuron.yaml").read_bytes()
    for index in range(4000):
        (folder / f"s{index:04}.yaml").write_bytes(student)
    output = tmp_path / "grades.csv"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gradtutor", "check", SIGMOID, str(folder), "--jobs", "2",
         "--format", "csv", "--output", str(output)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    start = time.monotonic()
    while process.poll() is None and not _children(process.pid) and \
            time.monotonic() - start < SECONDS:  # the workers are started: grading has begun
        time.sleep(0.05)
    time.sleep(2)  # some rows done (the assertion below holds however many)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("Ctrl-C did not stop the check")
    text = stderr.decode()
    if process.returncode == 130:
        assert "interrupted:" in text and "Traceback" not in text, text
        done = re.search(r"interrupted: ([0-9,]+) of 4,?000 files checked", text)
        assert done, text
        rows = list(csv.DictReader(io.StringIO(output.read_text())))
        # every file graded before Ctrl-C is a row (on a loaded machine, perhaps none yet)
        assert len(rows) == int(done.group(1).replace(",", "")), text
    else:  # the machine was fast enough to finish first
        assert process.returncode in (1, 2), text


def test_output_never_overwrites_an_input(tmp_path: Path) -> None:
    exercise = stage(EXERCISES / "markup_title.yaml", tmp_path)
    before = exercise.read_bytes()
    run = run_cli("template", str(exercise), "--output", str(exercise))
    assert run.status == 2 and "is one of the files being read" in run.stderr, run.describe()
    assert exercise.read_bytes() == before


def test_output_to_standard_output_appends(tmp_path: Path) -> None:
    """`--output /dev/stdout >> log` adds to the log instead of truncating it."""
    if not Path("/dev/stdout").exists():
        pytest.skip("no /dev/stdout")
    answers = stage(ANSWERS / "code_import_os.yaml", tmp_path)
    log = tmp_path / "log"
    log.write_text("earlier lines\n")
    with log.open("a") as stream:
        subprocess.run([sys.executable, "-m", "gradtutor", "check", SIGMOID, str(answers),
                        "--format", "csv", "--output", "/dev/stdout"], stdout=stream,
                       stderr=subprocess.DEVNULL, cwd=tmp_path, check=False)
    text = log.read_text()
    assert text.startswith("earlier lines\n") and "mallory" in text


def test_validate_of_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    run = run_cli("validate", str(tmp_path))
    assert run.status == 2 and "no exercise files" in run.stderr, run.describe()


def test_an_expression_that_names_a_file_says_which_was_chosen(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("not an exercise\n")
    run = run_cli("solve", "x", "--format", "plain")
    assert run.status == 2 and "is read as an exercise file" in run.stderr, run.describe()
    assert_sane(run, tmp_path)


@pytest.mark.parametrize("command", ["solve", "explain"])
def test_an_expression_may_start_with_a_minus(command: str) -> None:
    from gradtutor.cli.app import expression_last

    args = expression_last([command, "-x**2", "--at", "x=3", "--format", "plain"])
    assert args == [command, "--at", "x=3", "--format", "plain", "--", "-x**2"]
    run = run_cli(*args)
    assert run.status == 0 and "-9" in run.stdout, run.describe()


def test_perceptron_exact_numbers_stay_small(tmp_path: Path) -> None:
    """An exact fraction with a 1,500-digit denominator is that step's `invalid`, never an
    int -> str beyond Python's limit (exit 3) once such numbers are multiplied."""
    answers = tmp_path / "giant.yaml"
    answers.write_text("exercise: and-perceptron\nanswers:\n  w1: '1/" + "7" * 1500 + "'\n"
                       "  w2: 1\n  b: -1.5\n")
    run = run_cli("check", "and-perceptron", str(answers), "--format", "json")
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    steps = {s["step"]: s for s in json.loads(run.stdout)["steps"]}
    assert steps["weights"]["verdict"] == "invalid", steps
    assert "too many digits" in steps["weights"]["message"]


@pytest.mark.parametrize("chosen", ["gradescope", "prairielearn"])
def test_a_platform_gets_its_results_file_when_the_exercise_is_broken(chosen: str,
                                                                     tmp_path: Path) -> None:
    exercise = stage(EXERCISES / "code_import_os.yaml", tmp_path)
    answers = stage(ANSWERS / "code_import_os.yaml", tmp_path)
    results = tmp_path / "results.json"
    run = run_cli("check", str(exercise), str(answers), "--format", chosen,
                  "--output", str(results))
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    assert "not your answers: the exercise could not be loaded" in results.read_text()


NOT_UTF8 = "ali\udcffce"  # the byte 0xff of a Latin-1 name, as Python decodes argv and paths


@pytest.mark.parametrize("args", [("template", "max-gate"),
                                  ("solve", "max-gate", "--format", "yaml"),
                                  ("practice", "max-gate", "--save", "PLACE")])
def test_a_student_name_that_is_not_utf8_is_one_message(args: tuple[str, ...],
                                                        tmp_path: Path) -> None:
    args = tuple(str(tmp_path / "s.yaml") if arg == "PLACE" else arg for arg in args)
    run = run_cli(*args, "--student", NOT_UTF8)
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    assert message_lines(run) == ["--student: the student name 'ali\\udcffce' is not UTF-8 "
                                  "text: write it (or the file's name) in UTF-8"]


def test_a_file_name_that_is_not_utf8_is_that_files_error(tmp_path: Path) -> None:
    key = run_cli("solve", "max-gate", "--student", "bob", "--format", "yaml").stdout
    (tmp_path / "bob.yaml").write_text(key.replace("student: bob\n", ""))
    (tmp_path / f"{NOT_UTF8}.yaml").write_text(key.replace("student: bob\n", ""))
    run = run_cli("check", "max-gate", str(tmp_path), "--format", "json")
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    reports = {Path(r["answers_file"]).name: r for r in json.loads(run.stdout)}
    assert reports["bob.yaml"]["score"] == reports["bob.yaml"]["max_score"] > 0
    assert "'ali\\udcffce' is not UTF-8 text" in reports[f"{NOT_UTF8}.yaml"]["error"]
