"""The kinds layer (after explain, before grading): one seam per kind of exercise (graph
and network; perceptron). The ExerciseKind protocol, its implementations, and the registry
that loads an exercise by its file's `kind:` and finds a loaded exercise's kind; nothing
outside this layer asks which kind an exercise is.
"""

from .base import AnyExercise, ExerciseKind
from .registry import KINDS, exercise_from_yaml, explain, kind_of, load_exercise

__all__ = ["KINDS", "AnyExercise", "ExerciseKind", "exercise_from_yaml", "explain", "kind_of",
           "load_exercise"]
