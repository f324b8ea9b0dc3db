"""The public Python API: what the commands do, as functions that return results.

    import gradtutor as gt
    gt.solve("(x+y)*z", x=-2, y=5, z=-4).gradients   # {'x': -4.0, 'y': -4.0, 'z': 3.0}
    gt.check("sigmoid-neuron", {"f8": 0.73}).score
    gt.explain("max-gate")                            # a walkthrough, shown with math
    gt.practice("add-mul-gate").answer("3").verdict   # 'correct': one step at a time

Every result has `.to_dict()`, the object the command prints with `--format json` for the
same input, and displays in a notebook (`_repr_markdown_`, `_repr_html_`). Bad input raises
one of the named errors of `gradtutor.base.errors` (all `GradtutorError`); nothing here ends
the process or returns an exit status.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .base.errors import GradtutorError
from .base.files import write_file
from .base.fmt import plain_data
from .exercises.answers import Answer, Answers, read_answers
from .grading.batch import (
    ClassSummary,
    answer_files,
    check_for_student,
    grades_a_class,
    summarize,
)
from .grading.batch import check_files as _check_each
from .grading.feedback import redact
from .grading.generate import Generated, generate
from .grading.handouts import check_target, for_student
from .grading.othernumbers import flag_other_numbers
from .grading.practice import ATTEMPT_PENALTY, REVEAL_PENALTY, PracticeSession
from .grading.progress import Progress, load_progress, record_session, review_exercise
from .grading.progress import clear_progress as _clear_progress
from .kinds import AnyExercise, kind_of
from .kinds import explain as _explain_target
from .kinds import load_exercise as _load_exercise
from .marking.results import FileResult, OtherNumbers, StepResult
from .render import draw, export

PathLike = str | Path
Exercise = AnyExercise  # a loaded exercise of any kind


# -- exercises and answers -----------------------------------------------------------------


def load_exercise(exercise: PathLike | Exercise) -> Exercise:
    """An exercise from a bundled id or a file path (an exercise already loaded is returned)."""
    if isinstance(exercise, str | Path):
        return _load_exercise(str(exercise))
    return exercise


def load_answers(path: PathLike, exercise: PathLike | Exercise | None = None) -> Answers:
    """An answers file, read as `check` reads it (checked to be for `exercise`, if given)."""
    exercise_id = None if exercise is None else load_exercise(exercise).id
    return read_answers(path, exercise_id)


def template(exercise: PathLike | Exercise, student: str | None = None) -> str:
    """The text of a blank answers file for the exercise, as `gradtutor template` prints it;
    with `student` (an exercise with `variants:`), her numbers and her description."""
    ex = load_exercise(exercise)
    check_as = check_target(str(exercise), ex) if isinstance(exercise, str | Path) else None
    return export.exercise_template(for_student(ex, student), check_as, student)


@dataclass
class Variants:
    """Every roster student's own template and handout: `gradtutor variants`."""

    exercise: str
    folder: Path
    files: dict[str, tuple[Path, Path]]  # student -> her answers template, her handout

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "folder": str(self.folder),
                "students": [{"student": student, "template": str(answers),
                              "handout": str(handout)}
                             for student, (answers, handout) in self.files.items()]}


