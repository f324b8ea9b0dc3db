"""Per-student variants: each student's own given values, drawn and guarded.

A student's variant is drawn from `student_generator(seed, student)` (sha256, PCG64: the
same numbers on every run, machine and Python version). How a draw becomes an exercise and
which guards it must pass is the exercise's kind's (`with_drawn` and `unfit` on
ExerciseKind; the graph kind's guards are in guards.py). A draw that fails is redrawn, up to
`tries` times; while a student's variant is drawn, the guards try first what rejected the
class's earlier draws (`unfit(..., fast=True)`): the same draws fail, sooner. Variants are
cached on the exercise, by student, and the draw that passed is remembered on disk (see
`_fingerprint`), so that a class is drawn once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..base import limits
from ..base.cache import append_entry, cache_dir, read_entries
from ..base.errors import ExerciseError, TimeLimitError
from ..base.safetext import visible
from ..base.timebox import time_limit
from ..exercises.variants import Draw, student_generator
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
        ex.variant_cache[student] = _timed_draw(ex, student)
    return ex.variant_cache[student]


def _timed_draw(ex: AnyExercise, student: str) -> AnyExercise:
    """`_draw_variant` under limits.VARIANT_SECONDS: guards that reject draw after draw of a
    large exercise would otherwise take minutes for each student."""
    try:
        with time_limit(limits.VARIANT_SECONDS, "drawing a variant"):
            return _draw_variant(ex, student)
    except TimeLimitError:
        raise ExerciseError(f"exercise '{ex.id}': drawing the variant of student "
                            f"'{visible(student)}' took more than "
                            f"{limits.VARIANT_SECONDS:g} s (its draws keep failing the "
                            "guards); widen the draws, loosen 'require' or lower 'tries'",
                            file=ex.source, field="variants") from None


def _draw_variant(ex: AnyExercise, student: str) -> AnyExercise:
    spec = ex.variants
    assert spec is not None
    remembered = _remembered(ex).get(student)
    if remembered is not None:  # the draw that passed the guards before, on this code
        candidate = _remembered_draw(ex, student, remembered)
        if candidate is not None:
            return candidate
    rng = student_generator(spec.seed, student)
    candidate = ex
    for index in range(spec.tries):
        candidate, reason = _one_draw(ex, rng, student, fast=True)
        if not reason:
            _remember(ex, student, index, candidate)
            return candidate
    reason = kind_of(ex).unfit(candidate, ex)  # named as the guards find it in order
    raise ExerciseError(f"no variant for student '{student}' passed the guards in "
                        f"{spec.tries} draws (the last: {reason}); widen the draws, loosen "
                        "'require' or raise 'tries'", file=ex.source, field="variants")


def _one_draw(ex: AnyExercise, rng: np.random.Generator, student: str, *, fast: bool = False
              ) -> tuple[AnyExercise, str]:
    """One draw of the exercise's drawn values, and why it is unfit ('' when it is fit)."""
    assert ex.variants is not None
    kind = kind_of(ex)
    drawn = {name: draw.sample(rng) for name, draw in ex.variants.draws.items()}
    candidate = kind.with_drawn(ex, drawn, student)
    return candidate, kind.unfit(candidate, ex, fast=fast)


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
    drawn = 0
    try:
        with time_limit(limits.SAMPLE_SECONDS, "drawing sample variants"):
            for index in range(count):
                rng = student_generator(ex.variants.seed, f"s{index}")
                _, reason = _one_draw(ex, rng, f"s{index}")
                drawn += 1
                if reason:
                    reasons[reason] += 1
    except TimeLimitError:
        raise ExerciseError(f"exercise '{ex.id}': the guards took more than "
                            f"{limits.SAMPLE_SECONDS:g} s for {count} sample draws (done: "
                            f"{drawn}); each student's variant would be as slow: make the "
                            "exercise smaller", file=ex.source, field="variants") from None
    return Rejections(count, sum(reasons.values()), reasons)


