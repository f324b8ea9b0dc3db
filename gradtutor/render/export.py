"""Machine-readable output: JSON for every command (for solve and check with the keys the README
fixes), CSV and the grading platforms' formats for check, YAML answers files."""

from __future__ import annotations

import csv
import io
import json
import math
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base.fmt import plain_data
from ..base.safetext import (
    csv_cell,
    one_line,
    visible,
    visible_lines,
    yaml_comment,
    yaml_text,
)
from ..grading.roster import Gradebook, Row, identity
from ..kinds.graph import AnswerKey
from ..marking.results import FileResult, OtherNumbers, StepResult
from .layout import class_key

if TYPE_CHECKING:
    from ..base.errors import GradtutorError
    from ..engine.solve import Solution
    from ..exercises.perceptron.solving import (
        PerceptronSolution,  # only for the hints: a check never needs the solver
    )
    from ..grading.batch import ClassSummary
    from ..grading.catalog import Validation
    from ..kinds.variants import Rejections
    from ..walkthrough.model import Walkthrough
    from ..walkthrough.perceptron import PerceptronWalkthrough


def dumps(data: Any) -> str:
    return json.dumps(plain_data(data), indent=2, allow_nan=False)


def platform_dumps(data: Any) -> str:
    """A grading platform's results file: JSON whose every text, once the platform shows it
    to a student, has no hidden character (escaped as in a terminal, line breaks kept)."""
    return dumps(_shown_texts(plain_data(data)))


def _shown_texts(data: Any) -> Any:
    if isinstance(data, str):
        return visible_lines(data)
    if isinstance(data, dict):
        return {key: _shown_texts(item) for key, item in data.items()}
    if isinstance(data, list):
        return [_shown_texts(item) for item in data]
    return data


def solution_data(solution: Solution) -> dict[str, Any]:
    """`solve --format json` of an expression or program (keys as in the README)."""
    data: dict[str, Any] = {"output": solution.output}
    if solution.value is not None:
        data["value"] = solution.value
    data["symbolic"] = solution.symbolic
    if solution.value is not None:
        data["gradients"] = solution.gradients
    data["nodes"] = [
        {"name": node.name, "expression": node.expression, "value": node.value,
         "grad": node.grad}
        for node in solution.nodes
    ]
    data["checks"] = solution.checks
    if solution.messages:
        data["messages"] = solution.messages
    return data


# -- check ---------------------------------------------------------------------------------


def step_data(step: StepResult) -> dict[str, Any]:
    data: dict[str, Any] = {"step": step.step, "verdict": step.verdict, "given": step.given}
    if step.expected is not None:  # None: the feedback policy hides it
        data["expected"] = step.expected
    data.update({"score": step.score, "max_score": step.max_score,
                 "diagnosis": step.diagnosis, "message": step.message})
    for key in ("hint", "origin", "line"):
        if getattr(step, key) is not None:
            data[key] = getattr(step, key)
    if step.details:
        data["details"] = step.details
    return data


def file_data(result: FileResult) -> dict[str, Any]:
    """`check --format json` for one answers file (keys as in the README)."""
    data: dict[str, Any] = {
        "exercise": result.exercise, "answers_file": result.answers_file,
        "score": result.score, "max_score": result.max_score,
        "steps": [step_data(step) for step in result.steps],
    }
    if result.student is not None:
        data["student"] = result.student
    if result.error is not None:
        data["error"] = result.error
    if result.notes:
        data["notes"] = result.notes
    if result.feedback != "full":
        data["feedback"] = result.feedback
    if result.variant is not None:  # an exercise with variants: whose numbers, and whether
        data["variant"] = result.variant  # the answers match someone else's better
        data["other_numbers"] = other_numbers_data(result.other_numbers,
                                                   counts=result.feedback == "full")
    data["summary"] = result.summary
    return data


def other_numbers_data(found: OtherNumbers | None, *, counts: bool = True
                       ) -> dict[str, Any] | None:
    """A flagged file's match: whose numbers, how many steps match theirs and its own
    (below full feedback, only whose and the advice: no number that could be a value)."""
    if found is None:
        return None
    if not counts:
        return {"student": found.who, "message": found.advice}
    return {"student": found.who, "matched": found.matched, "own": found.own,
            "steps": found.steps, "message": found.line}


def check_json(results: list[FileResult]) -> str:
    """One object for one file, a list for several."""
    if len(results) == 1:
        return dumps(file_data(results[0]))
    return dumps([file_data(r) for r in results])


