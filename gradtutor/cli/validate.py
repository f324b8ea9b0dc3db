"""`gradtutor validate`: authoring mistakes and self-tests of exercise files."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ..base.safetext import visible
from .guard import guard, report_error
from .output import show
from .status import ExitStatus, status_of_validation, status_of_validations

if TYPE_CHECKING:

    from ..grading.catalog import Validation


class ValidateFormat(str, Enum):
    plain = "plain"
    json = "json"


EPILOG = """Examples:

\b
  gradtutor validate exercises/*.yaml
  gradtutor validate my-exercise.yaml
  gradtutor validate exercises/ --format json

Exit status: 0 every file loads and every self-test gets its stated score; 1 a self-test
does not; 2 a file has problems (each named with its line and field).
"""


def validate(
    files: Annotated[list[str], typer.Argument(help="Exercise files, folders, or bundled "
                                               "ids.")],
    format: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help="plain (a line per file; problems on stderr) or json (a list "
        "with every file's problems and self-tests).")] = ValidateFormat.plain,
) -> None:
    """Check exercise files for authoring mistakes and run their embedded self-tests."""
    with guard():
        from ..base.errors import GradtutorError
        from ..exercises.exercise import walk_exercises
        from ..grading.catalog import validate as validate_file

        paths = walk_exercises(files)
        if not paths:
            raise GradtutorError("no exercise files (.yaml, .yml) in " + ", ".join(files))
        results = [validate_file(str(path)) for path in paths]
        if format is ValidateFormat.json:
            from ..render.export import dumps, validation_data

            statuses = [int(status_of_validation(result)) for result in results]
            show(dumps(validation_data(results, statuses)))
        else:
            for result in results:
                _report_validation(result)
        raise typer.Exit(int(status_of_validations(results)))


def _report_validation(result: Validation) -> None:
    if result.problems:  # one message, its later lines indented, as every command prints it
        report_error("\n".join(str(problem) for problem in result.problems))
    for test in result.failed_tests:
        where = f"{result.file}:{test.line}" if test.line else result.file
        report_error(f"{where}: tests[{test.index}]: expected score {test.expected:g}, got "
               f"{test.got:g} ({test.summary})")
    if status_of_validation(result) is ExitStatus.SUCCESS:
        count = len(result.tests)
        typer.echo(f"ok: {visible(result.file, 1000)} ({result.exercise}, {count} self-test"
                   f"{'s' if count != 1 else ''} pass)")
    if result.variants_line is not None and not result.problems:
        typer.echo(visible(f"{result.file}: {result.variants_line}", 1000))
    for warning in result.warnings:
        typer.echo(f"warning: {visible(f'{result.file}: {warning}', 1000)}")
