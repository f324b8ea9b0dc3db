"""Markdown, drawn from blocks: headings, `$$` math, tables, arithmetic as code."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..base.safetext import one_line, prose, visible_lines
from .blocks import (
    Answer,
    AnswerEquation,
    Bars,
    Block,
    Bullets,
    Caption,
    Cell,
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
    StepTitle,
    Strong,
    Subsection,
    Table,
    Typed,
    Visit,
    Worked,
    span_text,
)
from .latex import align_rows, text_escape
from .plain import INDENT, WIDTH, reasoning_lines


def escape(text: str) -> str:
    """Prose for Markdown, on one line: characters that would start emphasis, a link or a
    tag are escaped, and so are hidden characters (base/safetext.py)."""
    escaped = re.sub(r"([\\`*_>\[\]|#])", r"\\\1", prose(text))
    return escaped.replace("<", "&lt;")  # every renderer reads an entity as text


# In an author's Markdown: a fence line, and the inline pieces where '<' is not HTML.
_FENCE = re.compile(r"\s*(```|~~~)")
_INLINE_SAFE = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$|`[^`]+`)")


def author_markdown(text: str) -> str:
    """An author's Markdown as it is, except that it cannot reach raw HTML (a '<' outside
    code is `&lt;`, inside math `\\lt`, where it could start a tag) nor a script link
    (`](javascript:` becomes `](#javascript:`), and hidden characters are escaped."""
    lines, fenced = [], False
    for line in visible_lines(text).split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        lines.append(line if fenced or _FENCE.match(line) else _no_html(line))
    return "\n".join(lines)


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # where an HTML tag, comment or directive starts


_SCRIPT_LINK = re.compile(r"(\]\(\s*<?\s*)(?=(?:javascript|vbscript|data):)", re.IGNORECASE)


def _no_html(line: str) -> str:
    pieces = _INLINE_SAFE.split(line)
    return "".join(_TAG_START.sub(r"\\lt ", piece) if piece.startswith("$") else
                   piece if piece.startswith("`") else
                   _SCRIPT_LINK.sub(r"\1#", _TAG_START.sub("&lt;", piece))  # a link, not a script
                   for piece in pieces)


def fence(lines: list[str]) -> list[str]:
    """Lines in a code block whose fence no line can close (it is longer than any run of
    backticks in them)."""
    runs = [len(run) for line in lines for run in re.findall("`+", line)]
    marker = "`" * max(3, max(runs, default=0) + 1)
    return [marker + "text", *(visible_lines(line) for line in lines), marker, ""]


def document(doc: Document) -> str:
    """The document as Markdown."""
    lines = [f"# {escape(doc.title)}", ""] if doc.title else []
    for block in doc.blocks:
        lines += draw(block)
    return visible_lines("\n".join(lines).rstrip("\n") + "\n")


def draw(block: Block) -> list[str]:
    return DRAW[type(block)](block)


def _heading(block: Section | StepTitle) -> list[str]:
    return [f"## {span(block.text)}", ""]


def _worked(block: Worked) -> list[str]:
    return ["### Worked out", "", *([f"#### {escape(block.text)}", ""] if block.text else [])]


def _answer(block: Answer) -> list[str]:
    return ["**Answer:**", "", *fence(block.lines)]


def _code(lines: list[str]) -> list[str]:
    return fence(lines)


def span(cell: Cell) -> str:
    """Text escaped; math (a name, a formula, a value) as code, or typeset if it asks to be."""
    if isinstance(cell, list):
        return "".join(span(part) for part in cell)
    if isinstance(cell, Math | Typed):
        return f"${cell.latex}$" if isinstance(cell, Math) and cell.typeset else code(cell.text)
    return escape(span_text(cell))


def code(text: str) -> str:
    """Inline code, on one line; a `|` escaped, for a table's sake."""
    return "`" + one_line(text).replace("`", "'").replace("|", "\\|") + "`"


def _table(block: Table) -> list[str]:
    def cell(header: str, text: Cell) -> str:
        return code(span_text(text)) if header == block.math_column and text else span(text)

    headers = block.headers
    lines = [f"**{escape(block.title)}**", ""] if block.title else []
    notes = ["notes"] if block.notes else []
    lines += ["| " + " | ".join(escape(h) for h in [*headers, *notes]) + " |",
              "|" + " --- |" * (len(headers) + len(notes))]
    for i, row in enumerate(block.rows):
        cells = [cell(h, c) for h, c in zip(headers, row, strict=True)]
        cells += [escape("; ".join(block.notes[i]))] if notes else []
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _bars(block: Bars) -> list[str]:
    return ["| band | count |", "| --- | --- |",
            *(f"| {escape(band)} | {count} |" for band, count in block.rows), ""]


def _lines(block: Lines) -> list[str]:
    *first, last = [span(line) for line in block.lines]
    return [*(line + "  " for line in first), last, ""]


def _equations(block: Equations) -> list[str]:
    """An aligned `$$` block, one `lhs = part = part` row each (broken where long, as in
    LaTeX); the shapes listed under it."""
    rows = align_rows([(row.lhs.latex, [*(part.latex for part in row.parts),
                                          *_remark(row.remark)]) for row in block.rows])
    lines = ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""] \
        if rows else []
    shapes = [f"- {code(row.lhs.text)}: {row.shapes}" for row in block.rows
              if row.shapes]
    return lines + (shapes + [""] if shapes else [])


def _remark(remark: str) -> list[str]:
    return [rf"\quad \text{{{text_escape(remark)}}}"] if remark else []


def _visit(block: Visit) -> list[str]:
    return [f"**At {code(block.node.text)}**, upstream {code(block.upstream.text)}", ""]


def _paragraph(block: Paragraph) -> list[str]:
    return [escape(block.text), ""] if block.text else []


def _nothing(block: Gap | Graph) -> list[str]:
    return []


DRAW: dict[type, Callable[[Any], list[str]]] = {
    Description: lambda block: [author_markdown(block.markdown), ""],
    Section: _heading, StepTitle: _heading, Worked: _worked,
    Hint: lambda block: [f"**Hint:** {escape(block.text)}", ""],
    Answer: _answer, Code: lambda block: _code(block.lines),
    Reasoning: lambda block: _code(reasoning_lines(block.lines, "", WIDTH)),
    Table: _table, Caption: lambda block: [code(block.text), ""],
    Strong: lambda block: [f"**{escape(block.text)}**", ""],
    Paragraph: _paragraph, Gap: _nothing, Graph: _nothing,
    Lines: _lines, Fact: lambda block: [escape(block.text), ""],
    Note: lambda block: [f"> Note: {escape(block.text)}", ""],
    Subsection: lambda block: [f"### {escape(block.text)}", ""],
    Diagram: lambda block: fence([INDENT + line for line in block.lines()]),
    Equations: _equations, Visit: _visit,
    AnswerEquation: lambda block: [f"**Answer:** $${block.answer.latex}$$", ""],
    Bullets: lambda block: [f"- {escape(item)}" for item in block.items]
    + ([""] if block.items else []),
    Remark: lambda block: [f"**{escape(block.text)}**", ""],
    Line: lambda block: [span(block.spans), ""], Bars: _bars,
}
