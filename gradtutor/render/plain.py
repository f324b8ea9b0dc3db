"""Plain-text output, for pipes and files: the same results the rich renderer draws."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..base import fmt
from ..base.safetext import visible
from ..marking.results import FileResult, StepResult
from .blocks import (
    Answer,
    AnswerEquation,
    Block,
    Bullets,
    Caption,
    Code,
    Description,
    Diagram,
    Document,
    Equations,
    Fact,
    Gap,
    Graph,
    Hint,
    Lines,
    Note,
    Paragraph,
    Reasoning,
    Remark,
    Section,
    StepTitle,
    Strong,
    Subsection,
    Table,
    Visit,
    Worked,
    distinct,
    span_text,
)

if TYPE_CHECKING:  # only for the hints: a check never needs the solver
    from ..engine.solve import Solution
    from ..grading.batch import ClassSummary

CHECK_WORDS = {
    "agree": "agree", "disagree": "DISAGREE", "kink": "differ only across a kink",
    "singular": "undefined here (singular point)", "unavailable": "unavailable",
    "skipped": "skipped (no values)",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the last column is not padded. A cell never
    breaks a line, whatever a file put in it."""
    shown = [[visible(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(r[i]) for r in shown) for i in range(len(headers))]
    lines = []
    for row in shown:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def solution(s: Solution) -> str:
    parts = [f"{s.output} = {s.graph.nodes[s.graph.output].text}" if not s.graph.assigned[:-1]
             else s.source.strip()]
    if s.value is not None:
        parts.append(f"value: {s.output} = {fmt.value(s.value)}")
        rows = [[n.name or "", n.expression, fmt.value(n.value), fmt.value(n.grad)]
                for n in s.nodes]
        parts.append(table(["node", "expression", "value", f"d{s.output}/dnode"], rows))
    rows = [[f"d{s.output}/d{name}", s.symbolic.get(name) or "-",
             fmt.value(s.gradients[name]) if name in s.gradients else "-"]
            for name in [*s.inputs, *(n for n in s.gradients if n not in s.inputs)]]
    parts.append(table(["gradient", "symbolic", "value"], rows))
    parts.append(checks_line(s.checks))
    parts.extend(f"note: {m}" for m in s.messages)
    return "\n\n".join(parts) + "\n"


def checks_line(checks: dict[str, str]) -> str:
    fd = CHECK_WORDS.get(checks.get("finite_difference", ""), "")
    sym = CHECK_WORDS.get(checks.get("symbolic", ""), "")
    return f"cross-checks: finite differences {fd}; symbolic {sym}"


# -- check ---------------------------------------------------------------------------------


def verdict_label(step: StepResult) -> str:
    return f"{step.verdict} ({step.diagnosis})" if step.diagnosis else step.verdict


def given_text(given: object) -> str:
    if given is None:
        return "-"
    if isinstance(given, str):
        return visible(given, 40)
    return fmt.value(given)


def file_report(result: FileResult) -> str:
    """One answers file: a line per step, with its message and hint underneath."""
    head = file_heading(result)
    if result.error is not None:
        return f"{head}\nerror: {visible(result.error, 1000)}\n"
    rows, notes = [], {}
    for step in result.steps:
        rows.append([step.step, verdict_label(step), given_text(step.given),
                     fmt.value(step.expected), f"{step.score:g}/{step.max_score:g}"])
        notes[step.step] = step_notes(step)
    lines = table(["step", "verdict", "given", "expected", "score"], rows).splitlines()
    body = [lines[0]]
    width = len(lines[0]) - len(lines[0].lstrip())
    for line, step in zip(lines[1:], result.steps, strict=True):
        body.append(line)
        body.extend(" " * (width + 4) + note for note in notes[step.step])
    body.extend(f"note: {visible(note, 1000)}" for note in result.notes)
    return "\n".join([head, *body, visible(result.summary, 1000)]) + "\n"


def file_heading(result: FileResult) -> str:
    """Exercise, file and student, as one safe line."""
    who = f" ({result.student})" if result.student else ""
    return visible(f"{result.exercise}: {result.answers_file}{who}", 1000)


def step_notes(step: StepResult) -> list[str]:
    """The lines shown under a step that is not correct: message, details, hint."""
    if step.verdict == "correct":
        return []
    lines = [step.message] if step.message else []
    lines.extend(step.details)
    if step.hint:
        lines.append(f"hint: {step.hint}")
    return [visible(line, 1000) for line in lines]


def class_report(summary: ClassSummary) -> str:
    """The class at a glance: score distribution, then how each step went."""
    lines = [f"class summary: {summary.files} files, {summary.checked} checked"
             + (f", {len(summary.unreadable)} unreadable" if summary.unreadable else "")
             + (" (interrupted)" if summary.interrupted else "")]
    if summary.scores:
        lines.append(f"scores (out of {summary.max_score:g}): mean {summary.mean:.3g}, "
                     f"median {summary.median:g}, lowest {summary.lowest:g}, "
                     f"highest {summary.highest:g}")
        widest = max(count for _, count in summary.histogram) or 1
        for band, count in summary.histogram:
            bar = "#" * round(20 * count / widest)
            lines.append(f"  {band:>12}  {bar:<20} {count}")
    if summary.steps:
        rows = [[s.step, f"{100 * s.share_correct:.0f}%", f"{100 * s.share_follow_through:.0f}%",
                 f"{s.common_diagnosis} ({s.diagnosis_count})" if s.common_diagnosis else "-"]
                for s in summary.steps]
        lines.append(table(["step", "correct", "follow-through", "most common diagnosis"],
                           rows))
    lines.extend(f"unreadable: {visible(name, 1000)}" for name in summary.unreadable)
    return "\n".join(lines) + "\n"


def exercise_list(rows: list[dict]) -> str:
    return table(["id", "kind", "title", "asks"],
                 [[r["id"], r["kind"], r["title"], r["asks"]] for r in rows]) + "\n"


def answer_key(title: str, rows: list[tuple[str, object, float]]) -> str:
    """`solve EXERCISE`: every asked step with its value and weight."""
    body = table(["step", "value", "weight"],
                 [[step, fmt.value(value, 8) if not isinstance(value, str) else value,
                   f"{weight:g}"] for step, value, weight in rows])
    return f"{visible(title, 1000)}\n\n{body}\n"


def perceptron_text(solution: object) -> str:
    """`solve` of a perceptron exercise: the trace and weights, or why none exist and a
    two-layer network."""
    import textwrap

    from ..exercises.perceptron.exact import num
    from ..exercises.perceptron.solving import PerceptronSolution
    from ..exercises.perceptron.units import g_text, weight_keys
    from ..walkthrough.perceptron_display import (
        headline,
        key_lines,
        network_lines,
        network_table,
        reason_lines,
        rule_text,
        trace_table,
        weights_table,
    )

    s: PerceptronSolution = solution  # type: ignore[assignment]
    ex = s.exercise

    def prose(lines: list[str]) -> str:
        return "\n".join(line if line.startswith("  ") else textwrap.fill(line, 88)
                         for line in lines)

    parts = [f"{ex.id}: {ex.title}\n{g_text(ex.at_zero)}", prose([headline(s)])]
    if s.certificate is not None:
        parts.append(prose(["Why:", *reason_lines(s)]))
    if s.trace:
        parts.append(prose([rule_text(s)]) + "\n\n" + table(*trace_table(s)))
    if s.weights is not None:
        weights = ", ".join(f"{k} = {num(v)}" for k, v in
                            zip(weight_keys(ex.n), s.weights, strict=True))
        parts.append(f"weights ({s.weights_from}): {weights}\n\n" + table(*weights_table(s)))
    if s.network is not None:
        parts.append("A two-layer network computes it:\n" +
                     "\n".join("  " + line for line in network_lines(s)) + "\n\n" +
                     table(*network_table(s)))
    if s.key:
        parts.append("answers:\n" + "\n".join(key_lines(s)))
    return "\n\n".join(parts) + "\n"


# -- blocks ------------------------------------------------------------------------------

WIDTH = 88
INDENT = "   "


def document(doc: Document) -> str:
    """The document as plain ASCII text: the title underlined, then each block."""
    lines = [doc.title, "=" * min(len(doc.title), WIDTH)]
    for block in doc.blocks:
        lines += draw(block)
    return "\n".join(lines) + "\n"


def draw(block: Block) -> list[str]:
    return DRAW[type(block)](block)


def wrap(text: str, indent: str) -> list[str]:
    """Prose wrapped at WIDTH; a continued line is indented two more spaces."""
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent]


