"""The library's errors: one base class, named subclasses, and a vocabulary of its own.

Messages outside the command line name values, steps and fields, never the options of
`gradtutor` (the CLI names the option where it reports the error)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
import typer

from gradtutor.base import errors
from gradtutor.base.errors import GradtutorError
from gradtutor.cli.app import app
from gradtutor.engine.solve import solve_program
from gradtutor.kinds import explain

PACKAGE = Path(__file__).resolve().parent.parent / "gradtutor"
# The step-reveal prose tells the reader of `explain --step N --hint` how to see the step
# worked out; it moves behind a parameter with the document model (issue 10, item 5).
ALLOWED = {("render/walkthrough_layout.py", "--hint"), ("render/rich.py", "--hint")}


def cli_options() -> set[str]:
    """Every long option of every command of the command line."""
    command = typer.main.get_command(app)
    options = {opt for param in command.params for opt in param.opts}
    for sub in command.commands.values():  # type: ignore[attr-defined]
        options.update(opt for param in sub.params for opt in param.opts)
    return {option for option in options if option.startswith("--")} - {"--help"}


def message_strings(tree: ast.AST) -> list[str]:
    """The string constants of a module, its docstrings left out."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_the_command_line_has_options_to_look_for() -> None:
    assert {"--at", "--step", "--hint", "--format", "--output", "--jobs"} <= cli_options()


def test_no_library_message_names_a_command_line_option() -> None:
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, cli_options())) + r")\b")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("cli/"):
            continue
        for text in message_strings(ast.parse(path.read_text())):
            found += [(relative, m) for m in pattern.findall(text) if (relative, m) not in ALLOWED]
    assert found == []


def test_every_named_error_is_a_gradtutor_error() -> None:
    named = [value for value in vars(errors).values()
             if isinstance(value, type) and issubclass(value, Exception)]
    assert len(named) > 5
    assert all(issubclass(error, GradtutorError) for error in named)


@pytest.mark.parametrize(("call", "field", "message"), [
    (lambda: explain("(x+y)*z", {"x": np.float64(1)}), "values",
     "explain fills in every number: give a value for y, z"),
    (lambda: explain("(x+y)*z", {"w": np.float64(1)}), "value w", "'w' is not an input"),
    (lambda: explain("max-gate", step=12), "step", "max-gate asks 11 steps: step takes 1 to 11"),
    (lambda: explain("max-gate", hint_only=True), "hint", "a hint is for one step"),
    (lambda: explain("(x+y)*z", step=1), "step", "step reveals the asked steps of an exercise"),
    (lambda: explain("add-mul-gate", {"x": np.float64(1)}), "values",
     "an exercise has its own given values; values are for expressions"),
    (lambda: solve_program("x*y", {"w": np.float64(1)}), "value w", "'w' does not appear"),
])
def test_errors_name_the_field_not_the_option(call, field: str, message: str) -> None:
    with pytest.raises(GradtutorError) as caught:
        call()
    assert caught.value.field == field
    assert message in caught.value.message


def test_a_solution_message_asks_for_values_in_words() -> None:
    solution = solve_program("x*y", {"x": np.float64(2)})
    assert solution.messages[0] == ("no value for y: give every input a value for numbers; "
                                    "showing the symbolic result only")


def test_the_library_never_exits() -> None:
    """Only the command line ends the process; the library raises its named errors."""
    exits = re.compile(r"\bSystemExit\b|\bsys\.exit\b|\btyper\b|\bos\._exit\b")
    found = [path.relative_to(PACKAGE).as_posix() for path in sorted(PACKAGE.rglob("*.py"))
             if not path.relative_to(PACKAGE).as_posix().startswith("cli/")
             and exits.search(path.read_text())]
    assert found == []
