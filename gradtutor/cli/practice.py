"""`gradtutor practice`: the practice loop on a terminal or a pipe."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..base.safetext import visible
from .guard import guard
from .output import write_atomically

if TYPE_CHECKING:

    from ..grading.practice import PracticeSession

EPILOG = """Examples:

\b
  gradtutor practice add-mul-gate
  gradtutor practice sigmoid-neuron --save mine.yaml --attempts 2
  gradtutor practice sigmoid-neuron --resume mine.yaml
  printf '3\\n12\\n-12\\nreveal\\nquit\\n' | gradtutor practice add-mul-gate --save s.yaml

At the prompt type an answer, or hint, reveal, skip, back, help or quit. The answers are
saved as they are given (an answers file that `gradtutor check` grades); end of input or
Ctrl-C saves and stops.
"""


def practice(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    save: Annotated[Path | None, typer.Option(
        "--save", help="The answers file to write as you go (default: EXERCISE-ID.practice.yaml "
        "here; with --resume, the file resumed).")] = None,
    resume: Annotated[Path | None, typer.Option(
        "--resume", help="Continue from this answers file.")] = None,
    attempts: Annotated[int, typer.Option("--attempts", min=1, max=100,
                                          help="Tries per step before the worked line is "
                                          "shown.")] = 3,
    student: Annotated[str | None, typer.Option("--student", help="The name written into "
                                                "the answers file.")] = None,
) -> None:
    """Practise an exercise: each asked step in turn, each answer judged at once.

    A wrong answer gets its diagnosis in one line and the step's hint, then another try;
    after the last try, or on `reveal`, the worked line (local * upstream = numbers =
    result). When standard input is not a terminal, one answer or command is read per line
    and plain text is written, one line of verdict per answer.
    """
    with guard():
        from ..exercises.answers import read_answers
        from ..grading.practice import PracticeSession
        from ..kinds import load_exercise

        ex = load_exercise(exercise)
        session = PracticeSession(ex, attempts=attempts, student=student)
        if resume is not None:
            session.resume(read_answers(resume, ex.id))
        target = save or resume or Path(f"{ex.id}.practice.yaml")
        _practice_loop(session, target, interactive=sys.stdin.isatty())


def _practice_loop(session: PracticeSession, target: Path, *, interactive: bool) -> None:
    """Ask, read a line, judge it, say so, save; until the steps run out, quit or EOF."""
    say = _practice_printer(interactive)
    ex = session.exercise
    say(f"{ex.id}: {ex.title} ({len(session.slots)} steps, {session.attempts} tries each; "
        "type help for the commands)", "bold")
    write_atomically(target, session.answers_yaml())
    try:
        while session.current is not None:
            line = _read_answer(session.ask(), interactive, say)
            if line is None:
                break
            for text, style in _practice_lines(session, line):
                say(text, style)
            write_atomically(target, session.answers_yaml())
    except KeyboardInterrupt:
        say("", None)
    write_atomically(target, session.answers_yaml())
    say(session.score().summary, "bold")
    say(f"saved {visible(str(target), 200)}: gradtutor check {visible(ex.id, 80)} "
        f"{visible(str(target), 200)}", None)


def _practice_lines(session: PracticeSession, line: str) -> list[tuple[str, str | None]]:
    """What the session says to one line: the verdict, then the hint or the worked line."""
    step = session.current
    result = session.answer(line)
    styles = {"correct": "green", "follow-through": "green", "wrong": "red", "invalid": "red"}
    judged = result.verdict in ("correct", "follow-through", "wrong")
    head = f"{result.verdict} ({step} = {line.strip()})" if judged else result.verdict
    lines: list[tuple[str, str | None]] = [(f"{head}: {result.message}",
                                            styles.get(result.verdict))]
    if result.hint and result.verdict == "wrong":
        lines.append((f"hint: {result.hint}", "yellow"))
    if result.worked:
        lines.append((f"worked: {result.worked}", "cyan"))
    return [(visible(text, 2000), style) for text, style in lines]


def _practice_printer(interactive: bool) -> Callable[[str, str | None], None]:
    """Plain lines to a pipe; styled lines (rich) on a terminal."""
    if not interactive:
        def plain(text: str, style: str | None) -> None:
            typer.echo(text)
        return plain
    from rich.text import Text

    from ..render.rich import console

    screen = console()

    def styled(text: str, style: str | None) -> None:
        screen.print(Text(text, style=style or ""))
    return styled


def _read_answer(prompt: str, interactive: bool,
                 say: Callable[[str, str | None], None]) -> str | None:
    """One line from the student; None at the end of input."""
    if interactive:
        try:
            return input(f"{visible(prompt, 200)} ")
        except EOFError:
            return None
    say(visible(prompt, 200), None)
    line = sys.stdin.readline()
    return line.rstrip("\n") if line else None
