"""Rich output for a terminal: the one library module that imports rich."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from . import fmt
from .grading import ClassSummary
from .plain import checks_line, given_text, step_notes
from .results import FileResult
from .solve import Solution

CHECK_STYLE = {"agree": "green", "disagree": "bold red", "kink": "yellow", "singular": "yellow"}


def solution(s: Solution) -> RenderableType:
    title = Text(s.source.strip() if len(s.graph.assigned) > 1 else
                 f"{s.output} = {s.graph.nodes[s.graph.output].text}", style="bold")
    parts: list[RenderableType] = []
    if s.value is not None:
        parts.append(Text.assemble(("value  ", "dim"), (f"{s.output} = ", "bold"),
                                   (fmt.value(s.value), "bold cyan")))
        nodes = Table(box=box.SIMPLE_HEAD, title="forward and backward pass", title_justify="left")
        for header in ("node", "expression", "value", f"∂{s.output}/∂node"):
            nodes.add_column(header)
        for node in s.nodes:
            nodes.add_row(node.name or "", node.expression, fmt.value(node.value),
                          fmt.value(node.grad))
        parts.append(nodes)
    grads = Table(box=box.SIMPLE_HEAD, title="gradients", title_justify="left")
    for header in ("gradient", "symbolic", "value"):
        grads.add_column(header)
    for name in [*s.inputs, *(n for n in s.gradients if n not in s.inputs)]:
        grads.add_row(f"∂{s.output}/∂{name}", s.symbolic.get(name) or "[dim]numeric only[/]",
                      fmt.value(s.gradients.get(name)))
    parts.append(grads)
    worst = "agree" if set(s.checks.values()) <= {"agree", "skipped", "unavailable"} else \
        next(v for v in s.checks.values() if v not in ("agree", "skipped", "unavailable"))
    parts.append(Text(checks_line(s.checks), style=CHECK_STYLE.get(worst, "")))
    parts.extend(Text(f"note: {m}", style="dim") for m in s.messages)
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


VERDICT_STYLE = {"correct": "green", "follow-through": "cyan", "wrong": "bold red",
                 "missing": "yellow", "invalid": "magenta"}


def file_report(result: FileResult) -> RenderableType:
    """One answers file as a table: verdicts coloured, messages and hints beside them."""
    who = f" ({result.student})" if result.student else ""
    title = f"{result.exercise}: {result.answers_file}{who}"
    if result.error is not None:
        return Panel(Text(result.error, style="bold red"), title=title, title_align="left")
    table = Table(box=box.SIMPLE_HEAD, expand=False)
    for header in ("step", "verdict", "given", "expected", "score", "notes"):
        table.add_column(header, overflow="fold")
    for step in result.steps:
        verdict = Text(step.verdict, style=VERDICT_STYLE.get(step.verdict, ""))
        if step.diagnosis:
            verdict.append(f"\n{step.diagnosis}", style="italic")
        table.add_row(step.step, verdict, given_text(step.given), fmt.value(step.expected),
                      f"{step.score:g}/{step.max_score:g}",
                      Text("\n".join(step_notes(step)), style="dim"))
    parts: list[RenderableType] = [table]
    parts.extend(Text(f"note: {note}", style="yellow") for note in result.notes)
    style = "bold green" if result.all_correct else "bold"
    parts.append(Text(result.summary, style=style))
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)


def class_report(summary: ClassSummary) -> RenderableType:
    head = f"{summary.files} files, {summary.checked} checked" + \
        (f", {len(summary.unreadable)} unreadable" if summary.unreadable else "") + \
        (" (interrupted)" if summary.interrupted else "")
    parts: list[RenderableType] = [Text(head, style="bold")]
    if summary.scores:
        parts.append(Text(f"scores out of {summary.max_score:g}: mean {summary.mean:.3g}, "
                          f"median {summary.median:g}, lowest {summary.lowest:g}, "
                          f"highest {summary.highest:g}"))
        widest = max(count for _, count in summary.histogram) or 1
        bars = Table(box=None, show_header=False, pad_edge=False)
        for _ in range(3):
            bars.add_column()
        for band, count in summary.histogram:
            bars.add_row(band, Text("█" * round(30 * count / widest), style="cyan"), str(count))
        parts.append(bars)
    if summary.steps:
        steps = Table(box=box.SIMPLE_HEAD, title="steps", title_justify="left")
        for header in ("step", "correct", "most common diagnosis"):
            steps.add_column(header)
        for s in summary.steps:
            share = Text(f"{100 * s.share_correct:.0f}%",
                         style="green" if s.share_correct >= 0.8 else
                         "yellow" if s.share_correct >= 0.5 else "red")
            common = f"{s.common_diagnosis} ({s.diagnosis_count})" if s.common_diagnosis \
                else ""
            steps.add_row(s.step, share, common)
        parts.append(steps)
    parts.extend(Text(f"unreadable: {name}", style="red") for name in summary.unreadable)
    return Panel(Group(*parts), title="class summary", title_align="left", box=box.ROUNDED)


def exercise_list(rows: list[dict]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD)
    for header in ("id", "kind", "title", "asks"):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(Text(row["id"], style="bold"), row["kind"], row["title"], row["asks"])
    return table


def answer_key(title: str, rows: list[tuple[str, object, float]]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    for header in ("step", "value", "weight"):
        table.add_column(header)
    for step, value, weight in rows:
        table.add_row(step, value if isinstance(value, str) else fmt.value(value, 8),
                      f"{weight:g}")
    return table
