"""Named misconceptions: which typical mistake produced a wrong step.

Each entry of CATALOGUE recomputes the step the way a student making that mistake would
(with a mistaken backward rule, or a value transformed the way the slip transforms it) and
yields the values it could produce. A code is given only when
- one of its values matches the student's answer within the step's tolerance, while the
  mistake changes the value (from the true values and from the student's own answers);
- the answer is not degenerate (a zero, a NaN: see check.implausible for the rest);
- no other explanation fits as well: the mechanisms (a mistaken rule at the gates between
  the step and the next named value: its local derivative) come first; only when none fits
  are the shapes of a number tried (transposed, sign, factor of two, rounding). When two of
  the same rank fit, none is given and the message names both.
To add one: a new `Misconception` in CATALOGUE, and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..base.compare import (
    Tolerance,
    close,
    near,
    round_decimals,
    round_significant,
    too_few_figures,
)
from ..engine.graph import DEFAULT_RULES, Rules, Transform, local_gradients, node_value
from ..exercises.exercise import Exercise, Step
from ..ops.specs import OPS, Vjp, axis_of, reduced_count, sum_to_shape
from .recompute import Overrides, Recomputer, exact

Array = np.ndarray


@dataclass
class Situation:
    """A wrong step, with everything a mistake needs to be replayed."""

    exercise: Exercise
    step: Step
    given: Array
    texts: list[str | None] | None
    expected: Array
    student: Overrides  # the student's own answers to the other steps
    tolerance: Tolerance
    recomputed: Array | None = None  # the step from the student's own answers, correctly
    replays: dict[str, Recomputer] = field(default_factory=dict)  # per answers file

    def bases(self) -> list[Array]:
        """What a slip transforms: the true value, and the one from the student's answers."""
        found = [self.expected]
        if self.recomputed is not None and not near(self.recomputed, self.expected):
            found.append(self.recomputed)
        return found

    def contexts(self) -> list[Recomputer]:
        """The right rules, from the true values and from the student's own answers."""
        found = [truth(self.exercise, "exact")]
        if self.student:
            if "exact" not in self.replays:
                self.replays["exact"] = Recomputer(self.exercise, self.student)
            found.append(self.replays["exact"])
        return found

    def with_rules(self, name: str, rules: Rules) -> Iterator[Array]:
        """The step under a mistaken rule: from the true values, and from the student's."""
        yield truth(self.exercise, name, rules=rules).value(self.step)
        if self.student:
            if name not in self.replays:
                self.replays[name] = self.contexts()[1].under(rules)
            yield self.replays[name].value(self.step)


def truth(ex: Exercise, name: str, *, rules: Rules = DEFAULT_RULES,
          transform: Transform | None = None) -> Recomputer:
    """The exercise recomputed from its given values under a named rule. It is the same for
    every student, so it is kept on the exercise and a class is graded with each computed
    once."""
    found = ex.truths.get(name)
    if name == "exact":
        return exact(ex)
    if not isinstance(found, Recomputer):
        if transform is None:  # the exact forward values, other rules
            found = exact(ex).under(rules)
        else:
            found = Recomputer(ex, rules=rules, transform=transform)
        ex.truths[name] = found
    return found


Where = Callable[[Exercise, Step], bool]  # where a mistake can change a step: see can_change


def _anywhere(ex: Exercise, step: Step) -> bool:
    return True


def _gradients(ex: Exercise, step: Step) -> bool:
    return step.is_gradient


@dataclass(frozen=True)
class Misconception:
    code: str
    explanation: str  # one line, to the student
    fix: str  # the rule that fixes it ({figures}: the significant figures the step needs)
    candidates: Callable[[Situation], Iterator[Array]] = field(repr=False)
    mechanism: bool = True  # a mistaken rule replayed; False: the shape of a number
    review: str = ""  # what to go over again, in a few words (practice's "review: ...")
    # the steps its candidates can be at all, from the graph's structure (see can_change)
    where: Where = field(default=_anywhere, repr=False)


