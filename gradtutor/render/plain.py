"""Plain-text output, for pipes and files: the same results the rich renderer draws."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from ..base.safetext import one_line, visible, visible_lines
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


# -- blocks ------------------------------------------------------------------------------

WIDTH = 88
INDENT = "   "


def document(doc: Document) -> str:
    """The document as plain ASCII text: the title underlined, then each block; nothing in
    it that a terminal would not show as itself (see base/safetext.py)."""
    if doc.form == "report":
        return report(doc)
    title = one_line(doc.title)
    lines = [title, "=" * min(len(title), WIDTH)]
    for block in doc.blocks:
        lines += draw(block)
    return visible_lines("\n".join(lines) + "\n")


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
    return ["", one_line(span_text(block.text))]


def _prose(block: Paragraph | Strong | Caption) -> list[str]:
    return wrap(block.text, INDENT) if block.text else []


DRAW: dict[type, Callable[[Any], list[str]]] = {
    Description: lambda block: ["", block.markdown], Section: _titled, StepTitle: _titled,
    Hint: lambda block: ["", *wrap("Hint: " + block.text, "")],
    Worked: lambda block: ["", "Worked out:", *([one_line(block.text)] if block.text
                                                 else [])],
    AnswerEquation: lambda block: ["", f"Answer: {block.answer.text}"],
    Answer: lambda block: ["", "Answer:", *(INDENT + line for line in block.lines)],
    Code: lambda block: [INDENT + line for line in block.lines],
    Reasoning: lambda block: reasoning_lines(block.lines, INDENT),
    Table: lambda block: indented_table(block.headers, [[span_text(cell) for cell in row]
                                                        for row in block.rows]),
    Lines: lambda block: ["", *(one_line(span_text(line)) for line in block.lines)],
    Fact: lambda block: [one_line(block.text)],
    Note: lambda block: [f"Note: {one_line(block.text)}"],
    Subsection: lambda block: ["", f"{INDENT}{one_line(block.text)}:"],
    Diagram: lambda block: ["", *(INDENT + line for line in block.lines())],
    Equations: _equations,
    Visit: lambda block: [f"{INDENT}at {block.node.text}, upstream {block.upstream.text}"],
    Bullets: lambda block: [line for item in block.items
                            for line in wrap(item, INDENT + "  " * block.depth)],
    Remark: lambda block: ["", *wrap(block.text, INDENT)],
    Gap: lambda block: [""], Graph: lambda block: [],
    Paragraph: _prose, Strong: _prose, Caption: _prose,
    Line: lambda block: [one_line(span_text(block.spans))],
    Bars: lambda block: bars(block.rows),
}


# -- reports: a check, a solution, a list, compact and unindented --------------------------


def report(doc: Document) -> str:
    """A report: its title on a line, then its blocks one under the other."""
    lines = [one_line(doc.title)] if doc.title else []
    for block in doc.blocks:
        lines += REPORT.get(type(block), draw)(block)
    return visible_lines("\n".join(lines) + "\n")


def report_table(block: Table) -> list[str]:
    """The table unindented; the notes about a row under it, indented."""
    head = [one_line(block.title), ""] if block.title else []
    lines = table(block.headers, [[span_text(cell) for cell in row]
                                  for row in block.rows]).splitlines()
    if not block.notes:
        return head + lines
    body = lines[:1]
    for line, notes in zip(lines[1:], block.notes, strict=True):
        body += [line, *("    " + note for note in notes)]
    return head + body


def bars(rows: list[tuple[str, int]]) -> list[str]:
    widest = max((count for _, count in rows), default=0) or 1
    return [f"  {band:>12}  {'#' * round(20 * count / widest):<20} {count}"
            for band, count in rows]


REPORT: dict[type, Callable[[Any], list[str]]] = {
    Table: report_table, Gap: lambda block: [""],
    Paragraph: lambda block: textwrap.wrap(block.text, WIDTH) or [""],
    Reasoning: lambda block: [line if line.startswith("  ") else textwrap.fill(line, WIDTH)
                              for line in block.lines],
}
