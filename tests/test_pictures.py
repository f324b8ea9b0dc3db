"""Pictures of the graph: every bundled exercise's `explain --format dot`, drawn by Graphviz
(when it is installed), fits in about 1,600 px on its long side; Graphviz runs bounded, and
its absence is one clear message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gradtutor.base import programs
from gradtutor.base.errors import GradtutorError
from gradtutor.cli.app import app
from gradtutor.grading.batch import check_file, summarize
from gradtutor.grading.feedback import redact
from gradtutor.grading.picture import class_picture, verdict_picture
from gradtutor.kinds import explain, load_exercise
from gradtutor.render import dot, draw, graphviz

from dot_parse import html_label, parse_dot  # tests/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
IDS = sorted(path.stem for path in (ROOT / "exercises").glob("*.yaml"))
LONG_SIDE_PX = 1600
needs_graphviz = pytest.mark.skipif(not graphviz.available(),
                                    reason="Graphviz's dot is not installed (apt install graphviz)")


def size_px(svg: str) -> tuple[float, float]:
    """An SVG's width and height in CSS pixels (Graphviz writes points: 96 px per 72 pt)."""
    found = re.search(r'<svg width="([0-9.]+)(pt|px)?" height="([0-9.]+)(pt|px)?"', svg)
    assert found is not None, svg[:300]
    scale = 96 / 72 if (found.group(2) or "pt") == "pt" else 1.0
    return float(found.group(1)) * scale, float(found.group(3)) * scale


@needs_graphviz
@pytest.mark.parametrize("ex_id", IDS)
def test_every_bundled_picture_fits_on_a_screen(ex_id: str) -> None:
    width, height = size_px(draw.render(explain(ex_id), "svg"))
    assert max(width, height) <= LONG_SIDE_PX, f"{ex_id}: {width:.0f} x {height:.0f} px"


@needs_graphviz
def test_png_is_a_png() -> None:
    assert draw.render(explain("max-gate"), "png").startswith(b"\x89PNG\r\n")


def test_a_missing_graphviz_is_one_message_naming_the_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programs.shutil, "which", lambda name: None)
    with pytest.raises(programs.MissingProgram, match="apt install graphviz"):
        draw.render(explain("max-gate"), "svg")


def test_a_program_that_fails_or_hangs_is_a_clear_error() -> None:
    with pytest.raises(GradtutorError, match=r"failed \(exit status 3\)"):
        programs.run_program(["sh", "-c", "exit 3"], b"", what="sh", missing="no sh")
    with pytest.raises(GradtutorError, match="took longer than 0.5 s"):
        programs.run_program(["sleep", "5"], b"", what="sleep", missing="no sleep", seconds=0.5)


# -- a check drawn on the graph -----------------------------------------------------------

SAMPLE = ROOT / "exercises" / "answers" / "sigmoid-neuron.yaml"


def verdict_dot(level: str = "full", path: Path = SAMPLE) -> dict:
    ex = load_exercise("sigmoid-neuron")
    result = redact(check_file(ex, path), level)
    return parse_dot(draw.render(verdict_picture(ex, result), "dot"))


def rows_of(graph: dict, node: str) -> dict[str, dict]:
    return {row["name"]: row for row in html_label(graph["nodes"][node]["label"])["rows"]}


def test_the_sample_check_colours_f6_wrong_its_dependants_carried_and_f6_first() -> None:
    graph = verdict_dot()
    assert rows_of(graph, "f6")["f6"]["fill"] == dot.FILLS["wrong"]
    assert rows_of(graph, "f6")["df8/df6"]["fill"] == dot.FILLS["follow-through"]
    assert rows_of(graph, "f7")["df8/df7"]["fill"] == dot.FILLS["follow-through"]
    assert rows_of(graph, "f7")["f7"]["fill"] == dot.FILLS["correct"]
    assert rows_of(graph, "f4")["df8/df4"]["note"] == "wrong: rounded-early"
    assert rows_of(graph, "f7")["df8/df7"]["note"] == "carried from f6"
    first = html_label(graph["nodes"]["f6"]["label"])
    assert (first["color"], first["border"]) == (dot.FIRST_TO_FIX, "3")
    assert "first step to fix" in first["texts"][0]
    assert html_label(graph["nodes"]["f7"]["label"])["color"] is None
    carried = [(s, t) for s, t, attributes in graph["edges"] if attributes.get("style") == "dashed"]
    assert ("f6", "f7") in carried and ("f4", "f3") in carried


def test_below_full_feedback_the_picture_shows_no_true_value() -> None:
    full = draw.render(verdict_picture(load_exercise("sigmoid-neuron"),
                                       check_file(load_exercise("sigmoid-neuron"), SAMPLE)),
                       "dot")
    truths = ("0.367879", "0.534447", "0.196612", "0.731059", "1.36788")
    assert all(truth in full for truth in truths)
    for level in ("diagnosis", "verdict", "score"):
        ex = load_exercise("sigmoid-neuron")
        text = draw.render(verdict_picture(ex, redact(check_file(ex, SAMPLE), level)), "dot")
        assert not [truth for truth in truths if truth in text], level
        assert "0.36" in text or level == "score"  # the student's own values are shown
    graph = verdict_dot("verdict")
    assert rows_of(graph, "f6")["f6"]["fill"] == dot.FILLS["wrong"]
    assert rows_of(graph, "w0")["value"]["grid"] == [["2"]]  # a given value is no secret


