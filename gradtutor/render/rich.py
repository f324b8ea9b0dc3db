"""Rich output for a terminal: the one library module that imports rich."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..base.safetext import one_line, prose, visible, visible_lines
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
from .grids import UNICODE, drawn, has_grid


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def shown(text: object, style: str = "") -> Text:
    """Text from a file (a student's or an author's), shown as it is: rich's markup is
    never read in it, and it stays on its own line."""
    return Text(visible(text, 1000), style=style)


def text(value: object, style: str = "") -> Text:
    """Text drawn as it is: rich's markup never read in it, hidden characters escaped
    (its line breaks kept); every string this module draws goes through here or `shown`."""
    return Text(visible_lines(value), style=style)


# -- explain: the chain-rule walkthrough -------------------------------------------------


def document(doc: Document) -> RenderableType:
    """The document for a terminal: its blocks in a panel titled with the document's title."""
    if doc.form == "report":
        return report(doc)
    parts = [part for block in doc.blocks for part in draw(block)]
    return titled_panel(doc.title, parts)


def titled_panel(title: str, parts: list[RenderableType]) -> RenderableType:
    """The parts in a panel with the title on its frame, or on its first line when the
    frame is too narrow for it (rich would cut it short)."""
    heading = shown(title, "bold")
    return Fitting(Panel(Group(*parts), title=heading, title_align="left", box=box.ROUNDED),
                   Panel(Group(heading, *parts), box=box.ROUNDED),
                   lambda console, options: heading.cell_len + 8)


def draw(block: Block) -> list[RenderableType]:
    return DRAW[type(block)](block)


def _description(block: Description) -> list[RenderableType]:
    from rich.markdown import Markdown

    from .texmath import markdown_escaped, markdown_math

    # the author's Markdown, its math in Unicode, but no terminal hyperlinks (a link shows
    # its address); display math with a matrix of numbers drawn apart, as a grid
    shown = markdown_math(visible_lines(block.markdown), markdown_escaped, indent=DISPLAY)
    parts: list[RenderableType] = []
    prose: list[str] = []
    for chunk in shown.split("\n\n"):
        math = re.sub(r"\\(.)", r"\1", chunk.removeprefix(DISPLAY))
        if chunk.startswith(DISPLAY) and has_grid(math):
            parts += [Markdown("\n\n".join(prose), hyperlinks=False)] if prose else []
            parts += [Text(""), Formula(text(math), stack=False), Text("")]
            prose = []
        else:
            prose.append(chunk.removeprefix(DISPLAY))
    return parts + ([Markdown("\n\n".join(prose), hyperlinks=False)] if prose else [])


DISPLAY = "\x02"  # marks display math (a file's own control characters are escaped first)


class Fitting:
    """`wide` where the page has `needs` columns, else `narrow` (a table's records, a
    heading without its rule): rich would cut or fold what does not fit."""

    def __init__(self, wide: RenderableType, narrow: RenderableType,
                 needs: Callable[[Console, Any], int]) -> None:
        self.wide, self.narrow, self.needs = wide, narrow, needs

    def __rich_console__(self, console: Console, options: Any) -> Any:
        yield self.wide if self.needs(console, options) <= options.max_width else self.narrow


def _section(block: Section) -> list[RenderableType]:
    from rich.rule import Rule

    heading = one_line(block.text)
    return [Fitting(Rule(text(heading), align="left", style="cyan"),
                    text(heading, "bold cyan"), lambda console, options: len(heading) + 6)]


def fitting_table(table: Table, headers: Sequence[str], rows: Sequence[Sequence[Text]],
                  prose: Sequence[str] = ()) -> RenderableType:
    """The table where its cells fit whole, else a record per row ("field: value")."""
    widths = [max(_needs(cell, header in prose) for cell in [Text(header), *column])
              for header, *column in zip(headers, *rows, strict=True)]
    needs = sum(widths) + 3 * len(widths) + 2  # a space either side, a rule between
    title = [table.title] if isinstance(table.title, Text) else []
    return Fitting(table, Group(*title, records(headers, rows)),
                   lambda console, options: needs)


def _needs(cell: Text, prose: bool) -> int:
    """How wide a cell's column must be: its longest line, or for prose its longest word
    (and room for a few)."""
    if prose:
        return max([12, *(len(word) for word in cell.plain.split())])
    return max((len(line) for line in cell.plain.splitlines()), default=0)


