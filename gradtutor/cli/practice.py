"""`gradtutor practice`: the practice loop on a terminal or a pipe."""

from __future__ import annotations

import contextlib
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..base.files import write_file
from ..base.safetext import visible
from .guard import guard
from .output import show

if TYPE_CHECKING:

    from ..grading.practice import PracticeResult, PracticeSession

EPILOG = """Examples:

\b
  gradtutor practice add-mul-gate
  gradtutor practice sigmoid-neuron --save mine.yaml --attempts 2
  gradtutor practice sigmoid-neuron --resume mine.yaml
  printf '3\\n12\\n-12\\nreveal\\nquit\\n' | gradtutor practice add-mul-gate --save s.yaml
  gradtutor practice --random 3 --seed 42
  gradtutor practice --review
  gradtutor practice --progress

At the prompt type an answer, or hint, reveal, explain, graph, skip, back, help or quit.
The answers are saved as they are given (an answers file that `gradtutor check` grades;
for a generated exercise, its exercise file is written beside it); end of input or Ctrl-C
saves and stops. Each session adds the diagnoses it met to the progress file
($XDG_DATA_HOME/gradtutor/progress.json, else ~/.local/share/gradtutor/progress.json).
"""


def practice(
    exercise: Annotated[str | None, typer.Argument(
        help="An exercise file or a bundled exercise id (or --random LEVEL, or "
        "--review).")] = None,
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
    random: Annotated[int | None, typer.Option(
        "--random", min=1, max=5, metavar="LEVEL",
        help="A generated exercise: 1 add and multiply gates; 2 adds max, relu, fan-out; 3 "
        "adds sigmoid, tanh, exp, division; 4 vectors and matrices; 5 a two-layer network "
        "with a loss on a batch.")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, help="With --random or --review: the same seed gives the same "
        "exercise (default: a new one, printed).")] = None,
    review: Annotated[bool, typer.Option(
        "--review", help="A generated exercise for the mistakes you met most (from the "
        "progress file).")] = False,
    attempt_penalty: Annotated[float | None, typer.Option(
        "--attempt-penalty", min=0.0, max=1.0, help="The fraction of a step's points lost "
        "for each try after the first, in the practice score (default 0.1).")] = None,
    reveal_penalty: Annotated[float | None, typer.Option(
        "--reveal-penalty", min=0.0, max=1.0, help="The fraction of a step's points lost "
        "when it is revealed (reveal or explain), in the practice score (default 1: no "
        "credit).")] = None,
    progress: Annotated[bool, typer.Option(
        "--progress", help="Show the progress file: the diagnoses met, the most first.")
    ] = False,
    clear_progress: Annotated[bool, typer.Option(
        "--clear-progress", help="Remove the progress file.")] = False,
) -> None:
    """Practise an exercise: each asked step in turn, each answer judged at once.

    A wrong answer gets its diagnosis in one line and the step's hint, then another try;
    after the last try, or on `reveal`, the worked line (local * upstream = numbers =
    result). At the end: the score `check` gives the answers file, the practice score after
    the penalties, the diagnoses met and what to review. When standard input is not a
    terminal, one answer or command is read per line and plain text is written, one line of
    verdict per answer.
    """
    with guard():
        if progress or clear_progress:
            _progress_command(clear_progress, exercise, random, review)
            return
        from ..api import practice as start
        from ..grading.practice import ATTEMPT_PENALTY, REVEAL_PENALTY

        session = start(exercise, attempts=attempts, student=student, random=random,
                        seed=seed, review=review, resume=resume,
                        attempt_penalty=ATTEMPT_PENALTY if attempt_penalty is None
                        else attempt_penalty,
                        reveal_penalty=REVEAL_PENALTY if reveal_penalty is None
                        else reveal_penalty)
        target = save or resume or Path(f"{session.exercise.id}.practice.yaml")
        checked_as = _write_generated(session, target) or str(exercise)
        _practice_loop(session, target, checked_as, interactive=sys.stdin.isatty())


def _progress_command(clear: bool, exercise: str | None, level: int | None,
                      review: bool) -> None:
    """--progress or --clear-progress: alone, not with an exercise to practise."""
    from ..base.errors import GradtutorError
    from ..grading.progress import clear_progress, load_progress

    if exercise is not None or level is not None or review:
        raise GradtutorError("--progress and --clear-progress go alone, without an exercise")
    if clear:
        typer.echo(f"cleared {visible(str(clear_progress()), 200)}")
    else:
        for line in load_progress().lines():
            typer.echo(visible(line, 2000))


