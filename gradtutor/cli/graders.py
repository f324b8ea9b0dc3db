"""What runs inside a grading platform's container: find the student's answers file in the
submission, check it, and always write the platform's results file.

`python -m gradtutor.cli.graders gradescope ROOT` (ROOT: /autograder, laid out as Gradescope's
autograder specification says) and `python -m gradtutor.cli.graders prairielearn ROOT` (ROOT:
/grade, as PrairieLearn's external grading says). Each reads the settings the bundle was built
with from a JSON file beside the exercise.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A submission is a student's upload: at most this many files are looked at, each at most
# this big (an answers file is a few kilobytes).
MAX_FILES = 50
MAX_BYTES = 1_000_000
SKIPPED_PARTS = ("__MACOSX", ".git")
ACCEPTED = ("any file name (answers.yaml, answers.yml, answers.txt, ...) holding the "
            "answers file that `gradtutor template` makes, filled in")
SETTINGS = "gradtutor-autograder.json"


@dataclass
class Graded:
    """One submission checked: the result shown, and what was said about the files."""

    result: Any  # FileResult
    used: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


def submission_files(folder: Path) -> list[Path]:
    """The regular files a student uploaded (no links, no hidden or archive debris)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part in SKIPPED_PARTS for part in relative.parts):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        found.append(path)
    return found[:MAX_FILES]


def grade_submission(exercise: Any, folder: Path, level: str, student: str | None,
                     variant: str | None = None) -> Graded:
    """Check every file of the submission that reads as answers: exactly one must. For an
    exercise with `variants:`, `variant` names whose numbers (the platform's student); the
    numbers as written without one."""
    from ..grading.batch import check_file
    from ..grading.feedback import redact
    from ..grading.othernumbers import flag_other_numbers
    from ..marking.results import FileResult

    files = submission_files(folder)
    if not files:
        problem = f"the submission is empty: nothing in {folder.name}/. Upload {ACCEPTED}."
        return Graded(FileResult(exercise.id, folder.name, student, error=problem))
    checked, refused = [], []
    for path in files:
        name = str(path.relative_to(folder))
        if path.stat().st_size > MAX_BYTES:
            refused.append(f"{name}: larger than {MAX_BYTES:,} bytes")
            continue
        result = check_file(exercise, path, per_student=variant is not None, student=variant)
        result.answers_file = name
        if result.error is None:
            checked.append(result)
        else:
            refused.append(f"{name}: {result.error}")
    if not checked:
        problem = ("no answers file in the submission. " + "; ".join(refused)
                   + f". Accepted: {ACCEPTED}.")
        return Graded(FileResult(exercise.id, ", ".join(str(f.relative_to(folder))
                                                        for f in files), student, error=problem))
    if len(checked) > 1:  # grading the best would let four guesses in four files score
        names = ", ".join(result.answers_file for result in checked)
        problem = f"several answers files in the submission ({names}): upload one"
        return Graded(FileResult(exercise.id, names, student, error=problem))
    [graded] = checked
    graded.student = student or graded.student
    [graded] = flag_other_numbers(exercise, [graded])  # the numbers as written, printed by anyone
    remarks = [f"graded {graded.answers_file}"]
    remarks += [f"not an answers file: {why}" for why in refused]
    return Graded(redact(graded, level), [graded.answers_file], remarks)


def load_settings(source: Path) -> tuple[Any, dict[str, Any]]:
    """The exercise and the settings the bundle was built with."""
    from ..kinds import load_exercise

    settings = json.loads((source / SETTINGS).read_text(encoding="utf-8"))
    return load_exercise(str(source / settings["exercise"])), settings


# -- Gradescope ----------------------------------------------------------------------------