def check_csv(results: list[FileResult], book: Gradebook | None = None) -> str:
    """A row per student: file, name (the file's name when the student wrote none), score,
    then each step's score. With a roster (`book`), every file once and every roster
    student once, with their id, email, section and whether they are on the roster."""
    steps: dict[str, None] = {}
    for result in results:
        for step in result.steps:
            steps.setdefault(step.step)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    roster = ["id", "email", "section", "status"] if book is not None else []
    # an exercise with variants: whose numbers each file was checked against, and whose
    # numbers it matches better than its own
    variants = ["variant", "matches_numbers_of"] if any(r.variant is not None
                                                          for r in results) else []
    writer.writerow(["answers_file", "student", "score", "max_score", *map(csv_cell, steps),
                     "first_to_fix", "error", "notes", *roster, *variants])
    rows = book.rows if book is not None else [Row(None, result) for result in results]
    for row in rows:
        writer.writerow([csv_cell(text) for text in _csv_row(row, steps)]
                        + ([csv_cell(text) for text in _roster_cells(row)] if roster else [])
                        + ([csv_cell(text) for text in _variant_cells(row)] if variants else []))
    return out.getvalue()


def _variant_cells(row: Row) -> list[str]:
    result = row.result
    if result is None:
        return ["", ""]
    found = result.other_numbers
    return [result.variant or "", "" if found is None else found.who or "another student"]


def _csv_row(row: Row, steps: dict[str, None]) -> list[str]:
    result = row.result
    if result is None:  # a roster student with no submission
        name = row.student.name if row.student else ""
        return ["", name, "", "", *("" for _ in steps), "", "", ""]
    by_step = {s.step: s for s in result.steps}
    first = result.first_mistake()
    return [result.answers_file, identity(result), f"{result.score:g}",
            f"{result.max_score:g}",
            *(f"{by_step[s].score:g}" if s in by_step else "" for s in steps),
            first.step if first else "", result.error or "",
            "; ".join(visible(note, 1000) for note in result.notes)]


def _roster_cells(row: Row) -> list[str]:
    student = row.student
    if student is None:
        return ["", "", "", "not on the roster"]
    if row.duplicate_of:  # the student's roster cells are on the row of the file graded
        who = student.id or student.email or student.name
        return ["", "", "", f"another file of {who}: {row.duplicate_of} is graded"]
    status = "no submission" if row.result is None else "graded"
    return [student.id, student.email, student.section, status]


def _gradebook_rows(book: Gradebook) -> list[Row]:
    """One row per roster student (their best file), or per file without a roster."""
    return [row for row in book.rows if row.duplicate_of is None
            and (row.student is not None or not book.has_roster)]


def canvas_csv(book: Gradebook, assignment: str, points: float) -> str:
    """A gradebook Canvas imports: Student, ID, SIS User ID, SIS Login ID, Section, then the
    assignment's column, with the points possible on the second row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["    Points Possible", "", "", "", "", f"{points:g}"])
    for row in _gradebook_rows(book):
        student, result = row.student, row.result
        name = student.name if student and student.name else \
            identity(result) if result else ""
        writer.writerow([csv_cell(text) for text in (
            name, student.canvas_id if student else "", student.id if student else "",
            student.email if student else "", student.section if student else "",
            f"{result.score:g}" if result is not None and result.error is None else "")])
    return out.getvalue()


def moodle_csv(book: Gradebook, assignment: str) -> str:
    """A gradebook Moodle imports (Grades > Import > CSV file): map 'ID number' or 'Email
    address' to the user, and the assignment's column to its grade item."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ID number", "Email address", "Full name", assignment])
    for row in _gradebook_rows(book):
        student, result = row.student, row.result
        name = student.name if student and student.name else \
            identity(result) if result else ""
        writer.writerow([csv_cell(text) for text in (
            student.id if student else (identity(result) if result else ""),
            student.email if student else "", name,
            f"{result.score:g}" if result is not None and result.error is None else "")])
    return out.getvalue()


