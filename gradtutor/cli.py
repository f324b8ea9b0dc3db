"""The command line: a thin typer layer over the library.

Library modules are imported inside the commands, so `gradtutor --help` stays light. Every
command runs inside `_guard`, which turns the library's errors into one message on stderr
and exit status 2 (a bug becomes one line and exit status 3; `--debug` shows the traceback).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, TypeVar

import typer

from . import __version__

T = TypeVar("T")

app = typer.Typer(
    name="gradtutor",
    help="A gradient tutor and exercise checker for people learning backpropagation.\n\n"
    "Kink conventions: relu'(0) = 0, abs'(0) = 0, and at a tie max and min send the "
    "gradient to their first argument.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


class SolveFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    yaml = "yaml"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gradtutor {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")] = False,
) -> None:
    _state["debug"] = debug


@contextmanager
def _guard() -> Iterator[None]:
    from .errors import GradtutorError

    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except GradtutorError as error:
        if _state["debug"]:
            raise
        _error(str(error), error.caret())
        raise typer.Exit(2) from None
    except Exception as error:  # a bug: one line, never a traceback unless asked for
        if _state["debug"]:
            raise
        _error(f"internal error: {type(error).__name__}: {error} (run with --debug for the "
               "traceback, and please report it)")
        raise typer.Exit(3) from None


def _error(message: str, caret: str | None = None) -> None:
    lines = [f"error: {line}" if i == 0 else f"       {line}"
             for i, line in enumerate(message.splitlines() or [message])]
    typer.echo("\n".join(lines), err=True)
    if caret:
        typer.echo(caret, err=True)


def _format(chosen: Enum | None) -> str:
    """The format asked for, else rich on a terminal and plain in a pipe."""
    if chosen is not None:
        return chosen.value
    return "rich" if sys.stdout.isatty() else "plain"


def _print(text_or_renderable: object) -> None:
    if isinstance(text_or_renderable, str):
        sys.stdout.write(text_or_renderable if text_or_renderable.endswith("\n")
                         else text_or_renderable + "\n")
    else:
        from .render import console

        console().print(text_or_renderable)


AT_HELP = "A value for an input: NAME=VALUE, e.g. x=-2 or W=[[0.1,0.5],[-0.3,0.8]]. Repeatable."


@app.command(epilog="""Examples:

  gradtutor solve "(x+y)*z" --at x=-2 --at y=5 --at z=-4

  gradtutor solve "q = x + y; f = q*z" --at x=-2 --at y=5 --at z=-4 --format json

  gradtutor solve "sum((W@x)**2)" --at "W=[[0.1,0.5],[-0.3,0.8]]" --at "x=[0.2,0.4]"

  gradtutor solve sigmoid-neuron --format yaml > key.yaml
""")
def solve(
    target: Annotated[str, typer.Argument(help="An expression, a program of assignments "
                                          "(';' or new lines), an exercise file or a bundled "
                                          "exercise id.")],
    at: Annotated[list[str] | None, typer.Option("--at", help=AT_HELP)] = None,
    format: Annotated[SolveFormat | None, typer.Option(
        "--format", "-f", help="rich (terminal default), plain (pipe default), json, yaml "
        "(exercises: an answers file that check scores as fully correct).")] = None,
) -> None:
    """Differentiate an expression or program, or print an exercise's answer key.

    With --at values: the forward value of every node, the gradient of the output with
    respect to every input and named intermediate (backprop), cross-checked against the
    symbolic derivative and central finite differences.
    """
    with _guard():
        from . import export, plain
        from .solve import solve_program
        from .values import parse_assignment

        values = dict(parse_assignment(item) for item in at or [])
        chosen = _format(format)
        if chosen == "yaml":
            from .errors import GradtutorError

            raise GradtutorError("--format yaml is for exercises: it prints an answers file")
        solution = solve_program(target, values)
        if chosen == "json":
            _print(export.dumps(export.solution_data(solution)))
        elif chosen == "plain":
            _print(plain.solution(solution))
        else:
            from . import render

            _print(render.solution(solution))


def main() -> None:
    """Console-script entry point."""
    app()
