"""A perceptron exercise's walkthrough laid out as blocks: the unit, the weights the
learning rule finds (or why none exist), the truth table, the two-layer network."""

from __future__ import annotations

from ..base import fmt
from ..walkthrough import perceptron as pw
from .blocks import (
    Answer,
    Block,
    Caption,
    Code,
    Document,
    Gap,
    Graph,
    GraphEdge,
    GraphNode,
    Hint,
    Paragraph,
    Reasoning,
    Section,
    StepTitle,
    Strong,
    Table,
    Worked,
)
from .walkthrough_layout import TRY_IT, described

ARITHMETIC = "z"  # the column of a table that holds z written out


def perceptron_walkthrough(w: pw.PerceptronWalkthrough) -> Document:
    """The walkthrough, or its revealed part, in reading order; the network as a graph."""
    if w.reveal is not None:
        return Document(w.title, _reveal_blocks(w, w.reveal))
    blocks = described(w.description)
    for section in perceptron_sections(w):
        blocks += [Section(section), *_section_blocks(w, section)]
    return Document(w.title, [*blocks, perceptron_graph(w)])


def perceptron_sections(w: pw.PerceptronWalkthrough) -> list[str]:
    """The headings of the walkthrough's steps, in order."""
    sections = [pw.SECTION_UNIT, pw.SECTION_WEIGHTS if w.separable else pw.SECTION_NO_WEIGHTS,
                pw.SECTION_ROWS]
    return sections + ([pw.SECTION_NETWORK] if w.network is not None else [])


def _section_blocks(w: pw.PerceptronWalkthrough, section: str) -> list[Block]:
    if section == pw.SECTION_UNIT:
        return [Code(w.unit)]
    if section == pw.SECTION_ROWS:
        return _rows_blocks(w)
    if section == pw.SECTION_NETWORK:
        return _network_blocks(w)
    if section == pw.SECTION_TRACE:
        return _rule_blocks(w, summary=False)
    return _weights_blocks(w)


def _rule_blocks(w: pw.PerceptronWalkthrough, *, summary: bool = True) -> list[Block]:
    """The learning rule as run (summed up), and an asked trace update by update."""
    learning = w.learning
    if learning is None:
        return []
    blocks: list[Block] = [Paragraph(learning.rule)]
    blocks += [Paragraph(learning.summary)] if summary else []
    if learning.asked:
        blocks += [Paragraph(f"The {len(learning.asked)} asked updates, one by one (z from "
                             "the weights before the update):"),
                   Table(_update_headers(w, learning), [_update_cells(u) for u in learning.asked],
                         ARITHMETIC, long=True)]
    return blocks


def _weights_blocks(w: pw.PerceptronWalkthrough) -> list[Block]:
    blocks: list[Block] = [Strong(w.headline), *_rule_blocks(w)]
    learning = w.learning
    if learning is not None and learning.changes:
        rows = [_update_cells(u) for u in learning.changes]
        if learning.gap is not None:
            at, skipped = learning.gap
            rows.insert(at, ["...", f"({skipped} more)", *[""] * (len(rows[0]) - 2)])
        blocks += [Paragraph(learning.changes_note),
                   Table(_update_headers(w, learning), rows, ARITHMETIC, long=True)]
    if learning is not None and learning.weights:
        blocks.append(Paragraph(f"weights ({learning.weights_from}): "
                                f"{_pairs(learning.weights)}"))
    if w.reason:
        blocks += [Paragraph("Why:"), Reasoning(w.reason)]
    return blocks


def _update_headers(w: pw.PerceptronWalkthrough, learning: pw.Learning) -> list[str]:
    return ["update", "epoch", *w.inputs, ARITHMETIC, "output", "target", "change",
            *learning.keys]


def _update_cells(update: pw.Update) -> list[str]:
    return [str(update.index), str(update.epoch), *update.row, update.z, str(update.output),
            str(update.target), update.change, *update.weights]


