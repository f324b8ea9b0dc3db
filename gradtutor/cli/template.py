"""`gradtutor template`: a blank answers file for an exercise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .guard import guard
from .options import STUDENT_HELP
from .output import emit
from .targets import for_student

EPILOG = """Examples:

\b
  gradtutor template sigmoid-neuron > alice.yaml
  gradtutor template my-exercise.yaml --output blank.yaml
"""


def template(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file instead.")] = None,
    student: Annotated[str | None, typer.Option("--student", help=STUDENT_HELP)] = None,
) -> None:
    """A blank answers file: every asked step with an empty value, ready to fill in."""
    with guard():
        from ..exercises.exercise import find_exercise
        from ..grading.handouts import check_target
        from ..kinds import load_exercise
        from ..render import export

        ex = load_exercise(exercise)
        text = export.exercise_template(for_student(ex, student), check_target(exercise, ex),
                                        student)
        emit(text, output, (Path(str(find_exercise(exercise) or exercise)),))
