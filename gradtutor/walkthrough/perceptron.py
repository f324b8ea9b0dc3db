"""`gradtutor explain` of a perceptron exercise: one data structure that every format draws.

In the spirit of the notes ("Perception -> Single layer NN"), with every number filled in:

1) the unit: z = w1*x1 + ... + wn*xn + b and g(z), with the convention at z = 0;
2) the weights the learning rule finds (its trace summed up: how many updates, and the
   ones that changed something; an asked trace update by update), or, for a table that is
   not linearly separable, the certificate that no weights exist;
3) the truth table row by row: z written out, g(z), the target, ok or not;
4) for a table no single unit computes (XOR), the two-layer construction: each hidden
   unit's table and the function it computes, then the output unit over the hidden values.

Everything comes from `solve_perceptron`, so the numbers are those of `solve --format json`;
the renderers (render/layout.py and the format renderers) only lay the text out.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from ..base.errors import GradtutorError
from ..exercises.perceptron.exact import num
from ..exercises.perceptron.functions import computed_by, name_function, target_name
from ..exercises.perceptron.learning import trace_keys
from ..exercises.perceptron.loading import AskPart, PerceptronExercise
from ..exercises.perceptron.networks import Network
from ..exercises.perceptron.solving import PerceptronSolution, solve_perceptron
from ..exercises.perceptron.units import (
    Row,
    Weights,
    g_text,
    net_input,
    rows_text,
    step,
    unit_text,
    weight_keys,
    weights_text,
    z_text,
)
from .perceptron_display import change_text, headline, network_lines, reason_lines, rule_text

SECTION_UNIT = "1) The unit"
SECTION_WEIGHTS = "2) The weights, by the perceptron learning rule"
SECTION_NO_WEIGHTS = "2) No weights: not linearly separable"
SECTION_ROWS = "3) The truth table row by row"
SECTION_NETWORK = "4) The two-layer construction"
SECTION_TRACE = "The learning rule, update by update"  # `--step N` of an asked trace
MAX_CHANGES = 30  # updates that changed something, shown in full (the first and last ones)


# -- the data structure ------------------------------------------------------------------


@dataclass
class Update:
    """One update of the learning rule: the row presented, z from the weights before it."""

    index: int
    epoch: int
    row: list[str]  # the inputs presented
    z: str  # written out: '0*0 + 0*1 + 0 = 0'
    output: int
    target: int
    change: str  # '+1', '-1', or '-' when the output was right
    weights: list[str]  # after the update: w1..wn, b


@dataclass
class Learning:
    """Step 2: the learning rule as run, summed up."""

    rule: str  # where it starts, its rate, what an update does
    summary: str  # how many updates and epochs, how many changed the weights, how it ended
    asked: list[Update]  # an asked trace, every update (empty when no trace is asked)
    changes: list[Update]  # after the asked ones: the updates that changed the weights
    changes_note: str  # what `changes` holds, in a sentence
    gap: tuple[int, int] | None  # (position in `changes`, updates left out there)
    keys: list[str]  # the weights' names: w1..wn, b
    weights: list[tuple[str, str]]  # the weights found: ('w1', '2'), ..., ('b', '-3')
    weights_from: str  # "learning rule" or "linear programming"


@dataclass
class UnitRow:
    """One row of the table through one unit."""

    values: list[str]  # the row's inputs (and, for the output unit, the hidden outputs)
    z: str  # written out: '1*0 + 1*1 - 1 = 0'
    output: int  # g(z)
    target: int | None  # None for a hidden unit: it has no target of its own
    ok: bool | None  # output == target


@dataclass
class UnitTable:
    """A step unit, what it computes, and every row of the table through it."""

    name: str  # 'unit', 'h1', ..., 'out'
    reads: list[str]  # what it reads: the inputs, or h1..hk
    weights: list[tuple[str, str]]  # (answer key, value), the bias last
    formula: str  # g(x1 + x2 - 1)
    computes: str | None  # OR, NAND, ...: the function's name, when it has one
    columns: list[str]  # the headers of UnitRow.values
    output: str  # the header of the output column: g(z), h1, out
    rows: list[UnitRow]
    summary: str  # the conclusion, in a sentence


@dataclass
class Construction:
    """Step 4: a two-layer network computing the table, unit by unit."""

    lines: list[str]  # each unit's formula and function, then how the network works
    hidden: list[UnitTable]
    out: UnitTable
    summary: str  # the network against the target, in a sentence


@dataclass
class PerceptronReveal:
    """`--step N`: one asked part, a hint first, then the part worked out."""

    number: int
    count: int
    part: str  # weights | network | trace
    hint: str
    hint_from_author: bool
    weight: float
    answer: list[str]  # the answer keys with their values: a unit, or an update, a line
    hint_only: bool = False


@dataclass
class PerceptronWalkthrough:
    """Everything `explain` shows of a perceptron exercise, step by step."""

    json_kind: ClassVar[str | None] = "perceptron"  # tags its JSON (graph walkthroughs: none)

    title: str
    exercise: str  # its id
    target: str  # the exercise id or file asked for
    description: str  # Markdown
    inputs: list[str]
    unit: list[str]  # step 1: z and g, with the convention at z = 0
    separable: bool
    headline: str  # separable or not, and how the weights were found
    learning: Learning | None  # step 2 (separable tables, and asked traces)
    reason: list[str]  # step 2 of a table that is not separable: the certificate's argument
    single: UnitTable | None  # step 3: the table through the weights found
    table: list[tuple[list[str], int]]  # step 3 without weights: the rows and their targets
    table_note: str  # step 3's conclusion when there are no weights
    network: Construction | None  # step 4
    reveal: PerceptronReveal | None = None


# -- building it -------------------------------------------------------------------------


def explain_perceptron(ex: PerceptronExercise, *, target: str | None = None,
                       step: int | None = None, hint_only: bool = False
                       ) -> PerceptronWalkthrough:
    """The walkthrough of a perceptron exercise; with `step`, its N-th asked part revealed."""
    if hint_only and step is None:
        raise GradtutorError("a hint is for one step: give the step too", field="hint")
    s = solve_perceptron(ex)
    walk = PerceptronWalkthrough(
        title=ex.title, exercise=ex.id, target=target or ex.id, description=ex.description,
        inputs=list(ex.inputs), unit=_unit_lines(ex), separable=s.separable,
        headline=headline(s), learning=_learning(s), reason=reason_lines(s),
        single=_single(s), table=_plain_table(ex), table_note=_table_note(s),
        network=_construction(s))
    if step is not None:
        walk.reveal = _reveal(s, step, hint_only)
    return walk


def _unit_lines(ex: PerceptronExercise) -> list[str]:
    terms = " + ".join(f"w{k}*{name}" for k, name in enumerate(ex.inputs, 1))
    at_zero = ("at z = 0 exactly, g(0) = 1: a row that lands on the boundary outputs 1"
               if ex.at_zero else "at z = 0 exactly, g(0) = 0: a row must reach z > 0 to "
               "output 1")
    return [f"z = {terms} + b", f"output = g(z), {g_text(ex.at_zero)}", at_zero]


def _learning(s: PerceptronSolution) -> Learning | None:
    """Step 2's learning rule; None for a table that is not separable and asks no trace."""
    ex = s.exercise
    if not s.trace:
        return None
    asked = ex.trace_length() if ex.asks("trace") else 0
    updates = _updates(s)
    changes = [u for u, item in zip(updates, s.trace, strict=True)
               if item.changed and item.index > asked]
    gap = None
    if len(changes) > MAX_CHANGES:
        first = MAX_CHANGES - 10
        gap = (first, len(changes) - MAX_CHANGES)
        changes = changes[:first] + changes[-10:]
    weights = list(zip(weight_keys(ex.n), map(num, s.weights), strict=True)) \
        if s.weights is not None else []
    return Learning(rule_text(s), _trace_summary(s), updates[:asked], changes,
                    _changes_note(s, asked), gap, weight_keys(ex.n), weights, s.weights_from)


