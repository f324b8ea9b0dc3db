"""The command line: a thin typer layer over the library.

Library modules are imported inside the commands, so `gradtutor --help` stays light. Every
command runs inside `_guard`, the one place that turns an exception into a message on stderr
and an `ExitStatus` (a library error names a field; `_guard` names the option it came from).
A bug becomes one line and exit status 3; `--debug` shows the traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO, TypeVar

import typer

from ..base.safetext import visible
from ..base.version import __version__
from .status import (
    ExitStatus,
    status_of_check,
    status_of_error,
    status_of_validation,
    status_of_validations,
)

if TYPE_CHECKING:
    from rich.console import Console

    from ..base.errors import GradtutorError
    from ..grading.catalog import Validation
    from ..grading.practice import PracticeSession
    from ..grading.roster import Gradebook
    from ..kinds import AnyExercise

T = TypeVar("T")

app = typer.Typer(
    name="gradtutor",
    help="A gradient tutor and exercise checker for people learning backpropagation.\n\n"
    "Kink conventions: relu'(0) = 0, abs'(0) = 0, and at a tie max and min send the "
    "gradient to their first argument.",
    epilog="""Quick start:

\b
  gradtutor list
  gradtutor solve "(x+y)*z" --at x=-2 --at y=5 --at z=-4
  gradtutor explain max-gate
  gradtutor template sigmoid-neuron > mine.yaml
  gradtutor check sigmoid-neuron mine.yaml

Run gradtutor COMMAND --help for a command's options and examples.
""",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: it costs a third of rich help's start-up time
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


class SolveFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    yaml = "yaml"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gradtutor {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")] = False,
) -> None:
    import warnings

    _state["debug"] = debug
    if not debug:  # numpy's floating-point warnings say nothing a student can act on
        warnings.filterwarnings("ignore", category=RuntimeWarning)


@contextmanager
def _guard() -> Iterator[None]:
    from ..base.errors import GradtutorError

    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        if _state["debug"]:
            raise
        status = status_of_error(error)
        if isinstance(error, GradtutorError):
            _error(str(_as_option(error)), error.caret())
        else:  # a bug: one line, never a traceback unless asked for
            detail = visible(error, 200)
            _error(f"internal error: {type(error).__name__}: {detail} (run with --debug for "
                   "the traceback, and please report it)")
        raise typer.Exit(int(status)) from None


# The library names the argument a problem is in ("values", "value x", "step", "hint"); on
# the command line that is an option.
OPTION_OF_FIELD = {"values": "--at", "value": "--at", "step": "--step", "hint": "--hint",
                   "roster": "--roster"}


def _as_option(error: GradtutorError) -> GradtutorError:
    """The error with its field named as the option it came from (errors in files keep
    theirs: a field of an exercise or answers file is a key in that file)."""
    if error.file is None and error.field:
        head, space, rest = error.field.partition(" ")
        if head in OPTION_OF_FIELD:
            error.field = OPTION_OF_FIELD[head] + space + rest
    return error


def _error(message: str, caret: str | None = None) -> None:
    """The message on stderr, each of its lines with nothing a terminal would not show as
    itself (messages quote files, names and answers)."""
    lines = [f"error: {visible(line, 1000)}" if i == 0 else f"       {visible(line, 1000)}"
             for i, line in enumerate(message.split("\n"))]
    typer.echo("\n".join(lines), err=True)
    if caret:
        typer.echo(caret, err=True)


def _format(chosen: Enum | None) -> str:
    """The format asked for, else rich on a terminal and plain in a pipe."""
    if chosen is not None:
        return chosen.value
    return "rich" if sys.stdout.isatty() else "plain"


def _print(text_or_renderable: object) -> None:
    if isinstance(text_or_renderable, str):
        sys.stdout.write(text_or_renderable if text_or_renderable.endswith("\n")
                         else text_or_renderable + "\n")
    else:
        from ..render.rich import console

        console().print(text_or_renderable)


AT_HELP = "A value for an input: NAME=VALUE, e.g. x=-2 or W=[[0.1,0.5],[-0.3,0.8]]. Repeatable."


class CheckFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    csv = "csv"
    gradescope = "gradescope"
    prairielearn = "prairielearn"
    canvas = "canvas"
    moodle = "moodle"


class Feedback(str, Enum):
    full = "full"
    diagnosis = "diagnosis"
    verdict = "verdict"
    score = "score"


class ListFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"


def _is_exercise(target: str) -> bool:
    """An exercise when the target is a path that exists (or ends in .yaml) or a bundled id;
    when it also reads as an expression, a note on stderr says which was chosen."""
    from ..exercises.exercise import bundled_dir, find_exercise

    found = find_exercise(target)
    if found is None:
        return False
    if found.parent != bundled_dir() and _reads_as_expression(target):
        typer.echo(f"note: '{visible(target, 80)}' is a file here, so it is read as an exercise "
                   "file; to solve the expression, write it differently, e.g. in parentheses",
                   err=True)
    return True


def _refuse_near_id(target: str, at: list[str] | None) -> None:
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


def _reads_as_expression(target: str) -> bool:
    from ..base.errors import GradtutorError
    from ..lang.parser import parse_program

    try:
        parse_program(target)
    except GradtutorError:
        return False
    return True


def _values(at: list[str] | None) -> dict:
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


@app.command(epilog="""Examples:

