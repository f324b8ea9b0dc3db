"""A chain-rule walkthrough laid out as blocks: the notes' five steps (or one revealed
step), worded once for every format, and the graph for dot."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from ..base import fmt
from ..walkthrough.model import (
    Array,
    BackwardStep,
    Edge,
    FanIn,
    Forward,
    Layers,
    Local,
    Node,
    Reveal,
    Update,
    Walkthrough,
)
from ..walkthrough.terms import Formula, latex_name, latex_value
from .blocks import (
    AnswerEquation,
    Block,
    Bullets,
    Cell,
    Description,
    Diagram,
    Document,
    Equation,
    Equations,
    Fact,
    Graph,
    GraphEdge,
    GraphNode,
    GraphRow,
    Grid,
    Hint,
    Lines,
    Math,
    Note,
    Paragraph,
    Remark,
    Section,
    Span,
    StepTitle,
    Subsection,
    Table,
    TreeRow,
    Typed,
    Visit,
    Worked,
)


def equation(lhs: str, *parts: str) -> str:
    """`lhs = a = b = c`, leaving out a part that repeats the one before it."""
    shown = [lhs]
    for part in parts:
        if part != shown[-1]:
            shown.append(part)
    return " = ".join(shown)


def node_label(node: Node) -> str:
    return node.name if node.expression is None else f"{node.name} = {node.expression.text}"


SECTIONS = (
    "1) The sub-functions and the computational graph",
    "2) Local derivatives of every edge",
    "3) Forward pass",
    "4) Backward pass from the end of the circuit: downstream = local * upstream",
    "5) Gradients",
)




def forward_line(line: Forward) -> str:
    return equation(line.name, line.expression.text, line.numbers.text, fmt.value(line.value))


def edge_line(edge: Edge) -> str:
    return equation(edge.gradient.text, edge.formula.text, edge.numbers.text,
                    fmt.value(edge.value))


def part_note(edge: Edge) -> str:
    if edge.part is None:
        return ""
    return f"(contribution {edge.part[0]} of {edge.part[1]} to {edge.gradient.text})"


def sum_line(total: FanIn) -> str:
    return equation(total.gradient.text, total.numbers.text, fmt.value(total.total))


def sum_note(total: FanIn) -> str:
    return f"({total.name} is used by {len(total.parts)} nodes: their contributions add up)"


def shapes_line(shapes: list[tuple[str, str]]) -> str:
    *operands, (result, result_shape) = shapes
    return "shapes: " + ", ".join(f"{n} {s}" for n, s in operands) + \
        f" -> {result} {result_shape}"


def step_heading(step: BackwardStep) -> str:
    return f"at {step.name} = {step.expression.text}, upstream {step.upstream_symbol.text} = " \
           f"{fmt.value(step.upstream)}"


def given_line(w: Walkthrough) -> str:
    return "Given: " + ", ".join(f"{name} = {fmt.value(v)}" for name, v in w.inputs)


def layer_rows(layers: Layers) -> list[list[str]]:
    """The per-layer table, from the last layer back to the first."""
    return [[str(row.layer), ", ".join(row.nodes), fmt.number(row.grad),
             ", ".join(f"{name} {fmt.number(size)}" for name, size in row.params)]
            for row in reversed(layers.rows)]


def layer_headers(layers: Layers) -> list[str]:
    return ["layer", "nodes", f"size of d{layers.loss}/d(layer output)",
            f"size of d{layers.loss}/d(inputs it reads)"]


def graph_tree(w: Walkthrough) -> Iterator[tuple[int, Node, bool]]:
    """The graph as a tree from the output: (depth, node, already shown above)."""
    nodes = {node.name: node for node in w.nodes}
    shown: set[str] = set()
    stack = [(0, w.output)]
    while stack:
        depth, name = stack.pop()
        node = nodes[name]
        repeated = name in shown and bool(node.inputs)
        shown.add(name)
        yield depth, node, repeated
        if not repeated:
            stack.extend((depth + 1, child) for child in reversed(node.inputs))


def tree_rows(w: Walkthrough) -> tuple[TreeRow, ...]:
    """The graph as a tree from the output: a row per node, with its value."""
    return tuple(TreeRow(depth, node_label(node), fmt.value(node.value),
                         node.expression is not None, repeated)
                 for depth, node, repeated in graph_tree(w))


TRY_IT = "Try it, then run again without --hint to see the step worked out."


def described(description: str) -> list[Block]:
    """The description, without its tables: a walkthrough draws each again, worked out (the
    nodes in step 1, a truth table row by row), and a table is printed once."""
    chunks = re.split(r"\n[ \t]*\n", description.strip())
    kept = [chunk for chunk in chunks
            if not all(line.lstrip().startswith("|") for line in chunk.splitlines())]
    text = "\n\n".join(kept).strip()
    return [Description(text)] if text else []


def walkthrough(w: Walkthrough) -> Document:
    """The walkthrough in the notes' five steps, and the graph (for dot); or with --step,
    the asked step worked out."""
    names = [node.name for node in w.nodes]
    if w.reveal is not None:
        return Document(w.title, with_partials(_revealed(w.reveal), names))
    blocks = described(w.description)
    blocks.append(Lines([[given_line(w)], ["Output: ", Math(w.output, latex_name(w.output))]]))
    blocks += [Fact(f"Nodes: {w.naming}")] if w.naming else []
    blocks += [Note(note) for note in w.notes]
    blocks += [Section(SECTIONS[0]), _node_table(w), Diagram(tree_rows(w)),
               Section(SECTIONS[1]),
               Equations([Equation(_math(local.symbol), [_math(local.formula)])
                          for local in w.locals]),
               Section(SECTIONS[2]), Equations([_forward_row(line) for line in w.forward]),
               Section(SECTIONS[3]),
               Paragraph(f"start at the output: d{w.output}/d{w.output} = 1")]
    for step in w.backward:
        blocks += _backward_blocks(step)
    blocks += [Section(SECTIONS[4]),
               Equations([Equation(_math(symbol), [_value(value)])
                          for symbol, value in w.gradients])]
    if w.updates:
        blocks += [Subsection("The SGD update asked: value - learning rate * gradient"),
                   Equations([_update_row(update) for update in w.updates])]
    if w.layers is not None:
        blocks += [Subsection("Gradient size layer by layer, from the output back (sizes "
                              "are norms)"),
                   Table(layer_headers(w.layers), list(layer_rows(w.layers))),
                   Remark(w.layers.remark)]
    return Document(w.title, [*with_partials(blocks, names), walkthrough_graph(w)])


def with_partials(blocks: list[Block], names: list[str]) -> list[Block]:
    """The blocks, each formula's gradients also written ∂f4/∂z for a terminal (its
    `pretty`); the text keeps df4/dz, as a student types a step."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    gradient = re.compile(rf"(?<![\w.@])d({alternatives})/d({alternatives})(?![\w.@])")
    for block in blocks:
        for math in _formulas(block):
            shown = gradient.sub(r"∂\1/∂\2", math.text)
            math.pretty = shown if shown != math.text else math.pretty
    return blocks


