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
        from ..base import fmt
        from ..exercises.exercise import bundled_dir, find_exercise
        from ..grading import catalog
        from ..kinds import load_exercise
        from ..render import export

        ex = for_student(load_exercise(exercise), student)
        found = find_exercise(exercise)
        check_as = ex.id if found is not None and found.parent == bundled_dir() else exercise
        given = [(name, fmt.value(value)) for name, value in getattr(ex, "given", {}).items()]
        text = export.template_yaml(ex.id, ex.title, ex.description, catalog.template_notes(ex),
                                    check_as, student=student, given=given)
        emit(text, output, (Path(str(found or exercise)),))