\b
  gradtutor solve "(x+y)*z" --at x=-2 --at y=5 --at z=-4
  gradtutor solve "q = x + y; f = q*z" --at x=-2 --at y=5 --at z=-4 --format json
  gradtutor solve "sum((W@x)**2)" --at "W=[[0.1,0.5],[-0.3,0.8]]" --at "x=[0.2,0.4]"
  gradtutor solve sigmoid-neuron
  gradtutor solve sigmoid-neuron --format yaml > key.yaml
""")
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
    with _guard():
        chosen = _format(format)
        if _is_exercise(target):
            _solve_exercise(target, chosen, at, student)
        else:
            if student is not None:
                from ..base.errors import GradtutorError

                raise GradtutorError("--student is for exercises with 'variants:'",
                                     field="--student")
            _refuse_near_id(target, at)
            _solve_expression(target, chosen, at)


def _solve_expression(target: str, chosen: str, at: list[str] | None) -> None:
    from ..base.errors import GradtutorError
    from ..engine.solve import solve_program
    from ..render import draw, export

    if chosen == "yaml":
        raise GradtutorError("--format yaml is for exercises: it prints an answers file")
    values = _values(at)
    solution = solve_program(target, values)
    if chosen == "json":
        _print(export.dumps(export.solution_data(solution)))
    else:
        _print(draw.render(solution, chosen))


STUDENT_HELP = ("The student whose own numbers to use (an exercise with 'variants:'): the "
                "same name always gets the same numbers.")


def _for_student(ex: AnyExercise, student: str | None) -> AnyExercise:
    """The student's variant; the exercise itself when no student is named."""
    from ..base.errors import GradtutorError
    from ..kinds.variants import variant_for

    if student is None:
        return ex
    if getattr(ex, "variants", None) is None:
        raise GradtutorError(f"{ex.id} has no 'variants:': every student gets the same "
                             "numbers", field="--student")
    if not student.strip():
        raise GradtutorError("--student needs a name", field="--student")
    return variant_for(ex, student.strip())  # type: ignore[arg-type]


def _solve_exercise(target: str, chosen: str, at: list[str] | None,
                    student: str | None = None) -> None:
    from ..base.errors import GradtutorError
    from ..kinds import kind_of, load_exercise
    from ..render import draw, export

    if at:
        raise GradtutorError("an exercise has its own given values; --at is for expressions",
                             field="--at")
    ex = _for_student(load_exercise(target), student)
    if chosen == "yaml":
        _print(export.answer_key_yaml(ex.id, ex.title, kind_of(ex).key(ex), student))
        return
    solution = kind_of(ex).solve(ex)
    if chosen == "json":
        _print(export.dumps(export.exercise_solution_data(solution)))
    else:  # the solution's layout (by its class), drawn by the format's renderer
        _print(draw.render(solution, chosen))


