"""Layouts: a result becomes blocks once, picked by the result's class; the format's renderer
draws them."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.base.errors import GradtutorError
from gradtutor.kinds import explain, kind_of, load_exercise
from gradtutor.render import blocks as b
from gradtutor.render.draw import RENDERERS, render
from gradtutor.render.layout import LAYOUTS, layout, layout_of
from gradtutor.render.walkthrough_layout import walkthrough_graph


def test_a_perceptron_walkthrough_is_laid_out_in_sections_and_a_graph() -> None:
    doc = layout(explain("xor-perceptron"))
    sections = [block.text for block in doc.blocks if type(block) is b.Section]
    assert len(sections) == 4
    graphs = [block for block in doc.blocks if type(block) is b.Graph]
    assert len(graphs) == 1 and graphs[0].name == "xor-perceptron_network"


def test_a_revealed_step_is_a_hint_then_the_answer() -> None:
    exercise = load_exercise("and-perceptron")
    walk = kind_of(exercise).explain(exercise, target="and-perceptron", step=1)
    kinds = [type(block).__name__ for block in layout(walk).blocks]
    assert kinds[:3] == ["StepTitle", "Hint", "Worked"] and kinds[-1] == "Answer"


def test_the_walkthrough_graph_has_a_box_per_value_and_an_edge_per_input() -> None:
    values = {"x": np.float64(-2), "y": np.float64(5), "z": np.float64(-4)}
    graph = walkthrough_graph(explain("(x+y)*z", values))
    nodes = [item for item in graph.items if type(item) is b.GraphNode]
    assert [(n.id, n.label) for n in nodes] == [("x", "x"), ("y", "y"), ("z", "z"),
                                                 ("n1", "n1 = x + y"), ("f", "f = n1 * z")]
    assert [(e.source, e.target, e.label) for e in graph.items if type(e) is b.GraphEdge] == [
        ("x", "n1", "dn1/dx = 1"), ("y", "n1", "dn1/dy = 1"),
        ("n1", "f", "df/dn1 = z\n= -4"), ("z", "f", "df/dz = n1\n= 3")]


def test_without_the_key_the_graph_shows_only_given_values() -> None:
    values = {"x": np.float64(-2), "y": np.float64(5), "z": np.float64(-4)}
    graph = walkthrough_graph(explain("(x+y)*z", values), key=False)
    rows = {n.id: [(r.name, r.grid) for r in n.rows] for n in graph.items
            if type(n) is b.GraphNode}
    assert rows == {"x": [("value", [["-2"]])], "y": [("value", [["5"]])],
                    "z": [("value", [["-4"]])], "n1": [], "f": []}
    assert "df/dz = n1" in [e.label for e in graph.items if type(e) is b.GraphEdge]


def test_a_result_without_a_layout_is_a_clear_error() -> None:
    with pytest.raises(GradtutorError, match="no layout for a str"):
        layout("not a result")


def layout_of_name(name: str) -> object:
    """The layout the registry names for a class, found by importing the class itself."""
    import importlib

    module, _, cls = name.rpartition(".")
    return layout_of(getattr(importlib.import_module(module), cls))


def test_every_format_has_a_renderer_and_each_layout_a_class() -> None:
    assert set(RENDERERS) == {"plain", "rich", "markdown", "latex", "dot", "svg", "png",
                              "html"}
    assert all(layout_of_name(name) is not None for name in LAYOUTS)
    assert render(explain("or-perceptron"), "plain").startswith("OR")


# -- reports: checks, solutions, lists ---------------------------------------------------------


def _checked() -> object:
    from pathlib import Path

    from gradtutor.exercises.answers import read_answers
    from gradtutor.grading.batch import check_answers

    path = Path(__file__).parent.parent / "exercises" / "answers" / "sigmoid-neuron.yaml"
    return check_answers(load_exercise("sigmoid-neuron"), read_answers(path, "sigmoid-neuron"))


def test_a_check_report_has_a_verdict_per_step_and_notes_beside_it() -> None:
    doc = layout(_checked())
    table = next(block for block in doc.blocks if type(block) is b.Table)
    verdicts = [row[1] for row in table.rows]
    assert all(type(verdict) is b.Verdict for verdict in verdicts)
    assert len(table.notes) == len(table.rows)
    wrong = [notes for verdict, notes in zip(verdicts, table.notes, strict=True)
             if verdict.verdict == "wrong"]
    assert wrong and all(wrong)


def test_a_check_report_draws_in_every_text_format() -> None:
    result = _checked()
    assert render(result, "markdown").count("| notes |") == 1
    assert "\\begin{tabular}" in render(result, "latex")


def test_the_class_summary_has_bars_and_a_role_per_share() -> None:
    from gradtutor.grading.batch import summarize

    doc = layout(summarize([_checked()]))
    assert any(type(block) is b.Bars for block in doc.blocks)
    shares = [row[1] for block in doc.blocks if type(block) is b.Table for row in block.rows]
    assert {share.role for share in shares} <= {"correct", "partial", "wrong"}


def test_a_solution_typesets_its_math_in_markdown() -> None:
    from gradtutor.engine.solve import solve_program

    markdown = render(solve_program("x*y", {"x": np.array(2.0), "y": np.array(3.0)}),
                      "markdown")
    assert "$\\partial \\mathrm{f} / \\partial \\mathrm{x}$" in markdown


def test_every_solution_of_an_exercise_has_a_layout() -> None:
    for name in ("sigmoid-neuron", "xor-perceptron"):
        ex = load_exercise(name)
        assert layout_of(type(kind_of(ex).solve(ex))) is not None
