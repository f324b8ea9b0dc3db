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

from .compare import Tolerance, close, round_decimals, round_significant
from .exercise import Exercise, Step
from .graph import Rules, backprop, local_gradients
from .ops import OPS, Vjp, axis_of, reduced_count
from .recompute import NO_OVERRIDES, Overrides, node_values, step_value

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

    def bases(self) -> list[Array]:
        """What a slip transforms: the true value, and the one from the student's answers."""
        found = [self.expected]
        if self.recomputed is not None and not np.allclose(self.recomputed, self.expected):
            found.append(self.recomputed)
        return found

    def with_rules(self, rules: Rules) -> Iterator[Array]:
        """The step under mistaken rules: from the true values, and from the student's."""
        yield step_value(self.exercise, self.step, NO_OVERRIDES, rules=rules)
        if self.student:
            yield step_value(self.exercise, self.step, self.student, rules=rules)


@dataclass(frozen=True)
class Misconception:
    code: str
    explanation: str  # one line, to the student
    fix: str  # the rule that fixes it
    candidates: Callable[[Situation], Iterator[Array]] = field(repr=False)


def diagnose(situation: Situation) -> Misconception | None:
    """The first misconception in CATALOGUE that reproduces the student's value."""
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


def _gradient_step(s: Situation) -> bool:
    return s.step.is_gradient


def _sigmoid_prime(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and _uses(s, "sigmoid"):
        yield from s.with_rules(Rules(vjps={"sigmoid": _sigmoid_from_input}))


def _wrong_branch(s: Situation) -> Iterator[Array]:
    gates = [op for op in ("relu", "max", "min", "max1", "min1") if _uses(s, op)]
    if _gradient_step(s) and gates:
        yield from s.with_rules(Rules(vjps={op: _swap_routing(op) for op in gates}))


def _transposed(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        if base.ndim == 2:
            yield base.T


def _not_reduced(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and (s.given.ndim > s.expected.ndim or s.given.size > s.expected.size):
        yield from s.with_rules(Rules(unbroadcast=_keep))


def _batch_mean(s: Situation) -> Iterator[Array]:
    if _gradient_step(s) and (_uses(s, "mean") or _uses(s, "sum")):
        yield from s.with_rules(Rules(vjps={"mean": _mean_as_sum, "sum": _sum_as_mean}))


def _local_only(s: Situation) -> Iterator[Array]:
    """The local derivative of the node that reads B, without the upstream gradient."""
    if not _gradient_step(s):
        return
    graph = s.exercise.graph
    target = graph.names[s.step.wrt]
    of = graph.names[s.step.of or ""]
    for context in (NO_OVERRIDES, s.student):
        values = node_values(s.exercise, context)
        upstream = backprop(graph, values, of)
        for reader in _named_readers(s.exercise, target):
            if reader == of or np.allclose(upstream.get(reader, 0.0), 1.0):
                continue  # times an upstream gradient of 1, the local derivative is no slip
            yield backprop(graph, values, reader, wrt=[target]).get(target)


def _fan_out(s: Situation) -> Iterator[Array]:
    """A reused value's gradient from one of its uses only."""
    if not _gradient_step(s):
        return
    graph = s.exercise.graph
    target = graph.names[s.step.wrt]
    of = graph.names[s.step.of or ""]
    values = node_values(s.exercise)
    grads = backprop(graph, values, of)
    uses = [(user, k) for user in range(target + 1, of + 1)
            for k, source in enumerate(graph.nodes[user].inputs) if source == target
            and user in grads]
    if len(uses) > 1:
        for user, k in uses:
            yield local_gradients(graph, values, user, grads[user])[k]
    for keep in (_first_only, _last_only):
        yield from s.with_rules(Rules(accumulate=keep))


def _sign_flipped(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        yield -base


def _factor_of_two(s: Situation) -> Iterator[Array]:
    for base in s.bases():
        yield 2 * base
        yield base / 2


def _rounded_early(s: Situation) -> Iterator[Array]:
    roundings = [lambda x, k=k: round_significant(x, k) for k in (2, 3)] + \
        [lambda x, k=k: round_decimals(x, k) for k in (1, 2)]
    for transform in roundings:
        yield step_value(s.exercise, s.step, NO_OVERRIDES, transform=transform)


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
