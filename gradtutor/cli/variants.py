"""`gradtutor variants`: every roster student's own answers template and handout."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ..base.safetext import visible
from .guard import guard
from .output import show, stderr_console

EPILOG = """Examples:

\b
  gradtutor variants my-exercise.yaml --roster roster.csv --output handouts/
  gradtutor variants my-exercise.yaml --roster roster.csv -o handouts/ > written.txt

For each student: STEM.yaml, the answers template that `template EX --student NAME`
prints, and STEM.md, a handout with her numbers and the description at her numbers.
NAME is the roster's email, else id, else name; STEM is NAME with anything but letters,
digits and @ . _ - made _. Standard output lists the files written, a line per student.

Exit status: 0 every file written, 2 bad input (the exercise has no 'variants:', the roster
names no column id, name or email, the folder cannot be written).
"""


def variants(
    exercise: Annotated[str, typer.Argument(help="An exercise file (or bundled id) with "
                                            "'variants:'.")],
    roster: Annotated[Path, typer.Option(
        "--roster", help="A CSV of the class with a header row: id, name, email (at least "
        "one), section.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The folder to write into (made if missing).")],
) -> None:
    """Each student's own numbers: a personal answers template and a Markdown handout."""
    with guard():
        import gradtutor.api as gt

        with _progress() as progress:
            written = gt.variants(exercise, roster, output, progress=progress)
        show("".join(f"{visible(student, 200)}\t{visible(template, 1000)}\t"
                     f"{visible(handout, 1000)}\n"
                     for student, (template, handout) in written.files.items()))
        count = len(written.files)
        typer.echo(f"wrote {2 * count} files for {count} student{'' if count == 1 else 's'} "
                   f"in {visible(written.folder, 1000)}", err=True)


@contextmanager
def _progress() -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on a terminal; in a pipe, a line on stderr every tenth of the class."""
    if not sys.stderr.isatty():
        def in_a_pipe(done: int, total: int, student: str) -> None:
            step = max(1, total // 10)
            if total >= 20 and (done % step == 0 or done == total):
                typer.echo(f"variants: {done} of {total} students", err=True)

        yield in_a_pipe
        return
    from rich.progress import Progress

    with Progress(transient=True, console=stderr_console()) as bar:
        task = bar.add_task("drawing variants", total=None)
        yield lambda done, total, student: bar.update(task, completed=done, total=total)