def _formulas(block: Block) -> list[Math]:
    """The formulas of an equation, a visit or an answer."""
    if isinstance(block, Equations):
        return [math for row in block.rows for math in (row.lhs, *row.parts)]
    if isinstance(block, Visit):
        return [block.node, block.upstream]
    return [block.answer] if isinstance(block, AnswerEquation) else []


def _revealed(reveal: Reveal) -> list[Block]:
    """A hint first, then the step: its forward values or its edges, and the answer."""
    weight = f" ({fmt.number(reveal.weight)} points)" if reveal.weight != 1 else ""
    blocks: list[Block] = [
        StepTitle([f"Step {reveal.number} of {reveal.count}: ", Typed(reveal.step), weight]),
        Hint(reveal.hint)]
    if reveal.hint_only:
        return [*blocks, Paragraph(TRY_IT)]
    rows = [*map(_forward_row, reveal.forward), *map(_edge_row, reveal.edges),
            *map(_sum_row, reveal.sums)]
    answer = Math(equation(reveal.answer_symbol.text, fmt.value(reveal.answer)),
                  f"{reveal.answer_symbol.latex} = {latex_value(reveal.answer)}")
    return [*blocks, Worked(), Equations(rows), Bullets(reveal.notes, depth=0),
            AnswerEquation(answer)]


def _math(formula: Formula) -> Math:
    return Math(formula.text, formula.latex)


def _value(value: object) -> Math:
    return Math(fmt.value(value), latex_value(value))


def _name(name: str) -> Math:
    return Math(name, latex_name(name))


