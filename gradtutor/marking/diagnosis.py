"""Named misconceptions: which typical mistake produced a wrong step.

Each entry of CATALOGUE recomputes the step the way a student making that mistake would
(with a mistaken backward rule, or a value transformed the way the slip transforms it) and
yields the values it could produce. A diagnosis is claimed only when one of those values
matches the student's answer within the exercise's tolerance. Entries are tried in order,
so a more specific explanation wins over a more general one (`transposed` over
`shape-mismatch`). To add one: a new `Misconception` in CATALOGUE, and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..base.compare import Tolerance, close, round_decimals, round_significant
from ..engine.graph import DEFAULT_RULES, Rules, Transform, local_gradients
from ..exercises.exercise import Exercise, Step
from ..ops.specs import OPS, Vjp, axis_of, reduced_count
from .recompute import Overrides, Recomputer

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
        if self.recomputed is not None and not np.allclose(self.recomputed, self.expected):
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
                self.replays[name] = Recomputer(self.exercise, self.student, rules=rules)
            yield self.replays[name].value(self.step)


def truth(ex: Exercise, name: str, *, rules: Rules = DEFAULT_RULES,
          transform: Transform | None = None) -> Recomputer:
    """The exercise recomputed from its given values under a named rule. It is the same for
    every student, so it is kept on the exercise and a class is graded with each computed
    once."""
    found = ex.truths.get(name)
    if not isinstance(found, Recomputer):
        found = ex.truths[name] = Recomputer(ex, rules=rules, transform=transform)
    return found


@dataclass(frozen=True)
class Misconception:
    code: str
    explanation: str  # one line, to the student
    fix: str  # the rule that fixes it
    candidates: Callable[[Situation], Iterator[Array]] = field(repr=False)


def diagnose(situation: Situation) -> Misconception | None:
    """The first misconception in CATALOGUE that reproduces the student's value."""
    with np.errstate(all="ignore"):  # a slip replayed on a huge value may overflow: fine
        for misconception in CATALOGUE:
            try:
                for candidate in misconception.candidates(situation):
                    if _reproduces(situation, candidate):
                        return misconception
            except (ValueError, IndexError, KeyError, FloatingPointError):
                continue  # the mistake cannot be replayed on this graph: it does not apply
    return None


def _reproduces(s: Situation, candidate: Array) -> bool:
    candidate = np.asarray(candidate, dtype=float)
    if candidate.shape != s.given.shape or not np.all(np.isfinite(candidate)):
        return False
    if candidate.shape == s.expected.shape and close(candidate, s.expected, s.tolerance):
        return False  # the mistake changes nothing here
    return close(s.given, candidate, s.tolerance, s.texts)


# -- the mistaken rules ------------------------------------------------------------------


def _sigmoid_from_input(g: Array, ins: list, out: Array, attrs: dict, needs: list) -> list:
    """sigma'(z) taken as z(1 - z): the input where the output belongs."""
    return [g * ins[0] * (1.0 - ins[0])]


def _swap_routing(op: str) -> Vjp:
    """The gate's gradient sent to the input that should not get it."""
    right = OPS[op].vjp

    def vjp(g: Array, ins: list, out: Array, attrs: dict, needs: list) -> list:
        if op == "relu":
            return [g * (ins[0] <= 0)]
        if op in ("max1", "min1"):
            routed = right(g, ins, out, attrs, needs)[0]
            return [np.where(routed != 0, 0.0, g / max(routed.size - 1, 1))]
        first, second = right(g, ins, out, attrs, needs)
        return [second, first]

    return vjp


def _mean_as_sum(g: Array, ins: list, out: Array, attrs: dict, needs: list) -> list:
    """The mean's gradient without the 1/n (as if it were a sum)."""
    (grad,) = OPS["mean"].vjp(g, ins, out, attrs, needs)
    return [grad * reduced_count(ins[0].shape, axis_of(ins[0], attrs))]


def _sum_as_mean(g: Array, ins: list, out: Array, attrs: dict, needs: list) -> list:
    """The sum's gradient divided by n (as if it were a mean), for a sum over a batch of
    rows; the sum of one vector's entries (a norm) is not a batch."""
    (grad,) = OPS["sum"].vjp(g, ins, out, attrs, needs)
    if ins[0].ndim < 2:
        return [grad]
    return [grad / reduced_count(ins[0].shape, axis_of(ins[0], attrs))]


def _keep(g: Array, shape: tuple[int, ...]) -> Array:
    return g  # no sum over the broadcast (batch) axes


def _first_only(a: Array, b: Array) -> Array:
    return a


def _last_only(a: Array, b: Array) -> Array:
    return b


# -- candidates ----------------------------------------------------------------------------


GATES = ("relu", "max", "min", "max1", "min1")
SIGMOID_FROM_Z = Rules(vjps={"sigmoid": _sigmoid_from_input})
WRONG_BRANCH = Rules(vjps={op: _swap_routing(op) for op in GATES})
MEAN_AND_SUM_SWAPPED = Rules(vjps={"mean": _mean_as_sum, "sum": _sum_as_mean})
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


