"""A check drawn on the exercise's graph, as blocks: the report (what check prints), then the
graph with each asked step's row coloured by its verdict, or for a class by the share that
got it wrong. Only what the feedback policy left in the result is drawn; the true values
only at full feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..base.errors import GradtutorError
from ..base.safetext import visible
from ..exercises.exercise import parse_step
from ..grading.batch import StepSummary
from ..grading.picture import ClassPicture, VerdictPicture
from ..marking.results import StepResult
from .blocks import Graph, GraphEdge, GraphNode, GraphRow, Grid
from .check_layout import class_report, file_report
from .layout import class_key
from .walkthrough_layout import grid

LEGEND = [("correct", "right"), ("follow-through", "right given your earlier answers"),
          ("wrong", "wrong, and why"), ("missing", "no answer"),
          ("- - >", "carried from the earlier step")]
HEAT_LEGEND = [("0%", "no one wrong"), ("50%", "half the class wrong"),
               ("100%", "everyone wrong")]


def verdict_picture(picture: VerdictPicture) -> Any:
    """The file's report, then its verdicts on the graph."""
    report = file_report(picture.result)
    if picture.result.error is not None:
        return report
    report.blocks.append(verdict_graph(picture))
    return report


def class_picture(picture: ClassPicture) -> Any:
    """The class report, then the heatmap on the graph."""
    report = class_report(picture.summary)
    report.blocks.append(heatmap(picture))
    return report


def verdict_graph(picture: VerdictPicture) -> Graph:
    result = picture.result
    graph = base_graph(picture.walkthrough, key=result.feedback == "full")
    nodes = _nodes(graph)
    drawn = False
    for step in result.steps:
        node = nodes.get(_node_of(step.step))
        if node is not None:
            node.rows.append(GraphRow(visible(step.step, 80), _given_grid(step.given),
                                      step.verdict, _verdict_note(step)))
            drawn = True
    first = result.first_mistake()
    if first is not None and _node_of(first.step) in nodes:
        nodes[_node_of(first.step)].role = "first-to-fix"
    graph.items += _carried_edges(result.steps, nodes)
    graph.legend = [*LEGEND, ("first to fix", "the first step to fix: red outline")] \
        if drawn else []
    graph.title = f"{graph.title}: {visible(result.answers_file, 200)}"
    return graph


def heatmap(picture: ClassPicture) -> Graph:
    graph = base_graph(picture.walkthrough, key=False)
    nodes = _nodes(graph)
    for step in picture.summary.steps:
        node = nodes.get(_node_of(step.step))
        if node is not None:
            wrong = _share_wrong(step)
            node.rows.append(GraphRow(visible(step.step, 80), [[f"{100 * wrong:.0f}% wrong"]],
                                      heat=wrong, note=_common(step)))
    firsts = list(picture.summary.first_to_fix)
    if firsts and _node_of(firsts[0]) in nodes:
        nodes[_node_of(firsts[0])].role = "first-to-fix"
    graph.legend = [*HEAT_LEGEND, ("first to fix", "the most common first step to fix")]
    checked = picture.summary.checked
    graph.title = f"{graph.title}: {checked} student{'s' if checked != 1 else ''}"
    return graph


def _share_wrong(step: StepSummary) -> float:
    """The share of the class not credited for the step (wrong, invalid or missing)."""
    return max(0.0, 1.0 - step.share_correct - step.share_follow_through)


def _common(step: StepSummary) -> str:
    if step.common_diagnosis is None:
        return ""
    return f"{visible(step.common_diagnosis, 80)} ({step.diagnosis_count})"


def _verdict_note(step: StepResult) -> str:
    """The verdict in a word or two, its diagnosis, and where a follow-through came from (at
    full feedback the node's own rows show the true values)."""
    words = {"follow-through": "carried", "missing": "missing", "correct": "right"}
    note = words.get(step.verdict, step.verdict)
    if step.diagnosis:
        note += f": {visible(step.diagnosis, 80)}"
    if step.verdict == "follow-through" and step.origin:
        note += f" from {visible(step.origin, 80)}"
    return note


def _given_grid(given: object) -> Grid:
    if given is None:
        return [["-"]]
    if isinstance(given, str):
        return [[visible(given, 40)]]
    try:
        return grid(given)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a ragged list: as the student wrote it
        return [[visible(given, 60)]]


def _carried_edges(steps: list[StepResult], nodes: dict[str, GraphNode]) -> list[GraphEdge]:
    """A dashed arrow from each wrong step's node to the nodes whose answers carry it."""
    pairs: dict[tuple[str, str], None] = {}
    for step in steps:
        if step.verdict != "follow-through" or not step.origin:
            continue
        source, target = _node_of(step.origin), _node_of(step.step)
        if source in nodes and target in nodes and source != target:
            pairs.setdefault((source, target))
    return [GraphEdge(source, target, role="follow-through")
            for source, target in pairs]


def _node_of(step: str) -> str:
    """The node a step is about: f6 for `f6` and for `df8/df6`; "" for a step of another
    kind (a perceptron's `weights`)."""
    try:
        return parse_step(step).wrt
    except GradtutorError:
        return ""


def _nodes(graph: Graph) -> dict[str, GraphNode]:
    return {item.id: item for item in graph.items if isinstance(item, GraphNode)}


# A walkthrough's class -> how its graph is drawn, with or without the answer key's numbers.
GRAPHS: dict[str, str] = {
    "gradtutor.walkthrough.model.Walkthrough": "walkthrough_layout:walkthrough_graph",
    "gradtutor.walkthrough.perceptron.PerceptronWalkthrough": "perceptron_layout:network_graph",
}


def base_graph(walkthrough: object, *, key: bool) -> Graph:
    """The exercise's graph; without `key`, no value the student was asked for."""
    import importlib

    module, _, function = GRAPHS[class_key(type(walkthrough))].partition(":")
    draw: Callable[..., Graph] = getattr(importlib.import_module(f".{module}", __package__),
                                         function)
    return draw(walkthrough, key=key)
