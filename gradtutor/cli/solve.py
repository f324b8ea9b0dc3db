"""`gradtutor solve`: differentiate an expression, or print an exercise's answer key."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from .guard import guard
from .options import AT_HELP, STUDENT_HELP
from .output import chosen_format, show
from .targets import for_student, is_exercise, option_values, refuse_near_id


class SolveFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    yaml = "yaml"


EPILOG = """Examples:

\b
  gradtutor solve "(x+y)*z" --at x=-2 --at y=5 --at z=-4
  gradtutor solve "q = x + y; f = q*z" --at x=-2 --at y=5 --at z=-4 --format json
  gradtutor solve "sum((W@x)**2)" --at "W=[[0.1,0.5],[-0.3,0.8]]" --at "x=[0.2,0.4]"
  gradtutor solve sigmoid-neuron
  gradtutor solve sigmoid-neuron --format yaml > key.yaml
"""


def solve(
    target: Annotated[str, typer.Argument(help="An expression, a program of assignments "
                                          "(';' or new lines), an exercise file or a bundled "
                                          "exercise id.")],
    at: Annotated[list[str] | None, typer.Option("--at", help=AT_HELP)] = None,
    format: Annotated[SolveFormat | None, typer.Option(
        "--format", "-f", help="rich (terminal default), plain (pipe default), json, yaml "
        "(exercises: an answers file that check scores as fully correct).")] = None,
    student: Annotated[str | None, typer.Option("--student", help=STUDENT_HELP)] = None,
) -> None:
    """Differentiate an expression or program, or print an exercise's answer key.

    With --at values: the forward value of every node, the gradient of the output with
    respect to every input and named intermediate (backprop), cross-checked against the
    symbolic derivative and central finite differences.
    """
    with guard():
        chosen = chosen_format(format)
        if is_exercise(target):
            _solve_exercise(target, chosen, at, student)
        else:
            if student is not None:
                from ..base.errors import GradtutorError

                raise GradtutorError("--student is for exercises with 'variants:'",
                                     field="--student")
            refuse_near_id(target, at)
            _solve_expression(target, chosen, at)


def _solve_expression(target: str, chosen: str, at: list[str] | None) -> None:
    from ..base.errors import GradtutorError
    from ..engine.solve import solve_program
    from ..render import draw, export

    if chosen == "yaml":
        raise GradtutorError("--format yaml is for exercises: it prints an answers file")
    values = option_values(at)
    solution = solve_program(target, values)
    if chosen == "json":
        show(export.dumps(export.solution_data(solution)))
    else:
        show(draw.render(solution, chosen))


def _solve_exercise(target: str, chosen: str, at: list[str] | None,
                    student: str | None = None) -> None:
    from ..base.errors import GradtutorError
    from ..kinds import kind_of, load_exercise
    from ..render import draw, export

    if at:
        raise GradtutorError("an exercise has its own given values; --at is for expressions",
                             field="--at")
    ex = for_student(load_exercise(target), student)
    if chosen == "yaml":
        show(export.answer_key_yaml(ex.id, ex.title, kind_of(ex).key(ex), student))
        return
    solution = kind_of(ex).solve(ex)
    if chosen == "json":
        show(export.dumps(export.exercise_solution_data(solution)))
    else:  # the solution's layout (by its class), drawn by the format's renderer
        show(draw.render(solution, chosen))