def summary_data(summary: ClassSummary) -> dict[str, Any]:
    """The class summary as data (`check --summary FILE.json`): every field, names as
    visible text."""
    data: dict[str, Any] = plain_data(summary)
    data["unreadable"] = [visible(name, 1000) for name in summary.unreadable]
    data["identical"] = [[visible(name, 1000) for name in group] for group in summary.identical]
    data["same_name"] = {visible(name, 200): [visible(f, 1000) for f in files]
                         for name, files in summary.same_name.items()}
    data.pop("other_numbers")  # an exercise with variants only: files -> whose numbers
    if summary.other_numbers:
        data["other_numbers"] = {visible(name, 1000): visible(whose, 300)
                                 for name, whose in summary.other_numbers.items()}
    return data


def gradescope(result: FileResult) -> dict[str, Any]:
    """The Gradescope autograder results.json for one submission."""
    if result.error is not None:
        return {"score": 0.0, "output": f"Your answers file could not be read: {result.error}",
                "tests": [], "visibility": "visible"}
    return {
        "score": result.score,
        "output": _with_other_numbers(result.summary, result),
        "visibility": "visible",
        "tests": [
            {"name": step.step, "score": step.score, "max_score": step.max_score,
             "status": "passed" if step.score >= step.max_score else "failed",
             "output": _feedback(step), "visibility": "visible"}
            for step in result.steps
        ],
    }


def prairielearn(result: FileResult) -> dict[str, Any]:
    """The PrairieLearn external-grader results for one submission (score from 0 to 1)."""
    if result.error is not None:
        return {"gradable": False, "score": 0.0,
                "message": f"Your answers file could not be read: {result.error}",
                "format_errors": [result.error], "tests": []}
    fraction = result.score / result.max_score if result.max_score else 0.0
    return {
        "gradable": True,
        "score": round(fraction, 10),
        "message": _with_other_numbers(result.summary, result),
        "tests": [
            {"name": step.step, "points": step.score, "max_points": step.max_score,
             "message": _feedback(step)}
            for step in result.steps
        ],
    }


def _with_other_numbers(text: str, result: FileResult) -> str:
    """A platform's message, and what a student may read of a match with other numbers (no
    other student's name, no value of any key)."""
    found = result.other_numbers
    return text if found is None else f"{text}\n{found.advice}"


def _feedback(step: StepResult) -> str:
    parts = [step.verdict]
    if step.diagnosis:
        parts.append(step.diagnosis)
    text = ": ".join(parts)
    if step.message:
        text += f" - {step.message}"
    if step.hint:
        text += f" (hint: {step.hint})"
    return text


# -- answer keys and templates -------------------------------------------------------------


def yaml_number(x: float) -> str:
    """A float YAML reads back exactly (and gradtutor's loader reads as a number)."""
    if not math.isfinite(x):
        return {True: ".inf", False: "-.inf"}[x > 0] if math.isinf(x) else ".nan"
    return repr(float(x))


