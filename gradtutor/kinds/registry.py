"""The registry of exercise kinds, keyed by an exercise file's `kind:`: loading an exercise
(a path or a bundled id) through its kind, and finding the kind of a loaded one. Adding a
kind is one entry in KINDS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base.errors import ExerciseError, GradtutorError
from ..exercises.exercise import find_exercise, resolve_exercise
from ..exercises.fields import kind_of as value_kind
from ..exercises.yamlio import Loaded, read_yaml_file
from .base import AnyExercise, ExerciseKind
from .graph import GraphKind
from .perceptron import PerceptronKind

if TYPE_CHECKING:
    from ..walkthrough.explain import Walkthrough
    from ..walkthrough.perceptron import PerceptronWalkthrough

KINDS: dict[str, ExerciseKind[Any]] = {}
GRAPH = GraphKind(known_kinds=KINDS)  # names every registered kind when one is unknown
KINDS.update(graph=GRAPH, network=GRAPH, perceptron=PerceptronKind())
DEFAULT_KIND = "graph"  # a file without `kind:` (a network is told by its `network:` key)


def kind_of(exercise: AnyExercise) -> ExerciseKind[Any]:
    """The kind that loaded the exercise, found by its own `kind`."""
    return KINDS[exercise.kind]


def load_exercise(target: str) -> AnyExercise:
    """An exercise from a path or a bundled id, loaded by the kind its file names."""
    path = resolve_exercise(target)
    return exercise_from_yaml(read_yaml_file(path, error=ExerciseError))


def exercise_from_yaml(loaded: Loaded) -> AnyExercise:
    """An exercise from a parsed file. An unknown `kind:` is read as the default kind, which
    reports it with the file's other problems."""
    data = loaded.data
    if data is None:
        raise ExerciseError("the file is empty: an exercise needs id, title, given, graph "
                            "and ask", file=loaded.file)
    if not isinstance(data, dict):
        raise ExerciseError(f"an exercise is a mapping of keys (id, title, ...), not "
                            f"{value_kind(data)}", file=loaded.file, line=loaded.line())
    name = data.get("kind")
    kind = KINDS.get(name) if isinstance(name, str) else None
    exercise: AnyExercise = (kind or KINDS[DEFAULT_KIND]).load(loaded)
    return exercise


def explain(target: str, values: Mapping[str, np.ndarray] | None = None, *,
            step: int | None = None, hint_only: bool = False
            ) -> Walkthrough | PerceptronWalkthrough:
    """The walkthrough of an expression, a program, or an exercise (a file or a bundled id)."""
    from ..walkthrough.explain import explain_source

    values = dict(values or {})
    path = find_exercise(target)
    if path is not None and (target.endswith((".yaml", ".yml")) or path.is_file()):
        exercise = load_exercise(target)
        if values:
            raise GradtutorError("an exercise has its own given values; values are for "
                                 "expressions", field="values")
        return kind_of(exercise).explain(exercise, target=target, step=step,
                                         hint_only=hint_only)
    if step is not None:
        raise GradtutorError("step reveals the asked steps of an exercise; "
                             f"'{target}' is not an exercise", field="step")
    return explain_source(target, values)