def indented_table(headers: list[str], rows: list[list[str]], indent: str = INDENT
                   ) -> list[str]:
    return [indent + line for line in table(headers, rows).splitlines()]


def reasoning_lines(lines: list[str], indent: str) -> list[str]:
    """An argument: prose wrapped, its equations (indented) kept whole."""
    shown: list[str] = []
    for text in lines:
        shown += [indent + text] if text.startswith("  ") else wrap(text, indent)
    return shown


def _equations(block: Equations) -> list[str]:
    indent = INDENT + "  " * block.depth
    lines = []
    for row in block.rows:
        shown = " = ".join(distinct([row.lhs.text, *(part.text for part in row.parts)]))
        lines.append(indent + shown + (f"   {row.remark}" if row.remark else ""))
        lines += [indent + "  " + row.shapes] if row.shapes else []
    return lines


def _titled(block: Section | StepTitle) -> list[str]:
    return ["", span_text(block.text)]


def _prose(block: Paragraph | Strong | Caption) -> list[str]:
    return wrap(block.text, INDENT) if block.text else []


DRAW: dict[type, Callable[[Any], list[str]]] = {
    Description: lambda block: ["", block.markdown], Section: _titled, StepTitle: _titled,
    Hint: lambda block: ["", *wrap("Hint: " + block.text, "")],
    Worked: lambda block: ["", "Worked out:", *([block.text] if block.text else [])],
    AnswerEquation: lambda block: ["", f"Answer: {block.answer.text}"],
    Answer: lambda block: ["", "Answer:", *(INDENT + line for line in block.lines)],
    Code: lambda block: [INDENT + line for line in block.lines],
    Reasoning: lambda block: reasoning_lines(block.lines, INDENT),
    Table: lambda block: indented_table(block.headers, [[span_text(cell) for cell in row]
                                                        for row in block.rows]),
    Lines: lambda block: ["", *(span_text(line) for line in block.lines)],
    Fact: lambda block: [block.text], Note: lambda block: [f"Note: {block.text}"],
    Subsection: lambda block: ["", f"{INDENT}{block.text}:"],
    Diagram: lambda block: ["", *(INDENT + line for line in block.lines)],
    Equations: _equations,
    Visit: lambda block: [f"{INDENT}at {block.node.text}, upstream {block.upstream.text}"],
    Bullets: lambda block: [line for item in block.items
                            for line in wrap(item, INDENT + "  " * block.depth)],
    Remark: lambda block: ["", *wrap(block.text, INDENT)],
    Gap: lambda block: [""], Graph: lambda block: [],
    Paragraph: _prose, Strong: _prose, Caption: _prose,
}