def _node_table(w: Walkthrough) -> Table:
    rows: list[list[Cell]] = []
    for node in w.nodes:
        if node.expression is None:
            continue
        inputs: list[Span] = []
        for position, name in enumerate(node.inputs):
            inputs += [", ", _name(name)] if position else [_name(name)]
        rows.append([_name(node.name), _math(node.expression), node.operation, inputs])
    return Table(["node", "expression", "operation", "inputs"], rows)


def _forward_row(line: Forward) -> Equation:
    return Equation(_name(line.name), [_math(line.expression), _math(line.numbers),
                                       _value(line.value)])


def _update_row(update: Update) -> Equation:
    return Equation(Math(f"new {update.name}", rf"{latex_name(update.name)}_{{\text{{new}}}}"),
                    [_math(update.formula), _math(update.numbers), _value(update.value)])


def _backward_blocks(step: BackwardStep) -> list[Block]:
    """A node of the backward pass: what arrives, the gate's pattern, one row per edge."""
    node = Math(f"{step.name} = {step.expression.text}",
                f"{latex_name(step.name)} = {step.expression.latex}")
    upstream = Math(f"{step.upstream_symbol.text} = {fmt.value(step.upstream)}",
                    f"{step.upstream_symbol.latex} = {latex_value(step.upstream)}")
    sums = {total.name: total for total in step.sums}
    rows = []
    for edge in step.edges:
        rows.append(_edge_row(edge))
        if edge.wrt in sums:
            rows.append(_sum_row(sums[edge.wrt]))
    notes = ([step.pattern] if step.pattern else []) + step.notes
    return [Visit(node, upstream), Bullets(notes), Equations(rows, depth=1)]


def _edge_row(edge: Edge) -> Equation:
    shapes = shapes_line(edge.shapes) if edge.shapes else ""
    return Equation(_math(edge.gradient), [_math(edge.formula), _math(edge.numbers),
                                           _value(edge.value)], part_note(edge), shapes)


def _sum_row(total: FanIn) -> Equation:
    return Equation(_math(total.gradient), [_math(total.numbers), _value(total.total)],
                    sum_note(total))


MAX_GRID_ENTRIES = 24  # a larger vector or matrix is shown by its shape


def walkthrough_graph(w: Walkthrough, *, key: bool = True) -> Graph:
    """A box per value (its expression, its value and gradient as small grids) and an edge
    per input, labelled with its local derivative in the language's notation and its number
    (a matrix step: the gradient it sends and its shape). Without `key` (a check below full
    feedback) only the given values are shown: no computed value, gradient or number."""
    items: list[GraphNode | GraphEdge] = [
        GraphNode(node.name, node_label(node), rows=_value_rows(node, key)) for node in w.nodes]
    locals_by_edge = {(local.of, local.wrt): local for local in w.locals}
    numbers = {(edge.of, edge.wrt): edge.local for step in w.backward for edge in step.edges}
    for node in w.nodes:
        for name in node.inputs if node.expression is not None else []:
            local = locals_by_edge.get((node.name, name))
            number = numbers.get((node.name, name)) if key else None
            text = None if local is None else _edge_label(local, number, w.node(name))
            items.append(GraphEdge(name, node.name, text))
    return Graph(w.output + "_walkthrough", w.title, items)


def _value_rows(node: Node, key: bool) -> list[GraphRow]:
    if not key:
        return [] if node.expression is not None else [GraphRow("value", grid(node.value))]
    return [GraphRow("value", grid(node.value)), GraphRow("grad", grid(node.grad))]


def _edge_label(local: Local, number: Array | None, source: Node) -> str:
    """`df8/df7 = -1 / f7**2` and its number under it; a matrix step's rule is too long for
    an edge: the gradient it sends and its shape."""
    if local.rule:
        return f"{local.symbol.text} ({fmt.shape(source.value)})"
    text = f"{local.symbol.text} = {local.formula.text}"
    if number is None or np.size(number) != 1:
        return text
    shown = fmt.value(number)
    return text if shown == local.formula.text else f"{text}\n= {shown}"


def grid(value: Array | None) -> Grid:
    """A value as rows of cells: a number one cell, a vector one row, a matrix its rows."""
    if value is None:
        return [["-"]]
    array = np.asarray(value, dtype=float)
    if array.size > MAX_GRID_ENTRIES:
        return [[f"({fmt.shape(array)})"]]
    if array.ndim < 2:
        return [[fmt.number(float(entry)) for entry in np.atleast_1d(array)]]
    return [[fmt.number(float(entry)) for entry in row] for row in array]
