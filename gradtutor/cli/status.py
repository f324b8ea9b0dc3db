"""The exit statuses of the command line, and the one place that decides them.

The library reports facts (an error it raised, the results of a check, a validation's
problems and failed self-tests); only these functions turn them into a status.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..grading.catalog import Validation
    from ..marking.results import FileResult


class ExitStatus(IntEnum):
    SUCCESS = 0  # every step correct, every file valid
    MISTAKES = 1  # a step wrong or missing, a self-test off its stated score
    BAD_INPUT = 2  # input the library refused: a named GradtutorError
    INTERNAL = 3  # a bug: any other exception
    INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
    CLOSED_OUTPUT = 141  # standard output closed early (`| head`), as a shell reports SIGPIPE


def status_of_error(error: BaseException) -> ExitStatus:
    """The status an exception ends a command with."""
    from ..base.errors import GradtutorError

    if isinstance(error, GradtutorError):
        return ExitStatus.BAD_INPUT
    return ExitStatus.INTERNAL


def status_of_check(results: Iterable[FileResult], *, interrupted: bool = False) -> ExitStatus:
    """`check`: interrupted, else a file that could not be read, else any step not correct."""
    results = list(results)
    if interrupted:
        return ExitStatus.INTERRUPTED
    if any(result.error is not None for result in results):
        return ExitStatus.BAD_INPUT
    if all(result.all_correct for result in results):
        return ExitStatus.SUCCESS
    return ExitStatus.MISTAKES


def status_of_validation(validation: Validation) -> ExitStatus:
    """`validate` of one file: a problem that stops it loading, else a self-test off its score."""
    if validation.problems:
        return ExitStatus.BAD_INPUT
    return ExitStatus.MISTAKES if validation.failed_tests else ExitStatus.SUCCESS


def status_of_validations(validations: Iterable[Validation]) -> ExitStatus:
    """`validate` of many files: the worst of their statuses."""
    return max((status_of_validation(v) for v in validations), default=ExitStatus.SUCCESS)
