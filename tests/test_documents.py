"""The text formats of a walkthrough: plain (pinned), markdown, latex (compiled when pdflatex
is installed) and dot (parsed as a digraph)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from gradtutor.base import fmt
from gradtutor.exercises.exercise import Exercise, bundled_ids
from gradtutor.kinds import explain, load_exercise
from gradtutor.render import dot, draw, markdown
from gradtutor.render import walkthrough_layout as layout
from gradtutor.walkthrough.model import Walkthrough
from gradtutor.walkthrough.terms import latex_value

from dot_parse import DotError, html_label, parse_dot, record_fields  # tests/ is on sys.path

GRAPH_IDS = [i for i in bundled_ids() if isinstance(load_exercise(i), Exercise)]
FORMATS = ("plain", "markdown", "latex", "dot")

ADD_MUL_GATE_PLAIN = r'''An add gate feeding a multiply gate: f = (x + y) z
==================================================

The first worked example of the backpropagation lecture (notes 001 and 002):

   f(x, y, z) = (x + y) z   at  x = -2,  y = 5,  z = -4.

Break the function into two gates, q = x + y (an add gate) and f = q · z (a multiply
gate), then:

1. Forward pass: compute q and f from left to right.
2. Local gradients: for each gate, the derivative of its output with respect to each of
   its inputs (dq/dx, dq/dy, df/dq, df/dz).
3. Backward pass: start from df/df = 1 at the output and multiply each local gradient by
   the gradient arriving from above (the upstream gradient) to get df/dx and df/dy.

Conventions: dA/dB is the derivative of node A with respect to node or input B through
the whole graph; when B feeds A directly it is A's local derivative.

Given: x = -2, y = 5, z = -4
Output: f

1) The sub-functions and the computational graph
   node  expression  operation      inputs
   q     x + y       add gate       x, y
   f     q * z       multiply gate  q, z

   f = q * z
   |-- q = x + y
   |   |-- x
   |   `-- y
   `-- z

2) Local derivatives of every edge
   dq/dx = 1
   dq/dy = 1
   df/dq = z
   df/dz = q

3) Forward pass
   q = x + y = -2 + 5 = 3
   f = q * z = 3 * (-4) = -12

4) Backward pass from the end of the circuit: downstream = local * upstream
   start at the output: df/df = 1
   at f = q * z, upstream df/df = 1
     multiply gate: swaps its inputs' values (a gradient switcher): q gets the value of
       z (-4) and z gets the value of q (3) times the upstream gradient
     df/dq = z * df/df = -4 * 1 = -4
     df/dz = q * df/df = 3 * 1 = 3
   at q = x + y, upstream df/dq = -4
     add gate: distributes the upstream gradient -4 unchanged to x and y (a gradient
       distributor)
     df/dx = 1 * df/dq = 1 * (-4) = -4
     df/dy = 1 * df/dq = 1 * (-4) = -4

5) Gradients
   df/dx = -4
   df/dy = -4
   df/dz = 3
   df/dq = -4
'''


def test_the_plain_walkthrough_of_add_mul_gate_is_pinned() -> None:
    assert draw.render(explain("add-mul-gate"), "plain") == ADD_MUL_GATE_PLAIN


# -- every format shows the notes' sigmoid neuron in full --------------------------------


@pytest.mark.parametrize("form", FORMATS)
def test_sigmoid_neuron_every_node_and_value_in_every_format(form: str) -> None:
    w = explain("sigmoid-neuron")
    text = draw.render(w, form)
    numbers = [node.value for node in w.nodes] + [node.grad for node in w.nodes]
    numbers += [edge.value for step in w.backward for edge in step.edges]
    for node in w.nodes:
        assert (node.name if form != "latex" else node.name[0] + "_{" + node.name[1:] + "}") \
            in text, node.name
    for value in numbers:
        assert fmt.value(value) in text, value
    for shown in ("0.731059", "-0.534447", "-0.196612", "0.393224", "-0.589836"):
        assert shown in text


def test_the_rich_walkthrough_draws_the_same_numbers() -> None:
    from gradtutor.render.rich import console

    w = explain("sigmoid-neuron")
    out = console()
    with out.capture() as captured:
        out.print(draw.render(w, "rich"))
    text = captured.get()
    for node in w.nodes:
        assert node.name in text
        assert fmt.value(node.value) in text and fmt.value(node.grad) in text
    assert "∂f8/∂f7 = (-1/f7**2) * ∂f8/∂f8 = -0.534447 * 1 = -0.534447" in text
    assert "└── " in text  # the graph as a tree


@pytest.mark.parametrize("form", ["plain", "markdown", "latex"])
def test_patterns_and_layer_remarks_in_every_format(form: str) -> None:
    assert "routes" in draw.render(explain("max-gate"), form)
    assert "distributes" in draw.render(explain("max-gate"), form)
    vanishing = draw.render(explain("vanishing-sigmoid-chain"), form)
    assert "The gradient vanishes on the way back" in vanishing
    assert "0.00639928" in vanishing and "0.428348" in vanishing
    assert "The gradient explodes on the way back" in \
        draw.render(explain("exploding-relu-chain"), form)


def test_plain_layer_table() -> None:
    text = draw.render(explain("exploding-relu-chain"), "plain")
    assert """\
   layer  nodes   size of df9/d(layer output)  size of df9/d(inputs it reads)
   3      f5, f6  124                          w3 3100
   2      f3, f4  620                          w2 3100
   1      f1, f2  3100                         x 15500, w1 3100
