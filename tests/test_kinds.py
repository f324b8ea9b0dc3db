"""The exercise-kind seam: the registry loads every kind by its file's `kind:`, and no
module outside gradtutor/kinds/ asks which kind an exercise is."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from gradtutor.base.errors import ExerciseError
from gradtutor.exercises.exercise import bundled_dir, bundled_ids
from gradtutor.exercises.yamlio import Loaded, load_yaml
from gradtutor.kinds import KINDS, exercise_from_yaml, kind_of, load_exercise
from gradtutor.kinds.graph import GraphKind
from gradtutor.kinds.perceptron import PerceptronKind

PACKAGE = Path(__file__).resolve().parent.parent / "gradtutor"
EXERCISE_TYPES = {"Exercise", "PerceptronExercise"}
GRAPH_EXERCISE = """id: tiny
title: A tiny graph
kind: {kind}
given: {{x: 2}}
graph: {{f: x * x}}
"""


# -- no kind dispatch outside the registry -------------------------------------------------


def kind_tests(tree: ast.AST) -> list[int]:
    """The lines that test an exercise's type: isinstance against an exercise class, or
    an exercise's kind (`.kind`, `["kind"]`, `.get("kind")`) compared with a kind's name."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call | ast.Compare) and _tests_a_kind(node)]


def _tests_a_kind(node: ast.Call | ast.Compare) -> bool:
    if isinstance(node, ast.Call):
        return getattr(node.func, "id", None) == "isinstance" and len(node.args) == 2 and \
            bool(_names(node.args[1]) & EXERCISE_TYPES)
    sides = [node.left, *node.comparators]
    return any(map(_is_kind, sides)) and any(_literals(side) & set(KINDS) for side in sides)


def _names(node: ast.expr) -> set[str]:
    """The class names in isinstance's second argument: a name, a.b, or a tuple of them."""
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(item) for item in node.elts))
    if isinstance(node, ast.Name):
        return {node.id}
    return {node.attr} if isinstance(node, ast.Attribute) else set()


def _is_kind(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "kind"
    if isinstance(node, ast.Subscript):
        return getattr(node.slice, "value", None) == "kind"
    return isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get" and \
        bool(node.args) and getattr(node.args[0], "value", None) == "kind"


def _literals(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_literals(item) for item in node.elts))
    return set()


def test_no_module_outside_the_registry_tests_an_exercises_kind() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "kinds" in path.relative_to(PACKAGE).parts:
            continue
        found += [f"{path.relative_to(PACKAGE)}:{line}"
                  for line in kind_tests(ast.parse(path.read_text()))]
    assert found == []


@pytest.mark.parametrize("snippet", [
    "if isinstance(ex, Exercise): pass",
    "if not isinstance(ex, (int, PerceptronExercise)): pass",
    "ok = isinstance(ex, loading.PerceptronExercise)",
    "network = exercise.kind == 'network'",
    "if ex.kind in ('graph', 'network'): pass",
    "if 'perceptron' != s.exercise.kind: pass",
    "if data.get('kind') == 'perceptron': pass",
    "if data['kind'] == 'graph': pass",
])
def test_the_scan_finds_a_kind_test(snippet: str) -> None:
    """The check can fail: each of these asks which kind an exercise is."""
    assert kind_tests(ast.parse(snippet)) == [1]


@pytest.mark.parametrize("snippet", [
    "if isinstance(walk, Walkthrough): pass",
    "if term.kind == 'leaf': pass",
    "if token.kind in ('op', 'end'): pass",
    "kind = kind_of(ex)",
])
def test_the_scan_leaves_other_kinds_alone(snippet: str) -> None:
    assert kind_tests(ast.parse(snippet)) == []


# -- the registry ----------------------------------------------------------------------------


def test_each_kind_is_registered_under_its_name() -> None:
    assert list(KINDS) == ["graph", "network", "perceptron"]
    assert isinstance(KINDS["graph"], GraphKind) and KINDS["network"] is KINDS["graph"]
    assert isinstance(KINDS["perceptron"], PerceptronKind)