def _rows_blocks(w: pw.PerceptronWalkthrough) -> list[Block]:
    if w.single is None:
        rows = [[*values, str(target)] for values, target in w.table]
        return [Table([*w.inputs, "target"], rows, ARITHMETIC, long=True), Paragraph(w.table_note)]
    return [*_unit_blocks(w.single)[:-1], Strong(w.single.summary)]


def _unit_blocks(table: pw.UnitTable) -> list[Block]:
    """A unit's formula and weights, its table row by row, and what it computes."""
    has_target = any(row.target is not None for row in table.rows)
    headers = [*table.columns, ARITHMETIC, table.output, *(["target", ""] if has_target else [])]
    rows = [[*row.values, row.z, str(row.output),
             *([str(row.target), "ok" if row.ok else "wrong"] if row.target is not None else [])]
            for row in table.rows]
    reads = f", reading {', '.join(table.reads)}" if table.name == "out" else ""
    return [Caption(f"{table.name} = {table.formula}{reads}: {_pairs(table.weights)}"),
            Table(headers, rows, ARITHMETIC, long=True), Paragraph(table.summary)]


def _network_blocks(w: pw.PerceptronWalkthrough) -> list[Block]:
    net = w.network
    if net is None:
        return []
    blocks: list[Block] = [Code(net.lines)]
    for table in [*net.hidden, net.out]:
        blocks += [Gap(), *_unit_blocks(table)]
    return blocks + [Gap(), Strong(net.summary)]


def _pairs(pairs: list[tuple[str, str]]) -> str:
    """'w1 = 2, w2 = 1, b = -3'."""
    return ", ".join(f"{key} = {value}" for key, value in pairs)


def _reveal_blocks(w: pw.PerceptronWalkthrough, reveal: pw.PerceptronReveal) -> list[Block]:
    weight = f" ({fmt.number(reveal.weight)} points)" if reveal.weight != 1 else ""
    blocks: list[Block] = [StepTitle([f"Step {reveal.number} of {reveal.count}: "
                                      f"{reveal.part}{weight}"]), Hint(reveal.hint)]
    if reveal.hint_only:
        return blocks + [Paragraph(TRY_IT)]
    worked = {"weights": pw.SECTION_ROWS, "network": pw.SECTION_NETWORK}.get(
        reveal.part, pw.SECTION_TRACE)
    return [*blocks, Worked(worked), *_section_blocks(w, worked), Answer(reveal.answer)]


def perceptron_graph(w: pw.PerceptronWalkthrough) -> Graph:
    """The inputs, then each unit a record (its name, its bias, what it computes), each edge
    labelled with its weight; the hidden layer between, if any."""
    # An input may be named like a unit (h1, out): input nodes get ids of their own.
    items: list[GraphNode | GraphEdge] = [GraphNode("input " + i, i) for i in w.inputs]
    units = [*w.network.hidden, w.network.out] if w.network is not None else \
        [w.single] if w.single is not None else []
    for table in units:
        reads_units = w.network is not None and table is w.network.out
        key, bias = table.weights[-1]
        items.append(GraphNode(table.name, fields=[
            table.name, f"{key} = {bias}",
            f"computes {table.computes}" if table.computes else table.formula]))
        items += [GraphEdge(source if reads_units else "input " + source, table.name,
                            f"{weight_key} = {value}")
                  for source, (weight_key, value) in zip(table.reads, table.weights,
                                                         strict=False)]
    return Graph(w.exercise + "_network", w.title, items)


def network_graph(w: pw.PerceptronWalkthrough, *, key: bool = True) -> Graph:
    """The network's graph; without `key` (a check below full feedback) no weight or bias,
    which are what the student was asked for."""
    graph = perceptron_graph(w)
    if key:
        return graph
    for item in graph.items:
        if isinstance(item, GraphNode):
            item.label, item.fields = item.label or item.id, []
        else:
            item.label = None
    return graph
