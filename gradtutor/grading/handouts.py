"""Each student's own exercise, for `gradtutor variants EX --roster roster.csv --output DIR`:
her numbers, the description at her numbers, what is asked, and the names of her files.

Files are named after the student's variant name (the roster's email, else id, else name),
with anything but letters, digits, `@`, `.`, `_` and `-` made `_`; two students whose names
come out the same get `-2`, `-3`, ... in the order of the roster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..base import fmt
from ..base.errors import GradtutorError
from ..exercises.exercise import bundled_dir, find_exercise
from ..exercises.variants import PLACEHOLDER
from ..kinds import AnyExercise, kind_of
from ..kinds.variants import variant_for
from .roster import Student

UNSAFE = re.compile(r"[^A-Za-z0-9@._-]+")
MAX_STEM = 100


@dataclass
class Handout:
    """One student's exercise at her numbers (what `handout_layout` draws)."""

    exercise: str
    title: str
    student: str  # her variant name: what `student:` in her answers file says
    given: list[tuple[str, str]]  # each given value's name and her number, as shown
    description: str  # Markdown, placeholders filled at her numbers
    steps: list[str]  # the asked steps, in order
    answers_file: str  # the template written for her
    check_as: str  # what `check` is given for the exercise
    numbers_in_text: bool  # the description shows her numbers (it has placeholders)


def check_target(exercise: str, ex: AnyExercise) -> str:
    """What `check` is given for an exercise: its id when bundled, else the path given."""
    found = find_exercise(exercise)
    return ex.id if found is not None and found.parent == bundled_dir() else exercise


def for_student(ex: AnyExercise, student: str | None) -> AnyExercise:
    """The student's variant; the exercise itself when no student is named."""
    if student is None:
        return ex
    if getattr(ex, "variants", None) is None:
        raise GradtutorError(f"{ex.id} has no 'variants:': every student gets the same "
                             "numbers", field="student")
    if not student.strip():
        raise GradtutorError("a student needs a name", field="student")
    return variant_for(ex, student.strip())


def given_shown(ex: AnyExercise) -> list[tuple[str, str]]:
    """Each given value's name and value, as a template shows them."""
    return [(name, fmt.value(value)) for name, value in getattr(ex, "given", {}).items()]


def numbers_in_text(ex: AnyExercise) -> bool:
    """Whether the exercise's description shows each student's own numbers."""
    written = getattr(getattr(ex, "variants", None), "written", None)
    return written is not None and PLACEHOLDER.search(written.description) is not None


def handout(ex: AnyExercise, student: str, answers_file: str, check_as: str) -> Handout:
    """The student's handout; `ex` is the exercise as written (her variant is drawn)."""
    mine = for_student(ex, student)
    return Handout(ex.id, ex.title, student, given_shown(mine), mine.description,
                   kind_of(mine).template_steps(mine), answers_file, check_as,
                   numbers_in_text(ex))


def variant_names(roster: list[Student]) -> list[str]:
    """Each roster student's variant name, in the roster's order, each once."""
    return list(dict.fromkeys(student.variant_name for student in roster))


def file_stems(names: list[str]) -> dict[str, str]:
    """A safe, distinct file name (without suffix) for each student."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = UNSAFE.sub("_", name).strip("._")[:MAX_STEM] or "student"
        stem, count = base, 1
        while stem.casefold() in taken:  # a case-insensitive file system keeps one of Ab, ab
            count += 1
            stem = f"{base}-{count}"
        taken.add(stem.casefold())
        stems[name] = stem
    return stems


def output_folder(folder: Path) -> Path:
    """The folder to write into, made if missing; an unwritable one is a clear error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GradtutorError(f"cannot make the folder {folder}: {error.strerror or error}",
                             field="output") from None
    if not folder.is_dir():
        raise GradtutorError(f"{folder} is not a folder", field="output")
    probe = folder / ".gradtutor-write-test"
    try:
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as error:
        raise GradtutorError(f"cannot write in {folder}: {error.strerror or error}",
                             field="output") from None
    return folder