def records(headers: Sequence[str], rows: Sequence[Sequence[Text]]) -> RenderableType:
    """Each row as lines of "field: value", a blank line between rows."""
    lines: list[RenderableType] = []
    for number, row in enumerate(rows):
        lines += [Text("")] if number else []
        for header, cell in zip(headers, row, strict=False):
            if cell.plain:
                field = visible(header, 1000) + ": "
                under = Text("\n" + " " * len(field))  # a grid's rows under its first
                lines.append(Text.assemble((field, "dim"), under.join(cell.split())))
    return Group(*lines)


def _styled(style: str) -> Callable[[Any], list[RenderableType]]:
    """A block of one line of text, in a style; nothing for an empty one."""
    return lambda block: [text(block.text, style)] if block.text else []


def _table(block: TableBlock) -> list[RenderableType]:
    rows = [[span_text(cell) for cell in row] for row in block.rows]
    table = _perceptron_table(block.headers, rows, prose=block.prose)
    cells = [[shown(cell, {"ok": "green", "wrong": "bold red"}.get(cell, "")) for cell in row]
             for row in rows]
    return [fitting_table(table, block.headers, cells, block.prose)]


def _equations(block: Equations) -> list[RenderableType]:
    indent = "  " * block.depth
    parts: list[RenderableType] = []
    for row in block.rows:
        shown = " = ".join(distinct([pretty(row.lhs), *(pretty(p) for p in row.parts)]))
        line = text(indent + shown)
        if row.remark:
            line.append(visible_lines("   " + row.remark), style="dim")
        parts.append(Formula(line, indent))
        parts += [text(indent + "  " + row.shapes, "dim")] if row.shapes else []
    return parts


def pretty(math: Math) -> str:
    """A formula as a terminal shows it: a gradient written ∂f4/∂z, where the layout says."""
    return math.pretty or math.text


class Formula:
    """A line of math; its small matrices drawn as grids (grids.py) within the page's
    width. A line without one is drawn as it is, its style kept."""

    def __init__(self, line: Text, indent: str = "", stack: bool = True) -> None:
        self.line, self.indent, self.stack = line, indent, stack

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from .grids import layout

        plain = self.line.plain[len(self.indent):]
        lines = layout(plain, options.max_width, UNICODE, indent=self.indent,
                       stack=self.stack)
        if lines is None:
            yield self.line
            return
        for line in lines:
            yield Text(line, style=self.line.style)


def _remark(item: str, indent: str) -> RenderableType:
    """A remark in italics; one with a small matrix (a worked step) as a formula."""
    if has_grid(item):
        return Formula(text(indent + item), indent)
    return _indented(text(item, "italic"), len(indent))


def _indented(text: Text, width: int) -> RenderableType:
    """Text whose wrapped lines keep the indent of its first."""
    from rich.padding import Padding

    return Padding(text, (0, 0, 0, width))


def _tree(block: Diagram) -> RenderableType:
    """The graph as a tree, each node with its value."""
    from rich.tree import Tree

    levels: list[Tree] = []
    for row in block.rows:
        label = text(row.label, "bold" if row.computed else "green")
        label.append(visible_lines(f"  {row.value}"), style="cyan")
        if row.repeated:
            label.append("  (see above)", style="dim")
        if row.depth == 0:
            levels = [Tree(label, guide_style="dim")]
        else:
            del levels[row.depth:]
            levels.append(levels[-1].add(label))
    return levels[0] if levels else Text("")