@app.command(epilog="""Examples:

\b
  gradtutor check sigmoid-neuron alice.yaml
  gradtutor check my-exercise.yaml submissions/ --format csv --output grades.csv
  gradtutor check vanishing-sigmoid-chain "class/*.yaml" --jobs 4
  gradtutor check sigmoid-neuron answers.yaml --format gradescope --output results.json

Exit status: 0 every step correct, 1 a step wrong or missing, 2 bad input (the exercise,
an unreadable answers file; the other files are still checked), 130 interrupted.
""")
def check(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    answers: Annotated[list[str], typer.Argument(help="Answers files, folders (every .yaml "
                                                 "inside) or glob patterns.")],
    format: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", help="rich (terminal default), plain (pipe default), json, csv (a "
        "row per student), gradescope (results.json), prairielearn, canvas and moodle "
        "(gradebook CSVs to import).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to this file (atomically) instead of "
        "standard output.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes for many files (default and most: the "
        "cores, at most 64).")
    ] = None,
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="A CSV of the class (columns id, name, email, section): csv, canvas "
        "and moodle then have every roster student once, those with no submission too.")
    ] = None,
    summary: Annotated[Path | None, typer.Option(
        "--summary", help="Also write the class summary to this file: JSON when it ends in "
        ".json, else plain text.")] = None,
    feedback: Annotated[Feedback | None, typer.Option(
        "--feedback", help="How much the report shows: full (expected values too), "
        "diagnosis (verdicts, diagnoses and hints, no expected value), verdict (right or wrong "
        "per step), score (the total only). Default: full, and the exercise's 'feedback:' "
        "(default diagnosis) for gradescope and prairielearn.")] = None,
) -> None:
    """Check students' answers: a verdict, a score and a diagnosis for every step."""
    with _guard():
        from ..base.errors import GradtutorError
        from ..exercises.exercise import find_exercise
        from ..grading.batch import answer_files, capped_jobs
        from ..grading.feedback import redact
        from ..kinds import load_exercise

        chosen = _format(format) if format or output is None else "plain"
        platform = chosen in PLATFORM_FORMATS
        try:
            ex = load_exercise(exercise)
        except GradtutorError as error:
            if platform:  # the student still gets a results file, saying why
                _platform_problem(exercise, chosen, answers, "not your answers: the exercise "
                                  f"could not be loaded: {error}", output)
            raise
        notes: list[str] = []
        paths = answer_files(answers, notes)
        for note in notes:
            typer.echo(f"warning: {visible(note, 600)}", err=True)
        if platform and len(paths) != 1:
            _submission_problem(ex.id, chosen, answers, len(paths), output)
        if not paths:
            raise GradtutorError("no answers files found in " + ", ".join(answers))
        results, interrupted = _grade(ex, exercise, paths, capped_jobs(jobs))
        if platform and not results:
            from ..marking.results import FileResult

            results = [FileResult(ex.id, str(paths[0]), error="interrupted before the answers "
                                  "file was checked")]
        level = feedback.value if feedback else ex.feedback if platform else "full"
        results = [redact(result, level) for result in results]
        inputs = (*paths, Path(str(find_exercise(exercise) or exercise)))
        book = _gradebook(results, roster)
        if chosen in GRADEBOOK_FORMATS:
            _emit(_gradebook_report(book, chosen, ex.id, results), output, inputs)
        else:
            _emit(_check_report(results, chosen, len(paths), book if roster else None),
                  output, inputs)
        if summary is not None:
            _emit(_summary_report(results, summary, len(paths)), summary, inputs)
        for result in results:
            if result.error is not None:
                _error(result.error)
        if interrupted:
            _error(f"interrupted: {len(results)} of {len(paths)} files checked")
        raise typer.Exit(int(status_of_check(results, interrupted=interrupted)))


PLATFORM_FORMATS = ("gradescope", "prairielearn")
GRADEBOOK_FORMATS = ("canvas", "moodle")


