"""The command line: a thin typer layer over the library, one module per command.

This module makes the app and registers the commands (cli/solve.py, check.py, ...). Library
modules are imported inside the commands, so `gradtutor --help` stays light. Every command
runs inside `guard` (cli/guard.py), the one place that turns an exception into a message on
stderr and an `ExitStatus`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..base.version import __version__
from . import check, explain, listing, practice, solve, template, validate, variants
from .autograder import autograder_app
from .guard import STATE

app = typer.Typer(
    name="gradtutor",
    help="A gradient tutor and exercise checker for people learning backpropagation.\n\n"
    "Kink conventions: relu'(0) = 0, abs'(0) = 0, and at a tie max and min send the "
    "gradient to their first argument.",
    epilog="""Quick start:

\b
  gradtutor list
  gradtutor solve "(x+y)*z" --at x=-2 --at y=5 --at z=-4
  gradtutor explain max-gate
  gradtutor template sigmoid-neuron > mine.yaml
  gradtutor check sigmoid-neuron mine.yaml

Run gradtutor COMMAND --help for a command's options and examples.
""",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: it costs a third of rich help's start-up time
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    import warnings

    STATE["debug"] = debug
    if not debug:  # numpy's floating-point warnings say nothing a student can act on
        warnings.filterwarnings("ignore", category=RuntimeWarning)


app.command(epilog=solve.EPILOG)(solve.solve)
app.command(epilog=check.EPILOG)(check.check)
app.command(name="list", epilog=listing.EPILOG)(listing.list_exercises)
app.command(epilog=template.EPILOG)(template.template)
app.command(epilog=validate.EPILOG)(validate.validate)
app.command(epilog=explain.EPILOG)(explain.explain)
app.command(epilog=practice.EPILOG)(practice.practice)
app.command(epilog=variants.EPILOG)(variants.variants)
app.add_typer(autograder_app, name="autograder")


def main() -> None:
    """Console-script entry point."""
    app(args=expression_last(sys.argv[1:]))


EXPRESSION_COMMANDS = ("solve", "explain")


def expression_last(args: list[str]) -> list[str]:
    """The arguments with an expression that starts with '-' (`solve '-x**2' --at x=3`)
    moved after a `--`, so that it is not read as an unknown option."""
    start = 0
    while start < len(args) and args[start].startswith("-"):
        start += 1  # --debug, --version: the flags before the command
    if start >= len(args) or args[start] not in EXPRESSION_COMMANDS or "--" in args:
        return args
    head, name, rest = args[:start + 1], args[start], args[start + 1:]
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    takes_value = {opt for param in command.params for opt in getattr(param, "opts", [])
                   if not getattr(param, "is_flag", False) and not getattr(param, "count", False)}
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    known |= {"--help", "-h"}
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg in takes_value:
            index += 2
            continue
        if arg.startswith("-") and len(arg) > 1 and arg.split("=", 1)[0] not in known:
            return [*head, *rest[:index], *rest[index + 1:], "--", arg]
        index += 1
    return args
