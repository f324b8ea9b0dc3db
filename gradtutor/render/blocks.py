"""The document model every renderer draws: a result laid out once as format-neutral blocks.

A block holds text that is already worded (layout.py words it, from the result's data); a
renderer (plain, rich, markdown, latex, dot) only draws blocks, picking a function by the
block's class. A block a format has no use for (a Graph in plain text) is left out by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Description:
    """An exercise author's description, in Markdown."""

    markdown: str


@dataclass(frozen=True)
class Section:
    """The heading of one step of a walkthrough."""

    text: str


@dataclass(frozen=True)
class StepTitle:
    """`--step N`: which asked step is revealed."""

    text: str


@dataclass(frozen=True)
class Hint:
    text: str


@dataclass(frozen=True)
class Worked:
    """`--step N`: the part worked out below, by name."""

    text: str


@dataclass(frozen=True)
class Answer:
    lines: list[str]


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Strong:
    """A conclusion, shown bold."""

    text: str


@dataclass(frozen=True)
class Caption:
    """A formula-like line that introduces what follows (a unit's formula and weights)."""

    text: str


@dataclass(frozen=True)
class Code:
    """Lines kept exactly as they are."""

    lines: list[str]


@dataclass(frozen=True)
class Reasoning:
    """An argument: prose lines, and equations (indented by two spaces) kept whole."""

    lines: list[str]


@dataclass(frozen=True)
class Table:
    """Text cells; the cells of `math_column` are arithmetic (code or math where it can be)."""

    headers: list[str]
    rows: list[list[str]]
    math_column: str | None = None


@dataclass(frozen=True)
class Gap:
    """A blank line between groups."""


@dataclass(frozen=True)
class GraphNode:
    """A node: a record of `fields` (one compartment each), or an ellipse with `label`."""

    id: str
    label: str = ""
    fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    label: str | None = None


@dataclass(frozen=True)
class Graph:
    """A drawing of a graph (dot); its nodes and edges in the order they are written."""

    name: str
    title: str
    items: list[GraphNode | GraphEdge]


Block = (Description | Section | StepTitle | Hint | Worked | Answer | Paragraph | Strong
         | Caption | Code | Reasoning | Table | Gap | Graph)


@dataclass(frozen=True)
class Document:
    """A result laid out: a title and its blocks in reading order."""

    title: str
    blocks: list[Block]
