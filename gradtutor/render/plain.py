"""Plain-text output, for pipes and files: the same results the rich renderer draws."""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from functools import cache
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
from .grids import ASCII, drawn, has_grid, held, layout


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Columns padded to their widest cell; the last column is not padded. A cell never
    breaks a line, whatever a file put in it. Wider than the page, a record per row."""
    drawn = table_rows(headers, rows, indent)
    if drawn is None:
        shown = cells(headers, rows)
        return "\n".join(indent + line for line in records(shown[0], shown[1:], len(indent)))
    return "\n".join(line for row in drawn for line in row)


def cells(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """The header and the rows' cells as drawn: each on one line, hidden characters escaped;
    on a page of known width, a small matrix as its grid (a line per row of it). In a pipe
    a row stays on one line, for grep and cut."""
    grid = columns() is not None
    return [[_cell(cell, grid) for cell in row] for row in [headers, *rows]]


def _cell(text: str, grid: bool) -> str:
    shown = visible(text)
    lines = drawn(shown, ASCII, width() - 12) if grid else None  # (room for its field)
    return "\n".join(lines) if lines else shown


def table_rows(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = ""
               ) -> list[list[str]] | None:
    """The lines of each row (the headers' first), columns padded to their widest cell;
    None when the table is wider than the page."""
    shown = cells(headers, rows)
    widths = [max(len(line) for row in shown for line in row[i].split("\n"))
              for i in range(len(headers))]
    page = columns()
    if page and len(indent) + sum(widths) + 2 * (len(widths) - 1) > page:
        return None
    return [_row_lines(row, widths, indent) for row in shown]


def _row_lines(row: list[str], widths: list[int], indent: str) -> list[str]:
    split = [cell.split("\n") for cell in row]
    lines = []
    for number in range(max(len(cell) for cell in split)):
        shown = [cell[number] if number < len(cell) else "" for cell in split]
        padded = [cell.ljust(w) for cell, w in zip(shown[:-1], widths, strict=False)]
        lines.append(indent + "  ".join([*padded, shown[-1]]).rstrip())
    return lines


def records(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: int = 0
            ) -> list[str]:
    """A table too wide for the page as stacked records: a "field: value" line per cell,
    a blank line between rows; a long value wraps under its field, never inside a word,
    and a grid's rows stand under its first."""
    lines: list[str] = []
    for number, row in enumerate(rows):
        lines += [""] if number else []
        for header, cell in zip(headers, row, strict=False):
            first, *more = cell.split("\n")
            if more:
                lines += [f"{header}: {first}", *(" " * (len(header) + 2) + line
                                                  for line in more)]
            elif cell:
                lines += textwrap.wrap(f"{header}: {cell}", max(width() - indent, 20),
                                       subsequent_indent="    ", break_long_words=False,
                                       break_on_hyphens=False)
    return lines


# -- blocks ------------------------------------------------------------------------------

WIDTH = 88  # the widest a plain line is wrapped to, however wide the terminal
INDENT = "   "


def columns() -> int | None:
    """The page's width: COLUMNS, else the terminal's when plain text is asked for on one;
    None in a pipe or a file without COLUMNS."""
    import os
    import shutil

    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return max(int(given), 30)
    if sys.stdout.isatty():
        return max(shutil.get_terminal_size((WIDTH, 24)).columns, 30)
    return None


def width() -> int:
    """The width prose is wrapped to: WIDTH, or the page's when it is narrower."""
    return min(WIDTH, columns() or WIDTH)


def report_width() -> int:
    """Lines kept whole in a pipe (an equation, a check's notes: a line each, for grep) are
    wrapped only on a page of known width (COLUMNS, a terminal)."""
    return width() if columns() else 1_000_000


def document(doc: Document) -> str:
    """The document as plain ASCII text: the title underlined, then each block; nothing in
    it that a terminal would not show as itself (see base/safetext.py)."""
    if doc.form == "report":
        return report(doc)
    title = one_line(doc.title)
    lines = [*fit(title), "=" * min(len(title), width())]
    for block in doc.blocks:
        lines += draw(block)
    return visible_lines("\n".join(lines) + "\n")


def draw(block: Block) -> list[str]:
    return DRAW[type(block)](block)


def wrap(text: str, indent: str, page: int | None = None) -> list[str]:
    """Prose wrapped at the page's width; a continued line is indented two more spaces; a
    word (a number, a step's name) is never split."""
    return _unbound(textwrap.wrap(_bound(text), page or width(), initial_indent=indent,
                                  subsequent_indent=indent + "  ", break_on_hyphens=False,
                                  break_long_words=False)) or [indent]


def _bound(text: str) -> str:
    """`a = b` breaks after its `=`, never before (a line never starts with `=`), and a
    vector or matrix that fits on a line is not broken: their spaces are held by no-break
    spaces while text is wrapped (textwrap breaks only at ASCII white space)."""
    return held(text.replace(" = ", "\xa0= "), width() - 12)


def _unbound(lines: list[str]) -> list[str]:
    return [line.replace("\xa0", " ") for line in lines]


def indented_table(headers: list[str], rows: list[list[str]], indent: str = INDENT
                   ) -> list[str]:
    return table(headers, rows, indent).splitlines()


def description(markdown: str) -> list[str]:
    """An author's Markdown as plain text at the page's width: its math in Unicode, its
    paragraphs and list items wrapped, its tables aligned (or stacked), its code kept."""
    from .texmath import markdown_math

    lines: list[str] = []
    shown = markdown_math(visible_lines(markdown), _escaped, indent=INDENT)  # nothing hidden
    for chunk in re.split(r"\n[ \t]*\n", shown):
        lines += ["", *_markdown_chunk(chunk.rstrip())] if chunk.strip() else []
    return lines


def _markdown_chunk(chunk: str) -> list[str]:
    rows = chunk.splitlines()
    if chunk.startswith(INDENT) and not chunk.startswith(INDENT + " "):  # display math
        shown = inline(chunk.strip(), len(INDENT))
        return layout(shown, width(), ASCII, indent=INDENT) or wrap(shown, INDENT)
    if all(row.lstrip().startswith("|") for row in rows):
        cells = [[inline(cell.strip()) for cell in row.strip().strip("|").split("|")]
                 for row in rows if not re.fullmatch(r"[\s|:-]+", row)]
        return table(cells[0], cells[1:]).splitlines() if cells else []
    if all(row.startswith("    ") for row in rows):
        return rows
    items = re.split(r"\n(?=\s*(?:[-*]|\d+\.) )", chunk)
    return [line for item in items for line in _wrapped_item(item)]


def _escaped(math: str) -> str:
    """Math that Markdown reads as it is (a table's `|` kept: it is read before Markdown)."""
    from .texmath import markdown_escaped

    return markdown_escaped(math).replace("\\|", "|")


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def inline(markdown: str, margin: int = 0) -> str:
    """A paragraph's Markdown as plain text: code, emphasis and links without their markup
    (a link's address in brackets after it); a code or emphasised span kept on one line
    where it fits the page after `margin` (held by no-break spaces while it is wrapped)."""
    shown, span, depth, address = "", "", 0, ""
    for token in _markdown().parseInline(markdown)[0].children or []:
        depth += EMPHASIS.get(token.type, 0)
        if token.type == "link_open":
            address = str(token.attrs.get("href", ""))
        part = {"softbreak": " ", "hardbreak": " ",
                "link_close": f" ({address})" if address else ""}.get(token.type,
                                                                       token.content)
        if token.type == "code_inline" or depth:
            span += part
            continue
        shown += _held(span, width() - margin) + part
        span = ""
    return shown + _held(span, width() - margin)


EMPHASIS = {"strong_open": 1, "em_open": 1, "strong_close": -1, "em_close": -1}


def _held(span: str, room: int) -> str:
    return span.replace(" ", "\xa0") if len(span) <= room else span


def _wrapped_item(item: str) -> list[str]:
    """A paragraph or a list item (its marker hanging) wrapped."""
    text = " ".join(item.split())
    marker = re.match(r"(?:[-*]|\d+\.) ", text)
    hang = " " * len(marker.group()) if marker else ""
    indent = re.match(r"\s*", item).group() if marker else ""  # type: ignore[union-attr]
    text = text[:len(hang)] + inline(text[len(hang):], len(indent + hang) + 2)
    return _unbound(textwrap.wrap(_bound(text), width(), initial_indent=indent,
                                  subsequent_indent=indent + hang, break_on_hyphens=False,
                                  break_long_words=False)) or [""]


def reasoning_lines(lines: list[str], indent: str, page: int | None = None) -> list[str]:
    """An argument: prose wrapped, its equations (indented) whole where they fit."""
    shown: list[str] = []
    for text in lines:
        shown += (fit(indent + text, page=page) if text.startswith("  ")
                  else wrap(text, indent, page))
    return shown


def _equations(block: Equations) -> list[str]:
    """The equations a line each; one drawn with a grid over several lines is set apart by
    a blank line (in ASCII, a grid's rows could be read as the lines of its neighbours)."""
    indent = INDENT + "  " * block.depth
    lines: list[str] = []
    tall = False  # the equation above took several lines
    for row in block.rows:
        shown = " = ".join(distinct([row.lhs.text, *(part.text for part in row.parts)]))
        drawn = formula(shown + (f"   {row.remark}" if row.remark else ""), indent, True)
        apart = lines and (tall or (len(drawn) > 1 and has_grid(shown)))
        lines += [""] * bool(apart) + drawn
        lines += fit(indent + "  " + row.shapes) if row.shapes else []
        tall = len(drawn) > 1 and has_grid(shown)
    return lines


def formula(text: str, indent: str = "", stack: bool = False) -> list[str]:
    """A formula on a line (wrapped where the page is narrower), its small matrices drawn
    as grids (grids.py: as numpy prints them, `[[` ... `]]`) within the page's width."""
    return layout(text, width(), ASCII, indent=indent, stack=stack) or fit(indent + text)


def _remark(item: str, indent: str) -> list[str]:
    """A remark wrapped as prose; one with a small matrix (a worked step) as a formula."""
    return formula(item, indent, True) if has_grid(item) else wrap(item, indent)


def _titled(block: Section | StepTitle) -> list[str]:
    return ["", *fit(one_line(span_text(block.text)))]


def fit(line: str, hang: str = "    ", page: int | None = None) -> list[str]:
    """A line as it is when it fits the page, else wrapped between words (a number, a step's
    name stays whole), its continuations indented by `hang` more than it."""
    page = page or report_width()
    if len(line) <= page:
        return [line]
    indent = line[:len(line) - len(line.lstrip())]
    return _unbound(textwrap.wrap(_bound(line.lstrip()), page, initial_indent=indent,
                                  subsequent_indent=indent + hang, break_long_words=False,
                                  break_on_hyphens=False))


def _prose(block: Paragraph | Strong | Caption) -> list[str]:
    return wrap(block.text, INDENT) if block.text else []


DRAW: dict[type, Callable[[Any], list[str]]] = {
    Description: lambda block: description(block.markdown), Section: _titled, StepTitle: _titled,
    Hint: lambda block: ["", *wrap("Hint: " + block.text, "")],
    Worked: lambda block: ["", "Worked out:", *([one_line(block.text)] if block.text
                                                 else [])],
    AnswerEquation: lambda block: ["", *formula(f"Answer: {block.answer.text}", stack=True)],
    Answer: lambda block: ["", "Answer:", *(shown for line in block.lines
                                             for shown in fit(INDENT + line))],
    Code: lambda block: [shown for line in block.lines for shown in fit(INDENT + line)],
    Reasoning: lambda block: reasoning_lines(block.lines, INDENT),
    Table: lambda block: indented_table(block.headers, [[span_text(cell) for cell in row]
                                                        for row in block.rows]),
    Lines: lambda block: ["", *(shown for line in block.lines
                               for shown in formula(one_line(span_text(line))))],
    Fact: lambda block: fit(one_line(block.text)),
    Note: lambda block: fit(f"Note: {one_line(block.text)}"),
    Subsection: lambda block: ["", *fit(f"{INDENT}{one_line(block.text)}:")],
    Diagram: lambda block: ["", *(INDENT + line for line in block.lines())],
    Equations: _equations,
    Visit: lambda block: formula(f"at {block.node.text}, upstream {block.upstream.text}",
                                 INDENT),
    Bullets: lambda block: [line for item in block.items
                            for line in _remark(item, INDENT + "  " * block.depth)],
    Remark: lambda block: ["", *wrap(block.text, INDENT)],
    Gap: lambda block: [""], Graph: lambda block: [],
    Paragraph: _prose, Strong: _prose, Caption: _prose,
    Line: lambda block: fit(one_line(span_text(block.spans))),
    Bars: lambda block: bars(block.rows),
}


# -- reports: a check, a solution, a list, compact and unindented --------------------------


def report(doc: Document) -> str:
    """A report: its title on a line, then its blocks one under the other."""
    lines = fit(one_line(doc.title), page=report_width()) if doc.title else []
    for block in doc.blocks:
        lines += REPORT.get(type(block), draw)(block)
    return visible_lines("\n".join(lines) + "\n")


def report_table(block: Table) -> list[str]:
    """The table unindented; the notes about a row under it, indented. Too wide for the
    page, a record per row, its notes under it."""
    head = [*fit(one_line(block.title), page=report_width()), ""] if block.title else []
    rows = [[span_text(cell) for cell in row] for row in block.rows]
    if not block.notes:
        return head + table(block.headers, rows).splitlines()
    drawn = table_rows(block.headers, rows)
    shown = cells(block.headers, rows)
    body = [] if drawn is None else drawn[0]
    for number, notes in enumerate(block.notes):
        body += (([""] if number else []) + records(shown[0], [shown[number + 1]])
                 if drawn is None else drawn[number + 1])
        body += [line for note in notes for line in wrap(note, "    ", report_width())]
    return head + body


def bars(rows: list[tuple[str, int]]) -> list[str]:
    widest = max((count for _, count in rows), default=0) or 1
    return [f"  {band:>12}  {'#' * round(20 * count / widest):<20} {count}"
            for band, count in rows]


REPORT: dict[type, Callable[[Any], list[str]]] = {
    Table: report_table, Gap: lambda block: [""],
    Paragraph: lambda block: wrap(block.text, "", report_width()) or [""],
    Reasoning: lambda block: reasoning_lines(block.lines, "", report_width()),
    Line: lambda block: fit(one_line(span_text(block.spans)), page=report_width()),
}
