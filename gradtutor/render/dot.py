"""Graphviz source (dot), drawn from the Graph blocks of a document; other blocks are prose
and are left out.

The layout is layered top to bottom (inputs at the top, the output at the bottom), so that
a chain of nodes grows down the page rather than across it; a node with values is a small
table (HTML-like label) whose matrices are grids; a check colours each row by its verdict.
"""

from __future__ import annotations

import html
import re

from ..base.safetext import one_line
from .blocks import Document, Graph, GraphEdge, GraphNode, GraphRow, Grid

# What each role looks like: the fill of a row, and the outline of a first step to fix.
FILLS = {"correct": "#d8f0d2", "follow-through": "#d6e4f7", "wrong": "#f8cfc9",
         "invalid": "#f8cfc9", "missing": "#e6e6e6"}
FIRST_TO_FIX = "#b2182b"
CARRIED = "#2c6fbb"  # the follow-through arrows


def document(doc: Document) -> str:
    """The document's graph as dot source."""
    return "".join(graph(block) for block in doc.blocks if type(block) is Graph)


def graph(block: Graph) -> str:
    lines = [f"digraph {quoted(block.name)} {{", "  rankdir=TB;", "  newrank=true;",
             "  nodesep=0.25;", "  ranksep=0.3;",
             f"  label={quoted(block.title)};", "  labelloc=t;", '  fontname="Helvetica";',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];']
    lines += [_node(item) if isinstance(item, GraphNode) else _edge(item) for item in block.items]
    if block.legend:
        lines.append(_legend(block.legend))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(node: GraphNode) -> str:
    if node.rows or node.role:
        return f"  {quoted(node.id)} [shape=plain, label=<{table(node)}>];"
    if node.fields:
        return f"  {quoted(node.id)} [shape=record, label={record(node.fields)}];"
    return f"  {quoted(node.id)} [shape=ellipse, label={quoted(node.label)}];"


def _edge(edge: GraphEdge) -> str:
    attributes = [] if edge.label is None else [f"label={quoted(edge.label)}"]
    if edge.role == "follow-through":
        attributes += ["style=dashed", f'color="{CARRIED}"', "constraint=false"]
    shown = f" [{', '.join(attributes)}]" if attributes else ""
    return f"  {quoted(edge.source)} -> {quoted(edge.target)}{shown};"


def table(node: GraphNode) -> str:
    """A node as an HTML-like table: its heading, then a row per value (name, grid, note)."""
    outline = f' COLOR="{FIRST_TO_FIX}" BORDER="3"' if node.role == "first-to-fix" \
        else ' BORDER="1"'
    width = 3 if any(row.note for row in node.rows) else 2
    heading = f'<TR><TD COLSPAN="{width}"><B>{text(node.label)}</B></TD></TR>'
    if node.role == "first-to-fix":
        heading += f'<TR><TD COLSPAN="{width}"><FONT COLOR="{FIRST_TO_FIX}">' \
                   "first step to fix</FONT></TD></TR>"
    rows = "".join(_row(row, width) for row in node.rows)
    return f'<TABLE{outline} CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">' \
           f"{heading}{rows}</TABLE>"


def _row(row: GraphRow, width: int) -> str:
    fill = heat_fill(row.heat) if row.heat is not None else FILLS.get(row.role)
    colour = f' BGCOLOR="{fill}"' if fill else ""
    note = f"<TD{colour}>{text(row.note)}</TD>" if width == 3 else ""
    if width == 3 and not row.note:
        note = f"<TD{colour}></TD>"
    return f'<TR><TD{colour} ALIGN="LEFT">{text(row.name)}</TD>' \
           f"<TD{colour}>{grid_table(row.grid)}</TD>{note}</TR>"


def grid_table(grid: Grid) -> str:
    """A number as itself; a vector or matrix as a small grid of its entries."""
    if len(grid) == 1 and len(grid[0]) == 1:
        return text(grid[0][0])
    rows = "".join("<TR>" + "".join(f'<TD ALIGN="RIGHT">{text(cell)}</TD>' for cell in row)
                   + "</TR>" for row in grid)
    return f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">{rows}</TABLE>'


def heat_fill(share: float) -> str:
    """White for no one wrong, to deep red for everyone."""
    share = min(max(share, 0.0), 1.0)
    green_blue = round(255 - share * (255 - 90))
    return f"#ff{green_blue:02x}{green_blue:02x}" if share < 1 else "#f45a5a"


def _legend(entries: list[tuple[str, str]]) -> str:
    cells = "".join(f'<TR>{_legend_cell(role)}<TD ALIGN="LEFT">{text(meaning)}</TD></TR>'
                    for role, meaning in entries)
    return '  "legend" [shape=plain, label=<<TABLE BORDER="0" CELLBORDER="1" ' \
           f'CELLSPACING="0" CELLPADDING="3">{cells}</TABLE>>];'


def _legend_cell(role: str) -> str:
    """A legend's key: the role drawn as it is drawn in the graph."""
    if role == "first to fix":
        return f'<TD BORDER="3" COLOR="{FIRST_TO_FIX}">{text(role)}</TD>'
    fill = heat_fill(float(role.rstrip("%")) / 100) if role.endswith("%") else FILLS.get(role)
    if fill is None:
        return f'<TD><FONT COLOR="{CARRIED}">{text(role)}</FONT></TD>'
    return f'<TD BGCOLOR="{fill}">{text(role)}</TD>'


def text(value: str) -> str:
    """Text inside an HTML-like label: markup characters escaped, hidden characters shown."""
    return html.escape(one_line(value)).replace("\n", "<BR/>")


def record(fields: list[str]) -> str:
    """A record label: one compartment per field, top to bottom."""
    label = "{ " + " | ".join(record_escape(f) for f in fields) + " }"
    return '"' + label.replace('"', '\\"') + '"'  # already escaped for a record


def record_escape(text: str) -> str:
    """Characters with a meaning inside a record label are escaped, and so are hidden
    characters (line breaks too)."""
    return re.sub(r"([{}|<>\\])", r"\\\1", one_line(text))


def quoted(text: str) -> str:
    """A dot string (an id or a label), on one line: a line break is dot's `\\n`, other
    hidden characters are shown as escapes."""
    lines = [one_line(line) for line in text.split("\n")]
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'
