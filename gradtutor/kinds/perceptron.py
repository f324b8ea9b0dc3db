"""The perceptron kind: `kind: perceptron` exercises (a truth table; weights, a two-layer
network or the learning rule's trace asked), computed in exact fractions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..exercises.answers import Answers
    from ..exercises.perceptron.loading import PerceptronExercise
    from ..exercises.perceptron.solving import PerceptronSolution
    from ..exercises.yamlio import Loaded
    from ..marking.results import FileResult
    from ..walkthrough.perceptron import PerceptronWalkthrough

ANY_NUMBER = 'a number, or text such as "-1/2"'


class PerceptronKind:
    """Its modules (exact fractions) are imported when a perceptron exercise is loaded, so
    that checking a graph exercise never pays for them."""

    def load(self, loaded: Loaded) -> PerceptronExercise:
        from ..exercises.perceptron.loading import perceptron_from_yaml

        return perceptron_from_yaml(loaded)

    def key(self, exercise: PerceptronExercise) -> dict[str, Any]:
        if exercise.key is None:
            exercise.key = self.solve(exercise).key
        return exercise.key

    def template_steps(self, exercise: PerceptronExercise) -> list[str]:
        from ..exercises.perceptron.solving import template_steps

        return template_steps(exercise)

    def template_notes(self, exercise: PerceptronExercise) -> list[tuple[str, str]]:
        return [(step, ANY_NUMBER) for step in self.template_steps(exercise)]

    def indistinguishable(self, exercise: PerceptronExercise) -> list[str]:
        return []  # a perceptron's mistakes are weights and rules, not the catalogue's

    def asks(self, exercise: PerceptronExercise) -> str:
        from ..exercises.perceptron.solving import asked_text

        return asked_text(exercise)

    def check(self, exercise: PerceptronExercise, answers: Answers) -> FileResult:
        from ..marking.perceptron import check_perceptron

        return check_perceptron(exercise, answers)

    def explain(self, exercise: PerceptronExercise, *, target: str, step: int | None = None,
                hint_only: bool = False) -> PerceptronWalkthrough:
        from ..walkthrough.perceptron import explain_perceptron

        return explain_perceptron(exercise, target=target, step=step, hint_only=hint_only)

    def solve(self, exercise: PerceptronExercise) -> PerceptronSolution:
        from ..exercises.perceptron.solving import solve_perceptron

        return solve_perceptron(exercise)
