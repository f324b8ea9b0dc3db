"""Per-student variants: each student's own given values, drawn and guarded.

A student's variant is drawn from `student_generator(seed, student)` (sha256, PCG64: the
same numbers on every run, machine and Python version). How a draw becomes an exercise and
which guards it must pass is the exercise's kind's (`with_drawn` and `unfit` on
ExerciseKind; the graph kind's guards are in guards.py). A draw that fails is redrawn, up to
`tries` times. Variants are cached on the exercise, by student.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..base.errors import ExerciseError
from ..exercises.variants import student_generator
from .base import AnyExercise
from .guards import guard_failure, with_given
from .registry import kind_of

__all__ = ["MOSTLY_REJECTED", "SAMPLE_STUDENTS", "Rejections", "guard_failure", "rejections",
           "variant_for", "with_given"]
SAMPLE_STUDENTS = 100  # the draws `validate` makes of an exercise with `variants:`
MOSTLY_REJECTED = 0.9  # `validate` fails an exercise whose guards reject more of its draws


def variant_for(ex: AnyExercise, student: str) -> AnyExercise:
    """The student's variant of an exercise with `variants:` (the exercise itself without)."""
    if ex.variants is None or student in ex.variants.as_written:
        return ex
    if student not in ex.variant_cache:
        ex.variant_cache[student] = _draw_variant(ex, student)
    return ex.variant_cache[student]


def _draw_variant(ex: AnyExercise, student: str) -> AnyExercise:
    spec = ex.variants
    assert spec is not None
    rng = student_generator(spec.seed, student)
    reason = ""
    for _ in range(spec.tries):
        candidate, reason = _one_draw(ex, rng, student)
        if not reason:
            return candidate
    raise ExerciseError(f"no variant for student '{student}' passed the guards in "
                        f"{spec.tries} draws (the last: {reason}); widen the draws, loosen "
                        "'require' or raise 'tries'", file=ex.source, field="variants")


def _one_draw(ex: AnyExercise, rng: np.random.Generator, student: str
              ) -> tuple[AnyExercise, str]:
    """One draw of the exercise's drawn values, and why it is unfit ('' when it is fit)."""
    assert ex.variants is not None
    kind = kind_of(ex)
    drawn = {name: draw.sample(rng) for name, draw in ex.variants.draws.items()}
    candidate = kind.with_drawn(ex, drawn, student)
    return candidate, kind.unfit(candidate, ex)


@dataclass(frozen=True)
class Rejections:
    """What the guards made of a sample of draws: how many, how many rejected, and why."""

    drawn: int
    rejected: int
    reasons: Counter[str]

    @property
    def share(self) -> float:
        return self.rejected / self.drawn if self.drawn else 0.0

    @property
    def commonest(self) -> tuple[str, int] | None:
        return self.reasons.most_common(1)[0] if self.reasons else None


def rejections(ex: AnyExercise, count: int = SAMPLE_STUDENTS) -> Rejections:
    """The first draw of each of `count` students ("s0", "s1", ...) through the guards: the
    share the guards reject is what a variant's redrawing costs."""
    assert ex.variants is not None
    reasons: Counter[str] = Counter()
    for index in range(count):
        rng = student_generator(ex.variants.seed, f"s{index}")
        _, reason = _one_draw(ex, rng, f"s{index}")
        if reason:
            reasons[reason] += 1
    return Rejections(count, sum(reasons.values()), reasons)
