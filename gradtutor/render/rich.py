"""Rich output for a terminal: the one library module that imports rich."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..base import fmt
from ..base.safetext import visible
from .blocks import (
    Answer,
    AnswerEquation,
    Bars,
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
    Line,
    Lines,
    Math,
    Note,
    Paragraph,
    Reasoning,
    Remark,
    Section,
    Span,
    StepTitle,
    Strong,
    Styled,
    Subsection,
    Verdict,
    Visit,
    Worked,
    distinct,
    span_text,
)
from .blocks import Table as TableBlock

if TYPE_CHECKING:
    from ..walkthrough.model import BackwardStep, Forward, Layers, Reveal, Walkthrough

def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def shown(text: object, style: str = "") -> Text:
    """Text from a file (a student's or an author's), shown as it is: rich's markup is
    never read in it, and it stays on its own line."""
    return Text(visible(text, 1000), style=style)


# -- explain: the chain-rule walkthrough -------------------------------------------------


def walkthrough(w: Walkthrough) -> RenderableType:
    """A walkthrough for a terminal, with the graph drawn as a tree."""
    from rich.markdown import Markdown
    from rich.rule import Rule

    from . import walkthrough_layout as doc

    parts: list[RenderableType] = []
    if w.reveal is not None:
        parts.extend(_reveal_parts(w.reveal))
        return Panel(Group(*parts), title=shown(w.title, "bold"),
                     title_align="left", box=box.ROUNDED)
    if w.description.strip():
        parts.append(Markdown(w.description.strip()))
    parts.append(Text(doc.given_line(w) + f"    Output: {w.output}"))
    if w.naming:
        parts.append(Text(f"Nodes: {w.naming}", style="dim"))
    parts.extend(Text(f"note: {note}", style="dim") for note in w.notes)
    parts.append(Rule(doc.SECTIONS[0], align="left", style="cyan"))
    parts.append(_walk_graph(w))
    parts.append(Rule(doc.SECTIONS[1], align="left", style="cyan"))
    parts.extend(Text(doc.equation(local.symbol.text, local.formula.text))
                 for local in w.locals)
    parts.append(Rule(doc.SECTIONS[2], align="left", style="cyan"))
    parts.extend(_walk_forward(line) for line in w.forward)
    parts.append(Rule(doc.SECTIONS[3], align="left", style="cyan"))
    parts.append(Text(f"start at the output: d{w.output}/d{w.output} = 1", style="bold"))
    for step in w.backward:
        parts.extend(_walk_backward(step))
    parts.append(Rule(doc.SECTIONS[4], align="left", style="cyan"))
    grads = Table(box=box.SIMPLE_HEAD, show_header=False)
    grads.add_column()
    grads.add_column(style="bold cyan")
    for symbol, value in w.gradients:
        grads.add_row(symbol.text, fmt.value(value))
    parts.append(grads)
    if w.layers is not None:
        parts.append(_walk_layers(w.layers))
    return Panel(Group(*parts), title=shown(w.title, "bold"),
                 title_align="left", box=box.ROUNDED)


def _walk_graph(w: Walkthrough) -> RenderableType:
    from rich.tree import Tree

    from . import walkthrough_layout as doc

    table = Table(box=box.SIMPLE_HEAD)
    for header in ("node", "expression", "operation", "inputs"):
        table.add_column(header)
    for node in w.nodes:
        if node.expression is not None:
            table.add_row(node.name, node.expression.text, node.operation,
                          ", ".join(node.inputs))
    levels: list[Tree] = []
    root: Tree | None = None
    for depth, node, repeated in doc.graph_tree(w):
        label = Text(doc.node_label(node), style="bold" if node.expression else "green")
        label.append(f"  {fmt.value(node.value)}", style="cyan")
        if repeated:
            label.append("  (see above)", style="dim")
        if depth == 0:
            root = Tree(label, guide_style="dim")
            levels = [root]
        else:
            del levels[depth:]
            levels.append(levels[-1].add(label))
    return Group(table, root) if root is not None else table


def _walk_forward(line: Forward) -> RenderableType:
    from . import walkthrough_layout as doc

    text = Text(doc.forward_line(line))
    if line.shapes:
        text.append("   " + doc.shapes_line(line.shapes), style="dim")
    return text


def _walk_backward(step: BackwardStep) -> list[RenderableType]:
    from rich.padding import Padding

    from . import walkthrough_layout as doc

    parts: list[RenderableType] = [Text(doc.step_heading(step), style="bold")]
    for note in ([step.pattern] if step.pattern else []) + step.notes:
        parts.append(Padding(Text(note, style="yellow"), (0, 0, 0, 4)))
    sums = {total.name: total for total in step.sums}
    for edge in step.edges:
        line = Text("  " + doc.edge_line(edge))
        if edge.part:
            line.append("   " + doc.part_note(edge), style="dim")
        parts.append(line)
        if edge.shapes:
            parts.append(Text("    " + doc.shapes_line(edge.shapes), style="dim"))
        if edge.wrt in sums:
            total = sums[edge.wrt]
            line = Text("  " + doc.sum_line(total), style="bold")
            line.append("   " + doc.sum_note(total), style="dim")
            parts.append(line)
    return parts


def _walk_layers(layers: Layers) -> RenderableType:
    from . import walkthrough_layout as doc

    table = Table(box=box.SIMPLE_HEAD, title="gradient size layer by layer, from the output "
                  "back (norms)", title_justify="left")
    for header in doc.layer_headers(layers):
        table.add_column(header)
    for row in doc.layer_rows(layers):
        table.add_row(*row)
    style = {"vanishing": "bold yellow", "exploding": "bold red"}.get(
        layers.verdict, "green")
    return Group(table, Text(layers.remark, style=style))


def _reveal_parts(reveal: Reveal) -> list[RenderableType]:
    from . import walkthrough_layout as doc

    r = reveal
    weight = f" (weight {fmt.number(r.weight)})" if r.weight != 1 else ""
    parts: list[RenderableType] = [
        Text(f"Step {r.number} of {r.count}: {r.step}{weight}", style="bold"), Text(""),
        Text.assemble(("Hint: ", "bold yellow"), r.hint), Text(""),
    ]
    if r.hint_only:
        parts.append(Text("Try it, then run again without --hint to see the step worked out.",
                          style="dim"))
        return parts
    parts.append(Text("Worked out:", style="bold"))
    parts.extend(Text("  " + doc.forward_line(line)) for line in r.forward)
    for edge in r.edges:
        line = Text("  " + doc.edge_line(edge))
        if edge.part:
            line.append("   " + doc.part_note(edge), style="dim")
        parts.append(line)
    parts.extend(Text("  " + doc.sum_line(t)) for t in r.sums)
    parts.extend(Text("  " + note, style="yellow") for note in r.notes)
    parts.append(Text(""))
    parts.append(Text.assemble(("Answer: ", "bold"), (doc.equation(
        r.answer_symbol.text, fmt.value(r.answer)), "bold cyan")))
    return parts


# -- blocks ------------------------------------------------------------------------------


def document(doc: Document) -> RenderableType:
    """The document for a terminal: its blocks in a panel titled with the document's title."""
    if doc.form == "report":
        return report(doc)
    parts = [part for block in doc.blocks for part in draw(block)]
    return Panel(Group(*parts), title=shown(doc.title, "bold"), title_align="left",
                 box=box.ROUNDED)