def test_every_bundled_exercise_loads_through_the_kind_its_file_names() -> None:
    for exercise_id in bundled_ids():
        ex = load_exercise(exercise_id)
        assert kind_of(ex) is KINDS[ex.kind]
        assert type(ex) is type(kind_of(ex).load(_loaded(bundled_dir() / f"{exercise_id}.yaml")))


def test_kind_of_reads_the_exercises_own_kind() -> None:
    """The kind is found by the exercise's `kind`, not by its class."""
    class Stub:
        kind = "perceptron"

    assert kind_of(Stub()) is KINDS["perceptron"]  # type: ignore[arg-type]


def test_a_network_and_a_graph_are_one_kind() -> None:
    network = load_exercise("mlp-mse")
    assert network.kind == "network" and kind_of(network) is kind_of(load_exercise("max-gate"))


def test_load_by_id_and_by_path_give_the_same_exercise(tmp_path: Path) -> None:
    by_id = load_exercise("and-perceptron")
    copy = tmp_path / "copy.yaml"
    copy.write_text((bundled_dir() / "and-perceptron.yaml").read_text())
    by_path = load_exercise(str(copy))
    assert (by_path.id, by_path.kind, by_path.title) == (by_id.id, by_id.kind, by_id.title)
    assert by_path.source == str(copy)


def test_an_unknown_kind_is_named_with_its_file_line_and_field() -> None:
    with pytest.raises(ExerciseError) as caught:
        exercise_from_yaml(load_yaml(GRAPH_EXERCISE.format(kind="tree"), file="tree.yaml",
                                     error=ExerciseError))
    assert [str(p) for p in caught.value.problems] == [
        "tree.yaml:3: kind: unknown kind 'tree'; expected graph, network or perceptron"]


def test_an_unhashable_kind_is_an_unknown_kind() -> None:
    with pytest.raises(ExerciseError, match=r"unknown kind '\['graph'\]'"):
        exercise_from_yaml(load_yaml(GRAPH_EXERCISE.format(kind="[graph]"), file="x.yaml",
                                     error=ExerciseError))


def test_a_kind_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new kind needs its entry and nothing else: it loads, and the graph kind's message
    about an unknown kind names it."""
    class Tree:
        def load(self, loaded: Loaded) -> Any:
            return loaded.data

    monkeypatch.setitem(KINDS, "tree", Tree())
    loaded = exercise_from_yaml(load_yaml(GRAPH_EXERCISE.format(kind="tree"), file="t.yaml",
                                          error=ExerciseError))
    assert loaded["id"] == "tiny"  # type: ignore[index]
    with pytest.raises(ExerciseError, match="expected graph, network, perceptron or tree"):
        exercise_from_yaml(load_yaml(GRAPH_EXERCISE.format(kind="bush"), file="b.yaml",
                                     error=ExerciseError))


# -- the answer key, once per exercise --------------------------------------------------------


def test_the_answer_key_is_kept_on_the_exercise() -> None:
    for exercise_id in ("sigmoid-neuron", "xor-perceptron"):
        ex = load_exercise(exercise_id)
        kind = kind_of(ex)
        key = kind.key(ex)
        assert key and kind.key(ex) is key and ex.key is key  # type: ignore[attr-defined]


def test_each_exercise_has_its_own_key(tmp_path: Path) -> None:
    keys = []
    for x in (2, 3):
        path = tmp_path / f"tiny-{x}.yaml"
        path.write_text(GRAPH_EXERCISE.format(kind="graph").replace("x: 2", f"x: {x}"))
        ex = load_exercise(str(path))
        keys.append(float(kind_of(ex).key(ex)["f"]))
    assert keys == [4.0, 9.0]


def _loaded(path: Path) -> Loaded:
    return load_yaml(path.read_text(), file=str(path), error=ExerciseError)
