"""Results laid out as blocks (blocks.py), once for every format.

`layout(result)` picks the layout by the result's class, from the registry below. Nothing
in a layout computes a value: the numbers and sentences come from the result; a layout only
words them and chooses what goes where.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..base.errors import GradtutorError
from ..engine.solve import Solution
from ..exercises.perceptron.solving import PerceptronSolution
from ..grading.batch import ClassSummary
from ..kinds.graph import AnswerKey
from ..marking.results import FileResult
from ..walkthrough.model import Walkthrough
from ..walkthrough.perceptron import PerceptronWalkthrough
from .blocks import Document
from .check_layout import class_report, file_report
from .perceptron_layout import perceptron_walkthrough
from .solution_layout import answer_key, perceptron_solution, solution
from .walkthrough_layout import walkthrough

LAYOUTS: dict[type, Callable[[Any], Document]] = {
    Walkthrough: walkthrough,
    PerceptronWalkthrough: perceptron_walkthrough,
    Solution: solution,
    AnswerKey: answer_key,
    PerceptronSolution: perceptron_solution,
    FileResult: file_report,
    ClassSummary: class_report,
}


def layout(result: object) -> Document:
    """The result as a document of blocks."""
    function = LAYOUTS.get(type(result))
    if function is None:
        raise GradtutorError(f"no layout for a {type(result).__name__}")
    return function(result)
