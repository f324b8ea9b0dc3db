"""The text formats of a walkthrough, graph or perceptron: plain, markdown, latex and dot
(Graphviz source).

Each draws the one `Walkthrough` data structure; nothing here computes a value. Plain text is
ASCII; markdown puts its math in `$$` blocks (GitHub and Jupyter render them); latex is a
standalone document for pdflatex; dot is micrograd-style: a record per value with its value
and gradient, an operation node per computed value, and the local derivative on each edge.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..base import fmt
from ..explain.model import (
    BackwardStep,
    Edge,
    FanIn,
    Forward,
    Layers,
    Node,
    Reveal,
    Walkthrough,
)
from ..explain.terms import latex_value
from .latex import LATEX_PREAMBLE
from .latex import description_lines as _latex_description
from .latex import text_escape as _text_escape
from .latex import verbatim_safe as _verbatim_safe
from .layout import equation, node_label
from .markdown import escape as _md_escape
from .plain import INDENT, WIDTH
from .plain import indented_table as _table
from .plain import wrap as _wrap

SECTIONS = (
    "1) The sub-functions and the computational graph",
    "2) Local derivatives of every edge",
    "3) Forward pass",
    "4) Backward pass from the end of the circuit: downstream = local * upstream",
    "5) Gradients",
)


# -- shared pieces (also used by the rich renderer) --------------------------------------


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


# -- plain -------------------------------------------------------------------------------


def plain(w: Walkthrough) -> str:
    """The walkthrough as plain ASCII text."""
    lines = [w.title, "=" * min(len(w.title), WIDTH), ""]
    if w.reveal is not None:
        return "\n".join(lines + _plain_reveal(w, w.reveal)) + "\n"
    if w.description.strip():
        lines += [w.description.strip(), ""]
    lines += [given_line(w), f"Output: {w.output}"]
    lines += [f"Nodes: {w.naming}"] if w.naming else []
    lines += [f"Note: {note}" for note in w.notes]
    lines += ["", SECTIONS[0]]
    lines += _table(["node", "expression", "operation", "inputs"],
                    [[n.name, n.expression.text, n.operation, ", ".join(n.inputs)]
                     for n in w.nodes if n.expression is not None])
    lines += [""] + _plain_tree(w)
    lines += ["", SECTIONS[1]]
    lines += [INDENT + equation(local.symbol.text, local.formula.text) for local in w.locals]
    lines += ["", SECTIONS[2]]
    lines += [INDENT + forward_line(line) for line in w.forward]
    lines += ["", SECTIONS[3], INDENT + f"start at the output: d{w.output}/d{w.output} = 1"]
    for step in w.backward:
        lines += _plain_backward(step)
    lines += ["", SECTIONS[4]]
    lines += [INDENT + equation(symbol.text, fmt.value(value)) for symbol, value in w.gradients]
    if w.layers is not None:
        lines += ["", INDENT + "Gradient size layer by layer, from the output back "
                  "(sizes are norms):"]
        lines += _table(layer_headers(w.layers), layer_rows(w.layers))
        lines += [""] + _wrap(w.layers.remark, INDENT)
    return "\n".join(lines) + "\n"


def _plain_tree(w: Walkthrough) -> list[str]:
    lines = []
    open_levels: list[bool] = []  # for each depth: does a sibling follow below?
    rows = list(graph_tree(w))
    for position, (depth, node, repeated) in enumerate(rows):
        last = not any(d == depth for d, _, _ in _until_shallower(rows, position + 1, depth))
        del open_levels[depth:]
        prefix = "".join("|   " if more else "    " for more in open_levels[1:])
        if depth:
            prefix += "`-- " if last else "|-- "
        open_levels.append(not last)
        label = node_label(node) + ("  (see above)" if repeated else "")
        lines.append(INDENT + prefix + label)
    return lines


def _until_shallower(rows: list[tuple[int, Node, bool]], start: int, depth: int
                     ) -> Iterator[tuple[int, Node, bool]]:
    for row in rows[start:]:
        if row[0] < depth:
            return
        yield row


def _plain_backward(step: BackwardStep) -> list[str]:
    lines = [INDENT + step_heading(step)]
    extra = INDENT + "  "
    for text in ([step.pattern] if step.pattern else []) + step.notes:
        lines += _wrap(text, extra)
    sums = {total.name: total for total in step.sums}
    for edge in step.edges:
        lines.append(extra + edge_line(edge) + (f"   {part_note(edge)}" if edge.part else ""))
        if edge.shapes:
            lines.append(extra + "  " + shapes_line(edge.shapes))
        if edge.wrt in sums:
            total = sums[edge.wrt]
            lines.append(extra + sum_line(total) + f"   {sum_note(total)}")
    return lines


def _plain_reveal(w: Walkthrough, reveal: Reveal) -> list[str]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    lines = [f"Step {reveal.number} of {reveal.count}: {reveal.step}{weight}", ""]
    lines += _wrap("Hint: " + reveal.hint, "")
    if reveal.hint_only:
        return lines + ["", "Try it, then run again without --hint to see the step worked out."]
    lines += ["", "Worked out:"]
    lines += [INDENT + forward_line(line) for line in reveal.forward]
    for edge in reveal.edges:
        lines.append(INDENT + edge_line(edge) + (f"   {part_note(edge)}" if edge.part else ""))
        if edge.shapes:
            lines.append(INDENT + "  " + shapes_line(edge.shapes))
    lines += [INDENT + sum_line(total) + f"   {sum_note(total)}" for total in reveal.sums]
    for note in reveal.notes:
        lines += _wrap(note, INDENT)
    lines += ["", f"Answer: {equation(reveal.answer_symbol.text, fmt.value(reveal.answer))}"]
    return lines


# -- markdown ----------------------------------------------------------------------------


def markdown(w: Walkthrough) -> str:
    """Markdown with `$$` LaTeX math blocks."""
    lines = [f"# {_md_escape(w.title)}", ""]
    if w.reveal is not None:
        return "\n".join(lines + _md_reveal(w.reveal)) + "\n"
    if w.description.strip():
        lines += [w.description.strip(), ""]
    lines += [_md_escape(given_line(w)) + "  ", f"Output: `{w.output}`", ""]
    lines += [f"Nodes: {_md_escape(w.naming)}", ""] if w.naming else []
    lines += [f"> Note: {_md_escape(note)}" for note in w.notes] + ([""] if w.notes else [])
    lines += [f"## {SECTIONS[0]}", "", "| node | expression | operation | inputs |",
              "| --- | --- | --- | --- |"]
    lines += [f"| `{n.name}` | `{n.expression.text}` | {n.operation} | "
              + ", ".join(f"`{i}`" for i in n.inputs) + " |"
              for n in w.nodes if n.expression is not None]
    lines += ["", "```text", *(line.strip("\n") for line in _plain_tree(w)), "```", ""]
    lines += [f"## {SECTIONS[1]}", ""]
    lines += _math([(local.symbol.latex, [local.formula.latex]) for local in w.locals])
    lines += [f"## {SECTIONS[2]}", ""]
    lines += _math([(_latex_name(line), _forward_parts(line)) for line in w.forward])
    lines += [f"## {SECTIONS[3]}", ""]
    for step in w.backward:
        lines += _md_backward(step)
    lines += [f"## {SECTIONS[4]}", ""]
    lines += _math([(symbol.latex, [latex_value(value)]) for symbol, value in w.gradients])
    if w.layers is not None:
        lines += ["### Gradient size layer by layer, from the output back (sizes are norms)",
                  "", "| " + " | ".join(layer_headers(w.layers)) + " |",
                  "| --- | --- | --- | --- |"]
        lines += ["| " + " | ".join(row) + " |" for row in layer_rows(w.layers)]
        lines += ["", f"**{_md_escape(w.layers.remark)}**", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _math(rows: list[tuple[str, list[str]]]) -> list[str]:
    """An aligned block: one `lhs = part = part` row each."""
    if not rows:
        return []
    body = " \\\\\n".join(f"{lhs} &= " + " = ".join(_dedupe(parts)) for lhs, parts in rows)
    return ["$$", r"\begin{aligned}", body, r"\end{aligned}", "$$", ""]


def _dedupe(parts: list[str]) -> list[str]:
    shown: list[str] = []
    for part in parts:
        if not shown or part != shown[-1]:
            shown.append(part)
    return shown


def _latex_name(line: Forward) -> str:
    from ..explain.terms import latex_name

    return latex_name(line.name)


def _forward_parts(line: Forward) -> list[str]:
    return [line.expression.latex, line.numbers.latex, latex_value(line.value)]


def _edge_parts(edge: Edge) -> list[str]:
    return [edge.formula.latex, edge.numbers.latex, latex_value(edge.value)]


def _md_backward(step: BackwardStep) -> list[str]:
    lines = [f"**At `{step.name} = {step.expression.text}`**, upstream "
             f"`{step.upstream_symbol.text} = {fmt.value(step.upstream)}`", ""]
    lines += [f"- {_md_escape(text)}" for text in ([step.pattern] if step.pattern else [])
              + step.notes]
    lines += [""] if step.pattern or step.notes else []
    lines += _math(_backward_rows(step))
    shapes = [f"- `{edge.gradient.text}`: {shapes_line(edge.shapes)}"
              for edge in step.edges if edge.shapes]
    return lines + (shapes + [""] if shapes else [])


def _backward_rows(step: BackwardStep) -> list[tuple[str, list[str]]]:
    """One math row per edge, and one for each reused value's contributions added up."""
    rows = []
    sums = {total.name: total for total in step.sums}
    for edge in step.edges:
        rows.append((edge.gradient.latex, _edge_parts(edge) + _part_latex(edge)))
        if edge.wrt in sums:
            total = sums[edge.wrt]
            rows.append((total.gradient.latex, [total.numbers.latex, latex_value(total.total)]
                         + [rf"\quad \text{{{_text_escape(sum_note(total))}}}"]))
    return rows