def draw(block: Block) -> list[RenderableType]:
    return DRAW[type(block)](block)


def _description(block: Description) -> list[RenderableType]:
    from rich.markdown import Markdown

    return [Markdown(block.markdown)]


def _section(block: Section) -> list[RenderableType]:
    from rich.rule import Rule

    return [Rule(block.text, align="left", style="cyan")]


def _styled(style: str) -> Callable[[Any], list[RenderableType]]:
    """A block of one line of text, in a style; nothing for an empty one."""
    return lambda block: [Text(block.text, style=style)] if block.text else []


def _table(block: TableBlock) -> list[RenderableType]:
    rows = [[span_text(cell) for cell in row] for row in block.rows]
    return [_perceptron_table(block.headers, rows, no_wrap=block.math_column)]


def _equations(block: Equations) -> list[RenderableType]:
    indent = "  " * block.depth
    parts: list[RenderableType] = []
    for row in block.rows:
        line = Text(indent + " = ".join(distinct([row.lhs.text, *(p.text for p in row.parts)])))
        if row.remark:
            line.append("   " + row.remark, style="dim")
        parts.append(line)
        parts += [Text(indent + "  " + row.shapes, style="dim")] if row.shapes else []
    return parts


def _perceptron_table(headers: list[str], rows: list[list[str]], title: str = "",
                      no_wrap: str | None = "z") -> Table:
    """A table of text cells; an 'ok' or 'wrong' cell is coloured like a verdict."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=title or None,
                  title_justify="left")
    for header in headers:
        table.add_column(header, no_wrap=header == no_wrap)  # arithmetic reads as one line
    for row in rows:
        table.add_row(*(shown(cell, {"ok": "green", "wrong": "bold red"}.get(cell, ""))
                        for cell in row))
    return table


DRAW: dict[type, Callable[[Any], list[RenderableType]]] = {
    Description: _description, Section: _section,
    StepTitle: lambda block: [Text(span_text(block.text), style="bold")],
    Hint: lambda block: [Text(""), Text.assemble(("Hint: ", "bold yellow"), block.text),
                         Text("")],
    Worked: lambda block: [Text("Worked out:", style="bold"),
                           *([Text(block.text, style="cyan")] if block.text else [])],
    AnswerEquation: lambda block: [Text.assemble(("Answer: ", "bold"),
                                                 (block.answer.text, "bold cyan"))],
    Answer: lambda block: [Text(""), Text("Answer:", style="bold"),
                           *(Text("  " + line, style="bold cyan") for line in block.lines)],
    Code: lambda block: [Text(line, style="cyan") for line in block.lines],
    Reasoning: lambda block: [Text(line, style="cyan" if line.startswith("  ") else "")
                              for line in block.lines],
    TableBlock: _table, Gap: lambda block: [Text("")], Graph: lambda block: [],
    Strong: _styled("bold"), Caption: _styled("bold cyan"),
    Paragraph: lambda block: [Text(block.text, style=ROLE_STYLE.get(block.role, ""))]
    if block.text else [],
    Lines: lambda block: [Text(span_text(line)) for line in block.lines],
    Fact: _styled(""), Note: lambda block: [Text(f"Note: {block.text}", style="yellow")],
    Subsection: _styled("bold"), Diagram: lambda block: [Text("\n".join(block.lines))],
    Equations: _equations, Remark: _styled("bold"),
    Visit: lambda block: [Text(f"at {block.node.text}, upstream {block.upstream.text}",
                               style="bold")],
    Bullets: lambda block: [Text("  " + item, style="italic") for item in block.items],
}


# -- reports: a check, a solution, a list ---------------------------------------------------

ROLE_STYLE = {"correct": "green", "follow-through": "cyan", "wrong": "bold red",
              "missing": "yellow", "invalid": "magenta", "error": "bold red", "note": "yellow",
              "warning": "yellow", "partial": "yellow", "dim": "dim", "strong": "bold",
              "passed": "bold green", "value": "bold cyan"}


def report(doc: Document) -> RenderableType:
    """A report in a panel titled with its title (none without one); rich spaces the parts
    itself, so a report's blank lines (Gap) are left out."""
    parts = [part for block in doc.blocks if not isinstance(block, Gap)
             for part in REPORT.get(type(block), draw)(block)]
    if not doc.title:
        return Group(*parts)
    return Panel(Group(*parts), title=shown(doc.title, "bold"), title_align="left",
                 box=box.ROUNDED)


