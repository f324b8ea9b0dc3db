"""Per-student variants: each student's own given values, drawn and guarded.

A student's variant is drawn from `student_generator(seed, student)` (sha256, PCG64: the
same numbers on every run, machine and Python version). A draw is kept only when it passes
the guards: every `require:` condition holds; no relu/abs input and no max/min tie lies
within KINK_MARGIN of its kink; every asked value is finite; and every catalogue mistake on
every asked step stays distinguishable from the truth and from the others (a pair of
mistakes the exercise as written cannot tell apart either is the graph's, not the numbers':
no draw could separate them, so it is allowed). A draw that fails is redrawn, up to `tries`
times. Variants are cached on the exercise, by student, and which draw passed is
remembered on disk (see `_fingerprint`), so that a class is drawn once.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..base.cache import append_entry, read_entries
from ..base.errors import ExerciseError, GradtutorError
from ..engine.graph import Graph, build_graph, evaluate
from ..exercises.exercise import Exercise, exercise_scale, scale_of
from ..exercises.placeholders import fill
from ..exercises.variants import student_generator
from ..lang.condition import Condition
from ..lang.expr import Assignment, Program
from ..ops.specs import OPS

Array = np.ndarray
KINK_MARGIN = 0.05  # how close to a kink (relu/abs at 0, a max/min tie) a variant may come
_COMPARE = {"<": np.less, ">": np.greater, "<=": np.less_equal, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}


def variant_for(ex: Exercise, student: str) -> Exercise:
    """The student's variant of an exercise with `variants:` (the exercise itself without)."""
    if ex.variants is None or student in ex.variants.as_written:
        return ex
    if student not in ex.variant_cache:
        ex.variant_cache[student] = _draw_variant(ex, student)
    return ex.variant_cache[student]


def _draw_variant(ex: Exercise, student: str) -> Exercise:
    spec = ex.variants
    assert spec is not None
    remembered = _remembered(ex).get(student)
    if remembered is not None:  # the draw that passed before: only the cheap guards again
        candidate = _remembered_draw(ex, student, remembered)
        if candidate is not None and not _cheap_failure(candidate):
            return candidate
    rng = student_generator(spec.seed, student)
    structural = mistake_warnings(ex)
    reason = ""
    for index in range(spec.tries):
        given = {**ex.given, **{name: draw.sample(rng) for name, draw in spec.draws.items()}}
        candidate = with_given(ex, given, student)
        reason = guard_failure(candidate, structural)
        if not reason:
            _remember(ex, student, index, candidate)
            return candidate
    raise ExerciseError(f"no variant for student '{student}' passed the guards in "
                        f"{spec.tries} draws (the last: {reason}); widen the draws, loosen "
                        "'require' or raise 'tries'", file=ex.source, field="variants")


def _remembered_draw(ex: Exercise, student: str, entry: dict) -> Exercise | None:
    """The draw the cache remembers: its values when it kept them (drawing again the draws
    before it costs more than the guards that are left), else its index."""
    spec = ex.variants
    assert spec is not None
    values = entry.get("given")
    if isinstance(values, dict) and set(values) == set(spec.draws):
        try:
            drawn = {name: np.asarray(values[name], dtype=float) for name in spec.draws}
        except (TypeError, ValueError):
            drawn = {}
        if drawn and all(drawn[name].shape == _shape(ex, name) for name in drawn):
            return with_given(ex, {**ex.given, **drawn}, student)
    return _nth_draw(ex, student, entry.get("draw"))


def _shape(ex: Exercise, name: str) -> tuple[int, ...]:
    return np.shape(ex.given[name])


def _nth_draw(ex: Exercise, student: str, index: object) -> Exercise | None:
    """The student's draw number `index` (from 0), without its guards; None if out of range."""
    spec = ex.variants
    assert spec is not None
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < spec.tries:
        return None
    rng = student_generator(spec.seed, student)
    for _ in range(index + 1):
        given = {**ex.given, **{name: draw.sample(rng) for name, draw in spec.draws.items()}}
    return with_given(ex, given, student)


