"""The document model every renderer draws: a result laid out once as format-neutral blocks.

A block holds text that is already worded (layout.py words it, from the result's data); a
renderer (plain, rich, markdown, latex, dot) only draws blocks, picking a function by the
block's class. A block a format has no use for (a Graph in plain text) is left out by it.

Blocks are plain (not frozen) dataclasses and nothing changes them once laid out: a frozen
dataclass costs twice as much to define, and start-up is most of the time of one `check`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


@dataclass
class Description:
    """An exercise author's description, in Markdown."""

    markdown: str


@dataclass
class Section:
    """The heading of one step of a walkthrough."""

    text: str


@dataclass
class StepTitle:
    """`--step N`: which asked step is revealed."""

    text: list[Span]


@dataclass
class Hint:
    text: str


@dataclass
class Worked:
    """`--step N`: the part worked out below, by name (if it has one)."""

    text: str = ""


@dataclass
class AnswerEquation:
    """`--step N`: the asked value, as one equation."""

    answer: Math


@dataclass
class Answer:
    lines: list[str]


@dataclass
class Paragraph:
    text: str
    role: str = ""  # for rich to colour (a conclusion, a caveat)


@dataclass
class Strong:
    """A conclusion, shown bold."""

    text: str


@dataclass
class Caption:
    """A formula-like line that introduces what follows (a unit's formula and weights)."""

    text: str


@dataclass
class Code:
    """Lines kept exactly as they are."""

    lines: list[str]


@dataclass
class Reasoning:
    """An argument: prose lines, and equations (indented by two spaces) kept whole."""

    lines: list[str]


@dataclass
class Math:
    """Inline math: as plain text, and as LaTeX (Markdown shows the text as code)."""

    text: str
    latex: str
    typeset: bool = False  # Markdown typesets it ($...$) instead of showing the text as code
    pretty: str = ""  # the text with unicode symbols (∂), for a terminal, if it differs


@dataclass
class Typed:
    """Text as it is typed (a step such as dL/dx): code in Markdown."""

    text: str


@dataclass
class Styled:
    """Text with a semantic role ("correct", "wrong", "follow-through", "dim", ...): rich
    colours it by its role, the other formats show the text."""

    text: str
    role: str


@dataclass
class Verdict:
    """A step's verdict (its role too) and the diagnosis of a wrong answer, if any."""

    verdict: str
    diagnosis: str = ""

    @property
    def text(self) -> str:
        return f"{self.verdict} ({self.diagnosis})" if self.diagnosis else self.verdict


Span = str | Math | Typed | Styled | Verdict
Cell = Span | list[Span]