def can_change(misconception: Misconception, ex: Exercise, step: Step) -> bool:
    """Whether the mistake can give the step any value at all, from the graph's structure
    alone (False: its candidates yield nothing there, at any numbers). Worked out once per
    graph and step: a class's variants share the graph."""
    known = ex.graph.derived.setdefault("can_change", {})
    key = (misconception.code, step.text)
    if key not in known:
        try:
            known[key] = misconception.where(ex, step)
        except (ValueError, IndexError, KeyError, TypeError):
            known[key] = True  # the replay itself finds out
    return bool(known[key])


def explanations(situation: Situation) -> list[Misconception]:
    """The misconceptions that reproduce the student's value, best rank only: one is a
    diagnosis; two or more is an ambiguity; none, none. A degenerate value gets none."""
    given = situation.given
    if not np.all(np.isfinite(given)):
        return []
    zero = not np.any(given) and np.any(situation.expected)
    for mechanism in (True,) if zero else (True, False):  # a 0 is only a blocked gradient
        found = {m.code: gap for m in CATALOGUE if m.mechanism == mechanism
                 and (gap := fits(m, situation)) is not None}
        if found:
            best = min(found.values())
            # one fits far better than the rest (248 for 2 x 124 exactly, not 248.5): that one
            return [m for m in CATALOGUE if m.code in found and found[m.code] <= 10 * best
                    or m.code in found and best == found[m.code]]
    return []


def diagnose(situation: Situation) -> Misconception | None:
    """The one misconception that explains the student's value, or None (none or several)."""
    found = explanations(situation)
    return found[0] if len(found) == 1 else None


def fits(misconception: Misconception, situation: Situation) -> float | None:
    """How far the nearest of the mistake's values that reproduces the student's is from
    it (relative to the tolerance); None when none does."""
    if not can_change(misconception, situation.exercise, situation.step):
        return None
    gaps: list[float] = []
    with np.errstate(all="ignore"):  # a slip replayed on a huge value may overflow: fine
        try:
            for candidate in misconception.candidates(situation):
                gap = _reproduces(situation, candidate)
                if gap is not None:
                    gaps.append(gap)
        except (ValueError, IndexError, KeyError, FloatingPointError, TypeError):
            pass  # the mistake cannot be replayed on this graph: it does not apply
    return min(gaps, default=None)


def _reproduces(s: Situation, candidate: Array) -> float | None:
    candidate = np.asarray(candidate, dtype=float)
    if candidate.shape != s.given.shape or not np.all(np.isfinite(candidate)):
        return None
    for right in (s.expected, s.recomputed):
        if right is not None and candidate.shape == np.shape(right) and \
                close(candidate, right, s.tolerance):
            return None  # the mistake changes nothing here
    if not close(s.given, candidate, s.tolerance, s.texts):
        return None
    bound = s.tolerance.bound(candidate)
    return float(np.max(np.abs(s.given - candidate) / bound))


# -- the mistaken rules ------------------------------------------------------------------


ACTIVATIONS = tuple(name for name, op in OPS.items() if op.activation)
OUTPUT_FORMS = {"sigmoid": lambda v: v * (1.0 - v), "tanh": lambda v: 1.0 - v * v}


def _at_wrong_argument(op: str, form: bool) -> Vjp:
    """The activation's derivative taken at the wrong argument: its formula in terms of the
    output applied to the input (z(1 - z), 1 - z^2), or its derivative at the output."""
    right = OPS[op].vjp

    def vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
        if form:
            return [g * OUTPUT_FORMS[op](ins[0])]
        again = OPS[op].forward([out], attrs)
        return right(g, [out], again, attrs, needs)

    return vjp


