"""Exercise files: loading, checking everything an author can get wrong, bundled ids.

A loaded exercise is a plain dataclass with its graph built and its given values as
arrays. Loading collects every problem it finds (file, line, field and what was expected)
and raises them together as one ExerciseError. Which loader reads a file is the kind
registry's choice (gradtutor.kinds), by the file's `kind:`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from ..base import limits
from ..base.compare import Tolerance
from ..base.errors import ExerciseError, GradtutorError
from ..engine.graph import Graph, build_graph, evaluate
from ..lang.expr import Assignment, Expr, Program, free_names
from ..lang.parser import parse_expression
from ..lang.values import to_array
from ..ops.specs import CONSTANTS, FUNCTIONS
from .fields import (
    SelfTest,
    asked_points,
    finite_number,
    kind_of,
    shown,
    unknown_keys,
)
from .variants import VariantSpec, VariantsReader, is_draw
from .yamlio import Loaded

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_PATTERN = re.compile(r"^(?!__)[A-Za-z_][A-Za-z0-9_]*$")
GRAPH_KINDS = ("graph", "network")
GRAPH_KEYS = ("id", "title", "description", "kind", "given", "graph", "network", "output",
              "ask", "tolerance", "follow_through", "tests", "fixed", "domain", "feedback",
              "variants")
# How a given value may vary when a formula answer is compared at drawn points.
DOMAINS = ("free", "fixed", "one-hot", "simplex", "positive")
ASK_KEYS = ("step", "points", "weight", "hint", "tolerance")


@dataclass(frozen=True)
class Step:
    """A step name: a node's value (`of` and `rate` None), the derivative d`of`/d`wrt`, or
    (with `rate`) the SGD update `wrt - rate*d<loss>/d<wrt>` of a given value."""

    text: str
    wrt: str  # the node or input whose value, gradient or update the step asks for
    of: str | None = None
    rate: str | None = None  # an update step's learning rate (a given name)
    loss: str | None = None  # an update step's loss node: the gradient it applies

    @property
    def is_gradient(self) -> bool:
        return self.of is not None

    @property
    def is_update(self) -> bool:
        return self.rate is not None

    @property
    def gradient(self) -> Step:
        """The gradient an update step applies."""
        return Step(f"d{self.loss}/d{self.wrt}", self.wrt, self.loss)


# `W - lr*dL/dW`: the given W moved against the gradient dL/dW by the learning rate lr
UPDATE_PATTERN = re.compile(
    r"^([A-Za-z_]\w*)\s*-\s*([A-Za-z_]\w*)\s*\*\s*d([A-Za-z_]\w*)\s*/\s*d([A-Za-z_]\w*)$")
STEP_FORMS = "write a name (f6), dA/dB (df8/df7) or an update W - lr*dL/dW"


def parse_update(text: str) -> Step | None:
    """`W - lr*dL/dW` as an update step; None when the text is not one."""
    match = UPDATE_PATTERN.match(text)
    if match is None:
        return None
    wrt, rate, loss, bottom = match.groups()
    if bottom != wrt or not all(NAME_PATTERN.match(n) for n in (wrt, rate, loss)):
        raise GradtutorError(f"'{text}' is not a step: an update applies the value's own "
                             f"gradient ({wrt} - {rate}*d{loss}/d{wrt})")
    return Step(f"{wrt} - {rate}*d{loss}/d{wrt}", wrt, rate=rate, loss=loss)


def parse_step(text: str) -> Step:
    """`f6`, `df8/df7` (`∂f8/∂f7` too) or `W - lr*dL/dW`; raises GradtutorError when the
    text is none of these."""
    text = text.strip().replace("\u2202", "d")
    update = parse_update(text)
    if update is not None:
        return update
    if "/" in text:
        top, _, bottom = text.partition("/")
        top, bottom = top.strip(), bottom.strip()
        if top.startswith("d") and bottom.startswith("d") and \
                NAME_PATTERN.match(top[1:]) and NAME_PATTERN.match(bottom[1:]):
            return Step(f"d{top[1:]}/d{bottom[1:]}", bottom[1:], top[1:])
        raise GradtutorError(f"'{text}' is not a step: {STEP_FORMS}")
    if not NAME_PATTERN.match(text):
        raise GradtutorError(f"'{text}' is not a step: {STEP_FORMS}")
    return Step(text, text)


@dataclass
class AskItem:
    step: Step
    weight: float = 1.0
    hint: str | None = None
    line: int | None = None
    tolerance: Tolerance | None = None  # the step's own, else the exercise's


@dataclass
class Exercise:
    id: str
    title: str
    description: str
    kind: str
    given: dict[str, np.ndarray]
    nodes: dict[str, str]  # node name -> its expression, in forward order
    graph: Graph
    output: str
    ask: list[AskItem]
    tolerance: Tolerance
    follow_through: float
    tests: list[SelfTest]
    source: str  # the file it came from
    # how each given value varies when a formula answer is compared at drawn points
    domain: dict[str, str] = field(default_factory=dict)
    feedback: str = "diagnosis"  # what a grading platform shows (FEEDBACK_LEVELS)
    variants: VariantSpec | None = None  # how per-student numbers are drawn, when they are
    student: str | None = None  # whose variant this is; None: the exercise as written
    # the true value of every asked step, filled by the graph kind on first use
    key: dict[str, np.ndarray] | None = field(default=None, init=False, repr=False,
                                              compare=False)
    # the exercise recomputed under each named rule (right or mistaken), filled by the
    # diagnosis: the same for every student, so a class is graded with each computed once
    truths: dict[str, object] = field(default_factory=dict, init=False, repr=False,
                                      compare=False)
    # each student's variant, built once (gradtutor.kinds.variants): student -> exercise
    variant_cache: dict[str, Exercise] = field(default_factory=dict, init=False, repr=False,
                                               compare=False)
    # the pairs of mistakes that share a value at the numbers as written (kinds.variants)
    structural: frozenset[tuple] | None = field(default=None, init=False, repr=False,
                                                compare=False)
    # what rejected draws of its variants, and how often (kinds.guards tries these first)
    suspects: dict[tuple, int] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)


# -- finding exercises -------------------------------------------------------------------


def bundled_dir() -> Path:
    """Where the bundled exercises are: inside the installed package, or the source tree."""
    packaged = resources.files("gradtutor") / "bundled"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "exercises"


def bundled_ids() -> list[str]:
    return sorted(path.stem for path in bundled_dir().glob("*.yaml"))


def find_exercise(target: str) -> Path | None:
    """The file for a path or a bundled id, or None when it is neither (an expression)."""
    path = Path(target)
    if target.endswith((".yaml", ".yml")) or _is_file(path):
        return path
    if not ID_PATTERN.match(target):
        return None
    candidate = bundled_dir() / f"{target}.yaml"
    return candidate if candidate.is_file() else None


def _is_file(path: Path) -> bool:
    """Whether the path names a file; any text may arrive here, even a long expression."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve_exercise(target: str) -> Path:
    found = find_exercise(target)
    if found is not None:
        return found
    close = difflib.get_close_matches(target, bundled_ids(), n=1)
    hint = f" (did you mean {close[0]}?)" if close else "; see `gradtutor list`"
    raise ExerciseError(f"no exercise file or bundled exercise '{target}'{hint}")


