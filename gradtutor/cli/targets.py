"""What a command's arguments name: an exercise or an expression, --at values, a student."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..base.safetext import visible

if TYPE_CHECKING:

    from ..kinds import AnyExercise


def is_exercise(target: str) -> bool:
    """An exercise when the target is a path that exists (or ends in .yaml) or a bundled id;
    when it also reads as an expression, a note on stderr says which was chosen."""
    from ..exercises.exercise import bundled_dir, find_exercise

    found = find_exercise(target)
    if found is None:
        return False
    if found.parent != bundled_dir() and reads_as_expression(target):
        typer.echo(f"note: '{visible(target, 80)}' is a file here, so it is read as an exercise "
                   "file; to solve the expression, write it differently, e.g. in parentheses",
                   err=True)
    return True


def refuse_near_id(target: str, at: list[str] | None) -> None:
    """A bare name with no values, close to a bundled id, is a mistyped exercise (`maxgate`),
    not an expression to differentiate."""
    import difflib

    from ..base.errors import GradtutorError
    from ..exercises.exercise import ID_PATTERN, bundled_ids

    if at or not ID_PATTERN.match(target):
        return
    close = difflib.get_close_matches(target, bundled_ids(), n=1, cutoff=0.8)
    if close:
        raise GradtutorError(f"no exercise '{target}'; did you mean {close[0]}?")


def reads_as_expression(target: str) -> bool:
    from ..base.errors import GradtutorError
    from ..lang.parser import parse_program

    try:
        parse_program(target)
    except GradtutorError:
        return False
    return True


def option_values(at: list[str] | None) -> dict:
    """The --at values: each name once, each value finite (1/0 is refused, as inf is)."""
    import numpy as np

    from ..base.errors import GradtutorError
    from ..lang.values import parse_assignment

    values: dict = {}
    for item in at or []:
        name, value = parse_assignment(item)
        if name in values:
            raise GradtutorError(f"'{name}' is given twice; give each input one value",
                                 field=f"value {name}")
        if not np.all(np.isfinite(value)):
            raise GradtutorError(f"{visible(item, 80)} is not a finite number",
                                 field=f"value {name}")
        values[name] = value
    return values


def for_student(ex: AnyExercise, student: str | None) -> AnyExercise:
    """The student's variant; the exercise itself when no student is named."""
    from ..grading.handouts import for_student as variant_of

    return variant_of(ex, student)


def bundle_exercise(target: str) -> tuple[AnyExercise, Path]:
    from ..base.errors import GradtutorError
    from ..exercises.exercise import find_exercise
    from ..kinds import load_exercise

    ex = load_exercise(target)
    source = find_exercise(target)
    if source is None or not source.is_file():
        raise GradtutorError(f"{visible(target, 80)}: no exercise file to bundle")
    return ex, source
