"""Rich output for a terminal: the one library module that imports rich."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from . import fmt
from .plain import checks_line
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
