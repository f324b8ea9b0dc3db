"""Help texts and choices that several commands share."""

from __future__ import annotations

from enum import Enum

AT_HELP = "A value for an input: NAME=VALUE, e.g. x=-2 or W=[[0.1,0.5],[-0.3,0.8]]. Repeatable."


STUDENT_HELP = ("The student whose own numbers to use (an exercise with 'variants:'): the "
                "same name always gets the same numbers.")


FEEDBACK_HELP = ("What the student sees: full, diagnosis, verdict or score (default: the "
                 "exercise's 'feedback:', itself diagnosis by default).")


class Feedback(str, Enum):
    full = "full"
    diagnosis = "diagnosis"
    verdict = "verdict"
    score = "score"
