"""The perceptron kind: `kind: perceptron` exercises (a truth table; weights, a two-layer
network or the learning rule's trace asked), computed in exact fractions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from ..exercises.answers import Answers
    from ..exercises.perceptron.loading import PerceptronExercise
    from ..exercises.perceptron.solving import PerceptronSolution
    from ..exercises.yamlio import Loaded
    from ..marking.results import FileResult
    from ..walkthrough.perceptron import PerceptronWalkthrough

ANY_NUMBER = 'a number, or text such as "-1/2"'
MIN_CHANGES = 2  # a variant's asked trace changes the weights at least this often


class PerceptronKind:
    """Its modules (exact fractions) are imported when a perceptron exercise is loaded, so
    that checking a graph exercise never pays for them."""

    def load(self, loaded: Loaded) -> PerceptronExercise:
        from ..exercises.perceptron.loading import perceptron_from_yaml

        return _fill_words(perceptron_from_yaml(loaded))

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

    def with_drawn(self, exercise: PerceptronExercise, drawn: dict[str, np.ndarray],
                   student: str) -> PerceptronExercise:
        from dataclasses import replace

        from ..exercises.perceptron.loading import exact
        from ..exercises.perceptron.units import weight_keys
        rule = exercise.rule
        start = tuple(exact(drawn[key]) if key in drawn else value
                      for key, value in zip(weight_keys(exercise.n), rule.initial, strict=True))
        rate = exact(drawn["rate"]) if "rate" in drawn else rule.rate
        variant = replace(exercise, rule=replace(rule, initial=start, rate=rate),
                          student=student)
        return _fill_words(variant)

    def unfit(self, exercise: PerceptronExercise, written: PerceptronExercise, *,
              fast: bool = False) -> str:
        """A positive rate, `require:`, and an asked trace in which the rule does something."""
        from ..exercises.perceptron.learning import first_updates
        from .guards import holds

        if exercise.rule.rate <= 0:
            return "the learning rate is not positive"
        assert exercise.variants is not None
        known = _rule_values(exercise)
        for requirement in exercise.variants.require:
            if not holds(requirement.condition, known):
                return f"'{requirement.condition.text}' does not hold"
        if exercise.asks("trace"):
            trace = first_updates(exercise.rows, exercise.targets, exercise.at_zero,
                                  exercise.rule, exercise.trace_length())
            changes = sum(item.changed for item in trace)
            if changes < min(MIN_CHANGES, len(trace)):
                return f"the asked trace changes the weights {changes} time(s)"
        return ""


def _fill_words(exercise: PerceptronExercise) -> PerceptronExercise:
    """The exercise's placeholders filled with its own starting weights and rate."""
    from dataclasses import replace

    from ..exercises.variants import fill

    written = exercise.variants.written if exercise.variants else None
    if written is not None:
        known = _rule_values(exercise)
        exercise.title = fill(written.title, known)
        exercise.description = fill(written.description, known)
        hints = dict(enumerate(written.hints))
        exercise.ask = [replace(part, hint=fill(hint, known)) if (hint := hints.get(i))
                        else part for i, part in enumerate(exercise.ask)]
    return exercise


def _rule_values(exercise: PerceptronExercise) -> dict[str, np.ndarray]:
    """The learning rule's starting weights and rate by name, for placeholders and
    `require:`."""
    import numpy as np

    from ..exercises.perceptron.units import weight_keys

    names = [*weight_keys(exercise.n), "rate"]
    numbers = [*exercise.rule.initial, exercise.rule.rate]
    return {name: np.array(float(value)) for name, value in zip(names, numbers, strict=True)}