# -- loading graph and network exercises -------------------------------------------------


class GraphLoader(VariantsReader):
    """Reads a graph or network exercise; `known_kinds` name every kind in a message about
    an unknown one."""

    def __init__(self, loaded: Loaded, known_kinds: Sequence[str]) -> None:
        super().__init__(loaded)
        self.known_kinds = known_kinds
        self.base_tolerance = Tolerance()

    def load(self) -> Exercise:
        problems = self.problems
        unknown_keys(self.data, GRAPH_KEYS, (), problems)
        ex_id = self.text("id", required=True, pattern=ID_PATTERN,
                          expected="lower-case letters, digits and '-'")
        title = self.text("title", required=True)
        description = self.text("description") or ""
        given = self.given()
        nodes, kind = self.nodes(given)
        if not nodes:
            problems.raise_if_any()
        graph = self.graph(nodes, given)
        output = self.output(nodes)
        if output not in graph.names:
            problems.raise_if_any()
        graph.output = graph.names[output]
        tolerance = self.base_tolerance = replace(self.tolerance(),
                                                  scale=exercise_scale(graph, given))
        follow = self.number("follow_through", default=1.0, low=0.0, high=1.0)
        ask = self.ask(graph, nodes, output)
        tests = self.tests()
        domain = self.domain(given, kind)
        feedback = self.feedback()
        variants = self.variants(graph)
        if variants is not None:
            variants = self.with_words(variants, title or "", description,
                                       [item.hint for item in ask], graph.names)
        problems.raise_if_any()
        return Exercise(ex_id or "", title or "", description, kind, given, nodes, graph,
                        output, ask, tolerance, follow, tests, self.loaded.file, domain,
                        feedback, variants)

    # -- fields ---------------------------------------------------------------------------
    def given(self) -> dict[str, np.ndarray]:
        raw = self.data.get("given") or {}
        if not isinstance(raw, dict):
            self.problems.add(("given",), "'given' must map input names to values")
            return {}
        given = {}
        for name, value in raw.items():
            if not NAME_PATTERN.match(name) or name in FUNCTIONS:
                self.problems.add(("given", name), f"'{name}' is not a valid input name",
                                  key=True)
                continue
            if name in CONSTANTS:
                self.problems.add(("given", name), constant_name(name, "an input"), key=True)
                continue
            if is_draw(value):
                drawn = self.drawn(name, value, ("given", name))
                if drawn is not None:
                    given[name] = drawn
                continue
            try:
                given[name] = to_array(value)
            except GradtutorError as error:
                self.problems.adopt(("given", name), error)
                continue
            if not np.all(np.isfinite(given[name])):
                self.problems.add(("given", name), f"'{name}' is not finite: no answer "
                                  "computed from it could be right")
        return given

    def variants(self, graph: Graph) -> VariantSpec | None:
        """The `variants:` block, its conditions' names checked against the graph."""
        return self.variants_block(graph.names, "a given value or a node",
                                   lambda name: ("given", name))

    def domain(self, given: dict[str, np.ndarray], kind: str) -> dict[str, str]:
        """`domain:` and `fixed:` as one map, every given value in it (defaults filled in)."""
        declared: dict[str, str] = {}
        raw_domain = self.data.get("domain") or {}
        if not isinstance(raw_domain, dict):
            self.problems.add(("domain",), "'domain' must map given names to "
                              f"{either(DOMAINS)}")
            raw_domain = {}
        raw_fixed = self.data.get("fixed") or []
        if not isinstance(raw_fixed, list):
            self.problems.add(("fixed",), "'fixed' must be a list of given names")
            raw_fixed = []
        entries = [*((("domain", n), n, d) for n, d in raw_domain.items()),
                   *((("fixed", i), n, "fixed") for i, n in enumerate(raw_fixed))]
        for path, name, kind_of_value in entries:
            if name not in given:
                self.problems.add(path, f"'{name}' is not a name under 'given'",
                                  key=path[0] == "domain")
            elif kind_of_value not in DOMAINS:
                self.problems.add(path, f"unknown domain '{kind_of_value}' for '{name}'; "
                                  f"expected {either(DOMAINS)}")
            elif kind_of_value == "one-hot" and not is_one_hot(given[name]) or \
                    kind_of_value == "simplex" and not on_simplex(given[name]):
                self.problems.add(path, f"'{name}' is declared {kind_of_value} but its given "
                                  "value is not")
            else:
                declared[name] = kind_of_value
        return {name: declared.get(name) or default_domain(value)
                for name, value in given.items()}

    def nodes(self, given: dict[str, np.ndarray]) -> tuple[dict[str, str], str]:
        has_graph, has_network = "graph" in self.data, "network" in self.data
        kind = self.data.get("kind") or ("network" if has_network else "graph")
        if kind not in GRAPH_KINDS:
            self.problems.add(("kind",), f"unknown kind '{kind}'; expected "
                              f"{either(self.known_kinds)}")
        if has_graph and has_network:
            self.problems.add(("network",), "an exercise has either 'graph' or 'network', "
                              "not both")
            return {}, kind
        if has_network:
            from .network import expand_network

            return expand_network(self.data["network"], given, self.problems), "network"
        raw = self.data.get("graph")
        if not isinstance(raw, dict) or not raw:
            self.problems.add(("graph",) if has_graph else (),
                              "'graph' must map node names to expressions" if has_graph
                              else "missing 'graph' (or 'network')")
            return {}, kind
        nodes = {}
        for name, expression in raw.items():
            if not NAME_PATTERN.match(name) or name in FUNCTIONS:
                self.problems.add(("graph", name), f"'{name}' is not a valid node name",
                                  key=True)
            elif name in CONSTANTS:
                self.problems.add(("graph", name), constant_name(name, "a node"), key=True)
            elif name in given:
                self.problems.add(("graph", name), f"'{name}' is both given and a node",
                                  key=True)
            elif isinstance(expression, bool) or not isinstance(expression, str | int | float):
                self.problems.add(("graph", name), f"node '{name}' must be an expression, not "
                                  f"{kind_of(expression)}")
            else:
                nodes[name] = str(expression)
        return nodes, kind

    def graph(self, nodes: dict[str, str], given: dict[str, np.ndarray]) -> Graph:
        """Parse every node, order them so each comes after what it reads, build, evaluate."""
        if len(nodes) > limits.MAX_STATEMENTS:
            self.problems.add(self.node_path(None)[:1], f"{len(nodes):,} nodes; a graph has at "
                              f"most {limits.MAX_STATEMENTS:,}")
            self.problems.raise_if_any()
        parsed: dict[str, Expr] = {}
        for name, text in nodes.items():
            try:
                parsed[name] = parse_expression(text)
            except GradtutorError as error:
                self.problems.adopt(self.node_path(name), error)
        before = len(self.problems.found)
        self.undefined_names(parsed, given)
        order = self.forward_order(parsed)
        if len(self.problems.found) > before or len(parsed) < len(nodes):
            self.problems.raise_if_any()  # nothing further can be checked without the graph
        program = Program(tuple(Assignment(name, parsed[name]) for name in order))
        graph = build_graph(program)
        try:
            evaluate(graph, given)
        except GradtutorError as error:
            path = self.node_path(error.field) if error.field in nodes else ("graph",)
            error.field = None
            self.problems.adopt(path, error)
        return graph

    def node_path(self, name: str | None) -> tuple:
        return ("network",) if "network" in self.data else ("graph", name)

    def undefined_names(self, parsed: dict[str, Expr], given: dict[str, np.ndarray]) -> None:
        known = [*given, *parsed]
        for name, expr in parsed.items():
            for used in free_names(expr):
                if used not in given and used not in parsed:
                    close = difflib.get_close_matches(used, known, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else \
                        " (give it a value under 'given' or define it as a node)"
                    self.problems.add(self.node_path(name), f"undefined name '{used}'{hint}")

    def forward_order(self, parsed: dict[str, Expr]) -> list[str]:
        """The nodes in the author's order, moved only where a node reads a later one."""
        reads = {name: [n for n in free_names(expr) if n in parsed and n != name]
                 for name, expr in parsed.items()}
        for name, expr in parsed.items():
            if name in free_names(expr):
                self.problems.add(self.node_path(name), f"node '{name}' reads itself")
        order: list[str] = []
        state: dict[str, str] = {}
        for start in parsed:
            cycle = _visit(start, reads, state, order)
            if cycle:
                self.problems.add(self.node_path(cycle[0]), "cycle: " + " -> ".join(cycle))
                break
        return order

    def output(self, nodes: dict[str, str]) -> str:
        output = self.data.get("output")
        names = list(nodes)
        if output is None:
            return names[-1]
        if not isinstance(output, str):
            self.problems.add(("output",), f"'output' must be a node's name, not "
                              f"{kind_of(output)}")
            return names[-1]
        if output not in nodes:
            close = difflib.get_close_matches(str(output), names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problems.add(("output",), f"output '{output}' is not a node{hint}")
            return names[-1]
        return str(output)

    def ask(self, graph: Graph, nodes: dict[str, str], output: str) -> list[AskItem]:
        raw = self.data.get("ask")
        if raw is None:
            return default_ask(graph, output)
        if not isinstance(raw, list) or not raw:
            self.problems.add(("ask",), "'ask' must be a list of steps")
            return []
        if len(raw) > limits.MAX_ASKED_STEPS:
            self.problems.add(("ask",), f"{len(raw):,} asked steps; an exercise asks at most "
                              f"{limits.MAX_ASKED_STEPS:,}")
            return []
        items, seen = [], set()
        for index, entry in enumerate(raw):
            item = self.ask_item(entry, ("ask", index), graph)
            if item is None:
                continue
            if item.step.text in seen:
                self.problems.add(("ask", index), f"step '{item.step.text}' is asked twice")
            seen.add(item.step.text)
            items.append(item)
        return items

    def ask_item(self, entry: object, path: tuple, graph: Graph) -> AskItem | None:
        line = self.loaded.line(*path)
        if isinstance(entry, dict):
            unknown_keys(entry, ASK_KEYS, path, self.problems)
            text, hint = entry.get("step"), entry.get("hint")
            raw_points, key = asked_points(entry, path, self.problems)
            weight = finite_number(raw_points)
            if weight is None or not 0 < weight <= limits.MAX_WEIGHT:
                self.problems.add((*path, key), f"{key} must be a positive number of at "
                                  f"most {limits.MAX_WEIGHT:,.0f}, not {shown(raw_points)}")
                weight = 1
            if hint is not None and not isinstance(hint, str):
                self.problems.add((*path, "hint"), "hint must be text")
                hint = None
        else:
            text, weight, hint = entry, 1, None
        own = self.tolerance(entry["tolerance"], (*path, "tolerance"), self.base_tolerance) \
            if isinstance(entry, dict) and "tolerance" in entry else None
        if not isinstance(text, str):
            self.problems.add(path, "a step is a name (f6), dA/dB (df8/df7) or an update "
                              "W - lr*dL/dW")
            return None
        try:
            step = parse_step(text)
        except GradtutorError as error:
            self.problems.add(path, error.message)
            return None
        if step.is_update and not self.update_names(step, path, graph):
            return None
        for name in (step.of, step.wrt):
            if name is not None and name not in graph.names:
                close = difflib.get_close_matches(name, list(graph.names), n=1)
                hint_text = f" (did you mean '{close[0]}'?)" if close else ""
                self.problems.add(path, f"step '{text}': no node or input '{name}'{hint_text}")
                return None
        return AskItem(step, float(weight), hint, line, own)


    def update_names(self, step: Step, path: tuple, graph: Graph) -> bool:
        """An update's value and rate are given values, its loss a node."""
        given = self.data.get("given") or {}
        problems = [f"'{name}' is not a given value" for name in (step.wrt, step.rate)
                    if name not in given]
        if step.loss not in graph.names:
            problems.append(f"no node '{step.loss}'")
        for problem in problems:
            self.problems.add(path, f"step '{step.text}': {problem}")
        return not problems


def exercise_scale(graph: Graph, given: dict[str, np.ndarray]) -> float:
    """The exercise's magnitude: its largest given or forward value (1 when all are 0)."""
    try:
        values = evaluate(graph, given)
    except (GradtutorError, ValueError, FloatingPointError):
        return 1.0
    return values_scale(values)


def values_scale(values: list[np.ndarray]) -> float:
    """`exercise_scale` from every node's value, already computed."""
    sizes = [size for value in values if (size := _largest(value)) is not None]
    largest = max(sizes, default=0.0)
    return largest if largest > 0 else 1.0


def _largest(value: np.ndarray) -> float | None:
    """The largest magnitude among the entries; None when empty or not all finite."""
    if np.size(value) == 1:  # most values are numbers: a plain float is many times faster
        number = float(np.asarray(value).ravel()[0])
        return abs(number) if math.isfinite(number) else None
    if np.size(value) and np.all(np.isfinite(value)):
        return float(np.max(np.abs(value)))
    return None


def constant_name(name: str, what: str) -> str:
    """Why `e` or `pi` cannot name an input or a node: expressions read it as the constant."""
    return (f"'{name}' cannot name {what}: in expressions and answers it is the constant "
            f"{name} = {CONSTANTS[name]:.6g}; choose another name (for example '{name}1' or "
            f"'err')")


def is_one_hot(value: np.ndarray) -> bool:
    """Every row (a vector is one row) zeros and a single one, over at least two classes."""
    rows = np.atleast_2d(value)
    return value.ndim >= 1 and rows.shape[-1] >= 2 and bool(np.all((rows == 0) | (rows == 1))
                                                           and np.all(rows.sum(-1) == 1))


def on_simplex(value: np.ndarray) -> bool:
    """Every row non-negative and summing to 1: probabilities."""
    rows = np.atleast_2d(value)
    return value.ndim >= 1 and bool(np.all(rows >= 0) and np.allclose(rows.sum(-1), 1.0))


def default_domain(value: np.ndarray) -> str:
    """One-hot targets stay one-hot (the targets of a cross-entropy network); the rest
    varies freely."""
    return "one-hot" if is_one_hot(value) else "free"


def _visit(name: str, reads: dict[str, list[str]], state: dict[str, str],
           order: list[str]) -> list[str] | None:
    """Depth-first topological sort without recursion; returns a cycle if there is one."""
    if state.get(name) == "done":
        return None
    stack: list[tuple[str, Iterator[str]]] = [(name, iter(reads[name]))]
    state[name] = "active"
    while stack:
        current, pending = stack[-1]
        following = next(pending, None)
        if following is None:
            stack.pop()
            state[current] = "done"
            order.append(current)
        elif state.get(following) == "active":
            path = [n for n, _ in stack]
            return [*path[path.index(following):], following]
        elif state.get(following) != "done":
            state[following] = "active"
            stack.append((following, iter(reads[following])))
    return None


def default_ask(graph: Graph, output: str) -> list[AskItem]:
    """Every node's value, then d(output)/d(every node and input)."""
    items = [AskItem(Step(name, name)) for name in graph.assigned]
    for name in [*reversed(graph.assigned), *graph.inputs]:
        if name != output:
            items.append(AskItem(Step(f"d{output}/d{name}", name, output)))
    return items


def either(names: Sequence[str]) -> str:
    """'graph, network or perceptron'."""
    *rest, last = names
    return f"{', '.join(rest)} or {last}" if rest else last


def walk_exercises(paths: list[str]) -> list[Path]:
    """Files named directly, and the .yaml files inside folders."""
    found = []
    for target in paths:
        path = Path(target)
        if path.is_dir():
            found.extend(sorted(path.glob("*.y*ml")))
        else:
            found.append(path)
    return found