def _gradebook(results: list, roster: Path | None) -> Gradebook:
    """The results joined to the roster (a row per file without one); what the roster
    leaves out is said on stderr."""
    from ..grading.roster import join, read_roster

    book = join(results, read_roster(roster) if roster is not None else None)
    if roster is not None:
        for student in book.missing:
            who = student.name or student.id or student.email
            typer.echo(f"roster: no submission from {who}", err=True)
        for name in book.unmatched:
            typer.echo(f"roster: {visible(name, 600)} matches no roster student", err=True)
    return book


def _gradebook_report(book: Gradebook, chosen: str, exercise_id: str, results: list) -> str:
    from ..render import export

    points = max((r.max_score for r in results if r.error is None), default=0.0)
    if chosen == "canvas":
        return export.canvas_csv(book, exercise_id, points)
    return export.moodle_csv(book, exercise_id)


def _platform_problem(exercise: str, chosen: str, answers: list[str], problem: str,
                      output: Path | None) -> None:
    """The platform's results file for a check that could not start (then the caller
    reports the error)."""
    from ..marking.results import FileResult

    result = FileResult(visible(exercise, 200), ", ".join(answers), error=problem)
    _emit(_check_report([result], chosen, 1), output)


def _submission_problem(exercise_id: str, chosen: str, answers: list[str], found: int,
                        output: Path | None) -> None:
    """A grading platform always gets its results file, even for a submission that holds no
    answers file, or several: the student then sees why."""
    from ..marking.results import FileResult

    problem = f"a submission holds one answers file (.yaml); found {found}"
    result = FileResult(exercise_id, ", ".join(answers), error=problem)
    _emit(_check_report([result], chosen, 1), output)
    _error(f"--format {chosen}: {problem}")
    raise typer.Exit(int(ExitStatus.BAD_INPUT))


def _grade(ex: AnyExercise, target: str, paths: list[Path], jobs: int) -> tuple[list, bool]:
    """Check every file, with a progress bar on a terminal; Ctrl-C keeps what is done."""
    from ..grading.batch import check_files

    results: list = []
    progress = None
    if len(paths) > 1 and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True, console=_stderr_console())
        task = progress.add_task("checking", total=len(paths))
        progress.start()
    try:
        for result in check_files(ex, paths, jobs=jobs, exercise_target=target):
            results.append(result)
            if progress is not None:
                progress.advance(task)
    except KeyboardInterrupt as stop:  # with workers: the files done beyond the first gap too
        results.extend(getattr(stop, "finished", []))
        order = {str(path): index for index, path in enumerate(paths)}
        results.sort(key=lambda result: order.get(result.answers_file, len(order)))
        return results, True
    finally:
        if progress is not None:
            progress.stop()
    return results, False


def _stderr_console() -> Console:
    from ..render.rich import console

    return console(stderr=True)


def _check_report(results: list, chosen: str, total: int, book: Gradebook | None = None
                  ) -> object:
    from ..grading.batch import summarize
    from ..render import draw, export

    if chosen == "json":
        return export.check_json(results)
    if chosen == "csv":
        return export.check_csv(results, book)
    if chosen == "gradescope":
        return export.platform_dumps(export.gradescope(results[0]))
    if chosen == "prairielearn":
        return export.platform_dumps(export.prairielearn(results[0]))
    summary = summarize(results, total=total) if total > 1 else None
    reports: list[object] = [*results, *([summary] if summary is not None else [])]
    parts = [draw.render(report, chosen) for report in reports]
    if chosen == "plain":
        return "\n".join(parts)
    from rich.console import Group

    return Group(*parts)


def _summary_report(results: list, target: Path, total: int) -> str:
    from ..grading.batch import summarize
    from ..render import draw, export

    found = summarize(results, total=total)
    if target.suffix.lower() == ".json":
        return export.dumps(export.summary_data(found))
    return str(draw.render(found, "plain"))


