"""Per-student variants: each student's own given values, drawn and guarded.

A student's variant is drawn from `student_generator(seed, student)` (sha256, PCG64: the
same numbers on every run, machine and Python version). A draw is kept only when it passes
the guards: every `require:` condition holds; no relu/abs input and no max/min tie lies
within KINK_MARGIN of its kink; every asked value is finite; and every catalogue mistake on
every asked step stays distinguishable from the truth and from the others (a pair of
mistakes the exercise as written cannot tell apart either is the graph's, not the numbers':
no draw could separate them, so it is allowed). A draw that fails is redrawn, up to `tries`
times. Variants are cached on the exercise, by student.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..base.errors import ExerciseError, GradtutorError
from ..engine.graph import Graph, build_graph, evaluate
from ..exercises.exercise import Exercise, exercise_scale
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
    rng = student_generator(spec.seed, student)
    structural = mistake_warnings(ex)
    reason = ""
    for _ in range(spec.tries):
        given = {**ex.given, **{name: draw.sample(rng) for name, draw in spec.draws.items()}}
        candidate = with_given(ex, given, student)
        reason = guard_failure(candidate, structural)
        if not reason:
            return candidate
    raise ExerciseError(f"no variant for student '{student}' passed the guards in "
                        f"{spec.tries} draws (the last: {reason}); widen the draws, loosen "
                        "'require' or raise 'tries'", file=ex.source, field="variants")


def with_given(ex: Exercise, given: dict[str, Array], student: str) -> Exercise:
    """The exercise at other given values: a new object, so its key and truths are its own."""
    scale = exercise_scale(ex.graph, given)
    ask = [replace(item, tolerance=replace(item.tolerance, scale=scale))
           if item.tolerance is not None else item for item in ex.ask]
    return replace(ex, given=given, student=student, ask=ask,
                   tolerance=replace(ex.tolerance, scale=scale))


def guard_failure(ex: Exercise, structural: frozenset[tuple] = frozenset()) -> str:
    """Why a variant is unfit ('' when it passes every guard); `structural` holds the
    indistinguishable mistakes that no numbers could separate."""
    try:
        values = evaluate(ex.graph, ex.given)
    except (GradtutorError, ValueError, FloatingPointError) as error:
        return f"the graph cannot be evaluated ({error})"
    return _kink_failure(ex.graph, values) or _requirement_failure(ex, values) or \
        _key_failure(ex) or _mistake_failure(ex, structural)


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


def holds(condition: Condition, known: dict[str, Array]) -> bool:
    """Whether the comparison holds (for every entry, when its sides are arrays)."""
    program = Program((Assignment("left", condition.left), Assignment("right", condition.right)))
    graph = build_graph(program)
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
    """The exercise's indistinguishable mistakes, as (step, codes, passes)."""
    from ..marking.distinguish import indistinguishable

    return frozenset((f.step, f.codes, f.passes) for f in indistinguishable(ex))


def _mistake_failure(ex: Exercise, structural: frozenset[tuple]) -> str:
    from ..marking.distinguish import indistinguishable

    found = [f for f in indistinguishable(ex) if (f.step, f.codes, f.passes) not in structural]
    return found[0].message if found else ""
