"""Perceptron exercises: the loaded exercise, and its YAML loader.

The loader checks every field (docs/perceptron-format.md), then what needs the whole
exercise: separability, the default ask, and whether what is asked can be answered. Every
problem is reported at once, each with file, line and field.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...base import limits
from ...base.compare import Tolerance
from ...base.errors import LimitError
from ..exercise import ID_PATTERN, NAME_PATTERN
from ..fields import SelfTest, asked_points, shown, unknown_keys
from ..variants import VariantSpec, VariantsReader, is_draw
from ..yamlio import Loaded
from .exact import num, read_number, short
from .functions import name_function
from .learning import LearningRule, run_rule
from .networks import build_network
from .separability import separate
from .units import MAX_INPUTS, Row, Weights, weight_keys

PERCEPTRON_KEYS = ("id", "title", "description", "kind", "inputs", "table", "activation",
                   "ask", "hidden", "learning_rule", "tolerance", "follow_through", "tests",
                   "feedback", "variants")
ASKS = ("weights", "network", "trace")


def exact(value: Any) -> Fraction:
    """A drawn number as the exact decimal it is written as (0.1 is 1/10)."""
    return Fraction(repr(float(value)))
MAX_ROWS = 64
MAX_HIDDEN = 16
MAX_UPDATES = 500


@dataclass
class AskPart:
    """One asked part of the exercise: what is asked, its weight per step, and a hint."""

    what: str  # weights | network | trace
    weight: float = 1.0  # per step: a trace has one step per update
    hint: str | None = None
    line: int | None = None


@dataclass
class PerceptronExercise:
    """A loaded `kind: perceptron` exercise: the truth table, g, what is asked, and how."""

    id: str
    title: str
    description: str
    inputs: list[str]  # names, for messages only: answers use w1..wn by position
    rows: list[Row]
    targets: list[int]
    at_zero: int  # g(0): 1 (output 1 when z >= 0, the notes' convention) or 0
    ask: list[AskPart]
    hidden: int  # hidden units of the asked network
    rule: LearningRule
    tolerance: Tolerance
    follow_through: float
    tests: list[SelfTest]
    source: str
    separable: bool = True
    kind: str = "perceptron"
    lines: dict[str, int] = field(default_factory=dict)
    feedback: str = "diagnosis"  # what a grading platform shows (FEEDBACK_LEVELS)
    variants: VariantSpec | None = None  # how each student's learning rule is drawn
    student: str | None = None  # whose variant this is; None: the exercise as written
    # an answers mapping scored fully correct, filled by the perceptron kind on first use
    key: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    # each student's variant, built once (gradtutor.kinds.variants): student -> exercise
    variant_cache: dict[str, PerceptronExercise] = field(default_factory=dict, init=False,
                                                         repr=False, compare=False)

    @property
    def n(self) -> int:
        return len(self.inputs)

    def asks(self, what: str) -> AskPart | None:
        return next((part for part in self.ask if part.what == what), None)

    def trace_length(self) -> int:
        """The updates a trace asks for: as given, else through the rule's convergence."""
        if self.rule.updates is not None:
            return self.rule.updates
        trace, _ = run_rule(self.rows, self.targets, self.at_zero, self.rule)
        return min(len(trace), MAX_UPDATES)


def perceptron_from_yaml(loaded: Loaded) -> PerceptronExercise:
    """Load and check a `kind: perceptron` exercise; every problem is reported at once."""
    return _Loader(loaded).load()