def spans(cell: Span | list[Span], style: str = "") -> Text:
    """Spans as one Text, each styled by its role; text from a file stays as it is."""
    text = Text(style=style)
    for span in cell if isinstance(cell, list) else [cell]:
        if isinstance(span, Verdict):
            text.append(visible(span.verdict, 1000), style=ROLE_STYLE.get(span.verdict, ""))
            if span.diagnosis:
                text.append(f"\n{span.diagnosis}", style="italic")
        elif isinstance(span, Math) and span.pretty:
            text.append(span.pretty)
        else:
            role = span.role if isinstance(span, Styled) else ""
            text.append(visible(span_text(span), 1000), style=ROLE_STYLE.get(role, ""))
    return text


def report_table(block: TableBlock) -> list[RenderableType]:
    """A table; the notes about each row in a column of their own."""
    table = Table(box=box.SIMPLE_HEAD, expand=False, title=shown(block.title) if block.title
                  else None, title_justify="left")
    headers = [*block.headers, *(["notes"] if block.notes else [])]
    for header in headers:
        table.add_column(header, overflow="fold", no_wrap=header == block.math_column)
    for i, row in enumerate(block.rows):
        cells = [_cell(cell) for cell in row]
        if block.notes:
            cells.append(Text("\n".join(block.notes[i]), style="dim"))
        table.add_row(*cells)
    return [table]


def _cell(cell: Span | list[Span]) -> Text:
    """A cell; an 'ok' or 'wrong' cell (a perceptron's row) is coloured like a verdict."""
    return spans(cell, {"ok": "green", "wrong": "bold red"}.get(span_text(cell), ""))


def bars(block: Bars) -> list[RenderableType]:
    widest = max((count for _, count in block.rows), default=0) or 1
    table = Table(box=None, show_header=False, pad_edge=False)
    for _ in range(3):
        table.add_column()
    for band, count in block.rows:
        table.add_row(band, Text("█" * round(30 * count / widest), style="cyan"), str(count))
    return [table]


REPORT: dict[type, Callable[[Any], list[RenderableType]]] = {
    TableBlock: report_table, Bars: bars,
    Line: lambda block: [spans(block.spans, ROLE_STYLE.get(block.role, ""))],
}
DRAW[Line] = REPORT[Line]
DRAW[Bars] = bars
