"""`gradtutor check`: grade answers files, one or a class, in every report format."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..base.safetext import visible
from .guard import guard, report_error
from .options import Feedback
from .output import chosen_format, emit, stderr_console
from .status import ExitStatus, status_of_check

if TYPE_CHECKING:

    from ..grading.roster import Gradebook, Student
    from ..kinds import AnyExercise


class CheckFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    csv = "csv"
    gradescope = "gradescope"
    prairielearn = "prairielearn"
    canvas = "canvas"
    moodle = "moodle"
    dot = "dot"
    svg = "svg"
    png = "png"
    html = "html"


EPILOG = """Examples:

\b
  gradtutor check sigmoid-neuron alice.yaml
  gradtutor check my-exercise.yaml submissions/ --format csv --output grades.csv
  gradtutor check vanishing-sigmoid-chain "class/*.yaml" --jobs 4
  gradtutor check sigmoid-neuron answers.yaml --format gradescope --output results.json
  gradtutor check sigmoid-neuron alice.yaml --format svg -o alice.svg
  gradtutor check sigmoid-neuron submissions/ --format html -o class.html

Exit status: 0 every step correct, 1 a step wrong or missing, 2 bad input (the exercise,
an unreadable answers file; the other files are still checked), 130 interrupted.
"""


def check(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    answers: Annotated[list[str], typer.Argument(help="Answers files, folders (every .yaml "
                                                 "inside) or glob patterns.")],
    format: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", metavar="FORMAT", help="rich (terminal default), plain (pipe "
        "default), json, csv (a row per student), gradescope (results.json), prairielearn, "
        "canvas and moodle "
        "(gradebook CSVs to import), dot, svg, png and html (the verdicts drawn on the "
        "exercise's graph; for many files a heatmap of the class).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to this file (atomically) instead of "
        "standard output.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes for many files (default and most: the "
        "cores, at most 64).")
    ] = None,
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="A CSV of the class (columns id, name, email, section): csv, canvas "
        "and moodle then have every roster student once, those with no submission too; "
        "with 'variants:', a file gets its roster student's numbers.")
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
    with guard():
        from ..base.errors import GradtutorError
        from ..exercises.exercise import find_exercise
        from ..grading.batch import answer_files, capped_jobs, grades_a_class
        from ..grading.feedback import redact
        from ..grading.handouts import variant_names
        from ..grading.othernumbers import flag_other_numbers
        from ..grading.roster import read_roster, variant_keys
        from ..kinds import load_exercise

        chosen = chosen_format(format) if format or output is None else "plain"
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
        students = read_roster(roster) if roster is not None else None
        # a class (several files, a folder, a platform): a blank `student:` is the file's name
        by_name = platform or grades_a_class(answers, paths)
        results, interrupted = _grade(ex, exercise, paths, capped_jobs(jobs), by_name,
                                      variant_keys(students) if students else None)
        # before the feedback policy hides the expected values (each file's key)
        results = flag_other_numbers(ex, results, variant_names(students or []))
        if platform and not results:
            from ..marking.results import FileResult

            results = [FileResult(ex.id, str(paths[0]), error="interrupted before the answers "
                                  "file was checked")]
        level = feedback.value if feedback else ex.feedback if platform else "full"
        results = [redact(result, level) for result in results]
        inputs = (*paths, Path(str(find_exercise(exercise) or exercise)))
        book = _gradebook(results, students)
        if chosen in GRADEBOOK_FORMATS:
            emit(_gradebook_report(book, chosen, ex.id, results), output, inputs)
        elif chosen in PICTURE_FORMATS:
            picture = _picture_report(ex, results, chosen, len(paths))
            if picture is not None:
                emit(picture, output, inputs)
        else:
            emit(_check_report(results, chosen, len(paths), book if roster else None),
                 output, inputs)
        if summary is not None:
            emit(_summary_report(results, summary, len(paths)), summary, inputs)
        for result in results:
            if result.error is not None:
                report_error(result.error)
        if interrupted:
            report_error(f"interrupted: {len(results)} of {len(paths)} files checked")
        raise typer.Exit(int(status_of_check(results, interrupted=interrupted)))


PLATFORM_FORMATS = ("gradescope", "prairielearn")


GRADEBOOK_FORMATS = ("canvas", "moodle")


def _gradebook(results: list, roster: list[Student] | None) -> Gradebook:
    """The results joined to the roster (a row per file without one); what the roster
    leaves out is said on stderr."""
    from ..grading.roster import join

    book = join(results, roster)
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
    emit(_check_report([result], chosen, 1), output)


def _submission_problem(exercise_id: str, chosen: str, answers: list[str], found: int,
                        output: Path | None) -> None:
    """A grading platform always gets its results file, even for a submission that holds no
    answers file, or several: the student then sees why."""
    from ..marking.results import FileResult

    problem = f"a submission holds one answers file (.yaml); found {found}"
    result = FileResult(exercise_id, ", ".join(answers), error=problem)
    emit(_check_report([result], chosen, 1), output)
    report_error(f"--format {chosen}: {problem}")
    raise typer.Exit(int(ExitStatus.BAD_INPUT))


def _grade(ex: AnyExercise, target: str, paths: list[Path], jobs: int,
           by_file_name: bool, roster_keys: dict[str, str] | None = None
           ) -> tuple[list, bool]:
    """Check every file (the roster saying whose numbers, for an exercise with variants),
    with a progress bar on a terminal; Ctrl-C keeps what is done."""
    from ..grading.batch import check_files

    results: list = []
    progress = None
    if len(paths) > 1 and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True, console=stderr_console())
        task = progress.add_task("checking", total=len(paths))
        progress.start()
    try:
        for result in check_files(ex, paths, jobs=jobs, exercise_target=target,
                                  by_file_name=by_file_name, roster_keys=roster_keys):
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


PICTURE_FORMATS = ("dot", "svg", "png", "html")


def _picture_report(ex: AnyExercise, results: list, chosen: str, total: int) -> object:
    """One file's verdicts on the exercise's graph, or for many files the class's heatmap;
    None for a picture of one file that could not be read (its error is reported)."""
    from ..grading.batch import summarize
    from ..grading.picture import class_picture, verdict_picture
    from ..render import draw

    if total == 1 and len(results) == 1:
        if results[0].error is not None and chosen != "html":
            return None
        return draw.render(verdict_picture(ex, results[0]), chosen)
    return draw.render(class_picture(ex, summarize(results, total=total)), chosen)


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
