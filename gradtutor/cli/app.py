"""The command line: a thin typer layer over the library.

Library modules are imported inside the commands, so `gradtutor --help` stays light. Every
command runs inside `_guard`, the one place that turns an exception into a message on stderr
and an `ExitStatus` (a library error names a field; `_guard` names the option it came from).
A bug becomes one line and exit status 3; `--debug` shows the traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ..base.version import __version__
from .status import (
    ExitStatus,
    status_of_check,
    status_of_error,
    status_of_validation,
    status_of_validations,
)

if TYPE_CHECKING:
    from ..base.errors import GradtutorError
    from ..exercises.perceptron.solving import PerceptronSolution
    from ..grading.catalog import Validation
    from ..kinds import AnyExercise
    from ..kinds.graph import AnswerKey

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
            detail = str(error)
            detail = detail if len(detail) <= 200 else detail[:200] + "..."
            _error(f"internal error: {type(error).__name__}: {detail} (run with --debug for "
                   "the traceback, and please report it)")
        raise typer.Exit(int(status)) from None


# The library names the argument a problem is in ("values", "value x", "step", "hint"); on
# the command line that is an option.
OPTION_OF_FIELD = {"values": "--at", "value": "--at", "step": "--step", "hint": "--hint"}


def _as_option(error: GradtutorError) -> GradtutorError:
    """The error with its field named as the option it came from (errors in files keep
    theirs: a field of an exercise or answers file is a key in that file)."""
    if error.file is None and error.field:
        head, space, rest = error.field.partition(" ")
        if head in OPTION_OF_FIELD:
            error.field = OPTION_OF_FIELD[head] + space + rest
    return error


def _error(message: str, caret: str | None = None) -> None:
    lines = [f"error: {line}" if i == 0 else f"       {line}"
             for i, line in enumerate(message.splitlines() or [message])]
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


class ListFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"


def _is_exercise(target: str) -> bool:
    from ..exercises.exercise import find_exercise

    return find_exercise(target) is not None


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
) -> None:
    """Differentiate an expression or program, or print an exercise's answer key.

    With --at values: the forward value of every node, the gradient of the output with
    respect to every input and named intermediate (backprop), cross-checked against the
    symbolic derivative and central finite differences.
    """
    with _guard():
        chosen = _format(format)
        if _is_exercise(target):
            _solve_exercise(target, chosen, at)
        else:
            _solve_expression(target, chosen, at)


def _solve_expression(target: str, chosen: str, at: list[str] | None) -> None:
    from ..base.errors import GradtutorError
    from ..engine.solve import solve_program
    from ..lang.values import parse_assignment
    from ..render import export, plain

    if chosen == "yaml":
        raise GradtutorError("--format yaml is for exercises: it prints an answers file")
    values = dict(parse_assignment(item) for item in at or [])
    solution = solve_program(target, values)
    if chosen == "json":
        _print(export.dumps(export.solution_data(solution)))
    elif chosen == "plain":
        _print(plain.solution(solution))
    else:
        from ..render import rich as render

        _print(render.solution(solution))


def _solve_exercise(target: str, chosen: str, at: list[str] | None) -> None:
    from ..base.errors import GradtutorError
    from ..exercises.perceptron.solving import PerceptronSolution
    from ..kinds import kind_of, load_exercise
    from ..render import export

    if at:
        raise GradtutorError("an exercise has its own given values; --at is for expressions",
                             field="--at")
    ex = load_exercise(target)
    if chosen == "yaml":
        _print(export.answers_yaml(ex.id, kind_of(ex).key(ex),
                                   header=f"Answer key for {ex.id}: {ex.title}"))
        return
    solution = kind_of(ex).solve(ex)
    if isinstance(solution, PerceptronSolution):
        _solve_perceptron(solution, chosen)
    else:
        _answer_key(solution, chosen)


def _answer_key(solution: AnswerKey, chosen: str) -> None:
    from ..render import export, plain

    ex = solution.exercise
    rows: list[tuple[str, object, float]] = list(solution.rows)
    title = f"{ex.id}: {ex.title}"
    if chosen == "json":
        _print(export.dumps(export.answer_key_data(solution)))
    elif chosen == "plain":
        _print(plain.answer_key(title, rows))
    else:
        from ..render import rich as render

        _print(render.answer_key(title, rows))


def _solve_perceptron(solution: PerceptronSolution, chosen: str) -> None:
    from ..render import export, plain

    if chosen == "json":
        _print(export.dumps(export.perceptron_data(solution)))  # type: ignore[attr-defined]
    elif chosen == "plain":
        _print(plain.perceptron_text(solution))  # type: ignore[attr-defined]
    else:
        from ..render import rich as render

        _print(render.perceptron(solution))  # type: ignore[attr-defined]


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
        "row per student), gradescope (results.json), prairielearn.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to this file (atomically) instead of "
        "standard output.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes for many files (default: the cores).")
    ] = None,
) -> None:
    """Check students' answers: a verdict, a score and a diagnosis for every step."""
    with _guard():
        from ..base.errors import GradtutorError
        from ..exercises.exercise import find_exercise
        from ..grading.batch import answer_files, default_jobs
        from ..kinds import load_exercise

        ex = load_exercise(exercise)
        paths = answer_files(answers)
        chosen = _format(format) if format or output is None else "plain"
        if chosen in ("gradescope", "prairielearn") and len(paths) != 1:
            _submission_problem(ex.id, chosen, answers, len(paths), output)
        if not paths:
            raise GradtutorError("no answers files found in " + ", ".join(answers))
        results, interrupted = _grade(ex, exercise, paths, jobs or default_jobs())
        _emit(_check_report(results, chosen, len(paths)), output,
              (*paths, Path(str(find_exercise(exercise) or exercise))))
        for result in results:
            if result.error is not None:
                _error(result.error)
        if interrupted:
            _error(f"interrupted: {len(results)} of {len(paths)} files checked")
        raise typer.Exit(int(status_of_check(results, interrupted=interrupted)))


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
    except KeyboardInterrupt:
        return results, True
    finally:
        if progress is not None:
            progress.stop()
    return results, False