def _not_differentiated(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
    """sigma(z) used for sigma'(z): the activation's value in place of its derivative."""
    return [g * out]


def _always_one(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
    return [g]


def _own_value(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
    """A multiply gate sending each input its own value instead of the other's."""
    return [g * ins[0], g * ins[1]]


def _added(op: str) -> Vjp:
    """The local derivative added to the upstream gradient instead of multiplied."""
    right = OPS[op].vjp

    def vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
        if any(np.shape(x) != np.shape(out) for x in ins):
            raise ValueError("not elementwise here")
        local = right(np.ones_like(g), ins, out, attrs, needs)
        return [None if d is None else d + g for d in local]

    return vjp


def _half_forgotten(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
    """The 1/2 of a half square forgotten: a factor 0.5 taken as 1."""
    ones = [np.ones_like(x) if np.ndim(x) == 0 and float(x) == 0.5 else x for x in ins]
    return OPS["mul"].vjp(g, ones, out, attrs, needs)


def _swap_routing(op: str) -> Vjp:
    """The gate's gradient sent to the input that should not get it."""
    right = OPS[op].vjp

    def vjp(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
        if op == "relu":
            return [g * (ins[0] <= 0)]
        if op in ("max1", "min1"):
            routed = right(g, ins, out, attrs, needs)[0]
            return [np.where(routed != 0, 0.0, g / max(routed.size - 1, 1))]
        first, second = right(g, ins, out, attrs, needs)
        return [second, first]

    return vjp


def _mean_as_sum(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
    """The mean's gradient without the 1/n (as if it were a sum)."""
    (grad,) = OPS["mean"].vjp(g, ins, out, attrs, needs)
    return [grad * reduced_count(ins[0].shape, axis_of(ins[0], attrs))]


def _sum_as_mean(g: Array, ins: Sequence[Array], out: Array, attrs: dict[str, Any],
        needs: Sequence[bool]) -> list:
    """The sum's gradient divided by n (as if it were a mean), for a sum over a batch of
    rows; the sum of one vector's entries (a norm) is not a batch."""
    (grad,) = OPS["sum"].vjp(g, ins, out, attrs, needs)
    if ins[0].ndim < 2:
        return [grad]
    return [grad / reduced_count(ins[0].shape, axis_of(ins[0], attrs))]


def _averaged(g: Array, shape: tuple[int, ...]) -> Array:
    """A shared parameter's gradient averaged over the batch instead of summed."""
    summed = sum_to_shape(g, shape)
    return summed * (summed.size / max(np.size(g), 1))


def _keep(g: Array, shape: tuple[int, ...]) -> Array:
    return g  # no sum over the broadcast (batch) axes


def _first_only(a: Array, b: Array) -> Array:
    return a


def _last_only(a: Array, b: Array) -> Array:
    return b


# -- candidates ----------------------------------------------------------------------------


GATES = ("relu", "max", "min", "max1", "min1")
WRONG_ARGUMENT = {
    "output form at the input": Rules(vjps={op: _at_wrong_argument(op, True)
                                            for op in OUTPUT_FORMS}),
    "derivative at the output": Rules(vjps={op: _at_wrong_argument(op, False)
                                            for op in ACTIVATIONS if op not in GATES}),
}
NOT_DIFFERENTIATED = Rules(vjps={op: _not_differentiated for op in ACTIVATIONS})
RELU_ONE = Rules(vjps={"relu": _always_one, "leaky_relu": _always_one})
OWN_VALUE = Rules(vjps={"mul": _own_value})
ROUTERS = (*GATES, "leaky_relu")  # their mistakes have names of their own
ADDED = Rules(vjps={op: _added(op) for op in OPS if OPS[op].elementwise and op not in ROUTERS})
HALF_FORGOTTEN = Rules(vjps={"mul": _half_forgotten})
WRONG_BRANCH = Rules(vjps={op: _swap_routing(op) for op in GATES})
MEAN_AS_SUM = Rules(vjps={"mean": _mean_as_sum})
SUM_AS_MEAN = Rules(vjps={"sum": _sum_as_mean}, unbroadcast=_averaged)
NOT_REDUCED = Rules(unbroadcast=_keep)
FIRST_USE_ONLY = Rules(accumulate=_first_only)
LAST_USE_ONLY = Rules(accumulate=_last_only)
ROUNDINGS: dict[str, Transform] = {
    "2 figures": lambda x: round_significant(x, 2),
    "3 figures": lambda x: round_significant(x, 3),
    "1 decimal": lambda x: round_decimals(x, 1),
    "2 decimals": lambda x: round_decimals(x, 2),
}


def _gradient_step(s: Situation) -> bool:
    return s.step.is_gradient


def _through(*ops: str) -> Where:
    """A gradient step whose local derivative (the gates between it and the next named
    value) passes through one of `ops`."""
    def where(ex: Exercise, step: Step) -> bool:
        if not step.is_gradient:
            return False
        graph = ex.graph
        return any(graph.nodes[i].op in ops for i in _local_nodes(ex, graph.names[step.wrt]))

    return where


def _local(s: Situation, *ops: str) -> bool:
    """`_through(*ops)` at the situation's step, worked out once per graph and step."""
    known = s.exercise.graph.derived.setdefault("through", {})
    key = (ops, s.step.text)
    if key not in known:
        known[key] = _through(*ops)(s.exercise, s.step)
    return bool(known[key])


def _replay(s: Situation, name: str, rules: Rules, *ops: str) -> Iterator[Array]:
    if _local(s, *ops):
        yield from s.with_rules(name, rules)


def _wrong_argument(s: Situation) -> Iterator[Array]:
    for name, rules in WRONG_ARGUMENT.items():
        yield from _replay(s, name, rules, *rules.vjps)


def _activation_value(s: Situation) -> Iterator[Array]:
    yield from _replay(s, "activation-not-differentiated", NOT_DIFFERENTIATED, *ACTIVATIONS)


def _relu_one(s: Situation) -> Iterator[Array]:
    yield from _replay(s, "relu-always-one", RELU_ONE, "relu", "leaky_relu")


def _own_value_at_multiply(s: Situation) -> Iterator[Array]:
    yield from _replay(s, "own-value-at-multiply", OWN_VALUE, "mul")


def _added_not_multiplied(s: Situation) -> Iterator[Array]:
    yield from _replay(s, "added-not-multiplied", ADDED, *ADDED.vjps)


def _missing_half(s: Situation) -> Iterator[Array]:
    if _through_a_half(s.exercise, s.step):
        yield from s.with_rules("missing-half", HALF_FORGOTTEN)


def _through_a_half(ex: Exercise, step: Step) -> bool:
    """A gradient step whose local derivative multiplies by a constant 1/2."""
    graph = ex.graph
    return any(step.is_gradient and graph.nodes[i].op == "mul" and any(
        graph.nodes[k].op == "const" and float(graph.nodes[k].attrs.get("value", 0)) == 0.5
        for k in graph.nodes[i].inputs) for i in _local_nodes(ex, graph.names[step.wrt]))


def _wrong_branch(s: Situation) -> Iterator[Array]:
    yield from _replay(s, "wrong-branch", WRONG_BRANCH, *GATES)


def _transposed(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        if base.ndim == 2:
            yield base.T


def _not_reduced(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and (s.given.ndim > s.expected.ndim or s.given.size > s.expected.size):
        yield from s.with_rules("not-reduced-over-batch", NOT_REDUCED)


def _mean_not_divided(s: Situation) -> Iterator[Array]:
    yield from _replay(s, "mean-not-divided", MEAN_AS_SUM, "mean")


def _batch_mean(s: Situation) -> Iterator[Array]:
    if _gradient_step(s):
        yield from s.with_rules("batch-sum-vs-mean", SUM_AS_MEAN)


def _upstream_of_readers(s: Situation, context: Recomputer) -> Iterator[tuple[str, Array]]:
    """Each named reader of the step's node and the upstream gradient arriving there, where
    that upstream is not just the seed 1."""
    ex, of = s.exercise, s.step.of or ""
    for reader in _named_readers(ex, ex.graph.names[s.step.wrt]):
        name = ex.graph.nodes[reader].label
        upstream = context.value(Step(f"d{of}/d{name}", name, of))
        if name != of and not near(upstream, 1.0):
            yield name, upstream


def _local_only(s: Situation) -> Iterator[Array]:
    """The local derivative of the node that reads B, without the upstream gradient."""
    if not _gradient_step(s):
        return
    for context in s.contexts():
        for name, _ in _upstream_of_readers(s, context):
            yield context.value(Step(f"d{name}/d{s.step.wrt}", s.step.wrt, name))


def _local_missing(s: Situation) -> Iterator[Array]:
    """The upstream gradient copied unchanged: the local derivative left out (through a
    relu or max gate that is relu-always-one or wrong-branch, the more specific names)."""
    if not _gradient_step(s):
        return
    graph = s.exercise.graph
    for context in s.contexts():
        for name, upstream in _upstream_of_readers(s, context):
            router = graph.nodes[graph.names[name]].op in ROUTERS
            if upstream.shape == s.expected.shape and not router:  # else not-reduced-over-batch
                yield upstream


def _forward_value(s: Situation) -> Iterator[Array]:
    """The step's node's forward value written as its gradient."""
    if not _gradient_step(s):
        return
    for context in s.contexts():
        yield context.values[s.exercise.graph.names[s.step.wrt]]


def _fan_out(s: Situation) -> Iterator[Array]:
    """A reused value's gradient from one of its uses only."""
    if not _fans_out(s.exercise, s.step):
        return  # no value on the way is used twice: there is no fan-out to sum
    ex = s.exercise
    graph = ex.graph
    target, of = graph.names[s.step.wrt], graph.names[s.step.of or ""]
    exact = truth(ex, "exact")
    values = exact.values
    uses = [(user, k) for user in range(target + 1, of + 1)
            for k, source in enumerate(graph.nodes[user].inputs) if source == target]
    if len(uses) > 1:
        upstream = exact.gradients(of)
        for user, k in uses:
            sent = local_gradients(graph, values, user, upstream[user])[k] \
                if user in upstream else None
            if sent is not None:
                yield sent
    yield from s.with_rules("first use only", FIRST_USE_ONLY)
    yield from s.with_rules("last use only", LAST_USE_ONLY)


def _fans_out(ex: Exercise, step: Step) -> bool:
    """A gradient step where a value on the way to the next named value is used twice."""
    if not step.is_gradient:
        return False
    graph = ex.graph
    target = graph.names[step.wrt]
    users = graph.consumers()
    return any(len(users[i]) > 1 for i in [target, *_local_nodes(ex, target)]
               if graph.nodes[i].name is None or i == target)


def _applied(s: Situation) -> Iterator[tuple[Array, Array, Array]]:
    """An update step's value, rate and each gradient it may apply (the true one, and the
    student's own answer to it)."""
    if not s.step.is_update:
        return
    ex, gradient = s.exercise, s.step.gradient
    value, rate = ex.given[s.step.wrt], ex.given[s.step.rate or ""]
    yield value, rate, truth(ex, "exact").value(gradient)
    own = s.student.backward.get(ex.graph.names[gradient.of or ""], {})
    if ex.graph.names[s.step.wrt] in own:
        yield value, rate, own[ex.graph.names[s.step.wrt]]


def _update_ascent(s: Situation) -> Iterator[Array]:
    for value, rate, gradient in _applied(s):
        yield value + rate * gradient


def _rate_forgotten(s: Situation) -> Iterator[Array]:
    for value, _, gradient in _applied(s):
        yield value - gradient


def _updates(ex: Exercise, step: Step) -> bool:
    return step.is_update


def _sign_flipped(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        yield -base


def _factor_of_two(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        yield 2 * base
        yield base / 2


def _too_few_figures(s: Situation) -> Iterator[Array]:
    """The true value rounded to the decimals the student wrote (fewer figures than asked)."""
    if s.given.size == 1 and s.texts and too_few_figures(
            float(s.given.ravel()[0]), float(s.expected.ravel()[0]), s.texts[0], s.tolerance):
        yield s.given


def _rounded_early(s: Situation) -> Iterator[Array]:
    """Every value rounded as it was computed; for a value step, also the step computed
    exactly from its rounded inputs. A value that is itself the truth rounded too far is
    too-few-figures, and rounding only the final value is no early rounding."""
    if s.given.size == 1 and s.texts and too_few_figures(
            float(s.given.ravel()[0]), float(s.expected.ravel()[0]), s.texts[0], s.tolerance):
        return
    graph = s.exercise.graph
    target = graph.names[s.step.wrt]
    for name, rounding in ROUNDINGS.items():
        rounded = truth(s.exercise, f"rounded to {name}", transform=rounding)
        candidate = rounded.value(s.step)
        if not near(candidate, rounding(s.expected)):
            yield candidate
        if not s.step.is_gradient and graph.nodes[target].inputs:
            yield node_value(graph, target, [rounded.values[i]
                                             for i in graph.nodes[target].inputs])
        elif not s.step.is_gradient:  # a given value: nothing computed to round first
            yield truth(s.exercise, "exact").value(s.step)


def _shape_mismatch(s: Situation) -> Iterator[Array]:
    if s.given.shape != s.expected.shape and s.given.size == s.expected.size:
        for base in s.bases():
            yield base.reshape(s.given.shape)


def _named_readers(ex: Exercise, target: int) -> list[int]:
    """The named nodes that read `target` directly (through unnamed parts of one formula)."""
    graph = ex.graph
    return sorted(i for i in _local_nodes(ex, target) if graph.nodes[i].name is not None)


def _local_nodes(ex: Exercise, target: int) -> list[int]:
    """The nodes between `target` and the named nodes that read it, those included."""
    graph = ex.graph
    found, frontier, seen = [], [target], {target}
    users = graph.consumers()
    while frontier:
        current = frontier.pop()
        for user in users[current]:
            if user in seen:
                continue
            seen.add(user)
            found.append(user)
            if graph.nodes[user].name is None:
                frontier.append(user)
    return sorted(found)


CATALOGUE: list[Misconception] = [
    Misconception(
        "activation-derivative-wrong-argument",
        "the activation's derivative was taken at the wrong argument (z(1 - z) or 1 - z^2 "
        "from the input z, or the derivative evaluated at the output a)",
        "sigma'(z) = a(1 - a) and tanh'(z) = 1 - a^2, with a the activation's output",
        _wrong_argument, where=_through(*{op for rules in WRONG_ARGUMENT.values()
                                          for op in rules.vjps}),
        review="activation derivatives in terms of the output: sigma' = a(1 - a), tanh' = 1 - "
        "a^2"),
    Misconception(
        "activation-not-differentiated",
        "the activation's value was used where its derivative belongs (sigma(z) for "
        "sigma'(z))",
        "multiply by the derivative: sigma'(z) = a(1 - a), tanh'(z) = 1 - a^2",
        _activation_value, where=_through(*ACTIVATIONS),
        review="the chain rule through an activation: multiply by its derivative, not its value"),
    Misconception(
        "relu-always-one",
        "relu's derivative was taken as 1 everywhere",
        "relu'(z) = 1 where z > 0 and 0 where z <= 0: the gradient is blocked where the "
        "input is negative",
        _relu_one, where=_through("relu", "leaky_relu"),
        review="the relu gate: it passes the gradient where its input is positive and blocks it "
        "elsewhere"),
    Misconception(
        "wrong-branch",
        "a max or relu gate sent the gradient down the wrong branch",
        "max routes the whole upstream gradient to the larger input (the first at a tie); "
        "relu passes it where its input is positive and blocks it elsewhere",
        _wrong_branch, where=_through(*GATES),
        review="routing gates: max sends the whole gradient to the larger input, relu only where"
        " positive"),
    Misconception(
        "own-value-at-multiply",
        "a multiply gate gave an input its own value instead of the other input's",
        "for f = x y: df/dx = y and df/dy = x (the multiply gate swaps its inputs)",
        _own_value_at_multiply, where=_through("mul"),
        review="the multiply gate: each input gets the other input's value times the upstream "
        "gradient"),
    Misconception(
        "added-not-multiplied",
        "the local derivative was added to the upstream gradient instead of multiplied",
        "downstream gradient = local derivative x upstream gradient",
        _added_not_multiplied, where=_through(*ADDED.vjps),
        review="the chain rule: downstream = local derivative x upstream gradient"),
    Misconception(
        "missing-half",
        "the 1/2 in front of the square was forgotten",
        "d/da of (1/2)(a - y)^2 is a - y: the 1/2 cancels the 2 of the square",
        _missing_half, where=_through_a_half,
        review="the half squared error: its 1/2 cancels the square's 2"),
    Misconception(
        "mean-not-divided",
        "the 1/m of a mean was forgotten (the mean treated as a sum)",
        "d mean(v)/dv_i = 1/m: divide by the number of entries averaged",
        _mean_not_divided, where=_through("mean"),
        review="the gradient of a mean: 1/m for each entry averaged"),
    Misconception(
        "batch-sum-vs-mean",
        "a sum over the batch was divided by the number of samples (treated as a mean)",
        "d sum(v)/dv_i = 1, and a parameter shared by the batch gets the sum of the "
        "samples' gradients, not their average",
        _batch_mean, where=_gradients,
        review="sums over a batch: a shared parameter gets the sum of the samples' gradients"),
    Misconception(
        "not-reduced-over-batch",
        "a parameter shared by every sample got one gradient per sample",
        "sum the upstream gradient over the batch: db = sum over rows of G",
        _not_reduced, where=_gradients,
        review="shared parameters: sum the upstream gradient over the batch"),
    Misconception(
        "local-gradient-only",
        "this is the local derivative alone: it was not multiplied by the upstream gradient",
        "downstream gradient = local derivative x upstream gradient",
        _local_only, where=_gradients,
        review="the chain rule: multiply the local derivative by the upstream gradient"),
    Misconception(
        "local-gradient-missing",
        "the upstream gradient was copied unchanged: the local derivative is missing",
        "downstream gradient = local derivative x upstream gradient",
        _local_missing, where=_gradients,
        review="local derivatives: each gate multiplies the upstream gradient by its own"),
    Misconception(
        "fan-out-not-summed",
        "a value used more than once got the gradient from only one of its uses",
        "when a value feeds several nodes, add up the gradients from every use",
        _fan_out, where=_fans_out,
        review="fan-out: a value used twice adds up the gradients of both uses"),
    Misconception(
        "forward-value-as-gradient",
        "this is the node's forward value, not its gradient",
        "a gradient dL/dx says how L changes with x: backpropagate it from the output",
        _forward_value, where=_gradients,
        review="the backward pass: a gradient comes from the output, not from the forward value"),
    Misconception(
        "update-sign-flipped",
        "the gradient was added: this step climbs the loss instead of descending it",
        "gradient descent subtracts: W - lr * dL/dW",
        _update_ascent, where=_updates,
        review="the SGD step: subtract the learning rate times the gradient"),
    Misconception(
        "learning-rate-forgotten",
        "the whole gradient was subtracted, not the learning rate times it",
        "scale the gradient by the learning rate: W - lr * dL/dW",
        _rate_forgotten, where=_updates,
        review="the SGD step: subtract the learning rate times the gradient"),
    Misconception(
        "transposed",
        "the right numbers, transposed",
        "a gradient has the shape of what it is taken with respect to: dW = X^T G, "
        "dX = G W^T (for y = W x: dW = g x^T)",
        _transposed, mechanism=False,
        review="gradient shapes: dW = X^T G, dX = G W^T, the shape of what it is taken with "
        "respect to"),
    Misconception(
        "shape-mismatch",
        "the right numbers in the wrong shape",
        "a gradient has the shape of what it is taken with respect to",
        _shape_mismatch, mechanism=False,
        review="gradient shapes: the shape of what it is taken with respect to"),
    Misconception(
        "sign-flipped",
        "the right size with the wrong sign",
        "keep track of minus signs: d(-u) = -du, d(a - b)/db = -1",
        _sign_flipped, mechanism=False,
        review="signs through negations and subtractions"),
    Misconception(
        "factor-of-two",
        "off by a factor of two",
        "d(u^2)/du = 2u, and a 1/2 in front of a square cancels that 2",
        _factor_of_two, mechanism=False,
        review="derivatives of squares: d(u^2)/du = 2u"),
    Misconception(
        "too-few-figures",
        "the right value, rounded to too few significant figures",
        "give at least {figures} significant figures",
        _too_few_figures, mechanism=False,
        review="precision: give enough significant figures"),
    Misconception(
        "rounded-early",
        "right only if an intermediate value is rounded too soon",
        "keep at least four significant figures until the end",
        _rounded_early, mechanism=False,
        review="precision: round only the final value"),
]

CODES = [m.code for m in CATALOGUE]


def by_code(code: str) -> Misconception:
    return next(m for m in CATALOGUE if m.code == code)