class _Loader(VariantsReader):

    def load(self) -> PerceptronExercise:
        problems = self.problems
        unknown_keys(self.data, PERCEPTRON_KEYS, (), problems)
        ex_id = self.text("id", required=True)
        if ex_id is not None and not ID_PATTERN.match(ex_id):
            problems.add(("id",), f"'{ex_id}' is not a valid id: use lower-case letters, "
                         "digits and '-'")
        title = self.text("title", required=True) or ""
        description = self.text("description") or ""
        rows, targets = self.table()
        n = len(rows[0]) if rows else 0
        inputs = self.inputs(n)
        at_zero = self.activation()
        ask = self.ask()
        hidden = self.whole("hidden", low=1, high=MAX_HIDDEN)
        rule = self.rule(n)
        tolerance = self.tolerance()
        follow = self.number("follow_through", default=1.0, low=0, high=1)
        tests = self.tests()
        feedback = self.feedback()
        variants = self.variants(n, title, description, ask)
        problems.raise_if_any()
        ex = PerceptronExercise(ex_id or "", title, description, inputs, rows, targets,
                                at_zero, ask, hidden or 0, rule, tolerance, follow, tests,
                                self.loaded.file,
                                lines={k[0]: v for k, v in self.loaded.key_lines.items()
                                       if len(k) == 1}, feedback=feedback, variants=variants)
        self.analyse(ex, hidden)
        problems.raise_if_any()
        return ex

    # -- fields -------------------------------------------------------------------------------
    def whole(self, key: str, *, low: int, high: int, within: tuple = ()) -> int | None:
        value = self.lookup(key, within)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problems.add((*within, key), f"'{key}' must be a whole number from {low} to "
                              f"{high}, not {shown(value)}")
            return None
        return value

    def number_at(self, path: tuple, raw: object) -> Fraction | None:
        try:
            return read_number(raw, self.loaded.texts.get(path))
        except ValueError as error:
            self.problems.add(path, str(error))
            return None

    def table(self) -> tuple[list[Row], list[int]]:
        raw = self.data.get("table")
        shape = "a list of rows like [0, 1, 1]: the inputs, then the target (0 or 1)"
        if not isinstance(raw, list) or not raw:
            self.problems.add(("table",) if "table" in self.data else (),
                              f"'table' must be {shape}" if "table" in self.data
                              else f"missing 'table': {shape}")
            return [], []
        if len(raw) > MAX_ROWS:
            self.problems.add(("table",), f"a table has at most {MAX_ROWS} rows, not {len(raw)}")
            return [], []
        rows: list[Row] = []
        targets: list[int] = []
        seen: dict[Row, int] = {}
        width = next((len(e) for e in raw if isinstance(e, list) and len(e) >= 2), 0)
        for index, entry in enumerate(raw):
            row = self.row(index, entry, width)
            if row is None:
                continue
            *x, t = row
            if tuple(x) in seen:
                self.problems.add(("table", index), f"the same inputs as table[{seen[tuple(x)]}]: "
                                  "each combination of inputs appears once")
                continue
            seen[tuple(x)] = index
            rows.append(tuple(x))
            targets.append(int(t))
        return rows, targets

    def row(self, index: int, entry: object, width: int) -> Row | None:
        path = ("table", index)
        if not isinstance(entry, list) or len(entry) < 2:
            self.problems.add(path, "a row is a list: the inputs, then the target, e.g. [0, 1, 1]")
            return None
        if len(entry) != width:
            self.problems.add(path, f"this row has {len(entry)} values, the first row has "
                              f"{width}")
            return None
        if width - 1 > MAX_INPUTS:
            self.problems.add(path, f"at most {MAX_INPUTS} inputs, not {width - 1}")
            return None
        values = [self.number_at((*path, k), v) for k, v in enumerate(entry)]
        if any(v is None for v in values):
            return None
        if values[-1] not in (0, 1):
            self.problems.add((*path, width - 1), "the target (the last value of a row) must "
                              f"be 0 or 1, not {num(values[-1])}")  # type: ignore[arg-type]
            return None
        return tuple(v for v in values if v is not None)

    def inputs(self, n: int) -> list[str]:
        default = [f"x{i}" for i in range(1, n + 1)]
        raw = self.data.get("inputs")
        if raw is None:
            return default
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.problems.add(("inputs",), "'inputs' must be a list of names, e.g. [x1, x2]")
            return default
        if n and len(raw) != n:
            self.problems.add(("inputs",), f"{len(raw)} input names, but the rows of 'table' "
                              f"have {n} inputs (then the target)")
            return default
        for index, name in enumerate(raw):
            if not NAME_PATTERN.match(name) or name == "b" or raw.index(name) != index:
                reason = "the bias's name" if name == "b" else "repeated" \
                    if raw.index(name) != index else "not a valid name"
                self.problems.add(("inputs", index), f"input name '{short(name)}' is {reason}")
                return default
        return list(raw)

    def activation(self) -> int:
        raw = self.data.get("activation", "step")
        expected = "'activation' must be step or {step: {at_zero: 1}} (at_zero: 1 or 0)"
        if raw == "step":
            return 1
        if not isinstance(raw, dict) or list(raw) != ["step"]:
            self.problems.add(("activation",), expected)
            return 1
        inner = raw["step"]
        if inner is None:
            return 1
        if not isinstance(inner, dict):
            self.problems.add(("activation", "step"), expected)
            return 1
        unknown_keys(inner, ("at_zero",), ("activation", "step"), self.problems)
        value = inner.get("at_zero", 1)
        if isinstance(value, bool) or value not in (0, 1):
            self.problems.add(("activation", "step", "at_zero"), "at_zero is g(0), the output "
                              f"when z = 0: 1 (z >= 0 fires) or 0 (z > 0 fires), not "
                              f"{shown(value)}")
            return 1
        return int(value)

    def ask(self) -> list[AskPart]:
        raw = self.data.get("ask")
        if raw is None:
            return []  # filled in once separability is known
        entries = raw if isinstance(raw, list) else [raw]
        parts: list[AskPart] = []
        for index, entry in enumerate(entries):
            path = ("ask", index) if isinstance(raw, list) else ("ask",)
            part = self.ask_part(entry, path)
            if part is None:
                continue
            if any(p.what == part.what for p in parts):
                self.problems.add(path, f"'{part.what}' is asked twice")
                continue
            parts.append(part)
        if not parts and not self.problems.found:
            self.problems.add(("ask",), "'ask' must name weights, network or trace")
        return parts

    def ask_part(self, entry: object, path: tuple) -> AskPart | None:
        line = self.loaded.line(*path)
        weight: object = 1
        key = "points"
        hint: object = None
        what = entry
        if isinstance(entry, dict):
            unknown_keys(entry, ("step", "points", "weight", "hint"), path, self.problems)
            what, hint = entry.get("step"), entry.get("hint")
            weight, key = asked_points(entry, path, self.problems)
        if what not in ASKS:
            close_match = difflib.get_close_matches(str(what), ASKS, n=1)
            hint_text = f" (did you mean '{close_match[0]}'?)" if close_match else ""
            self.problems.add(path, f"cannot ask {shown(what)}{hint_text}: ask weights (one "
                              "perceptron), network (two layers) or trace (the learning rule)")
            return None
        if isinstance(weight, bool) or not isinstance(weight, int | float) or \
                not 0 < weight <= limits.MAX_WEIGHT:
            self.problems.add((*path, key), f"{key} must be a positive number of at most "
                              f"{limits.MAX_WEIGHT:,.0f}, not {shown(weight)}")
            weight = 1
        if hint is not None and not isinstance(hint, str):
            self.problems.add((*path, "hint"), "hint must be text")
            hint = None
        return AskPart(str(what), float(weight), hint, line)

    def rule(self, n: int) -> LearningRule:
        zero = tuple(Fraction(0) for _ in range(n + 1))
        raw = self.data.get("learning_rule")
        if raw is None:
            return LearningRule(zero, Fraction(1))
        path = ("learning_rule",)
        if not isinstance(raw, dict):
            self.problems.add(path, "'learning_rule' must be a mapping like {initial: {w1: 0, "
                              "w2: 0, b: 0}, rate: 1, updates: 8}")
            return LearningRule(zero, Fraction(1))
        unknown_keys(raw, ("initial", "rate", "updates"), path, self.problems)
        rate = Fraction(1)
        if is_draw(raw.get("rate")):
            rate = self.drawn_number("rate", raw["rate"], (*path, "rate")) or Fraction(1)
        elif raw.get("rate") is not None:
            rate = self.number_at((*path, "rate"), raw["rate"]) or Fraction(1)
            if rate <= 0:
                self.problems.add((*path, "rate"), "the learning rate must be positive")
        updates = self.whole("updates", low=1, high=MAX_UPDATES, within=path)
        return LearningRule(self.initial(raw.get("initial"), n, zero), rate, updates)

    def initial(self, raw: object, n: int, zero: Weights) -> Weights:
        path = ("learning_rule", "initial")
        if raw is None:
            return zero
        keys = weight_keys(n)
        if not isinstance(raw, dict):
            self.problems.add(path, f"'initial' must map {', '.join(keys)} to numbers")
            return zero
        unknown_keys(raw, tuple(keys), path, self.problems)
        values = [self.drawn_number(key, raw[key], (*path, key)) if is_draw(raw.get(key)) else
                  self.number_at((*path, key), raw[key]) if key in raw else Fraction(0)
                  for key in keys]
        return tuple(v if v is not None else Fraction(0) for v in values)

    def drawn_number(self, name: str, raw: dict, path: tuple) -> Fraction | None:
        """A drawn starting weight or rate (one number): its default, exactly."""
        if "shape" in raw:
            self.problems.add((*path, "shape"), f"'{name}' is one number: no 'shape'")
            return None
        value = self.drawn(name, raw, path)
        return exact(value) if value is not None else None

    def variants(self, n: int, title: str, description: str,
                 ask: list[AskPart]) -> VariantSpec | None:
        """The `variants:` block: the learning rule's drawn start and rate, and `require:`
        over w1..wn, b and rate."""
        names = [*weight_keys(n), "rate"]
        spec = self.variants_block(names, f"one of {', '.join(names)}",
                                   lambda name: ("learning_rule",))
        if spec is None:
            return None
        return self.with_words(spec, title, description, [part.hint for part in ask], names)

    # -- what needs the whole exercise --------------------------------------------------------
    def analyse(self, ex: PerceptronExercise, hidden: int | None) -> None:
        """Separability, the default ask, and whether what is asked can be answered."""
        try:
            separation = separate(ex.rows, ex.targets, ex.at_zero, ex.rule)
        except LimitError as error:
            self.problems.add(("table",), error.message)
            return
        ex.separable = separation.separable
        if not ex.ask:
            ex.ask = [AskPart("weights" if ex.separable else "network",
                              line=self.loaded.line())]
        name = name_function(ex.rows, ex.targets, ex.inputs)
        what = name.name if name else "this table"
        if ex.asks("weights") and not ex.separable:
            self.problems.add(("ask",), f"asks for the weights of one perceptron, but {what} "
                              "is not linearly separable: no single perceptron computes it "
                              "(ask for network instead)")
        if ex.asks("trace") and not ex.separable and ex.rule.updates is None:
            self.problems.add(("learning_rule",), f"{what} is not linearly separable, so the "
                              "learning rule never converges: give learning_rule.updates")
        if hidden is not None and not ex.asks("network"):
            self.problems.add(("hidden",), "'hidden' is the size of an asked network: "
                              "add network to 'ask' or remove it")
        if ex.asks("network"):
            needed = len(build_network(ex.rows, ex.targets, ex.at_zero, separation).hidden)
            ex.hidden = hidden or needed
            if ex.hidden < needed:
                self.problems.add(("hidden",), f"gradtutor's answer key for this table uses "
                                  f"{needed} hidden units; set hidden: {needed} or more")
