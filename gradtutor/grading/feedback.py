"""The feedback policy: the one place that decides how much of a check a student sees.

`redact` turns a FileResult into a copy with what the level hides taken out, so that every
format (rich, plain, JSON, CSV, Gradescope, PrairieLearn) draws only what is left:

- full: everything, expected values included;
- diagnosis: the verdict, the diagnosis, its advice and the hint; no expected value;
- verdict: right or wrong per step;
- score: the total only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np

from ..base import fmt
from ..base.errors import GradtutorError
from ..exercises.fields import FEEDBACK_LEVELS
from ..marking.results import AS_WRITTEN, FileResult, OtherNumbers, StepResult

# What a step says at "diagnosis" when its message cannot be shown and marking gave no advice.
PLAIN_ADVICE = {"wrong": "not right", "missing": "no answer", "invalid": "not a valid answer",
                "follow-through": "right given your earlier answers"}


def feedback_level(chosen: str | None, default: str) -> str:
    """The level asked for, else the default; a word not in FEEDBACK_LEVELS is refused."""
    level = chosen or default
    if level not in FEEDBACK_LEVELS:
        raise GradtutorError(f"feedback '{level}' is not one of {', '.join(FEEDBACK_LEVELS)}",
                             field="feedback")
    return level


def redact(result: FileResult, level: str) -> FileResult:
    """A copy of `result` that shows only what `level` allows."""
    level = feedback_level(level, "full")
    if level == "full" or result.error is not None:
        return replace(result, feedback=level)
    steps = [] if level == "score" else [redact_step(step, level) for step in result.steps]
    return replace(result, steps=steps, feedback=level,
                   other_numbers=unnamed(result.other_numbers))


def unnamed(found: OtherNumbers | None) -> OtherNumbers | None:
    """A match with another student's numbers that does not say whose (the numbers as
    written are no one's, and stay named)."""
    if found is None or found.who == AS_WRITTEN:
        return found
    return replace(found, who=None)


def redact_step(step: StepResult, level: str) -> StepResult:
    """One step at `diagnosis` or `verdict`: never the expected value."""
    if level == "verdict":
        return replace(step, expected=None, diagnosis=None, message="", hint=None,
                       origin=None, details=[], advice=None)
    return replace(step, expected=None, message=safe_message(step), details=[], advice=None)


def safe_message(step: StepResult) -> str:
    """The step's message without its expected value: marking's advice when it gave one,
    the message itself when no form of the expected value is in it, else a plain word."""
    if step.verdict == "correct":
        return ""
    if step.advice is not None:
        return step.advice
    if step.message and not reveals(step.message, step.expected):
        return step.message
    return PLAIN_ADVICE.get(step.verdict, "")


def reveals(text: str, expected: Any) -> bool:
    """Whether `text` holds the expected value, whole or any entry of it, in any of the forms
    gradtutor writes numbers (6 significant figures, repr, the answers file's)."""
    return any(re.search(rf"(?<![\w.]){re.escape(form)}(?![\w])", text)
               for form in value_forms(expected))


def value_forms(expected: Any) -> set[str]:
    """Every text a value may be written as: the whole value and each of its entries."""
    if expected is None:
        return set()
    if isinstance(expected, str):
        return {expected}
    forms = {fmt.value(expected)}
    try:
        entries = np.asarray(expected, dtype=float).ravel()
    except (ValueError, TypeError):
        return forms
    for entry in entries:
        number = float(entry)
        forms |= {fmt.number(number), repr(number), f"{number:g}", fmt.number(number, 4)}
    return {form for form in forms if form}