def _perceptron_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "",
                      prose: Sequence[str] = ()) -> Table:
    """A table of text cells; an 'ok' or 'wrong' cell is coloured like a verdict. Only its
    prose columns wrap (between words): a number or a name stays on one line."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=shown(title) if title else None,
                  title_justify="left")
    for header in headers:
        table.add_column(shown(header), no_wrap=header not in prose)
    for row in rows:
        table.add_row(*(shown(cell, {"ok": "green", "wrong": "bold red"}.get(cell, ""))
                        for cell in row))
    return table


ROLE_STYLE = {"correct": "green", "follow-through": "cyan", "wrong": "bold red",
              "missing": "yellow", "invalid": "magenta", "error": "bold red", "note": "yellow",
              "warning": "yellow", "partial": "yellow", "dim": "dim", "strong": "bold",
              "passed": "bold green", "value": "bold cyan"}


DRAW: dict[type, Callable[[Any], list[RenderableType]]] = {
    Description: _description, Section: _section,
    StepTitle: lambda block: [text(one_line(span_text(block.text)), "bold")],
    Hint: lambda block: [Text(""), Text.assemble(("Hint: ", "bold yellow"), prose(block.text)),
                         Text("")],
    Worked: lambda block: [Text("Worked out:", style="bold"),
                           *([text(block.text, "cyan")] if block.text else [])],
    AnswerEquation: lambda block: [Formula(Text.assemble(
        ("Answer: ", "bold"), (visible_lines(pretty(block.answer)), "bold cyan")))],
    Answer: lambda block: [Text(""), Text("Answer:", style="bold"),
                           *(text("  " + line, "bold cyan") for line in block.lines)],
    Code: lambda block: [text(line, "cyan") for line in block.lines],
    Reasoning: lambda block: [text(line, "cyan" if line.startswith("  ") else "")
                              for line in block.lines],
    TableBlock: _table, Gap: lambda block: [Text("")], Graph: lambda block: [],
    Strong: _styled("bold"), Caption: _styled("bold cyan"),
    Paragraph: lambda block: [text(block.text, ROLE_STYLE.get(block.role, ""))]
    if block.text else [],
    Lines: lambda block: [Formula(text(one_line(span_text(line))), stack=False)
                          for line in block.lines],
    Fact: _styled(""), Note: lambda block: [text(f"Note: {block.text}", "yellow")],
    Subsection: _styled("bold"), Diagram: lambda block: [_tree(block)],
    Equations: _equations, Remark: _styled("bold"),
    Visit: lambda block: [Formula(text(f"at {pretty(block.node)}, upstream "
                                       f"{pretty(block.upstream)}", "bold"), stack=False)],
    Bullets: lambda block: [_remark(item, "  " * block.depth) for item in block.items],
}


# -- reports: a check, a solution, a list ---------------------------------------------------



def report(doc: Document) -> RenderableType:
    """A report in a panel titled with its title (none without one); rich spaces the parts
    itself, so a report's blank lines (Gap) are left out."""
    parts = [part for block in doc.blocks if not isinstance(block, Gap)
             for part in REPORT.get(type(block), draw)(block)]
    if not doc.title:
        return Group(*parts)
    return titled_panel(doc.title, parts)


def spans(cell: Span | list[Span], style: str = "") -> Text:
    """Spans as one Text, each styled by its role; text from a file stays as it is."""
    drawn = Text(style=style)
    for span in cell if isinstance(cell, list) else [cell]:
        if isinstance(span, Verdict):
            drawn.append(visible(span.verdict, 1000), style=ROLE_STYLE.get(span.verdict, ""))
            if span.diagnosis:
                drawn.append(f"\n{visible_lines(span.diagnosis)}", style="italic")
        elif isinstance(span, Math) and span.pretty:
            drawn.append(visible_lines(span.pretty))
        else:
            role = span.role if isinstance(span, Styled) else ""
            drawn.append(visible(span_text(span), 1000), style=ROLE_STYLE.get(role, ""))
    return drawn


def report_table(block: TableBlock) -> list[RenderableType]:
    """A table; the notes about each row in a column of their own."""
    table = Table(box=box.SIMPLE_HEAD, expand=False, title=shown(block.title) if block.title
                  else None, title_justify="left")
    headers = [*block.headers, *(["notes"] if block.notes else [])]
    prose = [*block.prose, "notes"]
    for header in headers:
        table.add_column(shown(header), no_wrap=header not in prose,
                         min_width=12 if header in prose else None)
    rows = []
    for i, row in enumerate(block.rows):
        cells = [_cell(cell) for cell in row]
        if block.notes:
            cells.append(text("\n".join(block.notes[i]), "dim"))
        table.add_row(*cells)
        rows.append(cells)
    return [fitting_table(table, headers, rows, prose)]


# a wider grid stays inline: at 60 columns a record (in a panel, after "expected: ") has room
# for this one
CELL_ROOM = 60 - 4 - len("expected: ")


def _cell(cell: Span | list[Span]) -> Text:
    """A cell; an 'ok' or 'wrong' cell (a perceptron's row) is coloured like a verdict; a
    small matrix drawn as its grid."""
    grid = drawn(visible(span_text(cell), 1000), UNICODE, CELL_ROOM)
    if grid is not None:
        return Text("\n".join(grid))
    return spans(cell, {"ok": "green", "wrong": "bold red"}.get(span_text(cell), ""))


def bars(block: Bars) -> list[RenderableType]:
    widest = max((count for _, count in block.rows), default=0) or 1
    table = Table(box=None, show_header=False, pad_edge=False)
    for _ in range(3):
        table.add_column()
    for band, count in block.rows:
        table.add_row(shown(band), Text("█" * round(30 * count / widest), style="cyan"),
                      str(count))
    return [table]


REPORT: dict[type, Callable[[Any], list[RenderableType]]] = {
    TableBlock: report_table, Bars: bars,
    Line: lambda block: [spans(block.spans, ROLE_STYLE.get(block.role, ""))],
}
DRAW[Line] = REPORT[Line]
DRAW[Bars] = bars
