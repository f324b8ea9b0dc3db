"""Graphviz source (dot), drawn from the Graph blocks of a document; other blocks are prose
and are left out."""

from __future__ import annotations

import re

from ..base.safetext import one_line
from .blocks import Document, Graph, GraphEdge, GraphNode


def document(doc: Document) -> str:
    """The document's graph as dot source."""
    return "".join(graph(block) for block in doc.blocks if type(block) is Graph)


def graph(block: Graph) -> str:
    lines = [f"digraph {quoted(block.name)} {{", "  rankdir=LR;",
             f"  label={quoted(block.title)};", "  labelloc=t;",
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    lines += [_node(item) if isinstance(item, GraphNode) else _edge(item) for item in block.items]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(node: GraphNode) -> str:
    if node.fields:
        return f"  {quoted(node.id)} [shape=record, label={record(node.fields)}];"
    return f"  {quoted(node.id)} [shape=ellipse, label={quoted(node.label)}];"


def _edge(edge: GraphEdge) -> str:
    label = "" if edge.label is None else f" [label={quoted(edge.label)}]"
    return f"  {quoted(edge.source)} -> {quoted(edge.target)}{label};"


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