def _updates(s: PerceptronSolution) -> list[Update]:
    ex = s.exercise
    before = ex.rule.initial
    updates = []
    for item in s.trace:
        x = ex.rows[item.row]
        updates.append(Update(item.index, item.epoch, [num(v) for v in x], z_text(before, x),
                              item.output, item.target, change_text(item, ex.rule.rate),
                              [num(w) for w in item.weights]))
        before = item.weights
    return updates


def _trace_summary(s: PerceptronSolution) -> str:
    trace = s.trace
    changed = sum(item.changed for item in trace)
    epochs = trace[-1].epoch
    counts = (f"{len(trace)} update{'s' if len(trace) != 1 else ''} in {epochs} "
              f"epoch{'s' if epochs != 1 else ''}, {changed} of them changed the weights")
    if not s.separable:
        return f"{counts}; on this table the rule never settles"
    if s.converged:
        return f"{counts}; nothing changed in epoch {epochs}, so the rule stops there"
    return (f"{counts}, and the rule had not settled: the weights come from linear "
            "programming instead (an exact vertex of s_i (w.x_i + b) >= 1)")


def _changes_note(s: PerceptronSolution, asked: int) -> str:
    if asked:
        return f"After update {asked}, the updates that changed the weights:"
    return "The updates that changed the weights (the others left them as they were):"


def _single(s: PerceptronSolution) -> UnitTable | None:
    """Step 3: every row through the weights found."""
    ex = s.exercise
    if s.weights is None:
        return None
    table = _unit_table(ex, "unit", s.weights, weight_keys(ex.n), ex.targets)
    table.summary = _agreement("g(z)", table.rows, table.computes, "these weights compute")
    return table


def _agreement(what: str, rows: list[UnitRow], name: str | None, computes: str) -> str:
    """'g(z) is the target on all 4 rows: these weights compute AND' (or on 3 of 4)."""
    right = sum(bool(row.ok) for row in rows)
    if right < len(rows):
        return f"{what} is the target on {right} of {len(rows)} rows"
    return f"{what} is the target on all {len(rows)} rows" + \
        (f": {computes} {name}" if name else "")


