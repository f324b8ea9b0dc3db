"""The text formats of a walkthrough, graph or perceptron: plain, markdown, latex and dot
(Graphviz source).

Each draws the one `Walkthrough` data structure; nothing here computes a value. Plain text is
ASCII; markdown puts its math in `$$` blocks (GitHub and Jupyter render them); latex is a
standalone document for pdflatex; dot is micrograd-style: a record per value with its value
and gradient, an operation node per computed value, and the local derivative on each edge.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..base import fmt
from ..explain import perceptron as pw
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

WIDTH = 88
INDENT = "   "
SECTIONS = (
    "1) The sub-functions and the computational graph",
    "2) Local derivatives of every edge",
    "3) Forward pass",
    "4) Backward pass from the end of the circuit: downstream = local * upstream",
    "5) Gradients",
)


# -- shared pieces (also used by the rich renderer) --------------------------------------


def equation(lhs: str, *parts: str) -> str:
    """`lhs = a = b = c`, leaving out a part that repeats the one before it."""
    shown = [lhs]
    for part in parts:
        if part != shown[-1]:
            shown.append(part)
    return " = ".join(shown)


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


def node_label(node: Node) -> str:
    return node.name if node.expression is None else f"{node.name} = {node.expression.text}"


def _table(headers: list[str], rows: list[list[str]], indent: str = INDENT) -> list[str]:
    from .plain import table

    return [indent + line for line in table(headers, rows).splitlines()]


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent]


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


def _md_escape(text: str) -> str:
    """Prose for Markdown: characters that would start emphasis or a tag are escaped."""
    return re.sub(r"([\\`*_<>\[\]|#])", r"\\\1", text)


# -- latex -------------------------------------------------------------------------------

LATEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\setcounter{MaxMatrixCols}{200}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
"""

_UNICODE = {
    "\u2212": r"\ensuremath{-}", "\u00b7": r"\ensuremath{\cdot}", "\u00d7": r"\ensuremath{\times}",
    "\u03c3": r"\ensuremath{\sigma}", "\u2202": r"\ensuremath{\partial}",
    "\u2192": r"\ensuremath{\rightarrow}", "\u2190": r"\ensuremath{\leftarrow}",
    "\u00b2": r"\ensuremath{^2}", "\u00b3": r"\ensuremath{^3}", "\u2264": r"\ensuremath{\leq}",
    "\u2265": r"\ensuremath{\geq}", "\u2014": "---", "\u2013": "--", "\u2026": r"\ldots{}",
    "\u2018": "`", "\u2019": "'", "\u201c": "``", "\u201d": "''", "\u00a0": "~",
    "\u2207": r"\ensuremath{\nabla}", "\u2211": r"\ensuremath{\sum}",
}
_TEXT_SPECIALS = {
    "\\": r"\ensuremath{\backslash}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}", "|": r"\ensuremath{|}",
}


def _unicode(char: str) -> str:
    if char in _UNICODE:
        return _UNICODE[char]
    if ord(char) < 128:
        return char
    ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return ascii_form or "?"


def _text_escape(text: str) -> str:
    """Text for LaTeX's text mode: special characters escaped, unicode made safe."""
    return "".join(_TEXT_SPECIALS.get(c, _unicode(c)) for c in text)


def _math_safe(text: str) -> str:
    """Math written by an exercise author, with unicode made safe for pdflatex."""
    return "".join(_unicode(c) for c in text)


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


def _verbatim_safe(line: str) -> str:
    return "".join(_unicode(c) for c in line).replace(r"\end{verbatim}", r"\end {verbatim}")


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


def _latex_description(description: str) -> list[str]:
    """The exercise's Markdown description, converted for LaTeX: paragraphs, lists, tables,
    code, emphasis; math is passed through."""
    lines: list[str] = []
    blocks = re.split(r"\n\s*\n", description.strip())
    for block in blocks:
        lines += _latex_block(block) + [""]
    return lines


def _latex_block(block: str) -> list[str]:
    rows = block.splitlines()
    stripped = block.strip()
    if stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4:
        return [r"\[", _math_safe(stripped[2:-2].strip()), r"\]"]
    if all(row.startswith("    ") for row in rows):
        return [r"\begin{verbatim}", *(_verbatim_safe(r[4:]) for r in rows), r"\end{verbatim}"]
    if all(row.strip().startswith("|") for row in rows):
        return _latex_table(rows)
    if re.match(r"\s*(?:[-*]|\d+\.)\s", rows[0]):
        return _latex_list(rows)
    return [_latex_inline(" ".join(row.strip() for row in rows))]