def _part_latex(edge: Edge) -> list[str]:
    note = part_note(edge)
    return [rf"\quad \text{{{_text_escape(note)}}}"] if note else []


def _md_reveal(reveal: Reveal) -> list[str]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    lines = [f"## Step {reveal.number} of {reveal.count}: `{reveal.step}`{weight}", "",
             f"**Hint:** {_md_escape(reveal.hint)}", ""]
    if reveal.hint_only:
        return lines + ["Try it, then run again without `--hint` to see the step worked out."]
    lines += ["### Worked out", ""]
    rows = [(_latex_name(line), _forward_parts(line)) for line in reveal.forward]
    rows += [(edge.gradient.latex, _edge_parts(edge)) for edge in reveal.edges]
    rows += [(t.gradient.latex, [t.numbers.latex, latex_value(t.total)]) for t in reveal.sums]
    lines += _math(rows)
    lines += [f"- {_md_escape(note)}" for note in reveal.notes]
    lines += ["", f"**Answer:** $${reveal.answer_symbol.latex} = {latex_value(reveal.answer)}$$"]
    return lines


# -- latex -------------------------------------------------------------------------------

def latex(w: Walkthrough) -> str:
    """A standalone LaTeX document (pdflatex)."""
    body = [r"\begin{document}", rf"\section*{{{_text_escape(w.title)}}}", ""]
    if w.reveal is not None:
        body += _latex_reveal(w.reveal)
    else:
        body += _latex_body(w)
    body += [r"\end{document}"]
    return LATEX_PREAMBLE + "\n".join(body) + "\n"