@dataclass
class Table:
    """Cells of spans; the cells of `math_column` are arithmetic (code or math where it can be)."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    math_column: str | None = None
    long: bool = False  # may run over pages (LaTeX: a longtable)
    notes: list[list[str]] = field(default_factory=list)  # lines about each row, if any
    title: str = ""
    prose: Sequence[str] = ()  # the columns of sentences, which may wrap between words;
    # every other cell (a number, a step's name, an id) is kept whole on its line


@dataclass
class Gap:
    """A blank line between groups."""


Grid = list[list[str]]  # a value's entries as rows of cells: a number is [[text]]


@dataclass
class GraphRow:
    """One line of a node: what it holds (value, grad), its entries as a small grid, and for
    a check the verdict (its role), a note (a diagnosis) and for a class the share wrong."""

    name: str
    grid: Grid
    role: str = ""
    note: str = ""
    heat: float | None = None  # the share of a class that got it wrong, 0 to 1


@dataclass
class GraphNode:
    """A node: a box with a heading (`label`) over `rows`, a record of `fields` (one
    compartment each), or with neither an ellipse with `label`. `role` "first-to-fix"
    marks the first step a student should fix."""

    id: str
    label: str = ""
    fields: list[str] = field(default_factory=list)
    rows: list[GraphRow] = field(default_factory=list)
    role: str = ""


@dataclass
class GraphEdge:
    """An edge with its label; role "follow-through" is a step's answer carried from an
    earlier wrong one (drawn from that step, not part of the graph's flow)."""

    source: str
    target: str
    label: str | None = None
    role: str = ""


@dataclass
class Graph:
    """A drawing of a graph (dot); its nodes and edges in the order they are written, and
    the lines of its legend (what the colours mean), if any."""

    name: str
    title: str
    items: list[GraphNode | GraphEdge]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (role, what it means)


@dataclass
class Lines:
    """Short lines kept apart (hard line breaks), each a list of spans."""

    lines: list[list[Span]]


@dataclass
class Fact:
    """One short statement on a line of its own."""

    text: str


@dataclass
class Note:
    """A caveat about the whole result."""

    text: str


@dataclass
class Subsection:
    text: str


@dataclass
class TreeRow:
    """One node of a tree drawing: its label, its value, and how deep it sits."""

    depth: int
    label: str
    value: str
    computed: bool  # an operation's result, not an input
    repeated: bool  # already drawn above, with its inputs


@dataclass
class Diagram:
    """The graph as a tree from the output, a row a node (the output first). Text formats
    draw it in ASCII (`lines`); a terminal may draw it richer, with each node's value."""

    rows: tuple[TreeRow, ...]

    def lines(self) -> list[str]:
        """The tree in ASCII, a node a line."""
        lines = []
        open_levels: list[bool] = []  # for each depth: does a sibling follow below?
        for position, row in enumerate(self.rows):
            last = not any(r.depth == row.depth for r in self._until_shallower(position + 1,
                                                                                row.depth))
            del open_levels[row.depth:]
            prefix = "".join("|   " if more else "    " for more in open_levels[1:])
            if row.depth:
                prefix += "`-- " if last else "|-- "
            open_levels.append(not last)
            lines.append(prefix + row.label + ("  (see above)" if row.repeated else ""))
        return lines

    def _until_shallower(self, start: int, depth: int) -> Iterator[TreeRow]:
        for row in self.rows[start:]:
            if row.depth < depth:
                return
            yield row


@dataclass
class Equation:
    """`lhs = part = part`, a remark beside it and the operands' shapes under it."""

    lhs: Math
    parts: list[Math]
    remark: str = ""
    shapes: str = ""


@dataclass
class Equations:
    """Display math, aligned at the = signs; depth indents it under a Visit."""

    rows: list[Equation]
    depth: int = 0


@dataclass
class Visit:
    """The backward pass arriving at a node: the node and the gradient it gets from above."""

    node: Math
    upstream: Math


@dataclass
class Bullets:
    """Remarks, one item each; depth indents them (under a Visit) in plain text."""

    items: list[str]
    depth: int = 1


@dataclass
class Remark:
    """The conclusion drawn from the table before it."""

    text: str


@dataclass
class Line:
    """One line of spans, in a role (a conclusion, a value, a note) for rich to colour."""

    spans: list[Span]
    role: str = ""


@dataclass
class Bars:
    """A histogram: a bar per band, as long as its count is against the largest."""

    rows: list[tuple[str, int]]


Block = (Description | Section | StepTitle | Hint | Worked | Answer | Paragraph | Strong
         | Caption | Code | Reasoning | Table | Gap | Graph | Lines | Fact | Note | Subsection
         | Diagram | Equations | Visit | Bullets | Remark | AnswerEquation | Line | Bars)


@dataclass
class Document:
    """A result laid out: a title and its blocks in reading order."""

    title: str
    blocks: list[Block]
    form: str = "article"  # "report": compact, as a check report, a solution or a list is


def span_text(cell: Cell) -> str:
    """A cell or span as plain text."""
    if isinstance(cell, list):
        return "".join(span_text(span) for span in cell)
    return cell if isinstance(cell, str) else cell.text


def distinct(parts: list[str]) -> list[str]:
    """The parts of `a = b = c`, leaving out a part that repeats the one before it."""
    shown: list[str] = []
    for part in parts:
        if not shown or part != shown[-1]:
            shown.append(part)
    return shown
