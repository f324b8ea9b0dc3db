"""Grading many answers files: finding them, checking each, and a summary of the class.

One bad file is that file's error and never stops the others. With more than one job the
files are checked by worker processes, each loading the exercise once.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..base import fmt
from ..base.errors import GradtutorError
from ..base.safetext import visible
from ..exercises.answers import Answers, read_answers
from ..kinds import AnyExercise, kind_of, load_exercise
from ..kinds.variants import variant_for
from ..marking.results import AS_WRITTEN, FileResult

ANSWER_SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 16  # fewer files than this are checked in this process: workers cost more


def answer_files(targets: Iterable[str], notes: list[str] | None = None) -> list[Path]:
    """Files named directly, every .yaml/.yml file under a folder, and glob matches.

    In a folder or a glob, a symbolic link is skipped: a submission could otherwise link to
    the answer key, or to any file on the grader's machine, and be graded as that file; a
    recursive glob never follows a linked folder nor leaves its root. What is skipped is
    said in `notes`; an entry that looks like a submission (pipe.yaml, ALICE.YAML,
    bob.yaml.txt) is kept, so that it gets a row of its own.
    """
    notes = [] if notes is None else notes
    found: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            found.extend(sorted(_files_in(path, "**/*", notes)))
        elif not path.exists() and glob.has_magic(target):
            root, pattern = _glob_root(target)
            found.extend(sorted(_files_in(root, pattern, notes)))
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path)
    return list(unique)


def _glob_root(target: str) -> tuple[Path, str]:
    """The folder before the first wildcard, and the rest of the pattern."""
    parts = Path(target).parts
    fixed = 0
    while fixed < len(parts) - 1 and not glob.has_magic(parts[fixed]):
        fixed += 1
    return Path(*parts[:fixed]) if fixed else Path("."), "/".join(parts[fixed:])


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """fnmatch per path component, `**` standing for any number of folders (no recursion
    deeper than the pattern's own `**`s)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_matches(parts[skip:], pattern[1:]) for skip in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) \
        and _matches(parts[1:], pattern[1:])


def _files_in(folder: Path, pattern: str, notes: list[str]) -> Iterator[Path]:
    """The answers files under a folder matching `pattern`, never through a linked folder."""
    wanted = tuple(p for p in pattern.split("/") if p)
    folder_all = pattern == "**/*"

    def unreadable(error: OSError) -> None:
        notes.append(f"{error.filename}: skipped: {error.strerror or error}")

    for root, folders, names in os.walk(folder, followlinks=False, onerror=unreadable):
        folders.sort()
        if "**" not in wanted and len(Path(root).relative_to(folder).parts) >= len(wanted) - 1:
            folders.clear()  # `*/*.yaml` reaches two levels down, no further
        for name in names:
            path = Path(root) / name
            relative = path.relative_to(folder).parts
            if not folder_all and not _matches(relative, wanted):
                continue
            kept = _kind_of_entry(path, folder_all)
            if kept is True:
                yield path
            elif kept:
                notes.append(f"{path}: {kept}")
                if not kept.startswith("skipped") and _looks_like_answers(name):
                    yield path  # a row of its own, with the reason it cannot be checked


def _kind_of_entry(path: Path, folder_all: bool) -> bool | str:
    """True for an answers file to check, False to pass over in silence, else why it is
    skipped (or kept with an error row, for what looks like a submission)."""
    try:
        info = path.lstat()
    except OSError as error:
        return f"skipped: {error.strerror or error}"
    if stat.S_ISLNK(info.st_mode):
        return "skipped: a symbolic link"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if path.suffix in ANSWER_SUFFIXES:
        return True
    if _looks_like_answers(path.name):
        return "not named .yaml or .yml (checked all the same)"
    noted = not folder_all or path.suffix.lower() in (".txt", ".json")
    return "skipped: not a .yaml or .yml file" if noted else False


def _looks_like_answers(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(ANSWER_SUFFIXES) or any(f"{suffix}." in lowered
                                                      for suffix in ANSWER_SUFFIXES)


def check_answers(ex: AnyExercise, answers: Answers) -> FileResult:
    """Check parsed answers against an exercise of any kind."""
    return kind_of(ex).check(ex, answers)


AS_WRITTEN_NOTE = ("no student: named in the file, so it is checked against the numbers as "
                   "written")


def students_variant(ex: AnyExercise, answers: Answers, *, by_file_name: bool = True,
                     student: str | None = None) -> AnyExercise:
    """The variant of the answers' student (`student` when the platform says who), for an
    exercise with `variants:` (else the exercise as written); `by_file_name`: a file without
    `student:` is its name's student."""
    who = variant_student(ex, answers, student, by_file_name=by_file_name)
    return variant_for(ex, who) if who is not None else ex


def variant_student(ex: AnyExercise, answers: Answers, student: str | None = None,
                    roster_keys: dict[str, str] | None = None, *,
                    by_file_name: bool = True) -> str | None:
    """Whose numbers the answers are checked against: `student` when given, else the roster
    student the file belongs to (`roster_keys`: each id, email and name, casefolded, to the
    student's variant name), else `student_of`; None for an exercise without variants."""
    if getattr(ex, "variants", None) is None:
        return None
    if student and student.strip():
        return student.strip()
    if roster_keys:
        for key in (Path(answers.file).stem, student_of(answers) or ""):  # as roster.join
            if key.casefold() in roster_keys:
                return roster_keys[key.casefold()]
    who = student_of(answers, by_file_name=by_file_name)
    if by_file_name and who == AS_WRITTEN and not answers.file.startswith("<"):
        # in a class, `student: answer-key` (what `solve` writes) would pick the public key's
        # numbers: a file there is its own name's student
        return Path(answers.file).stem
    return who


def student_of(answers: Answers, *, by_file_name: bool = True) -> str | None:
    """Whose answers: the file's `student:`, else (in class grading) the file's name; None
    for the numbers as written (answers given in Python, or one file checked on its own)."""
    if answers.student and answers.student.strip():
        return answers.student.strip()
    if not by_file_name or answers.file.startswith("<"):
        return None
    return Path(answers.file).stem


def grades_a_class(targets: Iterable[str], paths: list[Path]) -> bool:
    """Whether a check grades a class (several files, a folder or a pattern), where a file
    without `student:` is its name's student."""
    return len(paths) > 1 or any(Path(t).is_dir() or glob.has_magic(t) for t in targets)


def check_for_student(ex: AnyExercise, answers: Answers, *, by_file_name: bool = True,
                      student: str | None = None,
                      roster_keys: dict[str, str] | None = None) -> FileResult:
    """The answers checked against their student's variant (see variant_student); a file of
    no student checked on the numbers as written says so in a note."""
    who = variant_student(ex, answers, student, roster_keys, by_file_name=by_file_name)
    result = check_answers(variant_for(ex, who) if who is not None else ex, answers)
    result.variant = who
    if getattr(ex, "variants", None) is not None and who is None:
        result.notes.append(AS_WRITTEN_NOTE)
    return result


def check_file(ex: AnyExercise, path: Path | str, *, per_student: bool = True,
               by_file_name: bool = True, student: str | None = None,
               roster_keys: dict[str, str] | None = None) -> FileResult:
    """Check one answers file (against its student's variant unless `per_student` is off;
    `by_file_name`: a file without `student:` is its name's student, as in class grading;
    `student` and `roster_keys`: see variant_student); a file that cannot be read becomes
    the result's error."""
    try:
        answers = read_answers(path, ex.id)
        if not per_student:
            return check_answers(ex, answers)
        return check_for_student(ex, answers, by_file_name=by_file_name, student=student,
                                 roster_keys=roster_keys)
    except GradtutorError as error:
        return FileResult(ex.id, str(path), error=str(error))
    except (Exception, RecursionError) as error:  # a bug or a limit: this file's row only
        detail = visible(str(error), 200)
        return FileResult(ex.id, str(path), error=f"{visible(str(path), 300)}: could not be "
                          f"checked ({type(error).__name__}: {detail})")


def check_files(ex: AnyExercise, paths: list[Path], *, jobs: int = 1, exercise_target: str = "",
                on_result: Callable[[FileResult], None] | None = None,
                by_file_name: bool | None = None,
                roster_keys: dict[str, str] | None = None) -> Iterator[FileResult]:
    """Check every file, yielding results in the order of `paths`. `by_file_name` (default:
    more than one file, a class) grades a file without `student:` as its name's student;
    off, such a file is checked against the numbers as written. `roster_keys`: see
    variant_student."""
    by_name = len(paths) > 1 if by_file_name is None else by_file_name
    if jobs <= 1 or len(paths) < PARALLEL_FROM or not exercise_target:
        for path in paths:
            result = check_file(ex, path, by_file_name=by_name, roster_keys=roster_keys)
            if on_result:
                on_result(result)
            yield result
        return
    yield from _in_workers(ex, paths, jobs, (exercise_target, roster_keys), on_result,
                           by_name)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a parallel check: `finished` holds the results already done that were
    not yielded yet (they wait for an earlier file), so that none is lost."""

    def __init__(self, finished: list[FileResult]) -> None:
        super().__init__()
        self.finished = finished


def _in_workers(ex: AnyExercise, paths: list[Path], jobs: int,
                setup: tuple[str, dict[str, str] | None],
                on_result: Callable[[FileResult], None] | None,
                by_file_name: bool = True) -> Iterator[FileResult]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    size = max(1, min(64, len(paths) // (jobs * 4)))
    chunks = [[str(p) for p in paths[i:i + size]] for i in range(0, len(paths), size)]
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                               initargs=setup)
    futures = [pool.submit(_worker_check_all, chunk, by_file_name) for chunk in chunks]
    done_chunks: dict[int, list[FileResult]] = {}
    next_chunk = 0
    try:
        while next_chunk < len(futures):
            wait(futures[next_chunk:], timeout=0.2, return_when=FIRST_COMPLETED)
            for index in range(next_chunk, len(futures)):
                if futures[index].done() and index not in done_chunks:
                    done_chunks[index] = futures[index].result()
            while next_chunk in done_chunks:
                for result in done_chunks.pop(next_chunk):
                    if on_result:
                        on_result(result)
                    yield result
                next_chunk += 1
    except KeyboardInterrupt:
        _stop(pool)
        raise Interrupted([r for i in sorted(done_chunks) for r in done_chunks[i]]) from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: object) -> None:
    """End the workers now: a worker busy with a slow file would keep Ctrl-C waiting."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)  # type: ignore[attr-defined]


_worker_exercise: list[AnyExercise] = []
_worker_roster: dict[str, dict[str, str] | None] = {}


def _start_worker(target: str, roster_keys: dict[str, str] | None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_exercise[:] = [load_exercise(target)]
    _worker_roster["keys"] = roster_keys


def _worker_check_all(paths: list[str], by_file_name: bool = True) -> list[FileResult]:
    keys = _worker_roster.get("keys")
    return [check_file(_worker_exercise[0], path, by_file_name=by_file_name, roster_keys=keys)
            for path in paths]


MAX_JOBS = 64  # worker processes, at most (and never more than the cores)


def default_jobs() -> int:
    return max(1, min(MAX_JOBS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1))


def capped_jobs(asked: int | None) -> int:
    """The workers to start: as asked, but no more than the cores (and MAX_JOBS)."""
    return default_jobs() if asked is None else max(1, min(asked, default_jobs()))


# -- the class summary ---------------------------------------------------------------------


@dataclass
class StepSummary:
    step: str
    share_correct: float  # of the files that could be checked
    share_follow_through: float
    common_diagnosis: str | None
    diagnosis_count: int
    verdicts: dict[str, int]
    diagnoses: dict[str, int] = field(default_factory=dict)  # every diagnosis, most first
    origins: dict[str, int] = field(default_factory=dict)  # follow-through: where it came from
    # wrong values no diagnosis explains, written by at least two students: value -> count
    unexplained: dict[str, int] = field(default_factory=dict)


@dataclass
class ClassSummary:
    files: int
    checked: int
    unreadable: list[str]  # files that could not be read
    max_score: float
    scores: list[float]
    mean: float | None
    median: float | None
    lowest: float | None
    highest: float | None
    histogram: list[tuple[str, int]]  # score band -> how many students
    steps: list[StepSummary] = field(default_factory=list)
    interrupted: bool = False
    first_to_fix: dict[str, int] = field(default_factory=dict)  # step -> students, most first
    identical: list[list[str]] = field(default_factory=list)  # files with the same answers
    same_name: dict[str, list[str]] = field(default_factory=dict)  # student -> their files
    # files whose answers match another student's numbers better than their own -> whose
    other_numbers: dict[str, str] = field(default_factory=dict)


def summarize(results: list[FileResult], *, total: int | None = None) -> ClassSummary:
    """What an instructor needs for the next lecture: scores and the steps people missed."""
    import statistics
    checked = [r for r in results if r.error is None]
    scores = [r.score for r in checked]
    top = max((r.max_score for r in checked), default=0.0)
    return ClassSummary(
        files=len(results), checked=len(checked),
        unreadable=[r.answers_file for r in results if r.error is not None],
        max_score=top, scores=scores,
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        lowest=min(scores, default=None), highest=max(scores, default=None),
        histogram=_histogram(scores, top), steps=_step_summaries(checked),
        interrupted=total is not None and len(results) < total,
        first_to_fix=_first_to_fix(checked), identical=_identical(checked),
        same_name=_same_name(results),
        other_numbers={r.answers_file: r.other_numbers.whose for r in results
                       if r.other_numbers is not None},
    )


def _first_to_fix(results: list[FileResult]) -> dict[str, int]:
    """How many students have each step as the first one to fix: what to re-teach first."""
    firsts = Counter(first.step for r in results if (first := r.first_mistake()) is not None)
    return dict(firsts.most_common())


def _identical(results: list[FileResult]) -> list[list[str]]:
    """Groups of files whose answers are the same, step for step (at least two answered)."""
    groups: dict[tuple, list[str]] = {}
    for result in results:
        answers = tuple((s.step, fmt.value(s.given)) for s in result.steps if s.given is not None)
        if len(answers) >= 2:
            groups.setdefault(answers, []).append(result.answers_file)
    return [files for files in groups.values() if len(files) > 1]


def _same_name(results: list[FileResult]) -> dict[str, list[str]]:
    """Student names that more than one file claims."""
    files: dict[str, list[str]] = {}
    for result in results:
        if result.student:
            files.setdefault(result.student.strip(), []).append(result.answers_file)
    return {name: found for name, found in files.items() if len(found) > 1}


def _histogram(scores: list[float], top: float, bands: int = 5) -> list[tuple[str, int]]:
    if not scores or top <= 0:
        return []
    width = top / bands
    counts = Counter(min(int(s / width), bands - 1) for s in scores)
    return [(f"{i * width:g}-{(i + 1) * width:g}", counts.get(i, 0)) for i in range(bands)]


def _step_summaries(results: list[FileResult]) -> list[StepSummary]:
    order: dict[str, None] = {}
    verdicts: dict[str, Counter] = {}
    diagnoses: dict[str, Counter] = {}
    origins: dict[str, Counter] = {}
    unexplained: dict[str, Counter] = {}
    for result in results:
        for step in result.steps:
            order.setdefault(step.step)
            verdicts.setdefault(step.step, Counter())[step.verdict] += 1
            if step.diagnosis:
                diagnoses.setdefault(step.step, Counter())[step.diagnosis] += 1
            elif step.verdict == "wrong" and step.given is not None:
                unexplained.setdefault(step.step, Counter())[fmt.value(step.given)] += 1
            if step.verdict == "follow-through" and step.origin:
                origins.setdefault(step.step, Counter())[step.origin] += 1
    summaries = []
    for name in order:
        counts = verdicts[name]
        every = diagnoses.get(name, Counter()).most_common()
        total = max(sum(counts.values()), 1)
        summaries.append(StepSummary(
            name, counts["correct"] / total, counts["follow-through"] / total,
            every[0][0] if every else None, every[0][1] if every else 0, dict(counts),
            dict(every), dict(origins.get(name, Counter()).most_common()),
            {value: n for value, n in unexplained.get(name, Counter()).most_common() if n > 1}))
    return summaries
