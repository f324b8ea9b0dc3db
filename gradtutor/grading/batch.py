"""Grading many answers files: finding them, checking each, and a summary of the class.

One bad file is that file's error and never stops the others. With more than one job the
files are checked by worker processes, each loading the exercise once.
"""

from __future__ import annotations

import glob
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import GradtutorError
from ..exercises.answers import Answers, read_answers
from ..kinds import AnyExercise, kind_of, load_exercise
from ..marking.results import FileResult

ANSWER_SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 16  # fewer files than this are checked in this process: workers cost more


def answer_files(targets: Iterable[str]) -> list[Path]:
    """Files named directly, every .yaml/.yml file under a folder, and glob matches.

    In a folder or a glob, a symbolic link is skipped: a submission could otherwise link to
    the answer key, or to any file on the grader's machine, and be graded as that file.
    """
    found: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            found.extend(sorted(_files_in(path)))
        elif not path.exists() and glob.has_magic(target):
            found.extend(sorted(Path(p) for p in glob.glob(target, recursive=True)
                                if _own_file(Path(p))))
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path)
    return list(unique)


def _own_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _files_in(folder: Path) -> Iterator[Path]:
    """The answers files under a folder, not following links to other folders."""
    for root, _, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(root) / name
            if path.suffix in ANSWER_SUFFIXES and _own_file(path):
                yield path


def check_answers(ex: AnyExercise, answers: Answers) -> FileResult:
    """Check parsed answers against an exercise of any kind."""
    return kind_of(ex).check(ex, answers)


def check_file(ex: AnyExercise, path: Path | str) -> FileResult:
    """Check one answers file; a file that cannot be read becomes the result's error."""
    try:
        answers = read_answers(path, ex.id)
        return check_answers(ex, answers)
    except GradtutorError as error:
        return FileResult(ex.id, str(path), error=str(error))


def check_files(ex: AnyExercise, paths: list[Path], *, jobs: int = 1, exercise_target: str = "",
                on_result: Callable[[FileResult], None] | None = None) -> Iterator[FileResult]:
    """Check every file, yielding results in the order of `paths`."""
    if jobs <= 1 or len(paths) < PARALLEL_FROM or not exercise_target:
        for path in paths:
            result = check_file(ex, path)
            if on_result:
                on_result(result)
            yield result
        return
    from concurrent.futures import ProcessPoolExecutor  # only when there is a class to grade

    chunk = max(1, min(64, len(paths) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                             initargs=(exercise_target,)) as pool:
        try:
            for result in pool.map(_worker_check, [str(p) for p in paths], chunksize=chunk):
                if on_result:
                    on_result(result)
                yield result
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


_worker_exercise: list[AnyExercise] = []


def _start_worker(target: str) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_exercise[:] = [load_exercise(target)]


def _worker_check(path: str) -> FileResult:
    return check_file(_worker_exercise[0], path)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


# -- the class summary ---------------------------------------------------------------------


@dataclass
class StepSummary:
    step: str
    share_correct: float  # of the files that could be checked
    share_follow_through: float
    common_diagnosis: str | None
    diagnosis_count: int
    verdicts: dict[str, int]


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
    )


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
    for result in results:
        for step in result.steps:
            order.setdefault(step.step)
            verdicts.setdefault(step.step, Counter())[step.verdict] += 1
            if step.diagnosis:
                diagnoses.setdefault(step.step, Counter())[step.diagnosis] += 1
    summaries = []
    for name in order:
        counts = verdicts[name]
        common = diagnoses.get(name, Counter()).most_common(1)
        total = max(sum(counts.values()), 1)
        summaries.append(StepSummary(
            name, counts["correct"] / total, counts["follow-through"] / total,
            common[0][0] if common else None, common[0][1] if common else 0, dict(counts)))
    return summaries