""" in text


def test_plain_matrix_step_shows_shapes_and_rules() -> None:
    text = draw.render(explain("linear-layer"), "plain")
    assert """\
                             [ 1  2  ].T   [0.1  -0.2]
     dL/dW = X.T @ (dL/dY) = [-1  0.5]   @ [0.3  -0.1] = [-0.2   -0.1 ]
                             [ 0  3  ]     [0.2   0  ]   [ 0.95  -0.45]
       shapes: X 3x2, dL/dY 3x2 -> dL/dW 2x2
""" in text
    assert """\
                                 [0.1  -0.2]
     dL/db = sum(dL/dY, 0) = sum([0.3  -0.1], 0) = [0.6, -0.3]
                                 [0.2   0  ]
""" in text


def test_plain_fan_in_adds_up() -> None:
    text = draw.render(explain("x*x + x", {"x": np.float64(3.0)}), "plain")
    assert "     df/dx = 1 * df/df = 1 * 1 = 1   (contribution 1 of 2 to df/dx)\n" in text
    assert "     df/dx = 2*x * df/dn1 = 6 * 1 = 6   (contribution 2 of 2 to df/dx)\n" \
        "     df/dx = 1 + 6 = 7   (x is used by 2 nodes: their contributions add up)\n" in text


def test_plain_tree_marks_a_repeated_subtree() -> None:
    text = draw.render(explain("q = x + y; r = 2 * q; f = q * r",
                                   {"x": np.float64(1.0), "y": np.float64(2.0)}), "plain")
    assert """\
   f = q * r
   |-- q = x + y
   |   |-- x
   |   `-- y
   `-- r = 2 * q
       `-- q = x + y  (see above)
""" in text


def test_plain_reveal() -> None:
    assert draw.render(explain("max-gate", step=10), "plain") == """\
A max gate routes the gradient: f = 2 (x y + max(z, w))
=======================================================

Step 10 of 11: df4/dz (2 points)

Hint: A max gate is a gradient router: the input that won (the larger one, here z = 2 >
  w = -1) receives the whole upstream gradient df4/df2.

Worked out:
   df4/dz = (1 - step(w - z)) * df4/df2 = 1 * 2 = 2
   max gate: routes the upstream gradient to the larger input (a gradient router): z = 2
     wins and gets all of it, w = -1 gets 0

Answer: df4/dz = 2
"""
    hint = draw.render(explain("max-gate", step=10, hint_only=True), "plain")
    assert hint.endswith("Try it, then run again without --hint to see the step worked out.\n")
    assert "Answer" not in hint


# -- markdown ----------------------------------------------------------------------------


@pytest.mark.parametrize("ex_id", GRAPH_IDS)
def test_markdown_math_blocks_are_balanced(ex_id: str) -> None:
    text = draw.render(explain(ex_id), "markdown")
    assert text.startswith("# ")
    lines = text.splitlines()
    assert lines.count("$$") % 2 == 0
    assert lines.count(r"\begin{aligned}") == lines.count(r"\end{aligned}") >= 4
    for heading in layout.SECTIONS:
        assert f"## {markdown.escape(heading)}" in lines


def test_markdown_of_add_mul_gate() -> None:
    text = draw.render(explain("add-mul-gate"), "markdown")
    assert "| `q` | `x + y` | add gate | `x`, `y` |" in text
    assert r"\frac{\partial f}{\partial x} &= 1 \cdot \frac{\partial f}{\partial q} = " \
        r"1 \cdot \left(-4\right) = -4" in text
    assert "- add gate: distributes the upstream gradient -4 unchanged to x and y (a " \
        "gradient distributor)" in text


# -- latex -------------------------------------------------------------------------------


def environments(text: str) -> list[str]:
    """Every begin/end pair closes in order; returns the environments opened."""
    stack, opened = [], []
    for kind, name in re.findall(r"\\(begin|end)\{([a-z*]+)\}", text):
        if kind == "begin":
            stack.append(name)
            opened.append(name)
        else:
            assert stack and stack.pop() == name, name
    assert not stack
    return opened


def braces_balance(text: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\\\|\\[{}]|[{}]", text):
        token = match.group()
        if token in ("{", "}"):
            depth += 1 if token == "{" else -1
            if depth < 0:
                return False
    return depth == 0


def latex_without_verbatim(text: str) -> str:
    return re.sub(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", "", text, flags=re.S)


@pytest.mark.parametrize("ex_id", GRAPH_IDS)
def test_latex_is_a_balanced_standalone_document(ex_id: str) -> None:
    text = draw.render(explain(ex_id), "latex")
    assert text.startswith(r"\documentclass")
    assert text.count(r"\begin{document}") == text.count(r"\end{document}") == 1
    assert text.rstrip().endswith(r"\end{document}")
    opened = environments(text)
    assert "align*" in opened
    assert braces_balance(latex_without_verbatim(text))
    assert not re.search(r"[^\x00-\x7f]", latex_without_verbatim(text))


def test_latex_escapes_text(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text("""\
id: odd
title: "50% of x_1 & y # {z} ~ $5 ^ 2 <a|b> back\\\\slash σ"
description: "Some `co_de`, **bold** and $a_1 + b$, then −1 · 2"
given: {x: 2}
graph: {f: x*x}
""", encoding="utf-8")
    text = draw.render(explain(str(path)), "latex")
    assert r"\section*{50\% of x\_1 \& y \# \{z\} \~{} \$5 \^{} 2 \ensuremath{<}a" \
        r"\ensuremath{|}b\ensuremath{>} back\ensuremath{\backslash}slash \ensuremath{\sigma}}" \
        in text
    assert r"Some \texttt{co\_de}, \textbf{bold} and $a_1 + b$, then \ensuremath{-}1 " \
        r"\ensuremath{\cdot} 2" in text
    environments(text)
    assert braces_balance(latex_without_verbatim(text))


PDFLATEX = shutil.which("pdflatex")


OVERFULL = re.compile(r"Overfull \\hbox \(([0-9.]+)pt too wide\)")


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("ex_id", bundled_ids())
def test_latex_compiles_with_pdflatex_and_fits_the_page(ex_id: str, tmp_path: Path) -> None:
    """Every bundled walkthrough compiles, and nothing runs over the margin by more than
    10 pt (a wide matrix is broken at its operators or set small)."""
    source = tmp_path / f"{ex_id}.tex"
    source.write_text(draw.render(explain(ex_id), "latex"), encoding="utf-8")
    run = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error",
                          source.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / f"{ex_id}.pdf").stat().st_size > 1000
    log = (tmp_path / f"{ex_id}.log").read_text(encoding="latin-1")
    over = [float(points) for points in OVERFULL.findall(log)]
    assert all(points <= 10 for points in over), f"{ex_id}: overfull by {max(over)} pt"


def test_a_long_equation_is_broken_in_markdown_and_latex() -> None:
    """mlp-mse's widest row (three 4x3 matrices) is cut before an operator, in both."""
    for form in ("markdown", "latex"):
        text = draw.render(explain("mlp-mse"), form)
        assert r"\\ &\quad \odot \begin{bmatrix}" in text, form


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("step", [1, 7, 8])
def test_latex_of_a_revealed_step_compiles(step: int, tmp_path: Path) -> None:
    source = tmp_path / "step.tex"
    walk = explain("add-mul-gate", step=step)
    source.write_text(draw.render(walk, "latex"), encoding="utf-8")
    run = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error",
                          source.name], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]


def test_latex_matrices() -> None:
    text = draw.render(explain("linear-layer"), "latex")
    assert latex_value(np.array([[-0.2, -0.1], [0.95, -0.45]])) in text
    assert r"X^{\top} \, \frac{\partial L}{\partial Y}" in text


# -- dot ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ex_id", GRAPH_IDS)
def test_dot_is_a_valid_digraph(ex_id: str) -> None:
    w = explain(ex_id)
    graph = parse_dot(draw.render(w, "dot"))
    for node in w.nodes:
        label = html_label(graph["nodes"][node.name]["label"])
        assert label["heading"] == layout.node_label(node)
        assert [row["name"] for row in label["rows"]] == ["value", "grad"]
    assert len(graph["edges"]) == sum(len(n.inputs) for n in w.nodes if n.expression)


def test_dot_of_the_max_gate() -> None:
    graph = parse_dot(draw.render(explain("max-gate"), "dot"))
    label = html_label(graph["nodes"]["f2"]["label"])
    assert label["heading"] == "f2 = max(z, w)"
    assert [(row["name"], row["grid"]) for row in label["rows"]] == \
        [("value", [["2"]]), ("grad", [["2"]])]
    # the label is the language's own notation (step), not Python's `1 if w <= z else 0`,
    # with the local derivative's number under it
    assert ("z", "f2", {"label": "df2/dz = 1 - step(w - z)\\n= 1"}) in graph["edges"]
    assert ("w", "f2", {"label": "df2/dw = step(w - z)\\n= 0"}) in graph["edges"]
    assert ("f3", "f4", {"label": "df4/df3 = 2"}) in graph["edges"]  # no number said twice


def test_dot_draws_matrices_as_grids_with_short_edge_labels() -> None:
    graph = parse_dot(draw.render(explain("linear-layer"), "dot"))
    label = html_label(graph["nodes"]["W"]["label"])
    assert label["rows"][0]["grid"] == [["0.5", "-1"], ["1.5", "0.2"]]
    assert ("W", "Y", {"label": "dL/dW (2x2)"}) in graph["edges"]


def test_dot_escapes_record_characters() -> None:
    escaped = dot.record_escape("a{b}|<c>\\")
    assert escaped == "a\\{b\\}\\|\\<c\\>\\\\"
    assert record_fields("{ " + escaped + " | x }") == ["a{b}|<c>\\", "x"]


def test_dot_escapes_html_label_text() -> None:
    assert dot.text('<b>&"x"\n') == "&lt;b&gt;&amp;&quot;x&quot;\\n"


def test_dot_shows_a_large_matrix_by_its_shape() -> None:
    w = explain("sum(A)", {"A": np.ones((5, 5))})
    graph = parse_dot(draw.render(w, "dot"))
    rows = html_label(graph["nodes"]["A"]["label"])["rows"]
    assert [row["grid"] for row in rows] == [[["(5x5)"]], [["(5x5)"]]]


def test_parse_dot_is_strict() -> None:
    with pytest.raises(DotError):
        parse_dot('digraph g { "a" -> "b" }')
    with pytest.raises(DotError):
        parse_dot('digraph g { "a"; "a" -> "b"; }')
    with pytest.raises(DotError):
        record_fields("{ a | b { c }")
    assert parse_dot('digraph g { "a"; "b"; "a" -> "b" [label="x"]; }')["edges"] == \
        [("a", "b", {"label": "x"})]


def test_render_rejects_nothing_it_knows() -> None:
    w: Walkthrough = explain("add-mul-gate")
    assert {form: bool(draw.render(w, form)) for form in FORMATS} == \
        dict.fromkeys(FORMATS, True)


def test_a_piecewise_local_derivative_times_the_upstream_is_bracketed() -> None:
    """max-gate: the max's local derivative 1 - step(w - z) is multiplied by the upstream
    gradient as a whole, in every format."""
    walk = explain("max-gate")
    assert "df4/dz = (1 - step(w - z)) * df4/df2" in draw.render(walk, "plain")
    for form in ("markdown", "latex"):
        assert r"\left(1 - \operatorname{step}{\left(w - z \right)}\right) \cdot " \
            r"\frac{\partial f_{4}}{\partial f_{2}}" in draw.render(walk, form), form