def _unit_table(ex: PerceptronExercise, name: str, weights: Weights, keys: list[str],
                targets: list[int] | None, hidden: tuple[list[str], list[Row]] | None = None
                ) -> UnitTable:
    """A unit reading the inputs, or with `hidden` (names, values per row) the hidden units,
    and every row of the table through it."""
    reads, points = hidden if hidden is not None else (list(ex.inputs), list(ex.rows))
    rows = []
    for i, (x, point) in enumerate(zip(ex.rows, points, strict=True)):
        output = step(net_input(weights, point), ex.at_zero)
        target = targets[i] if targets is not None else None
        values = [num(v) for v in x] + ([num(v) for v in point] if hidden is not None else [])
        rows.append(UnitRow(values, z_text(weights, point), output, target,
                            None if target is None else output == target))
    named = computed_by(weights, ex.rows, ex.at_zero, ex.inputs) if hidden is None else None
    columns = list(ex.inputs) + (reads if hidden is not None else [])
    return UnitTable(name, reads, list(zip(keys, map(num, weights), strict=True)),
                     unit_text(weights, reads), named.name if named else None, columns,
                     "g(z)" if name == "unit" else name, rows,
                     f"{name} computes {named.name}" if named else "")


def _plain_table(ex: PerceptronExercise) -> list[tuple[list[str], int]]:
    return [([num(v) for v in x], t) for x, t in zip(ex.rows, ex.targets, strict=True)]


def _table_note(s: PerceptronSolution) -> str:
    if s.weights is not None:
        return ""
    count = len(s.exercise.rows)
    later = " (step 4)" if s.network is not None else ""
    return (f"No weights give all {count} targets (step 2): one unit draws a single "
            f"boundary z = 0, and these rows need more. A hidden layer does it{later}.")


def _construction(s: PerceptronSolution) -> Construction | None:
    """Step 4: each hidden unit's table, then the output unit's over the hidden values."""
    net, ex = s.network, s.exercise
    if net is None:
        return None
    names = [f"h{j + 1}" for j in range(len(net.hidden))]
    hidden = [_unit_table(ex, name, w, weight_keys(ex.n, f"{name}."), None)
              for name, w in zip(names, net.hidden, strict=True)]
    out = _unit_table(ex, "out", net.out, weight_keys(len(names), "out."), ex.targets,
                      (names, _hidden_points(net, ex)))
    named = name_function(ex.rows, [row.output for row in out.rows], ex.inputs)
    out.computes, out.summary = (named.name if named else None), net.how
    summary = _agreement("The network's output", out.rows, out.computes, "it computes") + "."
    return Construction(network_lines(s), hidden, out, summary)


def _hidden_points(net: Network, ex: PerceptronExercise) -> list[Row]:
    """The hidden units' outputs on each row: what the output unit reads."""
    return [tuple(Fraction(h) for h in net.run(x, ex.at_zero)[0]) for x in ex.rows]


# -- revealing one asked part ------------------------------------------------------------


def _reveal(s: PerceptronSolution, number: int, hint_only: bool) -> PerceptronReveal:
    ex = s.exercise
    count = len(ex.ask)
    if not 1 <= number <= count:
        parts = "part" if count == 1 else "parts"
        raise GradtutorError(f"{ex.id} asks {count} {parts} ({', '.join(p.what for p in ex.ask)})"
                             f": step takes 1 to {count}, not {number}", field="step")
    part = ex.ask[number - 1]
    return PerceptronReveal(number, count, part.what, part.hint or _hint(s, part),
                            part.hint is not None, part.weight, _answer(s, part), hint_only)


def _hint(s: PerceptronSolution, part: AskPart) -> str:
    ex = s.exercise
    if part.what == "weights":
        return (f"Pick {rows_text(weight_keys(ex.n))}, then work out z and g(z) on every "
                f"row: each must give the target. Mind the rows where z = 0: "
                f"{g_text(ex.at_zero)}.")
    if part.what == "network":
        return (f"Make each hidden unit a function one unit can compute, then let out "
                f"combine them into {target_name(ex)}.")
    return (f"Present the rows in table order, starting from {weights_text(ex.rule.initial)}: "
            "the weights change only when the output is wrong, by rate*(target - output) "
            "times the row (and the bias by rate*(target - output)).")


def _answer(s: PerceptronSolution, part: AskPart) -> list[str]:
    """The answer key's lines for one asked part, from the solution's key."""
    ex = s.exercise
    if part.what == "weights":
        groups = [weight_keys(ex.n)]
    elif part.what == "network":
        groups = [weight_keys(ex.n, f"h{j}.") for j in range(1, ex.hidden + 1)]
        groups.append(weight_keys(ex.hidden, "out."))
    else:
        groups = [trace_keys(ex.n, update) for update in range(1, ex.trace_length() + 1)]
    return [", ".join(f"{key} = {s.key[key]}" for key in group) for group in groups]