def _emit(report: object, output: Path | None, inputs: tuple[Path, ...] = ()) -> None:
    """Print the report, or write it to `output`: a regular file atomically (a temporary
    file renamed into place, through a symlink to its target), a device or pipe directly.
    The files being checked are only ever read: `output` may not be one of them."""
    if output is None:
        _print(report)
        return
    import os
    import stat

    from ..base.errors import GradtutorError

    text = report if isinstance(report, str) else _as_text(report)
    text = text if text.endswith("\n") else text + "\n"
    target = Path(os.path.realpath(output))
    if any(_same_file(output, p) for p in inputs):
        raise GradtutorError(f"{output} is one of the files being read; write the report "
                             "somewhere else", field="--output")
    try:
        mode = output.stat().st_mode if output.exists() else stat.S_IFREG
        if stat.S_ISDIR(mode):
            raise GradtutorError(f"cannot write {output}: it is a directory", field="--output")
        stream_of = _standard_stream(output)
        if stream_of is not None:  # /dev/stdout, even when it is a log opened with >>
            stream_of.write(text)
            stream_of.flush()
            return
        if not stat.S_ISREG(mode):
            with open(output, "a", encoding="utf-8") as stream:  # a pipe or a device
                stream.write(text)
            return
        _write_atomically(target, text)
    except OSError as error:
        raise GradtutorError(f"cannot write {output}: {error.strerror or error}",
                             field="--output") from None


def _same_file(one: Path, other: Path) -> bool:
    import os

    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return False


def _standard_stream(output: Path) -> TextIO | None:
    """sys.stdout or sys.stderr when `output` is the file they write (never truncate it)."""
    import os

    try:
        info = output.stat()
    except (OSError, ValueError):
        return None
    for stream in (sys.stdout, sys.stderr):
        try:
            own = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
        if (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino):
            return stream
    return None


def _write_atomically(target: Path, text: str) -> None:
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, target.stat().st_mode & 0o7777 if target.exists() else
                 0o666 & ~_umask())  # as if written in place, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def _as_text(renderable: object) -> str:
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None).print(renderable)
    return buffer.getvalue()


@app.command(name="list", epilog="Example:\n\n\b\n  gradtutor list --format json\n")
def list_exercises(
    format: Annotated[ListFormat | None, typer.Option("--format", "-f", help="rich, plain or "
                                                      "json.")] = None,
) -> None:
    """The bundled exercises: id, title, kind, and what each asks."""
    with _guard():
        from ..grading import catalog
        from ..render import draw, export
        from ..render.solution_layout import exercise_list

        rows = catalog.list_rows()
        chosen = _format(format)
        if chosen == "json":
            _print(export.dumps(rows))
        else:
            _print(draw.render_document(exercise_list(rows), chosen))


@app.command(epilog="""Examples:

\b
  gradtutor template sigmoid-neuron > alice.yaml
  gradtutor template my-exercise.yaml --output blank.yaml
""")
def template(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file instead.")] = None,
    student: Annotated[str | None, typer.Option("--student", help=STUDENT_HELP)] = None,
) -> None:
    """A blank answers file: every asked step with an empty value, ready to fill in."""
    with _guard():
        from ..base import fmt
        from ..exercises.exercise import bundled_dir, find_exercise
        from ..grading import catalog
        from ..kinds import load_exercise
        from ..render import export

        ex = _for_student(load_exercise(exercise), student)
        found = find_exercise(exercise)
        check_as = ex.id if found is not None and found.parent == bundled_dir() else exercise
        given = [(name, fmt.value(value)) for name, value in getattr(ex, "given", {}).items()]
        text = export.template_yaml(ex.id, ex.title, ex.description, catalog.template_notes(ex),
                                    check_as, student=student, given=given)
        _emit(text, output, (Path(str(found or exercise)),))


class ValidateFormat(str, Enum):
    plain = "plain"
    json = "json"


@app.command(epilog="""Examples:

\b
  gradtutor validate exercises/*.yaml
  gradtutor validate my-exercise.yaml
  gradtutor validate exercises/ --format json

Exit status: 0 every file loads and every self-test gets its stated score; 1 a self-test
does not; 2 a file has problems (each named with its line and field).
""")
def validate(
    files: Annotated[list[str], typer.Argument(help="Exercise files, folders, or bundled "
                                               "ids.")],
    format: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help="plain (a line per file; problems on stderr) or json (a list "
        "with every file's problems and self-tests).")] = ValidateFormat.plain,
) -> None:
    """Check exercise files for authoring mistakes and run their embedded self-tests."""
    with _guard():
        from ..base.errors import GradtutorError
        from ..exercises.exercise import walk_exercises
        from ..grading.catalog import validate as validate_file

        paths = walk_exercises(files)
        if not paths:
            raise GradtutorError("no exercise files (.yaml, .yml) in " + ", ".join(files))
        results = [validate_file(str(path)) for path in paths]
        if format is ValidateFormat.json:
            from ..render.export import dumps, validation_data

            statuses = [int(status_of_validation(result)) for result in results]
            _print(dumps(validation_data(results, statuses)))
        else:
            for result in results:
                _report_validation(result)
        raise typer.Exit(int(status_of_validations(results)))