def test_a_class_is_a_heatmap_with_the_most_common_diagnosis(tmp_path: Path) -> None:
    text = SAMPLE.read_text()
    # both on the notes' numbers (the sample's student is graded on the numbers as written)
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text.replace("f6: 0.36", "f6: 0.3679"))
    ex = load_exercise("sigmoid-neuron")
    results = [check_file(ex, path) for path in sorted(tmp_path.glob("*.yaml"))]
    graph = parse_dot(draw.render(class_picture(ex, summarize(results)), "dot"))
    f6 = rows_of(graph, "f6")["f6"]
    assert f6["grid"] == [["50% wrong"]] and f6["fill"] == dot.heat_fill(0.5)
    assert rows_of(graph, "f4")["df8/df4"]["note"] == "rounded-early (2)"
    assert rows_of(graph, "f4")["df8/df4"]["fill"] == dot.heat_fill(1.0)
    assert html_label(graph["nodes"]["f6"]["label"])["color"] == dot.FIRST_TO_FIX
    assert "0.196612" not in draw.render(class_picture(ex, summarize(results)), "dot")


# -- from the command line and the API -----------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@needs_graphviz
def test_check_format_svg_of_the_sample_colours_the_verdicts() -> None:
    ran = run("check", "sigmoid-neuron", str(SAMPLE), "--format", "svg")
    assert ran.exit_code == 1  # a wrong step, as for every format of check
    svg = ran.stdout
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for colour in (dot.FILLS["wrong"], dot.FILLS["follow-through"], dot.FILLS["correct"],
                   dot.FIRST_TO_FIX):
        assert colour in svg
    assert "first step to fix" in svg and "wrong: rounded&#45;early" in svg


def test_check_a_folder_draws_the_class(tmp_path: Path) -> None:
    text = SAMPLE.read_text()
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(text)
    ran = run("check", "sigmoid-neuron", str(tmp_path), "--format", "dot")
    assert ran.exit_code == 1
    graph = parse_dot(ran.stdout)
    assert rows_of(graph, "f6")["f6"]["grid"] == [["100% wrong"]]


@needs_graphviz
def test_explain_writes_svg_png_and_html_files(tmp_path: Path) -> None:
    for form in ("svg", "png", "html"):
        target = tmp_path / f"max-gate.{form}"
        ran = run("explain", "max-gate", "--format", form, "-o", str(target))
        assert (ran.exit_code, ran.stdout) == (0, "")
        data = target.read_bytes()
        assert data.startswith({"svg": b"<?xml", "png": b"\x89PNG", "html": b"<!DOCTYPE"}[form])
    piped = run("explain", "max-gate", "--format", "png")
    assert piped.stdout_bytes.startswith(b"\x89PNG")


def test_without_graphviz_svg_is_one_message_and_exit_2(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setattr(programs.shutil, "which", lambda name: None)
    ran = run("explain", "max-gate", "--format", "svg")
    assert ran.exit_code == 2 and ran.stdout == ""
    assert "Graphviz's `dot` is not installed: apt install graphviz" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_the_api_draws_a_check_and_a_class() -> None:
    import gradtutor as gt

    checked = gt.check("sigmoid-neuron", SAMPLE, feedback="diagnosis")
    drawn = checked.render("dot")
    assert isinstance(drawn, str) and dot.FILLS["wrong"] in drawn and "0.367879" not in drawn
    assert str(gt.explain("max-gate").render("html")).startswith("<!DOCTYPE html>")
    both = gt.check_files("sigmoid-neuron", [SAMPLE, SAMPLE])
    assert "100% wrong" in str(both.render("dot"))


def test_a_students_picture_has_their_own_numbers(tmp_path: Path) -> None:
    exercise = tmp_path / "ex.yaml"
    exercise.write_text(
        "id: drawn\ntitle: t\ngiven:\n  x: {integers: [-5, 5], default: -2}\n"
        "  y: {integers: [-5, 5], default: 5}\n  z: {uniform: [-4, 4], step: 0.5, default: -4}\n"
        "graph:\n  q: x + y\n  f: q*z\noutput: f\nvariants:\n  seed: 7\n  tries: 100\n"
        "  require:\n    - abs(x + y) >= 1\n    - abs(z) >= 1\n")
    answers = tmp_path / "alice.yaml"
    answers.write_text("exercise: drawn\nstudent: alice\nanswers:\n  f: 5\n")
    graph = parse_dot(run("check", str(exercise), str(answers), "--format", "dot").stdout)
    given = {name: rows_of(graph, name)["value"]["grid"] for name in "xyz"}
    assert given == {"x": [["5"]], "y": [["0"]], "z": [["1"]]}  # alice's, not the defaults
