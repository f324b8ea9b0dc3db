"""A check drawn on the exercise's graph: one student's verdicts (each asked node coloured,
the first step to fix marked, follow-through arrows from the step it inherits from), or a
class's heatmap (each node coloured by the share that got it wrong).

These are results like any other: render/picture_layout.py lays them out, and the feedback
policy has already decided what the results show (feedback.py): the picture shows the true
values only where the result's level is full.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..kinds import AnyExercise, kind_of
from ..kinds.variants import variant_for
from ..marking.results import FileResult
from .batch import AS_WRITTEN_NOTE, ClassSummary


@dataclass
class VerdictPicture:
    """One answers file's check on the graph of its exercise (its student's variant)."""

    walkthrough: Any  # the exercise's walkthrough (graph or perceptron): its graph
    result: FileResult  # as the feedback policy left it


@dataclass
class ClassPicture:
    """A class's check on the graph of the exercise: a heatmap of who got what wrong."""

    walkthrough: Any
    summary: ClassSummary


def verdict_picture(ex: AnyExercise, result: FileResult) -> VerdictPicture:
    """The picture of one checked file (already redacted to its feedback level)."""
    return VerdictPicture(_walkthrough(_variant(ex, result)), result)


def class_picture(ex: AnyExercise, summary: ClassSummary) -> ClassPicture:
    return ClassPicture(_walkthrough(ex), summary)


def _walkthrough(ex: AnyExercise) -> Any:
    return kind_of(ex).explain(ex, target=ex.id)


def _variant(ex: AnyExercise, result: FileResult) -> AnyExercise:
    """The exercise as this student had it (an exercise with `variants:`): the numbers as
    written where the check used them (one file without `student:`)."""
    if getattr(ex, "variants", None) is None or result.error is not None or \
            AS_WRITTEN_NOTE in result.notes:
        return ex
    student = (result.student or "").strip() or Path(result.answers_file).stem
    return variant_for(ex, student)