def _report_validation(result: Validation) -> None:
    if result.problems:  # one message, its later lines indented, as every command prints it
        _error("\n".join(str(problem) for problem in result.problems))
    for test in result.failed_tests:
        where = f"{result.file}:{test.line}" if test.line else result.file
        _error(f"{where}: tests[{test.index}]: expected score {test.expected:g}, got "
               f"{test.got:g} ({test.summary})")
    if status_of_validation(result) is ExitStatus.SUCCESS:
        count = len(result.tests)
        typer.echo(f"ok: {visible(result.file, 1000)} ({result.exercise}, {count} self-test"
                   f"{'s' if count != 1 else ''} pass)")
    for warning in result.warnings:
        typer.echo(f"warning: {visible(f'{result.file}: {warning}', 1000)}")


class ExplainFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    markdown = "markdown"
    latex = "latex"
    dot = "dot"


@app.command(epilog="""Examples:

\b
  gradtutor explain "(x+y)*z" --at x=-2 --at y=5 --at z=-4
  gradtutor explain "q = x + y; f = q*z" --at x=-2 --at y=5 --at z=-4 --format plain
  gradtutor explain sigmoid-neuron --format markdown > sigmoid-neuron.md
  gradtutor explain sigmoid-neuron --format latex > walkthrough.tex && pdflatex walkthrough.tex
  gradtutor explain max-gate --format dot | dot -Tpng > max-gate.png
  gradtutor explain max-gate --step 9 --hint
""")
def explain(
    target: Annotated[str, typer.Argument(help="An expression, a program of assignments "
                                          "(';' or new lines), an exercise file or a bundled "
                                          "exercise id.")],
    at: Annotated[list[str] | None, typer.Option("--at", help=AT_HELP + " Every input of an "
                                                 "expression or program needs one.")] = None,
    format: Annotated[ExplainFormat | None, typer.Option(
        "--format", "-f", help="rich (terminal default), plain (pipe default), json (the "
        "walkthrough's data), markdown ($$ math, for GitHub and Jupyter), latex (a "
        "standalone document for pdflatex), dot (Graphviz source).")] = None,
    step: Annotated[int | None, typer.Option(
        "--step", "-s", min=1, help="Exercises: reveal only asked step N (1 = the first step "
        "of 'ask'), a hint first, then the step worked out.")] = None,
    hint: Annotated[bool, typer.Option(
        "--hint", help="With --step: show only the hint, to try the step before reading "
        "it.")] = False,
) -> None:
    """A chain-rule walkthrough, in the style of the worked examples of the notes.

    1) the sub-functions and the computational graph, 2) the local derivative of every edge
    in symbols, 3) the forward pass, 4) the backward pass from the end of the circuit, one
    line per edge: downstream = local * upstream, with the numbers filled in, 5) the
    gradients. A bare expression gets one node per operation, named n1, n2, ...; a program or
    an exercise is explained node by node as it names them. Kinks: relu'(0) = 0, and at a
    tie max routes the gradient to its first argument.

    A perceptron exercise: the unit and g(0), the weights the learning rule finds (or why no
    single unit can), the truth table row by row, and for XOR the two-layer construction;
    --step N reveals its N-th asked part (weights, network or trace).
    """
    with _guard():
        from ..base.errors import GradtutorError
        from ..kinds import explain as build

        chosen = _format(format)
        if hint and step is None:
            raise GradtutorError("--hint goes with --step N", field="--hint")
        if step is not None and chosen == "dot":
            raise GradtutorError("--step shows one step in words: use --format rich, plain, "
                                 "json, markdown or latex", field="--step")
        values = _values(at)
        if not _is_exercise(target):  # _is_exercise notes when an expression names a file here
            _refuse_near_id(target, at)
        walk = build(target, values, step=step, hint_only=hint)
        if chosen == "json":
            from ..render.export import dumps, walkthrough_data

            _print(dumps(walkthrough_data(walk)))
        else:  # laid out as blocks, drawn by the format's renderer
            from ..render.draw import render as draw

            _print(draw(walk, chosen))