def variants(exercise: PathLike | Exercise, roster: PathLike | Iterable[str],
             output: PathLike, *,
             progress: Callable[[int, int, str], None] | None = None) -> Variants:
    """Write, for every student of the roster (a CSV file as `check --roster` reads, or a
    list of names), her answers template (STEM.yaml) and her handout (STEM.md) into
    `output`; `progress(done, total, student)` is called after each student."""
    from .grading.handouts import file_stems, handout, output_folder, variant_names
    from .grading.roster import read_roster

    ex = load_exercise(exercise)
    if getattr(ex, "variants", None) is None:
        raise GradtutorError(f"{ex.id} has no 'variants:': every student gets the same "
                             "numbers; give them `gradtutor template` instead")
    names = variant_names(read_roster(Path(roster))) if isinstance(roster, str | Path) \
        else list(dict.fromkeys(name.strip() for name in roster if name.strip()))
    if not names:
        raise GradtutorError("the roster names no student", field="roster")
    folder = output_folder(Path(output))
    check_as = check_target(str(exercise), ex) if isinstance(exercise, str | Path) else ex.id
    written: dict[str, tuple[Path, Path]] = {}
    for done, (name, stem) in enumerate(file_stems(names).items(), start=1):
        answers, sheet = folder / f"{stem}.yaml", folder / f"{stem}.md"
        write_file(answers, export.exercise_template(for_student(ex, name), check_as, name),
                   field="output")
        write_file(sheet, str(draw.render(handout(ex, name, answers.name, check_as), "markdown")),
                   field="output")
        written[name] = (answers, sheet)
        if progress is not None:
            progress(done, len(names), name)
    return Variants(ex.id, folder, written)


# -- solve -----------------------------------------------------------------------------------


@dataclass
class Solution:
    """An expression or program differentiated at a point: `gradtutor solve EXPR --at ...`."""

    expression: str
    output: str
    value: float | np.ndarray | None  # None without values for every input
    gradients: dict[str, float | np.ndarray]  # d(output)/d(every input and named node)
    formulas: dict[str, str | None]  # d(output)/d(input) in symbols; None: numeric only
    checks: dict[str, str]  # finite_difference and symbolic: agree, or why not
    messages: list[str]
    solution: Any = field(repr=False)  # the engine's own Solution

    def to_dict(self) -> dict[str, Any]:
        return plain_data(export.solution_data(self.solution))

    def text(self) -> str:
        return str(draw.render(self.solution, "plain"))

    def _repr_markdown_(self) -> str:
        return str(draw.render(self.solution, "markdown"))

    def _repr_html_(self) -> str:
        return _html(self._repr_markdown_())


@dataclass
class AnswerKey:
    """An exercise's answer key: `gradtutor solve EXERCISE`."""

    exercise: str
    title: str
    steps: dict[str, Any]  # step -> the expected value (a number, a list, or a formula)
    weights: dict[str, float]
    data: dict[str, Any] = field(repr=False)  # the JSON `solve --format json` prints
    solution: Any = field(repr=False)  # the exercise kind's own solution

    def to_dict(self) -> dict[str, Any]:
        return plain_data(self.data)

    def text(self) -> str:
        return str(draw.render(self.solution, "plain"))

    def answers_yaml(self) -> str:
        """An answers file that `check` scores as fully correct (`solve --format yaml`)."""
        return export.answer_key_yaml(self.exercise, self.title, self.steps)

    def _repr_markdown_(self) -> str:
        return str(draw.render(self.solution, "markdown"))

    def _repr_html_(self) -> str:
        return _html(self._repr_markdown_())


def solve(target: str | Path | Exercise, /, **values: Any) -> Solution | AnswerKey:
    """Differentiate an expression or program at `values`, or give an exercise's answer key.

    `values` are numbers, lists (vectors), lists of rows (matrices), numpy arrays, or
    constant text such as "-1/2"."""
    if _is_exercise(target):
        if values:
            raise GradtutorError("an exercise has its own given values; values are for "
                                 "expressions", field="values")
        return _answer_key(load_exercise(target))
    from .engine.solve import solve_program

    solution = solve_program(str(target), _arrays(values))
    return Solution(
        expression=str(target), output=solution.output, value=_number(solution.value),
        gradients={name: _scalar_or_array(g) for name, g in solution.gradients.items()},
        formulas=dict(solution.symbolic), checks=dict(solution.checks),
        messages=list(solution.messages), solution=solution)


def _answer_key(ex: Exercise) -> AnswerKey:
    kind = kind_of(ex)
    solution = kind.solve(ex)
    weights = {step: weight for step, _, weight in getattr(solution, "rows", ())}
    return AnswerKey(ex.id, ex.title, kind.key(ex), weights,
                     export.exercise_solution_data(solution), solution)


