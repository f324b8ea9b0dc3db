"""The exit statuses: an enum, decided in one place (gradtutor/cli/status.py) from the facts
the library reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.base.errors import (
    AnswersError,
    ExerciseError,
    GradtutorError,
    LimitError,
    ParseError,
)
from gradtutor.cli.app import app
from gradtutor.cli.status import (
    ExitStatus,
    status_of_check,
    status_of_error,
    status_of_validation,
    status_of_validations,
)
from gradtutor.grading.catalog import SelfTestResult, Validation
from gradtutor.marking.results import FileResult, StepResult

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def test_the_statuses_are_the_documented_numbers() -> None:
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 3, 130, 141]
    assert [s.name for s in ExitStatus] == ["SUCCESS", "MISTAKES", "BAD_INPUT", "INTERNAL",
                                           "INTERRUPTED", "CLOSED_OUTPUT"]


@pytest.mark.parametrize("error", [GradtutorError("x"), ParseError("x"), LimitError("x"),
                                   ExerciseError("x"), AnswersError("x")])
def test_a_named_error_is_bad_input(error: GradtutorError) -> None:
    assert status_of_error(error) is ExitStatus.BAD_INPUT


@pytest.mark.parametrize("error", [ValueError("x"), KeyError("x"), ZeroDivisionError()])
def test_any_other_exception_is_internal(error: Exception) -> None:
    assert status_of_error(error) is ExitStatus.INTERNAL


def result(*verdicts: str, error: str | None = None) -> FileResult:
    steps = [StepResult(f"s{i}", v, 1.0, 1.0, float(v == "correct"), 1.0)
             for i, v in enumerate(verdicts)]
    return FileResult("ex", "a.yaml", steps=steps, error=error)


@pytest.mark.parametrize(("results", "interrupted", "status"), [
    ([result("correct", "correct")], False, ExitStatus.SUCCESS),
    ([result("correct"), result("correct", "wrong")], False, ExitStatus.MISTAKES),
    ([result("correct"), result("missing")], False, ExitStatus.MISTAKES),
    ([result("wrong"), result(error="unreadable")], False, ExitStatus.BAD_INPUT),
    ([result("correct")], True, ExitStatus.INTERRUPTED),
])
def test_the_status_of_a_check(results: list[FileResult], interrupted: bool,
                               status: ExitStatus) -> None:
    assert status_of_check(results, interrupted=interrupted) is status


def validation(*, problems: int = 0, passing: int = 0, failing: int = 0) -> Validation:
    tests = [SelfTestResult(i, None, 1.0, 1.0, "ok") for i in range(passing)]
    tests += [SelfTestResult(i, None, 1.0, 0.5, "off") for i in range(failing)]
    return Validation("e.yaml", None if problems else "e",
                      [GradtutorError("bad") for _ in range(problems)], tests)


def test_a_validation_reports_facts_and_the_cli_decides() -> None:
    failing = validation(passing=1, failing=1)
    assert [t.got for t in failing.failed_tests] == [0.5]
    assert not hasattr(failing, "status")
    assert status_of_validation(validation(passing=2)) is ExitStatus.SUCCESS
    assert status_of_validation(failing) is ExitStatus.MISTAKES
    assert status_of_validation(validation(problems=1)) is ExitStatus.BAD_INPUT
    assert status_of_validations([]) is ExitStatus.SUCCESS
    assert status_of_validations([validation(), failing, validation(problems=2)]) \
        is ExitStatus.BAD_INPUT


@pytest.mark.parametrize(("args", "status"), [
    (["solve", "(x+y)*z", "--at", "x=1"], ExitStatus.SUCCESS),
    (["check", "sigmoid-neuron", f"{ROOT}/exercises/answers/sigmoid-neuron.yaml"],
     ExitStatus.MISTAKES),
    (["solve", "(x+"], ExitStatus.BAD_INPUT),
    (["validate", "sigmoid-neuron"], ExitStatus.SUCCESS),
])
def test_the_commands_end_with_the_status(args: list[str], status: ExitStatus) -> None:
    assert runner.invoke(app, args).exit_code == status


def test_the_cli_names_the_option_a_library_error_came_from() -> None:
    outcome = runner.invoke(app, ["solve", "(x+y)*z", "--at", "w=1"])
    assert outcome.exit_code == ExitStatus.BAD_INPUT
    assert outcome.stderr == "error: --at w: 'w' does not appear in the expression\n"


def test_a_bug_is_internal(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("gradtutor.engine.solve.solve_program", broken)
    outcome = runner.invoke(app, ["solve", "x*y"])
    assert outcome.exit_code == ExitStatus.INTERNAL
    assert outcome.stderr.startswith("error: internal error: ZeroDivisionError: boom")


def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`gradtutor practice ... | head -1`: the session reads its next line only after head
    has gone, so the verdict it then prints meets a closed pipe, every time."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    with subprocess.Popen([sys.executable, "-m", "gradtutor", "practice", "add-mul-gate",
                           "--save", "s.yaml"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env) as run:
        assert run.stdout is not None and run.stdin is not None and run.stderr is not None
        assert run.stdout.readline().startswith("add-mul-gate: ")
        run.stdout.close()  # what head -1 does after its line
        run.stdin.write("3\n12\nquit\n")
        run.stdin.close()
        stderr = run.stderr.read()
    assert (run.returncode, stderr) == (ExitStatus.CLOSED_OUTPUT, "")
    assert (tmp_path / "s.yaml").exists()  # what was answered before is saved


@pytest.mark.parametrize("args", [["solve", "sigmoid-neuron"], ["list"],
                                  ["validate", "add-mul-gate"]])
def test_any_command_whose_output_is_closed_ends_quietly(args: list[str]) -> None:
    with subprocess.Popen([sys.executable, "-m", "gradtutor", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as run:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()  # gone before the command has started up: every write fails
        stderr = run.stderr.read()
    assert (run.returncode, stderr) == (ExitStatus.CLOSED_OUTPUT, "")