def _latex_table(rows: list[str]) -> list[str]:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows
             if not re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", row)]
    width = max(len(r) for r in cells)
    lines = [r"\begin{tabular}{" + "l" * width + "}"]
    for row in cells:
        row = row + [""] * (width - len(row))
        lines.append(" & ".join(_latex_inline(c) for c in row) + r" \\")
    return lines + [r"\end{tabular}"]


def _latex_list(rows: list[str]) -> list[str]:
    numbered = bool(re.match(r"\s*\d+\.\s", rows[0]))
    items: list[str] = []
    for row in rows:
        match = re.match(r"\s*(?:[-*]|\d+\.)\s+(.*)", row)
        if match:
            items.append(match.group(1))
        elif items:
            items[-1] += " " + row.strip()
    environment = "enumerate" if numbered else "itemize"
    return [rf"\begin{{{environment}}}", *(rf"\item {_latex_inline(i)}" for i in items),
            rf"\end{{{environment}}}"]


_INLINE = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$|`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)")


def _latex_inline(text: str) -> str:
    parts = []
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("$$") and piece.endswith("$$") and len(piece) > 4:
            parts.append(rf"\[{_math_safe(piece[2:-2])}\]")
        elif piece.startswith("$") and piece.endswith("$") and len(piece) > 2:
            parts.append(f"${_math_safe(piece[1:-1])}$")
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
            parts.append(rf"\texttt{{{_text_escape(piece[1:-1])}}}")
        elif piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            parts.append(rf"\textbf{{{_text_escape(piece[2:-2])}}}")
        elif piece.startswith("*") and piece.endswith("*") and len(piece) > 2:
            parts.append(rf"\emph{{{_text_escape(piece[1:-1])}}}")
        else:
            parts.append(_text_escape(piece))
    return "".join(parts)


# -- dot ---------------------------------------------------------------------------------

_OP_LABEL = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**",
             "matrix product": "@", "negate": "-x", "transpose": ".T", "copy": "="}
MAX_RECORD_ENTRIES = 24  # a larger vector or matrix is shown by its shape in a record


def dot(w: Walkthrough) -> str:
    """Graphviz source: a record per value (name, value, gradient), an operation node per
    computed value, and each edge labelled with its local derivative."""
    lines = [f"digraph {_dot_id(w.output + '_walkthrough')} {{", "  rankdir=LR;",
             f"  label={_dot_string(w.title)};", "  labelloc=t;",
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for node in w.nodes:
        lines.append(f"  {_dot_id(node.name)} [shape=record, label={_record(node)}];")
    locals_by_edge = {(local.of, local.wrt): local for local in w.locals}
    for node in w.nodes:
        if node.expression is None:
            continue
        op = _dot_id(node.name + " op")
        label = _op_label(node)
        lines.append(f"  {op} [shape=ellipse, label={_dot_string(label)}];")
        lines.append(f"  {op} -> {_dot_id(node.name)};")
        for name in node.inputs:
            local = locals_by_edge.get((node.name, name))
            text = "" if local is None else equation(local.symbol.text, local.formula.text)
            lines.append(f"  {_dot_id(name)} -> {op} [label={_dot_string(text)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _op_label(node: Node) -> str:
    word = node.operation.removesuffix(" gate")
    if word in _OP_LABEL:
        return _OP_LABEL[word]
    if node.operation.startswith("composite"):
        return node.expression.text if node.expression else node.operation
    return word


def _record(node: Node) -> str:
    title = node_label(node)
    fields = [title, f"value {_record_value(node.value)}",
              f"grad {_record_value(node.grad) if node.grad is not None else '-'}"]
    label = "{ " + " | ".join(_record_escape(f) for f in fields) + " }"
    return '"' + label.replace('"', '\\"') + '"'  # already escaped for a record


def _record_value(value: object) -> str:
    import numpy as np

    if np.size(value) > MAX_RECORD_ENTRIES:
        return f"({fmt.shape(value)})"
    return fmt.value(value)


def _record_escape(text: str) -> str:
    """Characters with a meaning inside a record label are escaped."""
    return re.sub(r"([{}|<>\\])", r"\\\1", text)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_id(name: str) -> str:
    return _dot_string(name)


def render(w: Walkthrough, format: str) -> str:
    """The walkthrough in one of the text formats: plain, markdown, latex or dot."""
    renderers = {"plain": plain, "markdown": markdown, "latex": latex, "dot": dot}
    return renderers[format](w)


__all__ = ["dot", "latex", "markdown", "plain", "render"]


# -- perceptron walkthroughs -------------------------------------------------------------
# `explain` of a perceptron exercise. Its steps are laid out once, as a list of blocks
# (a heading, a paragraph, a table, ...), and each format, rich included, draws the blocks.
# As above, nothing here computes a value: the numbers come from the PerceptronWalkthrough.



@dataclass
class Block:
    """One piece of a perceptron walkthrough's layout.

    kind: section (a step's heading), description (Markdown), text, strong (a conclusion),
    heading (a unit's formula and weights), code (lines kept as they are), table, reason
    (prose, with equations indented by two spaces), gap (a blank line), and for `--step`:
    step, hint, worked (the part worked out), answer.
    """

    kind: str
    text: str = ""
    lines: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


ARITHMETIC = "z"  # the column of a table that holds z written out


def perceptron_blocks(w: pw.PerceptronWalkthrough) -> list[Block]:
    """The walkthrough, or its revealed part, as blocks in reading order."""
    if w.reveal is not None:
        return _reveal_blocks(w, w.reveal)
    blocks = [Block("description", w.description.strip())] if w.description.strip() else []
    for section in perceptron_sections(w):
        blocks += [Block("section", section), *_section_blocks(w, section)]
    return blocks


def perceptron_sections(w: pw.PerceptronWalkthrough) -> list[str]:
    """The headings of the walkthrough's steps, in order."""
    sections = [pw.SECTION_UNIT, pw.SECTION_WEIGHTS if w.separable else pw.SECTION_NO_WEIGHTS,
                pw.SECTION_ROWS]
    return sections + ([pw.SECTION_NETWORK] if w.network is not None else [])


def _section_blocks(w: pw.PerceptronWalkthrough, section: str) -> list[Block]:
    if section == pw.SECTION_UNIT:
        return [Block("code", lines=w.unit)]
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
    blocks = [Block("text", learning.rule)]
    blocks += [Block("text", learning.summary)] if summary else []
    if learning.asked:
        blocks += [Block("text", f"The {len(learning.asked)} asked updates, one by one (z from "
                         "the weights before the update):"),
                   Block("table", headers=_update_headers(w, learning),
                         rows=[_update_cells(u) for u in learning.asked])]
    return blocks


def _weights_blocks(w: pw.PerceptronWalkthrough) -> list[Block]:
    blocks = [Block("strong", w.headline), *_rule_blocks(w)]
    learning = w.learning
    if learning is not None and learning.changes:
        rows = [_update_cells(u) for u in learning.changes]
        if learning.gap is not None:
            at, skipped = learning.gap
            rows.insert(at, ["...", f"({skipped} more)", *[""] * (len(rows[0]) - 2)])
        blocks += [Block("text", learning.changes_note),
                   Block("table", headers=_update_headers(w, learning), rows=rows)]
    if learning is not None and learning.weights:
        blocks.append(Block("text", f"weights ({learning.weights_from}): "
                            f"{_pairs(learning.weights)}"))
    if w.reason:
        blocks += [Block("text", "Why:"), Block("reason", lines=w.reason)]
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
        return [Block("table", headers=[*w.inputs, "target"], rows=rows),
                Block("text", w.table_note)]
    *unit, summary = _unit_blocks(w.single)
    return [*unit, Block("strong", summary.text)]


def _unit_blocks(table: pw.UnitTable) -> list[Block]:
    """A unit's formula and weights, its table row by row, and what it computes."""
    has_target = any(row.target is not None for row in table.rows)
    headers = [*table.columns, ARITHMETIC, table.output, *(["target", ""] if has_target else [])]
    rows = [[*row.values, row.z, str(row.output),
             *([str(row.target), "ok" if row.ok else "wrong"] if row.target is not None else [])]
            for row in table.rows]
    reads = f", reading {', '.join(table.reads)}" if table.name == "out" else ""
    return [Block("heading", f"{table.name} = {table.formula}{reads}: {_pairs(table.weights)}"),
            Block("table", headers=headers, rows=rows), Block("text", table.summary)]


def _network_blocks(w: pw.PerceptronWalkthrough) -> list[Block]:
    net = w.network
    if net is None:
        return []
    blocks = [Block("code", lines=net.lines)]
    for table in [*net.hidden, net.out]:
        blocks += [Block("gap"), *_unit_blocks(table)]
    return blocks + [Block("gap"), Block("strong", net.summary)]


def _pairs(pairs: list[tuple[str, str]]) -> str:
    """'w1 = 2, w2 = 1, b = -3'."""
    return ", ".join(f"{key} = {value}" for key, value in pairs)


def _reveal_blocks(w: pw.PerceptronWalkthrough, reveal: pw.PerceptronReveal) -> list[Block]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    blocks = [Block("step", f"Step {reveal.number} of {reveal.count}: {reveal.part}{weight}"),
              Block("hint", reveal.hint)]
    if reveal.hint_only:
        return blocks + [Block("text", "Try it, then run again without --hint to see the step "
                               "worked out.")]
    worked = {"weights": pw.SECTION_ROWS, "network": pw.SECTION_NETWORK}.get(
        reveal.part, pw.SECTION_TRACE)
    return [*blocks, Block("worked", worked), *_section_blocks(w, worked),
            Block("answer", lines=reveal.answer)]


# -- perceptron: plain, markdown, latex ---------------------------------------------------


def perceptron_plain(w: pw.PerceptronWalkthrough) -> str:
    """The perceptron walkthrough as plain ASCII text."""
    lines = [w.title, "=" * min(len(w.title), WIDTH)]
    for block in perceptron_blocks(w):
        lines += _block_plain(block)
    return "\n".join(lines) + "\n"


def _block_plain(block: Block) -> list[str]:
    kind, text = block.kind, block.text
    if kind in ("description", "section", "step"):
        return ["", text]
    if kind == "hint":
        return [""] + _wrap("Hint: " + text, "")
    if kind == "worked":
        return ["", "Worked out:", text]
    if kind == "answer":
        return ["", "Answer:", *(INDENT + line for line in block.lines)]
    if kind == "code":
        return [INDENT + line for line in block.lines]
    if kind == "reason":
        return _reason(block.lines, INDENT)
    if kind == "table":
        return _table(block.headers, block.rows)
    if kind == "gap":
        return [""]
    return _wrap(text, INDENT) if text else []


def _reason(lines: list[str], indent: str) -> list[str]:
    """The certificate's argument: prose wrapped, its equations (indented) kept whole."""
    shown: list[str] = []
    for text in lines:
        shown += [indent + text] if text.startswith("  ") else _wrap(text, indent)
    return shown


def perceptron_markdown(w: pw.PerceptronWalkthrough) -> str:
    """The perceptron walkthrough as Markdown: a table per unit, z's arithmetic as code."""
    lines = [f"# {_md_escape(w.title)}", ""]
    for block in perceptron_blocks(w):
        lines += _block_markdown(block)
    return "\n".join(lines).rstrip("\n") + "\n"


def _block_markdown(block: Block) -> list[str]:
    kind, text = block.kind, block.text
    if kind == "description":
        return [text, ""]
    if kind in ("section", "step"):
        return [f"## {_md_escape(text)}", ""]
    if kind == "worked":
        return ["### Worked out", "", f"#### {_md_escape(text)}", ""]
    if kind == "hint":
        return [f"**Hint:** {_md_escape(text)}", ""]
    if kind == "answer":
        return ["**Answer:**", "", "```text", *block.lines, "```", ""]
    if kind in ("code", "reason"):
        shown = _reason(block.lines, "") if kind == "reason" else block.lines
        return ["```text", *shown, "```", ""]
    if kind == "table":
        return _md_table(block.headers, block.rows)
    if kind == "heading":
        return [f"`{text}`", ""]
    if kind == "strong":
        return [f"**{_md_escape(text)}**", ""]
    return [_md_escape(text), ""] if text else []


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    def cell(header: str, text: str) -> str:
        return f"`{text}`" if header == ARITHMETIC and text else _md_escape(text)

    lines = ["| " + " | ".join(_md_escape(h) for h in headers) + " |",
             "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(cell(h, c) for h, c in zip(headers, row, strict=True)) + " |"
              for row in rows]
    return lines + [""]


PERCEPTRON_PREAMBLE = LATEX_PREAMBLE + "\\usepackage{longtable}\n"


def perceptron_latex(w: pw.PerceptronWalkthrough) -> str:
    """The perceptron walkthrough as a standalone LaTeX document (pdflatex)."""
    body = [r"\begin{document}", rf"\section*{{{_text_escape(w.title)}}}", ""]
    for block in perceptron_blocks(w):
        body += _block_latex(block)
    return PERCEPTRON_PREAMBLE + "\n".join([*body, r"\end{document}"]) + "\n"


def _block_latex(block: Block) -> list[str]:
    kind, text = block.kind, _text_escape(block.text)
    if kind == "description":
        return _latex_description(block.text)
    if kind in ("section", "step"):
        return [rf"\subsection*{{{text}}}"]
    if kind == "worked":
        return [r"\subsubsection*{Worked out}", rf"\paragraph{{{text}}}", ""]
    if kind == "hint":
        return [rf"\textbf{{Hint:}} {text}", ""]
    if kind == "answer":
        return [r"\textbf{Answer:}", *_block_latex(Block("code", lines=block.lines))]
    if kind == "code":
        return [r"\begin{verbatim}", *map(_verbatim_safe, block.lines), r"\end{verbatim}", ""]
    if kind == "reason":
        return [rf"\begin{{center}}\texttt{{{_text_escape(line.strip())}}}\end{{center}}"
                if line.startswith("  ") else _text_escape(line) + "\n" for line in block.lines]
    if kind == "table":
        return _latex_longtable(block.headers, block.rows)
    if kind in ("strong", "heading"):
        return [rf"\textbf{{{text}}}", ""]
    if kind == "gap":
        return [r"\medskip", ""]
    return [text, ""] if text else []


def _latex_longtable(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A longtable (it breaks across pages), z's arithmetic in math: 1 \\cdot 0 + 1 = 1."""
    def cell(header: str, text: str) -> str:
        if header == ARITHMETIC and text:
            return "$" + _math_safe(text).replace("*", r" \cdot ") + "$"
        return _text_escape(text)

    lines = [r"\begin{longtable}{" + "l" * len(headers) + "}",
             " & ".join(_text_escape(h) for h in headers) + r" \\ \hline", r"\endhead"]
    lines += [" & ".join(cell(h, c) for h, c in zip(headers, row, strict=True)) + r" \\"
              for row in rows]
    return lines + [r"\end{longtable}", ""]


# -- perceptron: dot ---------------------------------------------------------------------


def perceptron_dot(w: pw.PerceptronWalkthrough) -> str:
    """Graphviz source: the inputs, then each unit a record (its name, its bias, what it
    computes), each edge labelled with its weight; the hidden layer between, if any."""
    lines = [f"digraph {_dot_id(w.exercise + '_network')} {{", "  rankdir=LR;",
             f"  label={_dot_string(w.title)};", "  labelloc=t;",
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']
    # An input may be named like a unit (h1, out): input nodes get ids of their own.
    lines += [f"  {_dot_id('input ' + i)} [shape=ellipse, label={_dot_string(i)}];"
              for i in w.inputs]
    units = [*w.network.hidden, w.network.out] if w.network is not None else \
        [w.single] if w.single is not None else []
    for table in units:
        reads_units = w.network is not None and table is w.network.out
        lines.append(f"  {_dot_id(table.name)} [shape=record, label={_unit_record(table)}];")
        for source, (key, value) in zip(table.reads, table.weights, strict=False):
            source_id = _dot_id(source if reads_units else "input " + source)
            lines.append(f"  {source_id} -> {_dot_id(table.name)} "
                         f"[label={_dot_string(f'{key} = {value}')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _unit_record(table: pw.UnitTable) -> str:
    key, bias = table.weights[-1]
    fields = [table.name, f"{key} = {bias}",
              f"computes {table.computes}" if table.computes else table.formula]
    label = "{ " + " | ".join(_record_escape(f) for f in fields) + " }"
    return '"' + label.replace('"', '\\"') + '"'


def render_perceptron(w: pw.PerceptronWalkthrough, format: str) -> str:
    """The perceptron walkthrough in one of the text formats: plain, markdown, latex or dot."""
    renderers = {"plain": perceptron_plain, "markdown": perceptron_markdown,
                 "latex": perceptron_latex, "dot": perceptron_dot}
    return renderers[format](w)