def _sigmoid_prime(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and _uses(s, "sigmoid"):
        yield from s.with_rules("sigmoid-prime-from-z", SIGMOID_FROM_Z)


def _wrong_branch(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and any(_uses(s, op) for op in GATES):
        yield from s.with_rules("wrong-branch", WRONG_BRANCH)


def _transposed(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        if base.ndim == 2:
            yield base.T


def _not_reduced(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and (s.given.ndim > s.expected.ndim or s.given.size > s.expected.size):
        yield from s.with_rules("not-reduced-over-batch", NOT_REDUCED)


def _batch_mean(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and (_uses(s, "mean") or _uses(s, "sum")):
        yield from s.with_rules("batch-sum-vs-mean", MEAN_AND_SUM_SWAPPED)


def _local_only(s: Situation) -> Iterator[Array]:
    """The local derivative of the node that reads B, without the upstream gradient."""
    if not _gradient_step(s):
        return
    ex, of = s.exercise, s.step.of or ""
    for context in s.contexts():
        for reader in _named_readers(ex, ex.graph.names[s.step.wrt]):
            name = ex.graph.nodes[reader].label
            upstream = context.value(Step(f"d{of}/d{name}", name, of))
            if name == of or np.allclose(upstream, 1.0):
                continue  # times an upstream gradient of 1, the local derivative is no slip
            yield context.value(Step(f"d{name}/d{s.step.wrt}", s.step.wrt, name))


def _fan_out(s: Situation) -> Iterator[Array]:
    """A reused value's gradient from one of its uses only."""
    if not _gradient_step(s):
        return
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
            if user in upstream:
                yield local_gradients(graph, values, user, upstream[user])[k]
    yield from s.with_rules("first use only", FIRST_USE_ONLY)
    yield from s.with_rules("last use only", LAST_USE_ONLY)


def _sign_flipped(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        yield -base


def _factor_of_two(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        yield 2 * base
        yield base / 2


def _rounded_early(s: Situation) -> Iterator[Array]:
    for name, rounding in ROUNDINGS.items():
        yield truth(s.exercise, f"rounded to {name}", transform=rounding).value(s.step)


def _shape_mismatch(s: Situation) -> Iterator[Array]:
    if s.given.shape != s.expected.shape and s.given.size == s.expected.size:
        yield s.expected.reshape(s.given.shape)


def _uses(s: Situation, op: str) -> bool:
    return any(node.op == op for node in s.exercise.graph.nodes)


def _named_readers(ex: Exercise, target: int) -> list[int]:
    """The named nodes that read `target` directly (through unnamed parts of one formula)."""
    graph = ex.graph
    readers, frontier, seen = [], [target], {target}
    users = graph.consumers()
    while frontier:
        current = frontier.pop()
        for user in users[current]:
            if user in seen:
                continue
            seen.add(user)
            if graph.nodes[user].name is not None:
                readers.append(user)
            else:
                frontier.append(user)
    return sorted(readers)


CATALOGUE: list[Misconception] = [
    Misconception(
        "sigmoid-prime-from-z",
        "the sigmoid's local derivative was taken as z(1 - z), from its input z",
        "sigma'(z) = a(1 - a), where a = sigma(z) is the sigmoid's output",
        _sigmoid_prime),
    Misconception(
        "wrong-branch",
        "a max or relu gate sent the gradient down the wrong branch",
        "max routes the whole upstream gradient to the larger input (the first at a tie); "
        "relu passes it where its input is positive and blocks it elsewhere",
        _wrong_branch),
    Misconception(
        "transposed",
        "the right numbers, transposed",
        "a gradient has the shape of what it is taken with respect to: dW = X^T G, "
        "dX = G W^T (for y = W x: dW = g x^T)",
        _transposed),
    Misconception(
        "not-reduced-over-batch",
        "a parameter shared by every sample got one gradient per sample",
        "sum the upstream gradient over the batch: db = sum over rows of G",
        _not_reduced),
    Misconception(
        "batch-sum-vs-mean",
        "a mean was treated as a sum (or a sum as a mean): off by the number of samples",
        "d mean(v)/dv_i = 1/n; d sum(v)/dv_i = 1",
        _batch_mean),
    Misconception(
        "local-gradient-only",
        "this is the local derivative alone: it was not multiplied by the upstream gradient",
        "downstream gradient = local derivative x upstream gradient",
        _local_only),
    Misconception(
        "fan-out-not-summed",
        "a value used more than once got the gradient from only one of its uses",
        "when a value feeds several nodes, add up the gradients from every use",
        _fan_out),
    Misconception(
        "sign-flipped",
        "the right size with the wrong sign",
        "keep track of minus signs: d(-u) = -du, d(a - b)/db = -1",
        _sign_flipped),
    Misconception(
        "factor-of-two",
        "off by a factor of two",
        "d(u^2)/du = 2u, and a 1/2 in front of a square cancels that 2",
        _factor_of_two),
    Misconception(
        "rounded-early",
        "right only if an intermediate value is rounded too soon",
        "keep at least four significant figures until the end",
        _rounded_early),
    Misconception(
        "shape-mismatch",
        "the right numbers in the wrong shape",
        "a gradient has the shape of what it is taken with respect to",
        _shape_mismatch),
]

CODES = [m.code for m in CATALOGUE]


def by_code(code: str) -> Misconception:
    return next(m for m in CATALOGUE if m.code == code)