# -- which draw passed, remembered on disk -----------------------------------------------------
# The mistake guard replays the whole catalogue at every asked step, and a student's stream
# may need several draws: a class of a thousand spends seconds drawing. Which draw
# passed depends only on the exercise file, the code that decides and numpy's generator, so
# it is remembered (gradtutor.base.cache) under a fingerprint of all three.

CACHE_SECTION = "variants"
# the modules whose code decides which draw passes (the guards, the catalogue, the engine)
DECIDING = ("gradtutor.kinds.variants", "gradtutor.kinds.guards", "gradtutor.kinds.graph",
            "gradtutor.kinds.perceptron", "gradtutor.exercises.variants",
            "gradtutor.exercises.exercise", "gradtutor.marking.distinguish",
            "gradtutor.marking.diagnosis", "gradtutor.marking.recompute",
            "gradtutor.engine.graph", "gradtutor.ops.specs", "gradtutor.base.compare")
_FINGERPRINTS: dict[tuple, str | None] = {}
_REMEMBERED: dict[str, dict[str, dict]] = {}


def _fingerprint(ex: AnyExercise) -> str | None:
    """The cache's key for the exercise; None when its file cannot be read."""
    try:
        info = Path(ex.source).stat()
    except (OSError, ValueError):
        return None
    where = (ex.source, info.st_mtime_ns, info.st_size)
    if where not in _FINGERPRINTS:
        try:
            digest = hashlib.sha256(Path(ex.source).read_bytes())
        except OSError:
            return None
        digest.update(_code_fingerprint().encode())
        _FINGERPRINTS[where] = digest.hexdigest()
    return _FINGERPRINTS[where]


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    import importlib

    digest = hashlib.sha256(np.__version__.encode())
    for name in DECIDING:
        module = importlib.import_module(name)
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def _remembered(ex: AnyExercise) -> dict[str, dict]:
    """Student -> what the cache remembers of the draw that passed (its index, its values)."""
    key = _fingerprint(ex)
    if key is None:
        return {}
    where = f"{cache_dir()}:{key}"  # the cache's folder may change (GRADTUTOR_CACHE_DIR)
    if where not in _REMEMBERED:
        _REMEMBERED[where] = {str(entry.get("student")): entry
                              for entry in read_entries(CACHE_SECTION, key)}
    return _REMEMBERED[where]


def _remember(ex: AnyExercise, student: str, index: int, variant: AnyExercise) -> None:
    key = _fingerprint(ex)
    spec = ex.variants
    if key is None or spec is None or student in _remembered(ex):
        return
    given = getattr(variant, "drawn_values", None) or getattr(variant, "given", {})
    entry: dict = {"student": student, "draw": index}
    if all(name in given for name in spec.draws):
        entry["given"] = {name: np.asarray(given[name]).tolist() for name in spec.draws}
    if not append_entry(CACHE_SECTION, key, entry):
        entry = {"student": student, "draw": index}
        append_entry(CACHE_SECTION, key, entry)
    _remembered(ex)[student] = entry


def _remembered_draw(ex: AnyExercise, student: str, entry: dict) -> AnyExercise | None:
    """The draw the cache remembers: its values when it kept them (drawing again the draws
    before it costs more than the rest), else its index; None when neither fits."""
    spec = ex.variants
    assert spec is not None
    values = entry.get("given")
    if isinstance(values, dict) and set(values) == set(spec.draws):
        try:
            drawn = {name: np.asarray(values[name], dtype=float) for name in spec.draws}
        except (TypeError, ValueError):
            drawn = {}
        if drawn and all(drawn[name].shape == _drawn_shape(draw) and
                         np.all(np.isfinite(drawn[name])) for name, draw in spec.draws.items()):
            return kind_of(ex).with_drawn(ex, drawn, student)
    index = entry.get("draw")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < spec.tries:
        return None
    rng = student_generator(spec.seed, student)
    for _ in range(index):
        for draw in spec.draws.values():
            draw.sample(rng)
    return kind_of(ex).with_drawn(ex, {name: draw.sample(rng)
                                       for name, draw in spec.draws.items()}, student)


def _drawn_shape(draw: Draw) -> tuple[int, ...]:
    return draw.choices[0].shape if draw.kind == "choice" else draw.shape
