"""What `check` finds, as plain data: every renderer (rich, plain, JSON, CSV, Gradescope,
PrairieLearn) draws these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..exercises.variants import ANSWER_KEY_STUDENT as AS_WRITTEN

VERDICTS = ("correct", "follow-through", "wrong", "missing", "invalid")


@dataclass
class StepResult:
    step: str
    verdict: str  # one of VERDICTS
    given: Any  # as the student wrote it: a number, nested lists, or text; None if missing
    expected: Any  # a number, nested lists, or a formula
    score: float
    max_score: float
    diagnosis: str | None = None  # a misconception code, for a wrong step
    message: str = ""
    hint: str | None = None  # the exercise's hint, shown beside a step that is not correct
    origin: str | None = None  # follow-through: the earliest wrong step it inherits from
    line: int | None = None  # where the answer is in the answers file
    details: list[str] = field(default_factory=list)  # extra lines (e.g. a truth table's rows)
    # the message without any expected value, where marking knows it (for feedback below
    # "full"); None: the feedback policy decides from the message itself
    advice: str | None = None


@dataclass(frozen=True)
class OtherNumbers:
    """A file whose answers match another variant's key better than its own."""

    who: str | None  # whose numbers they match; AS_WRITTEN: the exercise's own numbers;
    # None: another student's, not named (the feedback policy hides names below full)
    # counted over the asked steps where the two keys differ (beyond the step's tolerance)
    matched: int  # of those, the answers within tolerance of that student's key
    own: int  # of those, the answers within tolerance of the file's own key
    steps: int  # the asked steps where the two keys differ

    @property
    def whose(self) -> str:
        """"bob's numbers", "another student's numbers" or "the numbers as written"."""
        if self.who is None:
            return "another student's numbers"
        return "the numbers as written" if self.who == AS_WRITTEN else f"{self.who}'s numbers"

    @property
    def line(self) -> str:
        """What an instructor reads (it names the other student, at full feedback)."""
        return (f"matches {self.whose} ({self.matched} of the {self.steps} steps where they "
                f"differ), not its own ({self.own})")

    @property
    def advice(self) -> str:
        """What a student reads: no other student's name, and no value of any key."""
        other = "the numbers as written" if self.who == AS_WRITTEN else \
            "another student's numbers"
        return (f"your answers match {other} better than your own: answer with the given "
                "values of your own template")


@dataclass
class FileResult:
    exercise: str
    answers_file: str
    student: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    error: str | None = None  # the file could not be read: the steps were not checked
    notes: list[str] = field(default_factory=list)  # e.g. answers for steps not asked
    feedback: str = "full"  # how much of the check is shown (FEEDBACK_LEVELS); see redact
    variant: str | None = None  # whose numbers it was checked against (exercises with variants)
    other_numbers: OtherNumbers | None = None  # set by class grading (grading/othernumbers.py)

    @property
    def all_correct(self) -> bool:
        return self.error is None and all(s.verdict == "correct" for s in self.steps)

    def count(self, verdict: str) -> int:
        return sum(1 for s in self.steps if s.verdict == verdict)

    def first_mistake(self) -> StepResult | None:
        return next((s for s in self.steps if s.verdict in ("wrong", "invalid")), None) or \
            next((s for s in self.steps if s.verdict == "missing"), None)

    @property
    def summary(self) -> str:
        """One line: the score, how many steps are right, the first mistake to fix."""
        if self.error is not None:
            return f"not checked: {self.error}"
        if self.feedback == "score":
            return f"score {self.score:g}/{self.max_score:g}"
        right = self.count("correct")
        parts = [f"score {self.score:g}/{self.max_score:g}",
                 f"{right} of {len(self.steps)} steps correct"]
        carried = self.count("follow-through")
        if carried:
            parts.append(f"{carried} follow-through")
        mistake = self.first_mistake()
        if mistake is not None:
            what = f" ({mistake.diagnosis})" if mistake.diagnosis else \
                f" ({mistake.verdict})" if mistake.verdict != "wrong" else ""
            parts.append(f"first to fix: {mistake.step}{what}")
        return "; ".join(parts)


def finish(result: FileResult) -> FileResult:
    """Add up the scores."""
    result.score = round(sum(s.score for s in result.steps), 10)
    result.max_score = round(sum(s.max_score for s in result.steps), 10)
    return result