def _latex_body(w: Walkthrough) -> list[str]:
    lines = _latex_description(w.description) if w.description.strip() else []
    lines += [_text_escape(given_line(w)) + r"\\", rf"Output: ${_latex_ident(w.output)}$", ""]
    lines += [_text_escape(f"Nodes: {w.naming}"), ""] if w.naming else []
    lines += [rf"\emph{{Note: {_text_escape(note)}}}" + "\n" for note in w.notes]
    lines += [rf"\subsection*{{{_text_escape(SECTIONS[0])}}}", r"\begin{tabular}{llll}",
              r"node & expression & operation & inputs \\ \hline"]
    lines += [rf"${_latex_ident(n.name)}$ & ${n.expression.latex}$ & "
              rf"{_text_escape(n.operation)} & "
              + ", ".join(f"${_latex_ident(i)}$" for i in n.inputs) + r" \\"
              for n in w.nodes if n.expression is not None]
    lines += [r"\end{tabular}", "", r"\begin{verbatim}"]
    lines += [_verbatim_safe(line) for line in _plain_tree(w)]
    lines += [r"\end{verbatim}", rf"\subsection*{{{_text_escape(SECTIONS[1])}}}"]
    lines += _align([(local.symbol.latex, [local.formula.latex]) for local in w.locals])
    lines += [rf"\subsection*{{{_text_escape(SECTIONS[2])}}}"]
    lines += _align([(_latex_name(line), _forward_parts(line)) for line in w.forward])
    lines += [rf"\subsection*{{{_text_escape(SECTIONS[3])}}}"]
    for step in w.backward:
        lines += _latex_backward(step)
    lines += [rf"\subsection*{{{_text_escape(SECTIONS[4])}}}"]
    lines += _align([(symbol.latex, [latex_value(value)]) for symbol, value in w.gradients])
    if w.layers is not None:
        lines += _latex_layers(w.layers)
    return lines