def _stderr_console() -> object:
    from ..render.rich import console

    return console(stderr=True)


def _check_report(results: list, chosen: str, total: int) -> object:
    from ..grading.batch import summarize
    from ..render import export, plain

    if chosen == "json":
        return export.check_json(results)
    if chosen == "csv":
        return export.check_csv(results)
    if chosen == "gradescope":
        return export.dumps(export.gradescope(results[0]))
    if chosen == "prairielearn":
        return export.dumps(export.prairielearn(results[0]))
    summary = summarize(results, total=total) if total > 1 else None
    if chosen == "plain":
        parts = [plain.file_report(r) for r in results]
        if summary is not None:
            parts.append(plain.class_report(summary))
        return "\n".join(parts)
    from rich.console import Group

    from ..render import rich as render

    parts = [render.file_report(r) for r in results]
    if summary is not None:
        parts.append(render.class_report(summary))
    return Group(*parts)


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
    if any(target == Path(os.path.realpath(p)) for p in inputs):
        raise GradtutorError(f"{output} is one of the files being checked; write the report "
                             "somewhere else", field="--output")
    try:
        mode = output.stat().st_mode if output.exists() else stat.S_IFREG
        if stat.S_ISDIR(mode):
            raise GradtutorError(f"cannot write {output}: it is a directory", field="--output")
        if not stat.S_ISREG(mode):
            with open(output, "w", encoding="utf-8") as stream:  # /dev/stdout, a pipe
                stream.write(text)
            return
        _write_atomically(target, text)
    except OSError as error:
        raise GradtutorError(f"cannot write {output}: {error.strerror or error}",
                             field="--output") from None


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
        from ..render import export, plain

        rows = catalog.list_rows()
        chosen = _format(format)
        if chosen == "json":
            _print(export.dumps(rows))
        elif chosen == "plain":
            _print(plain.exercise_list(rows))
        else:
            from ..render import rich as render

            _print(render.exercise_list(rows))


@app.command(epilog="""Examples:

\b
  gradtutor template sigmoid-neuron > alice.yaml
  gradtutor template my-exercise.yaml --output blank.yaml
""")
def template(
    exercise: Annotated[str, typer.Argument(help="An exercise file or a bundled exercise id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file instead.")] = None,
) -> None:
    """A blank answers file: every asked step with an empty value, ready to fill in."""
    with _guard():
        from ..grading import catalog
        from ..kinds import load_exercise
        from ..render import export

        ex = load_exercise(exercise)
        text = export.template_yaml(ex.id, ex.title, ex.description, catalog.template_notes(ex))
        _emit(text, output)


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
        from ..exercises.exercise import walk_exercises
        from ..grading.catalog import validate as validate_file

        results = [validate_file(str(path)) for path in walk_exercises(files)]
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
        typer.echo(f"ok: {result.file} ({result.exercise}, {count} self-test"
                   f"{'s' if count != 1 else ''} pass)")
    for warning in result.warnings:
        typer.echo(f"warning: {result.file}: {warning}")


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
        from ..explain.walkthrough import Walkthrough
        from ..kinds import explain as build
        from ..lang.values import parse_assignment

        chosen = _format(format)
        if hint and step is None:
            raise GradtutorError("--hint goes with --step N", field="--hint")
        if step is not None and chosen == "dot":
            raise GradtutorError("--step shows one step in words: use --format rich, plain, "
                                 "json, markdown or latex", field="--step")
        values = dict(parse_assignment(item) for item in at or [])
        walk = build(target, values, step=step, hint_only=hint)
        graph = isinstance(walk, Walkthrough)  # else a perceptron exercise's walkthrough
        if chosen == "json":
            from ..render.export import dumps, walkthrough_data

            _print(dumps(walkthrough_data(walk)))
        elif chosen == "rich":
            from ..render import rich as render

            _print(render.walkthrough(walk) if graph else render.perceptron_walkthrough(walk))
        else:
            from ..render import documents

            _print(documents.render(walk, chosen) if graph else
                   documents.render_perceptron(walk, chosen))


def main() -> None:
    """Console-script entry point."""
    app()
