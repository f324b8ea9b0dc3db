"""HTML, drawn from blocks: one self-contained page that works offline (its style inline, no
script, no font or image fetched; a Content-Security-Policy says so to the browser), math as
MathML (browsers lay it out natively), the graph as inline SVG when Graphviz is installed.

Every text is escaped; an author's Markdown cannot reach raw HTML, and MathML is rebuilt
from a list of known elements and attributes (latex2mathml passes `\\text{<b>}` through).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from ..base.errors import GradtutorError
from ..base.safetext import one_line, visible_lines
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
    Styled,
    Subsection,
    Table,
    Typed,
    Verdict,
    Visit,
    Worked,
    distinct,
    span_text,
)
from .latex import text_escape
from .plain import INDENT, reasoning_lines

STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;
color:#1b1b1b;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem;overflow-wrap:break-word}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1.05rem}
pre,.scroll,.math,.graph{overflow-x:auto;max-width:100%}
pre{background:#f5f5f5;padding:.5rem;font-size:.9rem}
code{font-size:.9em}
th,td code,td .correct,td .wrong,td .follow-through{white-space:nowrap}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
.display{display:block;margin:.5rem 0;overflow-y:hidden}
.aligned mtd{text-align:left;padding:.2em 0}.aligned mtd:first-child{text-align:right}
.graph svg{max-width:100%;height:auto}
.note{color:#555}.remark,.strong{font-weight:600}
.correct,.passed{color:#1a7f37}.wrong,.error,.invalid{color:#b42318}
.follow-through{color:#2c6fbb}.missing,.dim{color:#666}.partial{color:#9a6700}
.bar{display:inline-block;height:.8em;background:#8aa8d8}
.depth1{margin-left:1.5rem}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def document(doc: Document) -> str:
    """The document as one HTML page."""
    body = "".join(draw(block) for block in doc.blocks)
    title = escape(doc.title)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            + (f"<h1>{title}</h1>\n" if doc.title else "") + body + "</main>\n</body>\n</html>\n")


def draw(block: Block) -> str:
    return DRAW[type(block)](block)


def escape(text: str) -> str:
    """Text for HTML, hidden characters shown as escapes."""
    return html.escape(one_line(text))


def span(cell: Cell) -> str:
    """A cell of spans: text escaped, math as MathML, typed text as code, a role as a class."""
    if isinstance(cell, list):
        return "".join(span(part) for part in cell)
    if isinstance(cell, Math):
        return mathml(cell.latex)
    if isinstance(cell, Typed):
        return f"<code>{escape(cell.text)}</code>"
    if isinstance(cell, Styled | Verdict):
        role = cell.role if isinstance(cell, Styled) else cell.verdict
        return f'<span class="{_role(role)}">{escape(cell.text)}</span>'
    return escape(span_text(cell))


def _role(role: str) -> str:
    return re.sub(r"[^a-z-]", "", role)


# -- math ----------------------------------------------------------------------------------

MATHML_TAGS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mtable", "mtr", "mtd", "munder", "mover", "munderover", "mstyle",
    "mpadded", "mphantom", "menclose", "merror", "semantics"))
MATHML_ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "minsize", "maxsize", "width", "height", "depth",
    "fence", "separator", "lspace", "rspace", "columnalign", "columnspacing", "rowspacing",
    "displaystyle", "scriptlevel", "accent", "accentunder", "movablelimits", "linethickness",
    "notation", "form", "symmetric", "largeop", "columnlines", "rowlines", "frame", "class"))


def mathml(latex: str, *, display: bool = False) -> str:
    """LaTeX math as MathML, rebuilt from known elements and attributes only; TeX that
    cannot be converted is shown as code."""
    root = _math_element(latex, display)
    if root is None:
        return f"<code>{escape(latex)}</code>"
    return _shown(root, display)


def aligned(rows: list[tuple[str, str]]) -> str:
    """Display math aligned at the = signs: `lhs = rhs` a row (latex2mathml has no
    `aligned`), each side converted on its own into a cell of one table."""
    table = ET.Element("mtable", {"class": "aligned"})
    for lhs, rhs in rows:
        sides = [_math_element(lhs, False), _math_element(rhs, False)]
        if sides[0] is None or sides[1] is None:
            return "".join(mathml(f"{lhs} = {rhs}", display=True) for lhs, rhs in rows)
        row = ET.SubElement(table, "mtr")
        ET.SubElement(row, "mtd").extend(list(sides[0]))
        right = ET.SubElement(row, "mtd")
        ET.SubElement(right, "mo").text = "="
        right.extend(list(sides[1]))
    root = ET.Element("math", display="block")
    root.append(table)
    return _shown(root, True)


def _math_element(latex: str, display: bool) -> ET.Element | None:
    from latex2mathml.converter import convert  # only an HTML page needs it

    try:
        root = ET.fromstring(convert(latex, display="block" if display else "inline"))
        _clean(root)
    except Exception:  # noqa: BLE001 (latex2mathml raises many kinds on TeX it cannot read)
        return None
    return root


def _shown(root: ET.Element, display: bool) -> str:
    shown = ET.tostring(root, encoding="unicode", method="xml")
    return f'<span class="math display">{shown}</span>' if display else shown


def _clean(element: ET.Element) -> None:
    element.tag = element.tag.rpartition("}")[2]
    if element.tag not in MATHML_TAGS:
        raise GradtutorError(f"not MathML: {element.tag}")
    for name in list(element.attrib):
        if name not in MATHML_ATTRIBUTES:
            del element.attrib[name]
    for child in element:
        _clean(child)


# -- an author's Markdown ------------------------------------------------------------------

MATH_SPAN = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)


def markdown_html(text: str) -> str:
    """An author's Markdown as HTML: no raw HTML (escaped), no image (nothing is fetched),
    links only where markdown-it finds them safe; `$`/`$$` math as MathML."""
    from markdown_it import MarkdownIt  # rich's Markdown parser

    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        display = match.group(1) is not None
        held.append(mathml(match.group(1) if display else match.group(2), display=display))
        return f"gtmath{len(held) - 1}x"

    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    rendered = parser.render(MATH_SPAN.sub(hold, visible_lines(text)))
    return re.sub(r"gtmath(\d+)x", lambda m: held[int(m.group(1))], rendered)


# -- blocks --------------------------------------------------------------------------------


def _table(block: Table) -> str:
    def cell(header: str, value: Cell) -> str:
        if header == block.math_column and value:
            return f"<code>{escape(span_text(value))}</code>"
        return span(value)

    notes = ["notes"] if block.notes else []
    head = "".join(f"<th>{escape(h)}</th>" for h in [*block.headers, *notes])
    rows = []
    for i, row in enumerate(block.rows):
        cells = [cell(h, c) for h, c in zip(block.headers, row, strict=True)]
        cells += ["<br>".join(escape(line) for line in block.notes[i])] if notes else []
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    title = f"<p><strong>{escape(block.title)}</strong></p>" if block.title else ""
    return f'{title}<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>' \
           + "".join(rows) + "</tbody></table></div>\n"


def _equations(block: Equations) -> str:
    """Display math aligned at the = signs; the shapes listed under it."""
    rows = [(row.lhs.latex, " = ".join(distinct([part.latex for part in row.parts]))
             + "".join(_remark(row.remark))) for row in block.rows]
    shown = aligned(rows) if rows else ""
    shapes = [f"<li><code>{escape(row.lhs.text)}</code>: {escape(row.shapes)}</li>"
              for row in block.rows if row.shapes]
    depth = ' class="depth1"' if block.depth else ""
    return f"<div{depth}>{shown}" + (f"<ul>{''.join(shapes)}</ul>" if shapes else "") \
        + "</div>\n"


def _remark(remark: str) -> list[str]:
    return [rf"\quad \text{{{text_escape(remark)}}}"] if remark else []


def _graph(block: Graph) -> str:
    """The graph as inline SVG, drawn by Graphviz; without it, a sentence saying why."""
    from .dot import graph as dot_source
    from .graphviz import picture

    try:
        svg = picture(dot_source(block), "svg").decode("utf-8")
    except GradtutorError as error:
        return f'<p class="note">The graph is not drawn here: {escape(error.message)}</p>\n'
    start = svg.find("<svg")
    return f'<div class="graph">{svg[start:]}</div>\n' if start >= 0 else ""


def _pre(lines: list[str]) -> str:
    return "<pre>" + html.escape(visible_lines("\n".join(lines))) + "</pre>\n"


def _p(inner: str, role: str = "") -> str:
    return f'<p class="{_role(role)}">{inner}</p>\n' if role else f"<p>{inner}</p>\n"


def _bars(block: Bars) -> str:
    top = max((count for _, count in block.rows), default=0) or 1
    rows = "".join(f"<tr><td>{escape(band)}</td><td>{count}</td><td>"
                   f'<span class="bar" style="width:{10 * count / top:.1f}rem"></span></td></tr>'
                   for band, count in block.rows)
    return f'<div class="scroll"><table>{rows}</table></div>\n'


DRAW: dict[type, Callable[[Any], str]] = {
    Description: lambda block: markdown_html(block.markdown),
    Section: lambda block: f"<h2>{span(block.text)}</h2>\n",
    StepTitle: lambda block: f"<h2>{span(block.text)}</h2>\n",
    Worked: lambda block: "<h3>Worked out</h3>\n"
    + (f"<h4>{escape(block.text)}</h4>\n" if block.text else ""),
    Hint: lambda block: _p(f"<strong>Hint:</strong> {escape(block.text)}"),
    Answer: lambda block: "<p><strong>Answer:</strong></p>\n" + _pre(block.lines),
    Code: lambda block: _pre(block.lines),
    Reasoning: lambda block: _pre(reasoning_lines(block.lines, "")),
    Table: _table, Caption: lambda block: _p(f"<code>{escape(block.text)}</code>"),
    Strong: lambda block: _p(f"<strong>{escape(block.text)}</strong>"),
    Paragraph: lambda block: _p(escape(block.text), block.role) if block.text else "",
    Gap: lambda block: "", Graph: _graph,
    Lines: lambda block: _p("<br>".join(span(line) for line in block.lines)),
    Fact: lambda block: _p(escape(block.text)),
    Note: lambda block: _p(f"Note: {escape(block.text)}", "note"),
    Subsection: lambda block: f"<h3>{escape(block.text)}</h3>\n",
    Diagram: lambda block: _pre([INDENT + line for line in block.lines()]),
    Equations: _equations,
    Visit: lambda block: _p(f"<strong>At {mathml(block.node.latex)}</strong>, upstream "
                            f"{mathml(block.upstream.latex)}"),
    AnswerEquation: lambda block: "<p><strong>Answer:</strong></p>\n"
    + mathml(block.answer.latex, display=True),
    Bullets: lambda block: ("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items)
                            + "</ul>\n") if block.items else "",
    Remark: lambda block: _p(escape(block.text), "remark"),
    Line: lambda block: _p(span(block.spans), block.role), Bars: _bars,
}