# -- which draw passed, remembered on disk -----------------------------------------------------
# The mistake guard replays the whole catalogue at every asked step, and a student's stream
# may need several draws: a class of a thousand would spend minutes drawing. Which draw
# passed depends only on the exercise file, the code that decides and numpy's generator, so
# it is remembered (gradtutor.base.cache) under a fingerprint of all three.

CACHE_SECTION = "variants"
# the modules whose code decides which draw passes (the guards, the catalogue, the engine)
DECIDING = ("gradtutor.kinds.variants", "gradtutor.exercises.variants",
            "gradtutor.exercises.exercise", "gradtutor.marking.distinguish",
            "gradtutor.marking.diagnosis", "gradtutor.marking.recompute",
            "gradtutor.engine.graph", "gradtutor.ops.specs", "gradtutor.base.compare")


def _fingerprint(ex: Exercise) -> str | None:
    """The cache's key for the exercise; None when its file cannot be read."""
    found = ex.truths.get("fingerprint", "")
    if found == "":
        try:
            source = Path(ex.source).read_bytes()
        except OSError:
            found = ex.truths["fingerprint"] = None
        else:
            digest = hashlib.sha256(source)
            digest.update(_code_fingerprint().encode())
            found = ex.truths["fingerprint"] = digest.hexdigest()
    assert found is None or isinstance(found, str)
    return found


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    import importlib

    digest = hashlib.sha256(np.__version__.encode())
    for name in DECIDING:
        module = importlib.import_module(name)
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def _remembered(ex: Exercise) -> dict[str, dict]:
    """Student -> what the cache remembers of the draw that passed (its index, its values)."""
    found = ex.truths.get("remembered draws")
    if found is None:
        key = _fingerprint(ex)
        entries = read_entries(CACHE_SECTION, key) if key is not None else []
        found = ex.truths["remembered draws"] = {
            str(entry.get("student")): entry for entry in entries}
    assert isinstance(found, dict)
    return found


def _remember(ex: Exercise, student: str, index: int, variant: Exercise) -> None:
    key = _fingerprint(ex)
    if key is None or student in _remembered(ex):
        return
    spec = ex.variants
    assert spec is not None
    entry = {"student": student, "draw": index,
             "given": {name: variant.given[name].tolist() for name in spec.draws}}
    if not append_entry(CACHE_SECTION, key, entry):
        append_entry(CACHE_SECTION, key, {"student": student, "draw": index})
    _remembered(ex)[student] = entry


def with_given(ex: Exercise, given: dict[str, Array], student: str) -> Exercise:
    """The exercise at other given values: a new object, so its key and truths are its own
    (its forward values among them, for the guards)."""
    try:
        values: list[Array] | None = evaluate(ex.graph, given)
    except (GradtutorError, ValueError, FloatingPointError):
        values = None
    scale = scale_of(values) if values is not None else exercise_scale(ex.graph, given)
    spec = ex.variants
    hints = spec.hints if spec is not None and len(spec.hints) == len(ex.ask) else \
        tuple(item.hint for item in ex.ask)
    ask = [replace(item, hint=fill(hint, given) if hint else hint,
                   tolerance=replace(item.tolerance, scale=scale)
                   if item.tolerance is not None else None)
           for item, hint in zip(ex.ask, hints, strict=True)]
    description = fill(spec.description, given) if spec is not None else ex.description
    variant = replace(ex, given=given, student=student, ask=ask, description=description,
                      tolerance=replace(ex.tolerance, scale=scale))
    if values is not None:
        variant.truths["forward values"] = values
    return variant


