"""What every kind of exercise offers the commands, and what every loaded exercise has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from ..exercises.answers import Answers
    from ..exercises.fields import SelfTest
    from ..exercises.perceptron.solving import PerceptronSolution
    from ..exercises.variants import VariantSpec
    from ..exercises.yamlio import Loaded
    from ..marking.results import FileResult
    from ..walkthrough.explain import Walkthrough
    from ..walkthrough.perceptron import PerceptronWalkthrough
    from .graph import AnswerKey


class AnyExercise(Protocol):
    """A loaded exercise of any kind: what the commands read without asking its kind."""

    id: str
    title: str
    description: str
    kind: str  # the file's `kind:`, the registry's key for the exercise's ExerciseKind
    source: str  # the file it came from
    feedback: str  # what a grading platform shows by default: full, diagnosis, verdict, score
    tests: list[SelfTest]
    variants: VariantSpec | None  # how each student's own numbers are drawn, if they are
    variant_cache: dict[str, Any]  # student -> their variant, built once (kinds.variants)


E = TypeVar("E", bound=AnyExercise)


class ExerciseKind(Protocol[E]):
    """One kind of exercise: how its files load, its answer key, what a blank answers file
    holds, how answers are checked, its walkthrough and its solution. One registry entry
    (registry.KINDS) per `kind:` value."""

    def load(self, loaded: Loaded) -> E:
        """The exercise from its parsed file; every problem raised at once (ExerciseError)."""
        ...

    def key(self, exercise: E) -> dict[str, Any]:
        """An answers mapping that `check` scores as fully correct; computed once and kept
        on the exercise."""
        ...

    def template_steps(self, exercise: E) -> list[str]:
        """The keys of a blank answers file, in the order they are asked."""
        ...

    def template_notes(self, exercise: E) -> list[tuple[str, str]]:
        """Each key of a blank answers file with a note on the kind of value it takes."""
        ...

    def asks(self, exercise: E) -> str:
        """What the exercise asks, in a few words, for `list`."""
        ...

    def check(self, exercise: E, answers: Answers) -> FileResult:
        """Every asked step of one answers file checked: verdicts and a score."""
        ...

    def indistinguishable(self, exercise: E) -> list[str]:
        """Warnings: the steps where a known mistake passes for the truth, or two known
        mistakes give the same value (`validate` prints them)."""
        ...

    def explain(self, exercise: E, *, target: str, step: int | None = None,
                hint_only: bool = False) -> Walkthrough | PerceptronWalkthrough:
        """The walkthrough (the explain layer's data); with `step`, one asked step revealed."""
        ...

    def solve(self, exercise: E) -> AnswerKey | PerceptronSolution:
        """The solution that `solve` draws: the answer key, and for some kinds its working."""
        ...

    def with_drawn(self, exercise: E, drawn: dict[str, np.ndarray], student: str) -> E:
        """The exercise at one draw of its drawn values (its `variants:`), for `student`:
        a new object, its words filled with the student's numbers."""
        ...

    def unfit(self, exercise: E, written: E, *, fast: bool = False) -> str:
        """Why a drawn variant fails the kind's guards ('' when it passes); `written` is the
        exercise as written. `fast` may try first what rejected its other draws: the same
        draws fail, but the reason named may be another of the draw's."""
        ...