def _latex_ident(name: str) -> str:
    from ..explain.terms import latex_name

    return latex_name(name)


def _align(rows: list[tuple[str, list[str]]]) -> list[str]:
    """An align* block; a long row's parts go on lines of their own."""
    if not rows:
        return []
    body = []
    for lhs, parts in rows:
        parts = _dedupe(parts)
        if sum(len(p) for p in parts) > 160:
            body.append(f"{lhs} &= " + r" \\ &= ".join(parts))
        else:
            body.append(f"{lhs} &= " + " = ".join(parts))
    return [r"\begin{align*}", " \\\\\n".join(body), r"\end{align*}", ""]


def _latex_backward(step: BackwardStep) -> list[str]:
    lines = [rf"\paragraph{{At ${_latex_ident(step.name)} = {step.expression.latex}$}} "
             rf"upstream ${step.upstream_symbol.latex} = {latex_value(step.upstream)}$", ""]
    notes = ([step.pattern] if step.pattern else []) + step.notes
    if notes:
        lines += [r"\begin{itemize}"] + [rf"\item {_text_escape(n)}" for n in notes] + \
                 [r"\end{itemize}"]
    lines += _align(_backward_rows(step))
    shapes = [rf"\item ${edge.gradient.latex}$: {_text_escape(shapes_line(edge.shapes))}"
              for edge in step.edges if edge.shapes]
    return lines + ([r"\begin{itemize}", *shapes, r"\end{itemize}"] if shapes else [])


def _latex_layers(layers: Layers) -> list[str]:
    headers = [_text_escape(h) for h in layer_headers(layers)]
    lines = [r"\subsection*{Gradient size layer by layer, from the output back}",
             r"\begin{tabular}{llll}", " & ".join(headers) + r" \\ \hline"]
    lines += [" & ".join(_text_escape(cell) for cell in row) + r" \\"
              for row in layer_rows(layers)]
    lines += [r"\end{tabular}", "", rf"\textbf{{{_text_escape(layers.remark)}}}", ""]
    return lines


def _latex_reveal(reveal: Reveal) -> list[str]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    lines = [rf"\subsection*{{Step {reveal.number} of {reveal.count}: "
             rf"{_text_escape(reveal.step)}{_text_escape(weight)}}}",
             rf"\textbf{{Hint:}} {_text_escape(reveal.hint)}", ""]
    if reveal.hint_only:
        return lines + [_text_escape("Try it, then run again without --hint to see the step "
                                     "worked out."), ""]
    rows = [(_latex_name(line), _forward_parts(line)) for line in reveal.forward]
    rows += [(edge.gradient.latex, _edge_parts(edge)) for edge in reveal.edges]
    rows += [(t.gradient.latex, [t.numbers.latex, latex_value(t.total)]) for t in reveal.sums]
    lines += [r"\subsubsection*{Worked out}"] + _align(rows)
    lines += [_text_escape(note) + "\n" for note in reveal.notes]
    lines += [rf"\textbf{{Answer:}} ${reveal.answer_symbol.latex} = "
              rf"{latex_value(reveal.answer)}$", ""]
    return lines


# -- dot ---------------------------------------------------------------------------------


def dot(w: Walkthrough) -> str:
    """Graphviz source: a record per value (name, value, gradient), an operation node per
    computed value, and each edge labelled with its local derivative."""
    from . import dot as dot_renderer
    from .layout import walkthrough_graph

    return dot_renderer.graph(walkthrough_graph(w))


def render(w: Walkthrough, format: str) -> str:
    """The walkthrough in one of the text formats: plain, markdown, latex or dot."""
    renderers = {"plain": plain, "markdown": markdown, "latex": latex, "dot": dot}
    return renderers[format](w)


__all__ = ["dot", "latex", "markdown", "plain", "render"]