def yaml_value(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return yaml_number(float(array))
    return "[" + ", ".join(yaml_value(item) for item in array) + "]"


def answers_yaml(exercise_id: str, answers: dict[str, Any], *, student: str = "answer-key",
                 header: str = "") -> str:
    """An answers file (as `check` reads it) with the given values."""
    lines = yaml_comment(header) if header else []
    lines += [f"exercise: {yaml_text(exercise_id)}", f"student: {yaml_text(student)}",
              "answers:"]
    for step, value in answers.items():
        # a formula as a JSON string: valid YAML, and quoted whatever it contains
        rendered = json.dumps(value) if isinstance(value, str) else yaml_value(value)
        lines.append(f"  {yaml_text(step)}: {rendered}")
    return "\n".join(lines) + "\n"


def answer_key_yaml(exercise_id: str, title: str, answers: dict[str, Any],
                    student: str | None = None) -> str:
    """`solve --format yaml`: an answers file `check` scores as fully correct, headed by the
    exercise's id and title (on one comment line, whatever the title holds); `student`
    names whose variant it is."""
    return answers_yaml(exercise_id, answers, student=student or "answer-key",
                        header=f"Answer key for {exercise_id}: {one_line(title)}")


def exercise_template(ex: Any, check_as: str | None = None, student: str | None = None
                      ) -> str:
    """What `gradtutor template` prints; `ex` is the student's variant when one is named."""
    from ..grading.catalog import template_notes
    from ..grading.handouts import given_shown

    return template_yaml(ex.id, ex.title, ex.description, template_notes(ex), check_as,
                         student=student, given=given_shown(ex) if student else None)


def template_yaml(exercise_id: str, title: str, description: str,
                  steps: list[tuple[str, str]], check_as: str | None = None, *,
                  student: str | None = None, given: list[tuple[str, str]] | None = None
                  ) -> str:
    """A blank answers file: every asked step with an empty value, the description as
    comments (nothing in a title or a description can become a key). `steps` pairs each
    step with a note on what kind of value it takes; `check_as` is what `check` is given for
    the exercise (its file path when it is not bundled; the id by default); `student` and
    `given` (name, value shown) name a per-student variant and its numbers."""
    lines = [*yaml_comment(f"{exercise_id}: {visible(title, 10_000)}"), "#"]
    lines += yaml_comment(description.strip()) if description.strip() else []
    if student is not None:
        lines += ["#", *yaml_comment(f"Your own numbers ({student}); answer with these:")]
        lines += [line for name, shown in given or []
                  for line in yaml_comment(f"  {name} = {shown}")]
    lines += ["#", "# Write a value after each step: a number, a list [a, b] for a vector,",
              "# a list of rows [[a, b], [c, d]] for a matrix, or a formula in quotes.",
              *yaml_comment("Then run: gradtutor check "
                            + shlex.quote(visible(check_as or exercise_id, 10_000))
                            + " THIS_FILE"),
              f"exercise: {yaml_text(exercise_id)}",
              f"student: {yaml_text(student)}" if student is not None else "student:",
              "answers:"]
    keys = [(yaml_text(step), visible(note, 10_000)) for step, note in steps]
    width = max((len(key) for key, _ in keys), default=0)
    for key, note in keys:
        lines.append(f"  {(key + ':').ljust(width + 1)}    # {note}" if note else
                     f"  {key}:")
    return "\n".join(lines) + "\n"


def answer_key_data(solution: AnswerKey) -> dict[str, Any]:
    """`solve --format json` of a graph exercise: every asked step's true value and points."""
    ex = solution.exercise
    return {"exercise": ex.id, "title": ex.title, "output": ex.output,
            "steps": [{"step": s, "expected": v, "weight": w, "points": w}
                      for s, v, w in solution.rows]}


def perceptron_data(solution: Any) -> dict[str, Any]:
    """`solve --format json` of a perceptron exercise (keys in docs/perceptron-format.md)."""
    from ..walkthrough.perceptron_display import solution_data as perceptron_solution_data

    return perceptron_solution_data(solution)


# A solution's class (module.Class, as the layouts are keyed) -> its data for `solve --format
# json`; by name, so that a graph exercise's check never imports the perceptron modules.
SOLUTION_DATA: dict[str, Callable[[Any], dict[str, Any]]] = {
    "gradtutor.kinds.graph.AnswerKey": answer_key_data,
    "gradtutor.exercises.perceptron.solving.PerceptronSolution": perceptron_data,
}


def exercise_solution_data(solution: AnswerKey | PerceptronSolution) -> dict[str, Any]:
    """`solve --format json` of an exercise of any kind, by the solution's class."""
    return SOLUTION_DATA[class_key(type(solution))](solution)


# -- explain and validate ------------------------------------------------------------------


def walkthrough_data(walk: Walkthrough | PerceptronWalkthrough) -> dict[str, Any]:
    """`explain --format json`: the walkthrough's own data structure, field for field."""
    data = plain_data(walk)
    return {"kind": walk.json_kind, **data} if walk.json_kind else data


def validation_data(results: list[Validation], statuses: list[int]) -> list[dict[str, Any]]:
    """`validate --format json`: one object per exercise file, with the exit status the
    caller gives it (the library reports problems and failed self-tests, not statuses)."""
    return [{
        "file": result.file, "exercise": result.exercise, "status": status,
        "problems": [problem_data(problem) for problem in result.problems],
        "tests": [{"index": test.index, "line": test.line, "expected_score": test.expected,
                   "score": test.got, "passed": test.passed, "summary": test.summary}
                  for test in result.tests],
        "warnings": result.warnings,
        **({"variants": _rejection_data(result.variants)} if result.variants else {}),
    } for result, status in zip(results, statuses, strict=True)]


def _rejection_data(sample: Rejections) -> dict[str, Any]:
    commonest = sample.commonest
    return {"drawn": sample.drawn, "rejected": sample.rejected,
            "commonest_reason": commonest[0] if commonest else None,
            "commonest_count": commonest[1] if commonest else 0}


def problem_data(error: GradtutorError) -> dict[str, Any]:
    return {"file": error.file, "line": error.line, "field": error.field,
            "message": error.message}