def guard_failure(ex: Exercise, structural: frozenset[tuple] = frozenset()) -> str:
    """Why a variant is unfit ('' when it passes every guard); `structural` holds the
    indistinguishable mistakes that no numbers could separate."""
    return _cheap_failure(ex) or _mistake_failure(ex, structural)


def _cheap_failure(ex: Exercise) -> str:
    """The guards without the mistake catalogue: for a draw that passed them all before."""
    values = ex.truths.get("forward values")
    if not isinstance(values, list):
        try:
            values = evaluate(ex.graph, ex.given)
        except (GradtutorError, ValueError, FloatingPointError) as error:
            return f"the graph cannot be evaluated ({error})"
    return _kink_failure(ex.graph, values) or _requirement_failure(ex, values) or \
        _key_failure(ex)


def _kink_failure(graph: Graph, values: list[Array]) -> str:
    for node in graph.nodes:
        if OPS[node.op].kink is None:
            continue
        args = [np.asarray(values[i], dtype=float) for i in node.inputs]
        if len(args) == 2:
            distance = float(np.min(np.abs(args[0] - args[1]))) if np.size(args[0] - args[1]) \
                else np.inf
        elif node.op.endswith("1"):  # max/min over entries: the gap between the top two
            distance = _top_gap(args[0], largest=node.op.startswith("max"))
        else:
            distance = float(np.min(np.abs(args[0]))) if args[0].size else np.inf
        if distance < KINK_MARGIN:
            return f"'{node.label}' is within {KINK_MARGIN} of its kink"
    return ""


def _top_gap(value: Array, *, largest: bool) -> float:
    flat = np.sort(value.ravel())
    if flat.size < 2:
        return np.inf
    return float(flat[-1] - flat[-2]) if largest else float(flat[1] - flat[0])


def _requirement_failure(ex: Exercise, values: list[Array]) -> str:
    if ex.variants is None:  # a generated exercise: its recipe holds its requirements
        return ""
    known = {name: values[index] for name, index in ex.graph.names.items()}
    for requirement in ex.variants.require:
        if not holds(requirement.condition, known):
            return f"'{requirement.condition.text}' does not hold"
    return ""


_SIDES: dict[Condition, Graph] = {}  # each condition's two sides as a graph, built once


def holds(condition: Condition, known: dict[str, Array]) -> bool:
    """Whether the comparison holds (for every entry, when its sides are arrays)."""
    graph = _SIDES.get(condition)
    if graph is None:
        program = Program((Assignment("left", condition.left),
                           Assignment("right", condition.right)))
        graph = _SIDES[condition] = build_graph(program)
    inputs = {name: known[name] for name in graph.inputs}
    try:
        sides = evaluate(graph, inputs)
    except (GradtutorError, ValueError):
        return False
    left, right = sides[graph.names["left"]], sides[graph.names["right"]]
    with np.errstate(all="ignore"):
        return bool(np.all(_COMPARE[condition.op](left, right)))


def _key_failure(ex: Exercise) -> str:
    from .registry import kind_of

    key = kind_of(ex).key(ex)
    for item in ex.ask:
        if not np.all(np.isfinite(key[item.step.text])):
            return f"step '{item.step.text}' is not finite"
    return ""


def mistake_warnings(ex: Exercise) -> frozenset[tuple]:
    """The exercise's indistinguishable mistakes, as (step, codes, passes): worked out once
    per exercise, not once per student."""
    from ..marking.distinguish import indistinguishable

    found = ex.truths.get("structural mistakes")
    if found is None:
        found = ex.truths["structural mistakes"] = frozenset(
            (f.step, f.codes, f.passes) for f in indistinguishable(ex))
    assert isinstance(found, frozenset)
    return found


def _mistake_failure(ex: Exercise, structural: frozenset[tuple]) -> str:
    from ..marking.distinguish import each_indistinguishable

    found = next((f for f in each_indistinguishable(ex)
                  if (f.step, f.codes, f.passes) not in structural), None)
    return found.message if found is not None else ""
