"""`solve` results laid out as blocks: an expression's solution, a graph exercise's answer
key, a perceptron exercise's solution."""

from __future__ import annotations

from typing import Any

from ..base import fmt
from ..engine.solve import Solution
from ..exercises.perceptron.exact import num
from ..exercises.perceptron.solving import PerceptronSolution
from ..exercises.perceptron.units import g_text, weight_keys
from ..kinds.graph import AnswerKey
from ..walkthrough import perceptron_display as shown
from .blocks import (
    Block,
    Cell,
    Document,
    Gap,
    Line,
    Math,
    Paragraph,
    Reasoning,
    Styled,
    Table,
    Typed,
)

CHECK_WORDS = {
    "agree": "agree", "disagree": "DISAGREE", "kink": "differ only across a kink",
    "singular": "undefined here (singular point)", "unavailable": "unavailable",
    "skipped": "skipped (no values)",
}
QUIET_CHECKS = {"agree", "skipped", "unavailable"}  # nothing for the reader to look into


def solution(s: Solution) -> Document:
    """The value, the node table and the gradients, the cross-checks and any notes."""
    blocks: list[Block] = [Gap()]
    if s.value is not None:
        blocks += [Line(["value: ", math(f"{s.output} = {fmt.value(s.value)}",
                                         f"{name(s.output)} = {value(s.value)}")]), Gap(),
                   Table(["node", "expression", "value", f"d{s.output}/dnode"],
                         [node_row(node) for node in s.nodes]), Gap()]
    blocks += [Table(["gradient", "symbolic", "value"],
                     [gradient_row(s, input) for input in gradient_names(s)]), Gap(),
               Line([checks_line(s.checks)], checks_role(s.checks))]
    for message in s.messages:
        blocks += [Gap(), Line([f"note: {message}"], "dim")]
    return Document(solution_title(s), blocks, form="report")


def solution_title(s: Solution) -> str:
    """The expression as `out = expression`; a program as it was written."""
    if s.graph.assigned[:-1]:
        return s.source.strip()
    return f"{s.output} = {s.graph.nodes[s.graph.output].text}"


def gradient_names(s: Solution) -> list[str]:
    return [*s.inputs, *(n for n in s.gradients if n not in s.inputs)]


def node_row(node: Any) -> list[Cell]:
    return [node.name or "", Typed(node.expression), fmt.value(node.value), fmt.value(node.grad)]


def gradient_row(s: Solution, input: str) -> list[Cell]:
    formula = s.symbolic.get(input)
    grad = s.gradients.get(input)
    return [Math(f"d{s.output}/d{input}", rf"\partial {name(s.output)} / \partial {name(input)}",
                 typeset=True, pretty=f"∂{s.output}/∂{input}"),
            Typed(formula) if formula else "-",
            "-" if grad is None else math(fmt.value(grad), value(grad))]


def checks_line(checks: dict[str, str]) -> str:
    fd = CHECK_WORDS.get(checks.get("finite_difference", ""), "")
    sym = CHECK_WORDS.get(checks.get("symbolic", ""), "")
    return f"cross-checks: finite differences {fd}; symbolic {sym}"


def checks_role(checks: dict[str, str]) -> str:
    """The role of the worst cross-check: agree, disagree, or a kink or singular point."""
    worst = next((v for v in checks.values() if v not in QUIET_CHECKS), "agree")
    return {"agree": "correct", "disagree": "wrong"}.get(worst, "warning")


def math(text: str, latex: str) -> Math:
    return Math(text, latex, typeset=True)


def name(text: str) -> str:
    return "\\mathrm{" + text.replace("_", "\\_") + "}"


def value(number: Any) -> str:
    return fmt.value(number).replace("[", "\\left[").replace("]", "\\right]")


# -- exercises -----------------------------------------------------------------------------


def answer_key(key: AnswerKey) -> Document:
    """`solve EXERCISE`: every asked step with its value and points."""
    ex = key.exercise
    rows: list[list[Cell]] = [[Typed(step), Typed(expected_text(expected)), f"{weight:g}"]
                              for step, expected, weight in key.rows]
    return Document("", [Table(["step", "value", "points"], rows, title=f"{ex.id}: {ex.title}")],
                    form="report")


def expected_text(expected: object) -> str:
    return expected if isinstance(expected, str) else fmt.value(expected, 8)


def perceptron_solution(s: PerceptronSolution) -> Document:
    """The trace and weights, or why none exist and a two-layer network."""
    ex = s.exercise
    blocks: list[Block] = [Line([g_text(ex.at_zero)], "dim"), Gap(),
                           Paragraph(shown.headline(s), "passed" if s.separable else "warning")]
    if s.certificate is not None:
        blocks += [Gap(), Reasoning(["Why:", *shown.reason_lines(s)])]
    if s.trace:
        blocks += [Gap(), Paragraph(shown.rule_text(s), "dim"), Gap(),
                   Table(*shown.trace_table(s), math_column="z")]
    if s.weights is not None:
        weights = ", ".join(f"{k} = {num(v)}" for k, v in
                            zip(weight_keys(ex.n), s.weights, strict=True))
        blocks += [Gap(), Line([Styled(f"weights ({s.weights_from}): ", "dim"),
                                Styled(weights, "value")]), Gap(),
                   Table(*shown.weights_table(s), math_column="z")]
    if s.network is not None:
        blocks += [Gap(), Reasoning(["A two-layer network computes it:",
                                     *("  " + line for line in shown.network_lines(s))]),
                   Gap(), Table(*shown.network_table(s), math_column="z")]
    if s.key:
        blocks += [Gap(), Line(["answers:"], "dim"),
                   *(Line([line], "dim") for line in shown.key_lines(s))]
    return Document(f"{ex.id}: {ex.title}", blocks, form="report")


def exercise_list(rows: list[dict]) -> Document:
    """`list`: the bundled exercises, a row each."""
    return Document("", [Table(["id", "kind", "title", "asks"], [
        [Styled(row["id"], "strong"), row["kind"], row["title"], row["asks"]] for row in rows],
        prose=("title", "asks"))], form="report")