def _write_generated(session: PracticeSession, target: Path) -> str | None:
    """A generated exercise's file, written beside the answers so that `check` can grade
    them, and returned (None for an exercise named as a bundled id or a file: `check` is
    given it as it was named)."""
    generated = session.generated
    if generated is None:
        return None
    typer.echo(f"generated: level {generated.level}, seed {generated.seed} (gradtutor "
               f"practice --random {generated.level} --seed {generated.seed} gives it again)")
    path = target.parent / f"{session.exercise.id}.yaml"
    write_file(path, generated.text, field="--save")
    return str(path)


def _practice_loop(session: PracticeSession, target: Path, checked_as: str, *,
                   interactive: bool) -> None:
    """Ask, read a line, judge it, say so, save; until the steps run out, quit or EOF."""
    # first: a place it cannot go stops it here, before any question
    write_file(target, session.answers_yaml(), field="--save")
    say = _practice_printer(interactive)
    if interactive:
        _line_editing()
    ex = session.exercise
    say(visible(f"{ex.id}: {ex.title} ({len(session.slots)} steps, {session.attempts} tries "
                "each; type help for the commands)", 2000), "bold")
    if session.numbers_note:
        say(f"note: {session.numbers_note} (--student NAME gives your own)", "yellow")
    for text, style in _result_lines(session.graph(), ""):  # what the student starts from
        say(text, style)
    try:
        while session.current is not None:
            line = _read_answer(session.ask(), interactive, say)
            if line is None:
                break
            said, walkthrough = _practice_lines(session, line)
            for text, style in said:
                say(text, style)
            if walkthrough is not None:  # `explain`: the step's walkthrough, as explain draws it
                from ..render.draw import render as draw

                show(draw(walkthrough, "rich" if interactive else "plain"))
            write_file(target, session.answers_yaml(), field="--save")
    except KeyboardInterrupt:
        say("", None)
    write_file(target, session.answers_yaml(), field="--save")
    report = session.report()
    for index, text in enumerate(report.lines()):
        say(visible(text, 2000), "bold" if index < 2 else None)
    _record(session, say)
    say(f"saved {visible(str(target), 200)}: gradtutor check "
        f"{shlex.quote(visible(checked_as, 200))} {shlex.quote(visible(str(target), 200))}",
        None)


def _record(session: PracticeSession, say: Callable[[str, str | None], None]) -> None:
    """The session's diagnoses added to the progress file; a problem with it is said, and
    the session still ends as it should."""
    from ..base.errors import GradtutorError
    from ..grading.progress import record_session

    report = session.report()
    if not (report.extra_tries or report.reveals or session.answers() or report.met):
        return  # nothing was tried: nothing to learn from
    try:
        record_session(report, session.exercise.id)
    except (GradtutorError, OSError) as error:
        say(visible(f"progress not recorded: {getattr(error, 'message', error)}", 400), None)


def _practice_lines(session: PracticeSession, line: str
                    ) -> tuple[list[tuple[str, str | None]], Any]:
    """What the session says to one line: the verdict, then the hint or the worked line
    (the graph's lines for `graph`); and for `explain`, the step's walkthrough."""
    step = session.current
    result = session.answer(line)
    judged = result.verdict in ("correct", "follow-through", "wrong")
    head = f"{result.verdict} ({step} = {line.strip()})" if judged else result.verdict
    return _result_lines(result, head), result.walkthrough


def _result_lines(result: PracticeResult, head: str) -> list[tuple[str, str | None]]:
    """A result as styled lines: the verdict (after `head`), then the hint or the worked
    line, what changed, and the result's own lines (the graph's)."""
    styles = {"correct": "green", "follow-through": "green", "wrong": "red", "invalid": "red"}
    lines: list[tuple[str, str | None]] = [(f"{head or result.verdict}: {result.message}",
                                            styles.get(result.verdict))]
    if result.hint and result.verdict == "wrong":
        lines.append((f"hint: {result.hint}", "yellow"))
    if result.worked:
        lines.append((f"worked: {result.worked}", "cyan"))
    lines += [(f"changed: {text}", "yellow") for text in result.revised]
    lines += [(f"  {text}", None) for text in result.lines]
    return [(visible(text, 2000), style) for text, style in lines]


def _practice_printer(interactive: bool) -> Callable[[str, str | None], None]:
    """Plain lines to a pipe; styled lines (rich) on a terminal."""
    if not interactive:
        from ..render.plain import fit

        def plain(text: str, style: str | None) -> None:
            # wrapped between words only where COLUMNS is known: a pipe keeps a line each
            typer.echo("\n".join(shown for line in text.split("\n") for shown in fit(line)))
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


def _line_editing() -> None:
    """Line editing and history at the terminal's prompt: input() uses readline once it is
    imported (where the platform has it; without it the prompt still works)."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401