def gradescope_identity(root: Path) -> tuple[str | None, dict[str, Any]]:
    """The student as Gradescope's submission_metadata.json names them (the first user of a
    group): the name to show, and their name, email and sid."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text("utf-8"))["users"]
        user = users[0] if isinstance(users[0], dict) else {}
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None, {}
    who = {key: str(user[key]) for key in ("name", "email", "sid") if user.get(key)}
    return who.get("name") or who.get("email") or who.get("sid"), who


def gradescope_results(root: Path) -> dict[str, Any]:
    """results.json for the submission under ROOT/submission."""
    from ..render import export

    exercise, settings = load_settings(root / "source")
    level = settings.get("feedback") or exercise.feedback
    visibility = settings.get("visibility", "visible")
    student, who = gradescope_identity(root)
    # whose numbers: as a roster names a student's variant (email, else id, else name)
    variant = who.get("email") or who.get("sid") or who.get("name")
    graded = grade_submission(exercise, root / "submission", level, student, variant)
    data = export.gradescope(graded.result)
    for test in data["tests"]:
        test["visibility"] = visibility
    head = [f"student: {student}"] if student else []
    data["output"] = "\n".join([*head, data["output"], *graded.remarks,
                                *(f"note: {note}" for note in graded.result.notes)])
    data["output_format"] = "text"  # never rendered as HTML: it quotes the student's text
    data["test_output_format"] = "text"
    data["test_name_format"] = "text"
    data["extra_data"] = {"student": who, "graded": graded.used, "feedback": level}
    if graded.result.variant is not None:  # for the instructor: students do not see it
        found = graded.result.other_numbers
        data["extra_data"]["variant"] = graded.result.variant
        data["extra_data"]["matches_numbers_of"] = found.who if found else None
    return data


def run_gradescope(root: Path) -> int:
    """Write ROOT/results/results.json whatever happens; 0 when it is written."""
    start = time.monotonic()
    try:
        data = gradescope_results(root)
    except Exception as error:  # the student still gets a score and a reason
        data = {"score": 0.0, "output": f"the autograder could not grade this submission: "
                f"{type(error).__name__}: {error}", "output_format": "text", "tests": []}
    data["execution_time"] = round(time.monotonic() - start, 3)
    return _write(root / "results" / "results.json", data)


# -- PrairieLearn --------------------------------------------------------------------------


def prairielearn_results(root: Path) -> dict[str, Any]:
    """results.json for the files under ROOT/student."""
    from ..render import export

    exercise, settings = load_settings(root / "tests")
    level = settings.get("feedback") or exercise.feedback
    # data.json holds no student identity (params, answers, variant_seed, ...): an exercise
    # with variants is graded on its numbers as written
    graded = grade_submission(exercise, root / "student", level, None)
    data = export.prairielearn(graded.result)
    data["message"] = "\n".join([data["message"], *graded.remarks,
                                 *(f"note: {note}" for note in graded.result.notes)])
    return data


def run_prairielearn(root: Path) -> int:
    """Write ROOT/results/results.json whatever happens; 0 when it is written."""
    try:
        data = prairielearn_results(root)
    except Exception as error:
        data = {"gradable": False, "score": 0.0, "tests": [],
                "message": f"the grader could not grade this submission: "
                f"{type(error).__name__}: {error}"}
    return _write(root / "results" / "results.json", data)


def _write(target: Path, data: dict[str, Any]) -> int:
    from ..render.export import dumps

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dumps(data) + "\n", encoding="utf-8")
    return 0


RUNNERS = {"gradescope": (run_gradescope, "AUTOGRADER_ROOT", "/autograder"),
           "prairielearn": (run_prairielearn, "GRADE_ROOT", "/grade")}


def main(args: list[str]) -> int:
    """`python -m gradtutor.cli.graders PLATFORM [ROOT]`; ROOT defaults to the platform's
    (or its environment variable)."""
    if not args or args[0] not in RUNNERS:
        print(f"usage: python -m gradtutor.cli.graders {'|'.join(RUNNERS)} [ROOT]",
              file=sys.stderr)
        return 2
    run, variable, default = RUNNERS[args[0]]
    root = Path(args[1] if len(args) > 1 else os.environ.get(variable, default))
    return run(root)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
