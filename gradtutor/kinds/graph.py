"""The graph kind: `kind: graph` and `kind: network` exercises (a network is written as
layers and expanded into a graph), checked step by step against their answer key."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..base import fmt
from ..exercises.exercise import Exercise, GraphLoader

if TYPE_CHECKING:
    from ..exercises.answers import Answers
    from ..exercises.yamlio import Loaded
    from ..marking.results import FileResult
    from ..walkthrough.explain import Walkthrough

Array = np.ndarray


@dataclass
class AnswerKey:
    """What `solve` shows of a graph exercise: every asked step's true value and points."""

    exercise: Exercise
    rows: list[tuple[str, Array, float]]  # step, true value, weight


class GraphKind:
    """Graph and network exercises; `known_kinds` (the registry's keys) name every kind in
    the message about an unknown `kind:`, which this kind, the default, reports."""

    def __init__(self, known_kinds: Collection[str]) -> None:
        self.known_kinds = known_kinds

    def load(self, loaded: Loaded) -> Exercise:
        loader = GraphLoader(loaded, list(self.known_kinds))
        exercise = loader.load()
        key = self.key(exercise)
        for index, item in enumerate(exercise.ask):  # log(0) has no true value to answer
            value = key[item.step.text]
            if not np.all(np.isfinite(value)):
                loader.problems.add(("ask", index) if "ask" in loader.data else ("graph",),
                                    f"step '{item.step.text}' has no finite true value "
                                    f"({fmt.value(value)}): no answer could be right")
        loader.problems.raise_if_any()
        if exercise.variants is not None:
            from .guards import fill_texts

            fill_texts(exercise)  # at the numbers as written: no student named
        return exercise

    def with_drawn(self, exercise: Exercise, drawn: dict[str, Array], student: str) -> Exercise:
        from .guards import graph_with_drawn

        return graph_with_drawn(exercise, drawn, student)

    def unfit(self, exercise: Exercise, written: Exercise, *, fast: bool = False) -> str:
        from .guards import guard_failure, structural_pairs

        return guard_failure(exercise, structural_pairs(written), self.key,
                             written.suspects if fast else None)

    def key(self, exercise: Exercise) -> dict[str, Array]:
        if exercise.key is None:
            from ..marking.check import answer_key

            exercise.key = answer_key(exercise).expected
        return exercise.key

    def template_steps(self, exercise: Exercise) -> list[str]:
        return [item.step.text for item in exercise.ask]

    def template_notes(self, exercise: Exercise) -> list[tuple[str, str]]:
        key = self.key(exercise)
        return [(step, _value_note(key[step])) for step in self.template_steps(exercise)]

    def indistinguishable(self, exercise: Exercise) -> list[str]:
        from ..marking.distinguish import MAX_COMPARED_STEPS, indistinguishable

        if len(exercise.ask) > MAX_COMPARED_STEPS:
            return [f"mistakes not compared: {len(exercise.ask)} asked steps (at most "
                    f"{MAX_COMPARED_STEPS} are compared)"]
        return [found.message for found in indistinguishable(exercise)]

    def asks(self, exercise: Exercise) -> str:
        steps = self.template_steps(exercise)
        return f"{len(steps)} steps: " + ", ".join(steps[:4]) + \
            (", ..." if len(steps) > 4 else "")

    def check(self, exercise: Exercise, answers: Answers) -> FileResult:
        from ..marking.check import Key, check_exercise

        return check_exercise(exercise, answers, Key(self.key(exercise)))

    def explain(self, exercise: Exercise, *, target: str, step: int | None = None,
                hint_only: bool = False) -> Walkthrough:
        from ..walkthrough.explain import explain_graph_exercise

        return explain_graph_exercise(exercise, target=target,
                                      network=exercise.kind == "network", step=step,
                                      hint_only=hint_only)

    def solve(self, exercise: Exercise) -> AnswerKey:
        key = self.key(exercise)
        return AnswerKey(exercise, [(item.step.text, key[item.step.text], item.weight)
                                    for item in exercise.ask])


def _value_note(value: Array) -> str:
    """The kind of value a step takes, for a blank answers file."""
    if value.ndim == 0:
        return "a number"
    if value.ndim == 1:
        return f"a vector of {value.shape[0]}: [a, b, ...]"
    return f"a {fmt.shape(value)} matrix: [[...], [...]]"
