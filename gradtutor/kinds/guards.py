"""The guards a graph exercise's drawn variant must pass, and how a draw becomes one.

A draw is kept only when: every `require:` condition holds; no relu/abs input and no
max/min tie lies within KINK_MARGIN of its kink; no sigmoid/tanh input lies beyond the
operation's saturation bound (`saturates` in ops/specs.py: sigmoid 5, tanh 2.5); every
asked value is finite and at most MAX_MAGNITUDE; and every catalogue mistake on every asked
step stays distinguishable from the truth and from the others. Two mistakes that give one
value at the numbers as written too are the graph's (df/dz = q is both "the other input"
and "the forward value"): no draw could separate them, so they are allowed; a mistake that
passes for the truth never is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..base.errors import GradtutorError
from ..engine.graph import Graph, build_graph, evaluate
from ..exercises.exercise import Exercise, exercise_scale, values_scale
from ..exercises.variants import fill
from ..lang.condition import Condition
from ..lang.expr import Assignment, Program
from ..marking.recompute import exact
from ..ops.specs import OPS

Array = np.ndarray
KINK_MARGIN = 0.05  # how close to a kink (relu/abs at 0, a max/min tie) a variant may come
MAX_MAGNITUDE = 1e5  # an asked value larger than this is no number to work by hand
_COMPARE = {"<": np.less, ">": np.greater, "<=": np.less_equal, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}


def graph_with_drawn(ex: Exercise, drawn: dict[str, Array], student: str) -> Exercise:
    """A graph exercise at its drawn values, its title, description and hints filled in."""
    given = {**ex.given, **drawn}
    values = _node_values(ex.graph, given)  # one forward pass serves the scale, words, guards
    variant = with_given(ex, given, student, values)
    if values is not None:
        exact(variant, values)
    return fill_texts(variant, values)


def _node_values(graph: Graph, given: dict[str, Array]) -> list[Array] | None:
    try:
        with np.errstate(all="ignore"):
            return evaluate(graph, given)
    except (GradtutorError, ValueError, FloatingPointError):
        return None


def fill_texts(ex: Exercise, values: list[Array] | None = None) -> Exercise:
    """The exercise with its placeholders filled from its own given values and nodes
    (`values`: every node's value, when already computed)."""
    spec = ex.variants
    if spec is None or spec.written is None:
        return ex
    values = values if values is not None else _node_values(ex.graph, ex.given)
    if values is None:
        return ex
    known = {name: values[index] for name, index in ex.graph.names.items()}
    written = spec.written
    ask = [replace(item, hint=fill(hint, known)) if (hint := written.hints[i]) else item
           for i, item in enumerate(ex.ask)]
    ex.title, ex.description, ex.ask = fill(written.title, known), \
        fill(written.description, known), ask
    return ex


def with_given(ex: Exercise, given: dict[str, Array], student: str,
               values: list[Array] | None = None) -> Exercise:
    """The exercise at other given values: a new object, so its key and truths are its own
    (`values`: every node's value at them, when already computed)."""
    scale = exercise_scale(ex.graph, given) if values is None else values_scale(values)
    ask = [replace(item, tolerance=replace(item.tolerance, scale=scale))
           if item.tolerance is not None else item for item in ex.ask]
    return replace(ex, given=given, student=student, ask=ask,
                   tolerance=replace(ex.tolerance, scale=scale))


def guard_failure(ex: Exercise, structural: frozenset[tuple] = frozenset(),
                  key_of: Callable[[Exercise], dict[str, Array]] | None = None,
                  suspects: dict[tuple, int] | None = None) -> str:
    """Why a variant is unfit ('' when it passes every guard); `structural` holds the pairs
    of mistakes that give one value at the numbers as written (no numbers could separate
    them); `key_of` computes the answer key, only once the cheap guards pass.

    With `suspects` (the written exercise's: what rejected its other draws, with how
    often), those are tried first, the commonest first, and the one found is counted: the
    same draws are rejected, sooner, but the reason named may be another of the draw's."""
    try:
        with np.errstate(all="ignore"):
            values = exact(ex).values
    except (GradtutorError, ValueError, FloatingPointError) as error:
        return f"the graph cannot be evaluated ({error})"
    return _requirement_failure(ex, values) or _kink_failure(ex.graph, values) or \
        _saturation_failure(ex.graph, values) or \
        _key_failure(ex, (key_of or _key)(ex)) or \
        _mistake_failure(ex, structural, suspects)


def _key(ex: Exercise) -> dict[str, Array]:
    """The key kept on the exercise, else computed (the graph kind passes its own)."""
    from ..marking.check import answer_key

    return ex.key if ex.key is not None else answer_key(ex).expected


def structural_pairs(written: Exercise) -> frozenset[tuple]:
    """The pairs of mistakes the exercise as written cannot tell apart, computed once."""
    if written.structural is None:
        written.structural = mistake_warnings(written)
    return written.structural


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


def _saturation_failure(graph: Graph, values: list[Array]) -> str:
    for node in graph.nodes:
        bound = OPS[node.op].saturates
        if bound is None or not node.inputs:
            continue
        reached = float(np.max(np.abs(values[node.inputs[0]]), initial=0.0))
        if reached > bound:
            return f"'{node.label}' saturates (its input reaches {reached:.3g}, beyond {bound})"
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
    graph = _condition_graph(condition)
    inputs = {name: known[name] for name in graph.inputs}
    try:
        sides = evaluate(graph, inputs)
    except (GradtutorError, ValueError):
        return False
    left, right = sides[graph.names["left"]], sides[graph.names["right"]]
    with np.errstate(all="ignore"):
        return bool(np.all(_COMPARE[condition.op](left, right)))


_CONDITION_GRAPHS: dict[int, tuple[Condition, Graph]] = {}


def _condition_graph(condition: Condition) -> Graph:
    """The graph of `left` and `right`, built once per condition (every draw asks it)."""
    kept = _CONDITION_GRAPHS.get(id(condition))
    if kept is None or kept[0] is not condition:
        program = Program((Assignment("left", condition.left),
                           Assignment("right", condition.right)))
        kept = _CONDITION_GRAPHS[id(condition)] = (condition, build_graph(program))
    return kept[1]


def _key_failure(ex: Exercise, key: dict[str, Array]) -> str:
    for item in ex.ask:
        value = key[item.step.text]
        if np.size(value) == 1:  # a number: plain floats, many times faster
            number = float(np.asarray(value).ravel()[0])
            finite, large = math.isfinite(number), abs(number) > MAX_MAGNITUDE
        else:
            finite = bool(np.all(np.isfinite(value)))
            large = bool(np.max(np.abs(value), initial=0.0) > MAX_MAGNITUDE)
        if not finite:
            return f"step '{item.step.text}' is not finite"
        if large:
            return f"step '{item.step.text}' is larger than {MAX_MAGNITUDE:g}"
    return ""


def mistake_warnings(ex: Exercise) -> frozenset[tuple]:
    """The pairs of mistakes that share a value at the exercise's numbers, as (step, codes,
    passes); a mistake passing for the truth is the numbers' fault, never the graph's."""
    from ..marking.distinguish import indistinguishable

    return frozenset((f.step, f.codes, f.passes) for f in indistinguishable(ex)
                     if not f.passes)


MAX_SUSPECTS = 40  # the distinct reasons remembered; trying one costs little when it fails


def _mistake_failure(ex: Exercise, structural: frozenset[tuple],
                     suspects: dict[tuple, int] | None) -> str:
    from ..marking.distinguish import each_indistinguishable

    order = sorted(suspects, key=suspects.__getitem__, reverse=True) if suspects else ()
    found = (f for f in each_indistinguishable(ex, order)
             if (f.step, f.codes, f.passes) not in structural)
    first = next(found, None)
    if first is None:
        return ""
    if suspects is not None:
        reason = (first.step, first.codes, first.passes)
        suspects[reason] = suspects.get(reason, 0) + 1
        if len(suspects) > MAX_SUSPECTS:  # the rarest other reason makes room
            del suspects[min((r for r in suspects if r != reason), key=suspects.__getitem__)]
    return first.message