@app.command(epilog="""Examples:

\b
  gradtutor practice add-mul-gate
  gradtutor practice sigmoid-neuron --save mine.yaml --attempts 2
  gradtutor practice sigmoid-neuron --resume mine.yaml
  printf '3\\n12\\n-12\\nreveal\\nquit\\n' | gradtutor practice add-mul-gate --save s.yaml

At the prompt type an answer, or hint, reveal, skip, back, help or quit. The answers are
saved as they are given (an answers file that `gradtutor check` grades); end of input or
Ctrl-C saves and stops.
""")
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
    with _guard():
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
    _write_atomically(target, session.answers_yaml())
    try:
        while session.current is not None:
            line = _read_answer(session.ask(), interactive, say)
            if line is None:
                break
            for text, style in _practice_lines(session, line):
                say(text, style)
            _write_atomically(target, session.answers_yaml())
    except KeyboardInterrupt:
        say("", None)
    _write_atomically(target, session.answers_yaml())
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


autograder_app = typer.Typer(
    help="Bundles a grading platform runs as they are: a Gradescope autograder zip, a "
    "PrairieLearn question folder.", no_args_is_help=True)
app.add_typer(autograder_app, name="autograder")


class Visibility(str, Enum):
    visible = "visible"
    after_due_date = "after_due_date"
    after_published = "after_published"
    hidden = "hidden"


FEEDBACK_HELP = ("What the student sees: full, diagnosis, verdict or score (default: the "
                 "exercise's 'feedback:', itself diagnosis by default).")


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
    with _guard():
        from .bundles import GRADESCOPE_PLATFORMS, gradescope_zip

        ex, source = _bundle_exercise(exercise)
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
    with _guard():
        from .bundles import prairielearn_question

        ex, source = _bundle_exercise(exercise)
        prairielearn_question(ex, source, output, feedback=feedback.value if feedback
                              else None, timeout=timeout)
        typer.echo(f"wrote {output}: move {output}/serverFilesCourse/gradtutor_vendor into "
                   "the course's serverFilesCourse/", err=True)


def _bundle_exercise(target: str) -> tuple[AnyExercise, Path]:
    from ..base.errors import GradtutorError
    from ..exercises.exercise import find_exercise
    from ..kinds import load_exercise

    ex = load_exercise(target)
    source = find_exercise(target)
    if source is None or not source.is_file():
        raise GradtutorError(f"{visible(target, 80)}: no exercise file to bundle")
    return ex, source


def main() -> None:
    """Console-script entry point."""
    app(args=expression_last(sys.argv[1:]))


EXPRESSION_COMMANDS = ("solve", "explain")


def expression_last(args: list[str]) -> list[str]:
    """The arguments with an expression that starts with '-' (`solve '-x**2' --at x=3`)
    moved after a `--`, so that it is not read as an unknown option."""
    start = 0
    while start < len(args) and args[start].startswith("-"):
        start += 1  # --debug, --version: the flags before the command
    if start >= len(args) or args[start] not in EXPRESSION_COMMANDS or "--" in args:
        return args
    head, name, rest = args[:start + 1], args[start], args[start + 1:]
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    takes_value = {opt for param in command.params for opt in getattr(param, "opts", [])
                   if not getattr(param, "is_flag", False) and not getattr(param, "count", False)}
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    known |= {"--help", "-h"}
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg in takes_value:
            index += 2
            continue
        if arg.startswith("-") and len(arg) > 1 and arg.split("=", 1)[0] not in known:
            return [*head, *rest[:index], *rest[index + 1:], "--", arg]
        index += 1
    return args
