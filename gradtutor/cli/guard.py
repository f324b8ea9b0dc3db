"""The one place an exception becomes a message on stderr and an exit status.

A library error names a field; `guard` names the option it came from. A bug becomes one
line and exit status 3; `--debug` shows the traceback. Standard output closed before the
command is done (`gradtutor ... | head -1`) ends it quietly, with the status a shell gives a
process that SIGPIPE stopped."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from ..base.safetext import visible
from .status import ExitStatus, status_of_error

if TYPE_CHECKING:

    from ..base.errors import GradtutorError


STATE = {"debug": False}


@contextmanager
def guard() -> Iterator[None]:
    from ..base.errors import GradtutorError

    try:
        yield
        sys.stdout.flush()  # here, so that a reader gone early is met inside the guard
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except BrokenPipeError:
        _discard_output()
        raise typer.Exit(int(ExitStatus.CLOSED_OUTPUT)) from None
    except Exception as error:
        if STATE["debug"]:
            raise
        status = status_of_error(error)
        if isinstance(error, GradtutorError):
            report_error(str(as_option(error)), error.caret())
        else:  # a bug: one line, never a traceback unless asked for
            detail = visible(error, 200)
            report_error(f"internal error: {type(error).__name__}: {detail} (run with --debug for "
                         "the traceback, and please report it)")
        raise typer.Exit(int(status)) from None


def _discard_output() -> None:
    """Standard output pointed at the null device: what is still buffered for the reader that
    left would otherwise fail again when Python flushes it at exit."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


# The library names the argument a problem is in ("values", "value x", "step", "hint"); on
# the command line that is an option.
OPTION_OF_FIELD = {"values": "--at", "value": "--at", "step": "--step", "hint": "--hint",
                   "roster": "--roster", "level": "--random", "seed": "--seed",
                   "review": "--review", "attempt_penalty": "--attempt-penalty",
                   "reveal_penalty": "--reveal-penalty", "student": "--student",
                   "output": "--output"}


def as_option(error: GradtutorError) -> GradtutorError:
    """The error with its field named as the option it came from (errors in files keep
    theirs: a field of an exercise or answers file is a key in that file)."""
    if error.file is None and error.field:
        head, space, rest = error.field.partition(" ")
        if head in OPTION_OF_FIELD:
            error.field = OPTION_OF_FIELD[head] + space + rest
    return error


def report_error(message: str, caret: str | None = None) -> None:
    """The message on stderr, each of its lines with nothing a terminal would not show as
    itself (messages quote files, names and answers)."""
    lines = [f"error: {visible(line, 1000)}" if i == 0 else f"       {visible(line, 1000)}"
             for i, line in enumerate(message.split("\n"))]
    typer.echo("\n".join(lines), err=True)
    if caret:
        typer.echo(caret, err=True)
