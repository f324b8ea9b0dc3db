"""Results laid out as blocks (blocks.py), once for every format.

`layout(result)` picks the layout by the result's class, from the registry below. Nothing
in a layout computes a value: the numbers and sentences come from the result; a layout only
words them and chooses what goes where.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..base.errors import GradtutorError
from .blocks import Document

# A result's class (module.Class) -> its layout ("module:function" in render/). A layout is
# imported when first used, so that a check never loads the walkthrough or solver layouts.
LAYOUTS: dict[str, str] = {
    "gradtutor.walkthrough.model.Walkthrough": "walkthrough_layout:walkthrough",
    "gradtutor.walkthrough.perceptron.PerceptronWalkthrough":
        "perceptron_layout:perceptron_walkthrough",
    "gradtutor.engine.solve.Solution": "solution_layout:solution",
    "gradtutor.kinds.graph.AnswerKey": "solution_layout:answer_key",
    "gradtutor.exercises.perceptron.solving.PerceptronSolution":
        "solution_layout:perceptron_solution",
    "gradtutor.marking.results.FileResult": "check_layout:file_report",
    "gradtutor.grading.batch.ClassSummary": "check_layout:class_report",
    "gradtutor.grading.picture.VerdictPicture": "picture_layout:verdict_picture",
    "gradtutor.grading.picture.ClassPicture": "picture_layout:class_picture",
    "gradtutor.grading.handouts.Handout": "handout_layout:handout",
}


def class_key(kind: type) -> str:
    """How the registry names a class."""
    return f"{kind.__module__}.{kind.__qualname__}"


def layout_of(kind: type) -> Callable[[Any], Document] | None:
    """The layout for results of a class; None when it has none."""
    where = LAYOUTS.get(class_key(kind))
    if where is None:
        return None
    module, _, function = where.partition(":")
    found: Callable[[Any], Document] = getattr(
        importlib.import_module(f".{module}", __package__), function)
    return found


def layout(result: object) -> Document:
    """The result as a document of blocks."""
    function = layout_of(type(result))
    if function is None:
        raise GradtutorError(f"no layout for a {type(result).__name__}")
    return function(result)
