"""`gradtutor autograder`: bundles a grading platform runs as they are."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .guard import guard
from .options import FEEDBACK_HELP, Feedback
from .targets import bundle_exercise

autograder_app = typer.Typer(
    help="Bundles a grading platform runs as they are: a Gradescope autograder zip, a "
    "PrairieLearn question folder.", no_args_is_help=True)


class Visibility(str, Enum):
    visible = "visible"
    after_due_date = "after_due_date"
    after_published = "after_published"
    hidden = "hidden"


@autograder_app.command(epilog="""Examples:

\b
  gradtutor autograder gradescope sigmoid-neuron --output autograder.zip
  gradtutor autograder gradescope my-exercise.yaml -o autograder.zip --visibility after_due_date

Upload the zip as the assignment's autograder (Configure Autograder, base image Ubuntu
22.04). setup.sh installs gradtutor from the wheels inside, with no network; run_autograder
grades the uploaded answers file, whatever its name, and always writes results.json.
""")
def gradescope(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip to write.")],
    visibility: Annotated[Visibility, typer.Option(
        "--visibility", help="When students see each step's test: visible, after_due_date, "
        "after_published or hidden (while a test is hidden, Gradescope hides the total score from "
        "the student too).")] = Visibility.visible,
    feedback: Annotated[Feedback | None, typer.Option("--feedback", help=FEEDBACK_HELP)
                        ] = None,
    python_version: Annotated[str, typer.Option(
        "--python-version", help="The Python of the autograder image (Ubuntu 22.04: "
        "3.10), for the dependencies' wheels.")] = "3.10",
    platform: Annotated[list[str] | None, typer.Option(
        "--platform", help="Wheel platform tags of the image (default: manylinux_2_28, "
        "manylinux_2_17 and manylinux2014, x86_64). Repeatable.")] = None,
    wheels: Annotated[Path | None, typer.Option(
        "--wheels", help="A folder that already holds gradtutor's wheel and every "
        "dependency's, for the image: nothing is downloaded.")] = None,
) -> None:
    """A Gradescope autograder zip for an exercise."""
    with guard():
        from .bundles import GRADESCOPE_PLATFORMS, gradescope_zip

        ex, source = bundle_exercise(exercise)
        names = gradescope_zip(ex, source, output, feedback=feedback.value if feedback
                               else None, visibility=visibility.value, wheels=wheels,
                               python_version=python_version,
                               platforms=tuple(platform or GRADESCOPE_PLATFORMS))
        typer.echo(f"wrote {output}: {ex.id}, feedback "
                   f"{feedback.value if feedback else ex.feedback}, tests {visibility.value}, "
                   f"{len(names)} wheels", err=True)


@autograder_app.command(epilog="""Example:

\b
  gradtutor autograder prairielearn sigmoid-neuron --output questions/sigmoid-neuron

Then move OUTPUT/serverFilesCourse/gradtutor_vendor into the course's serverFilesCourse/
(once for all such questions), and keep the rest as the question folder.
""")
def prairielearn(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The question folder to "
                                         "write (new or empty).")],
    feedback: Annotated[Feedback | None, typer.Option("--feedback", help=FEEDBACK_HELP)
                        ] = None,
    timeout: Annotated[int, typer.Option("--timeout", min=5, max=600, help="Seconds the "
                                         "external grader may take.")] = 60,
) -> None:
    """A PrairieLearn question folder, externally graded by gradtutor, no network needed."""
    with guard():
        from .bundles import prairielearn_question

        ex, source = bundle_exercise(exercise)
        prairielearn_question(ex, source, output, feedback=feedback.value if feedback
                              else None, timeout=timeout)
        typer.echo(f"wrote {output}: move {output}/serverFilesCourse/gradtutor_vendor into "
                   "the course's serverFilesCourse/", err=True)
