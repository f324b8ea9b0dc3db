"""The document model: each renderer draws a small hand-made document of blocks as expected."""

from __future__ import annotations

import importlib
import typing

import pytest

from gradtutor.render import blocks as b
from gradtutor.render import dot, latex, markdown, plain
from gradtutor.render.draw import render_document

DOC = b.Document("A title", [
    b.Section("1) Step"), b.Paragraph("Some *prose*."), b.Strong("Done."),
    b.Table(["x", "z"], [["1", "1*2"]], math_column="z", long=True), b.Gap(), b.Code(["  kept"]),
    b.Hint("try it"), b.Answer(["w = 1"]),
    b.Graph("g", "A title", [b.GraphNode("x", "x"), b.GraphNode("u", fields=["u", "b = 1"]),
                             b.GraphEdge("x", "u", "w = 2"), b.GraphEdge("u", "x")]),
])


def test_plain_draws_each_block() -> None:
    assert plain.document(DOC) == (
        "A title\n=======\n\n1) Step\n   Some *prose*.\n   Done.\n   x  z\n   1  1*2\n\n"
        "     kept\n\nHint: try it\n\nAnswer:\n   w = 1\n")


def test_markdown_escapes_prose_and_puts_arithmetic_in_code() -> None:
    text = markdown.document(DOC)
    assert text.startswith("# A title\n\n## 1) Step\n\nSome \\*prose\\*.\n\n**Done.**\n")
    assert "| x | z |\n| --- | --- |\n| 1 | `1*2` |\n" in text
    assert "**Hint:** try it\n" in text and "```text\nw = 1\n```" in text


def test_latex_is_a_standalone_document_with_math_arithmetic() -> None:
    text = latex.document(DOC)
    assert text.startswith(r"\documentclass") and text.endswith("\\end{document}\n")
    assert r"\section*{A title}" in text and r"\subsection*{1) Step}" in text
    assert r"1 & $1 \cdot 2$ \\" in text and r"\textbf{Hint:} try it" in text


X = b.Math("x", r"\xi")
STEP = b.Document("T", [
    b.Visit(b.Math("f = 2 x", r"f = 2 \xi"), b.Math("df/df = 1", "1")),
    b.Bullets(["a note"]),
    b.Equations([b.Equation(b.Math("df/dx", "D"), [b.Math("2 * 1", "2"), b.Math("2", "2")],
                            "(contribution 1 of 2)", "shapes: x () -> f ()")], depth=1),
    b.Table(["node", "inputs"], [[X, [X, ", ", b.Math("y", "y")]]]),
])


def test_plain_draws_a_backward_step_indented_under_its_visit() -> None:
    assert plain.document(STEP).splitlines()[2:] == [
        "   at f = 2 x, upstream df/df = 1", "     a note",
        "     df/dx = 2 * 1 = 2   (contribution 1 of 2)", "       shapes: x () -> f ()",
        "   node  inputs", "   x     x, y"]


def test_markdown_and_latex_draw_math_as_code_and_as_math() -> None:
    md, tex = markdown.document(STEP), latex.document(STEP)
    assert "D &= 2 = \\quad \\text{(contribution 1 of 2)}" in md
    assert "- `df/dx`: shapes: x () -> f ()" in md and "| `x` | `x`, `y` |" in md
    assert r"$\xi$ & $\xi$, $y$ \\" in tex and r"\paragraph{At $f = 2 \xi$}" in tex


def test_dot_draws_only_the_graph() -> None:
    assert dot.document(DOC) == (
        'digraph "g" {\n  rankdir=TB;\n  newrank=true;\n  nodesep=0.25;\n  ranksep=0.3;\n'
        '  label="A title";\n  labelloc=t;\n  fontname="Helvetica";\n'
        '  node [fontname="Helvetica", fontsize=11];\n'
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];\n'
        '  "x" [shape=ellipse, label="x"];\n'
        '  "u" [shape=record, label="{ u | b = 1 }"];\n'
        '  "x" -> "u" [label="w = 2"];\n  "u" -> "x";\n}\n')


def test_a_record_escapes_its_special_characters() -> None:
    assert dot.record(["a|b", "{c}"]) == '"{ a\\|b | \\{c\\} }"'


def test_rich_draws_a_panel_with_the_title() -> None:
    from rich.console import Console

    console = Console(width=80, record=True, color_system=None)
    console.print(render_document(DOC, "rich"))
    text = console.export_text()
    assert "A title" in text and "1) Step" in text and "Hint: try it" in text


@pytest.mark.parametrize("name", ["plain", "markdown", "latex", "rich"])
def test_every_text_renderer_draws_every_kind_of_block(name: str) -> None:
    module = importlib.import_module(f"gradtutor.render.{name}")
    assert set(module.DRAW) == set(typing.get_args(b.Block))


def test_a_verdict_reads_with_its_diagnosis() -> None:
    from gradtutor.render.blocks import Verdict, span_text

    assert span_text([Verdict("wrong", "rounded-early")]) == "wrong (rounded-early)"
    assert span_text(Verdict("correct")) == "correct"


TREE = b.Diagram((b.TreeRow(0, "f = q * z", "-12", True, False),
                  b.TreeRow(1, "q = x + y", "3", True, False),
                  b.TreeRow(2, "x", "-2", False, False), b.TreeRow(2, "y", "5", False, False),
                  b.TreeRow(1, "z", "-4", False, False)))


def test_a_tree_is_drawn_in_ascii_for_text_formats() -> None:
    assert TREE.lines() == ["f = q * z", "|-- q = x + y", "|   |-- x", "|   `-- y", "`-- z"]
    assert "|   `-- y" in plain.document(b.Document("t", [TREE]))


def test_the_terminal_draws_the_tree_with_each_value() -> None:
    from gradtutor.render.rich import console, document

    out = console()
    with out.capture() as captured:
        out.print(document(b.Document("t", [TREE])))
    text = captured.get()
    assert "└── z  -4" in text and "q = x + y  3" in text