def _is_exercise(target: object) -> bool:
    if not isinstance(target, str | Path):
        return True
    from .exercises.exercise import find_exercise

    return find_exercise(str(target)) is not None


def _arrays(values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    from .lang.values import to_array

    return {name: to_array(_plain(raw), what=f"value {name}") for name, raw in values.items()}


def _plain(raw: Any) -> Any:
    """numpy values as the Python numbers and lists a YAML file or the CLI would give."""
    return raw.tolist() if isinstance(raw, np.ndarray | np.generic) else raw


def _number(value: Any) -> float | np.ndarray | None:
    return None if value is None else _scalar_or_array(value)


def _scalar_or_array(value: Any) -> float | np.ndarray:
    """A scalar as a float, a vector or matrix as an array."""
    array = np.asarray(value, dtype=float)
    return float(array) if array.ndim == 0 else array


# -- check ---------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """One answers file checked: `gradtutor check EXERCISE FILE`."""

    result: FileResult = field(repr=False)
    exercise: Any = field(default=None, repr=False)  # what `render` draws the verdicts on

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def max_score(self) -> float:
        return self.result.max_score

    @property
    def steps(self) -> list[StepResult]:
        return self.result.steps

    @property
    def all_correct(self) -> bool:
        return self.result.all_correct

    @property
    def summary(self) -> str:
        return self.result.summary

    @property
    def other_numbers(self) -> OtherNumbers | None:
        """Set (in a class checked together) when the answers match another student's
        numbers better than their own: whose, and on how many steps."""
        return self.result.other_numbers

    def __repr__(self) -> str:
        return f"CheckResult({self.result.exercise}: {self.summary})"

    def to_dict(self) -> dict[str, Any]:
        return plain_data(export.file_data(self.result))

    def text(self) -> str:
        return str(draw.render(self.result, "plain"))

    def render(self, format: str = "plain") -> str | bytes:
        """The report as plain text, markdown or latex; dot, svg, png (bytes) or html draw
        the verdicts on the exercise's graph (svg and png need Graphviz)."""
        if format in PICTURE_FORMATS and self.exercise is not None:
            from .grading.picture import verdict_picture

            return _drawn(verdict_picture(self.exercise, self.result), format)
        return _drawn(self.result, format)

    def _repr_markdown_(self) -> str:
        return str(draw.render(self.result, "markdown"))

    def _repr_html_(self) -> str:
        return _html(self._repr_markdown_())


@dataclass
class CheckResults:
    """Many answers files checked, and the class summary: `gradtutor check EXERCISE FILES...`.

    A file that cannot be read is that file's `error`, as on the command line."""

    results: list[CheckResult]
    summary: ClassSummary
    exercise: Any = field(default=None, repr=False)  # what `render` draws the heatmap on

    def to_dict(self) -> Any:
        """The CLI's JSON: a list with an object per file (one file: its object alone)."""
        data = [result.to_dict() for result in self.results]
        return data[0] if len(data) == 1 else data

    def text(self) -> str:
        return str(self.render("plain"))

    def render(self, format: str) -> str | bytes:
        """Every file's report, then (for more than one) the class summary; dot, svg, png
        (bytes) or html: the class's heatmap on the exercise's graph."""
        if format in PICTURE_FORMATS and self.exercise is not None:
            from .grading.picture import class_picture

            return _drawn(class_picture(self.exercise, self.summary), format)
        reports: list[object] = [result.result for result in self.results]
        reports += [self.summary] if len(self.results) > 1 else []
        return "\n".join(str(draw.render(report, format)) for report in reports)

    def _repr_markdown_(self) -> str:
        return str(self.render("markdown"))

    def _repr_html_(self) -> str:
        return _html(self._repr_markdown_())


def check(exercise: PathLike | Exercise, answers: PathLike | Mapping[str, Any] | Answers,
          *, feedback: str = "full") -> CheckResult:
    """Check one student's answers: a file, a mapping of step -> value, or loaded Answers.
    `feedback` (full, diagnosis, verdict, score) is how much the result shows.

    A file that cannot be read raises AnswersError (a strange value inside is that step's
    verdict, `invalid`)."""
    ex = load_exercise(exercise)
    if isinstance(answers, str | Path):
        answers = read_answers(answers, ex.id)
    elif isinstance(answers, Mapping):
        answers = _answers_from_mapping(ex.id, answers)
    # one answers file on its own: a blank `student:` is the numbers as written (noted)
    return CheckResult(redact(check_for_student(ex, answers, by_file_name=False), feedback),
                       ex)


def check_files(exercise: PathLike | Exercise, paths: PathLike | Iterable[PathLike],
                *, feedback: str = "full", roster: PathLike | None = None) -> CheckResults:
    """Check many answers files (folders and glob patterns too), with the class summary;
    each file's result shows what `feedback` allows (the summary is the instructor's). For
    an exercise with `variants:`, each file is checked against its student's numbers (the
    `roster` CSV's student it belongs to, else its `student:`, else its name), and a file
    whose answers match another student's numbers better than its own has `other_numbers`
    set."""
    from .grading.handouts import variant_names
    from .grading.roster import read_roster, variant_keys

    ex = load_exercise(exercise)
    targets = [str(paths)] if isinstance(paths, str | Path) else [str(p) for p in paths]
    files = answer_files(targets)
    if not files:
        raise GradtutorError("no answers files found in " + ", ".join(targets))
    students = read_roster(Path(roster)) if roster is not None else []
    checked = _check_each(ex, files, by_file_name=grades_a_class(targets, files),
                          roster_keys=variant_keys(students) or None)
    results = flag_other_numbers(ex, list(checked), variant_names(students))
    return CheckResults([CheckResult(redact(r, feedback), ex) for r in results],
                        summarize(results), ex)


def practice(exercise: PathLike | Exercise | None = None, *, attempts: int = 3,
             student: str | None = None,
             resume: PathLike | Answers | None = None,
             random: int | None = None, seed: int | None = None, review: bool = False,
             attempt_penalty: float = ATTEMPT_PENALTY,
             reveal_penalty: float = REVEAL_PENALTY) -> PracticeSession:
    """A practice session: `ask()` the current step, `answer(text)` judges one answer or
    runs one command (hint, reveal, explain, graph, skip, back, help, quit); `answers_yaml()`
    is the answers file so far, which `check` grades with the same verdicts; `report()` the
    score after the penalties, the diagnoses met and what to review.

    Instead of an exercise: `random=LEVEL` (1 to 5) generates one (`seed=N` for the same one
    again), and `review=True` generates one for the mistakes met most in the progress file.
    A generated exercise is `session.generated` (its level, seed and file text)."""
    generated = _generated(exercise, random, seed, review)
    ex = generated.exercise if generated else load_exercise(exercise)  # type: ignore[arg-type]
    if isinstance(resume, str | Path):
        resume = read_answers(resume, ex.id)
    session = PracticeSession(ex, attempts=attempts, student=_whose(student, resume),
                              attempt_penalty=attempt_penalty, reveal_penalty=reveal_penalty)
    session.generated = generated
    if resume is not None:
        session.resume(resume)
    return session


def _whose(student: str | None, resume: Answers | None) -> str | None:
    """The student practising: the one named, else the resumed file's; a file of another
    student's answers is not resumed under a new name."""
    if resume is None or not (resume.student and resume.student.strip()):
        return student
    resumed = resume.student.strip()
    if student and student.strip() != resumed:
        raise GradtutorError(f"{resume.file} holds {resumed}'s answers, not {student.strip()}'s: "
                             "resume your own file, or leave out the student", field="student")
    return student or resumed


def _generated(exercise: PathLike | Exercise | None, level: int | None, seed: int | None,
               review: bool) -> Generated | None:
    """The generated exercise asked for (None for a named one); one source exactly."""
    chosen = sum([exercise is not None, level is not None, review])
    if chosen != 1:
        raise GradtutorError("nothing to practise: name an exercise, a random level or a "
                             "review" if not chosen else "practise one thing: an exercise, "
                             "a random level or a review")
    if seed is not None and exercise is not None:
        raise GradtutorError("a seed goes with a random level or a review, not with a named "
                             "exercise", field="seed")
    if review:
        return review_exercise(load_progress(), seed)
    if level is not None:
        return generate(level, seed)
    return None


def record_practice(session: PracticeSession) -> Progress:
    """Add the session's diagnoses to the progress file (what `review=True` reads)."""
    return record_session(session.report(), session.exercise.id)


def progress() -> Progress:
    """The progress file: `.met()` the diagnoses met over the sessions, the most first."""
    return load_progress()


def clear_progress() -> Path:
    """Remove the progress file; its path."""
    return _clear_progress()


def _answers_from_mapping(exercise_id: str, answers: Mapping[str, Any]) -> Answers:
    """Answers given in Python, read as the same values in a file would be."""
    return Answers("<answers>", exercise_id, None, {
        str(step): Answer(str(step), _plain(raw), _texts(_plain(raw)))
        for step, raw in answers.items()})


def _texts(raw: Any, index: tuple[int, ...] = ()) -> dict[tuple, str]:
    """Each number as a student would write it (repr is the shortest exact form): how many
    digits were given decides how close a rounded answer must be."""
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        return {index: repr(raw)}
    if isinstance(raw, list | tuple):
        texts: dict[tuple, str] = {}
        for i, item in enumerate(raw):
            texts.update(_texts(item, (*index, i)))
        return texts
    return {}


# -- explain ---------------------------------------------------------------------------------


@dataclass
class Explanation:
    """A chain-rule walkthrough: `gradtutor explain TARGET`."""

    title: str
    walkthrough: Any = field(repr=False)  # the explain layer's Walkthrough

    def to_dict(self) -> dict[str, Any]:
        return plain_data(export.walkthrough_data(self.walkthrough))

    def render(self, format: str = "plain") -> str | bytes:
        """The walkthrough as plain text, markdown, latex (a document), dot (Graphviz),
        html (one offline page), or the graph drawn as svg or png (bytes; with Graphviz)."""
        return _drawn(self.walkthrough, format)

    def text(self) -> str:
        return str(self.render("plain"))

    def _repr_markdown_(self) -> str:
        return str(self.render("markdown"))

    def _repr_html_(self) -> str:
        return _html(self._repr_markdown_())


def explain(target: str | Path | Exercise, /, *, step: int | None = None, hint: bool = False,
            **values: Any) -> Explanation:
    """The walkthrough of an expression or program at `values`, or of an exercise; `step`
    reveals one asked step of an exercise (`hint`: only its hint)."""
    if isinstance(target, str | Path):
        walk = _explain_target(str(target), _arrays(values), step=step, hint_only=hint)
    elif values:
        raise GradtutorError("an exercise has its own given values; values are for "
                             "expressions", field="values")
    else:
        walk = kind_of(target).explain(target, target=target.id, step=step, hint_only=hint)
    return Explanation(walk.title, walk)


# -- display helpers -------------------------------------------------------------------------

PICTURE_FORMATS = ("dot", "svg", "png", "html")  # a check drawn on the exercise's graph


def _drawn(result: object, format: str) -> str | bytes:
    drawn = draw.render(result, format)
    return drawn if isinstance(drawn, bytes) else str(drawn)


MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)


def _html(markdown: str) -> str:
    """The Markdown as HTML, its `$`/`$$` math kept as written for the notebook to typeset
    (Markdown would read a LaTeX `\\` or `_` as its own syntax)."""
    from markdown_it import MarkdownIt  # rich's Markdown parser

    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(html.escape(match.group(0), quote=False))
        return f"gtmath{len(spans) - 1}x"

    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(
        MATH.sub(hold, markdown))  # no raw HTML: descriptions and answers are untrusted
    return re.sub(r"gtmath(\d+)x", lambda m: spans[int(m.group(1))], rendered)
