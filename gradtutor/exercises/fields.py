"""Reading an exercise file's fields, for every kind of exercise: each problem is recorded
with its file, line and field, and all of them are reported together."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..base import limits
from ..base.compare import Tolerance
from ..base.errors import ExerciseError, GradtutorError
from ..base.safetext import visible
from .yamlio import Loaded


@dataclass
class SelfTest:
    """An exercise's embedded self-test: answers, and the score they must get."""

    answers: dict[str, Any]
    score: float
    line: int | None
    texts: dict[tuple, str] = field(default_factory=dict)  # path under answers -> text


class Problems:
    """Problems found while loading, each with file, line and field."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.found: list[GradtutorError] = []

    def add(self, path: tuple, message: str, *, key: bool = False) -> None:
        line = self.loaded.key_lines.get(path) if key else None
        line = line or self.loaded.line(*path)
        self.found.append(ExerciseError(message, file=self.loaded.file, line=line,
                                        field=field_name(path)))

    def adopt(self, path: tuple, error: GradtutorError) -> None:
        """Record an error raised by the parser or engine, located at `path`."""
        message = error.message
        if error.column is not None and error.source is not None and "\n" not in error.source:
            message += f" (column {error.column} of '{error.source[:60]}')"
        where = field_name(path) + (f" {error.field}" if error.field and path[:1] != ("given",)
                                    else "")
        self.found.append(ExerciseError(message, file=self.loaded.file,
                                        line=self.loaded.line(*path), field=where))

    def raise_if_any(self) -> None:
        """All the problems at once, in the order of the file's lines."""
        if self.found:
            count = len(self.found)
            in_order = sorted(self.found, key=lambda problem: problem.line or 0)
            raise ExerciseError(f"{count} problem{'s' if count > 1 else ''} in "
                                f"{self.loaded.file}", problems=in_order)


def field_name(path: tuple) -> str:
    """A path as a reader writes it: `ask[2].weight`, `given.W`."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
        else:
            parts.append(str(part))
    return ".".join(parts)


def kind_of(value: object) -> str:
    """A value's kind, for messages: 'a list', 'a mapping', 'text', 'a number'."""
    kinds = {list: "a list", dict: "a mapping", str: "text", int: "a number",
             float: "a number", bool: "true/false", type(None): "nothing"}
    return kinds.get(type(value), f"a {type(value).__name__}")


def finite_number(value: object) -> float | None:
    """A YAML number as a finite float; None for anything else (text, NaN, a 400-digit
    integer beyond any float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def shown(value: object) -> str:
    """A value quoted in a message: short, on one line."""
    return visible(repr(value), 40)


def unknown_keys(data: dict, allowed: tuple[str, ...], path: tuple, problems: Problems) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else \
                f"; expected one of {', '.join(allowed)}"
            problems.add((*path, key), f"unknown key '{key}'{hint}", key=True)


def asked_points(entry: dict, path: tuple, problems: Problems) -> tuple[object, str]:
    """An asked step's raw points and the key they came from: `points`, or its alias `weight`."""
    if "points" in entry and "weight" in entry:
        problems.add((*path, "weight"), "give 'points' or 'weight' (its older name), not both")
    key = "points" if "points" in entry or "weight" not in entry else "weight"
    return entry.get(key, 1), key


# How much of a check a student sees: everything; verdicts, diagnoses and hints without any
# expected value; right or wrong per step; the total only.
FEEDBACK_LEVELS = ("full", "diagnosis", "verdict", "score")


class FieldReader:
    """Reads the fields every exercise has, recording what is wrong with each."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.data: dict = loaded.data
        self.problems = Problems(loaded)

    def lookup(self, key: str, within: tuple = ()) -> object:
        """data[within...][key], or None when any level of it is missing."""
        holder: object = self.data
        for part in within:
            if isinstance(holder, list) and isinstance(part, int):
                holder = holder[part] if part < len(holder) else None
            else:
                holder = holder.get(part) if isinstance(holder, dict) else None
        return holder.get(key) if isinstance(holder, dict) else None

    def text(self, key: str, *, required: bool = False, pattern: re.Pattern | None = None,
             expected: str = "") -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.add((), f"missing '{key}'")
            return None
        if not isinstance(value, str):
            self.problems.add((key,), f"'{key}' must be text, not {kind_of(value)}")
            return None
        if pattern is not None and not pattern.match(value):
            self.problems.add((key,), f"'{value}' is not a valid {key}: use {expected}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, default: str) -> str:
        """A text field that takes one of a few words."""
        value = self.data.get(key)
        if value is None:
            return default
        if value not in choices:
            self.problems.add((key,), f"'{key}' must be one of {', '.join(choices)}, not "
                              f"{shown(value)}")
            return default
        return str(value)

    def feedback(self) -> str:
        """How much a grading platform shows a student (see FEEDBACK_LEVELS)."""
        return self.choice("feedback", FEEDBACK_LEVELS, default="diagnosis")

    def number(self, key: str, *, default: float, low: float, high: float,
               within: tuple = ()) -> float:
        value = self.lookup(key, within)
        if value is None:
            return default
        number = finite_number(value)
        if number is None or not low <= number <= high:
            self.problems.add((*within, key), f"'{key}' must be a number from {low:g} to "
                              f"{high:g}, not {shown(value)}")
            return default
        return number

    def tolerance(self, raw: object = None, path: tuple = ("tolerance",),
                  base: Tolerance | None = None) -> Tolerance:
        """The exercise's `tolerance:` mapping (rel, abs, sigfigs, decimals), or a step's,
        whose keys override the exercise's (`base`)."""
        base = base or Tolerance()
        raw = self.data.get("tolerance") if path == ("tolerance",) else raw
        if raw is None:
            return base
        if not isinstance(raw, dict):
            self.problems.add(path, "'tolerance' must be a mapping like {rel: 0.01}, "
                              "{sigfigs: 3}, {decimals: 2} or {abs: 1.0e-6}")
            return base
        unknown_keys(raw, ("rel", "abs", "sigfigs", "decimals"), path, self.problems)
        read = {key: self.number(key, default=float("nan"), low=0, high=high, within=path)
                for key, high in (("rel", 1), ("abs", 1e300), ("sigfigs", 15),
                                  ("decimals", 15)) if key in raw}
        for key in ("sigfigs", "decimals"):
            if key in read and read[key] != int(read[key]):
                self.problems.add((*path, key), f"'{key}' must be a whole number")
                read[key] = round(read[key])
        if "sigfigs" in read and "decimals" in read:
            self.problems.add(path, "give 'sigfigs' or 'decimals', not both")
        changes: dict = {key: value for key, value in read.items() if value == value}
        for key in ("sigfigs", "decimals"):
            if key in changes:
                changes[key] = max(int(changes[key]), 1 if key == "sigfigs" else 0)
        return replace(base, **changes)

    def tests(self) -> list[SelfTest]:
        raw = self.data.get("tests") or []
        if not isinstance(raw, list):
            self.problems.add(("tests",), "'tests' must be a list of {answers, score}")
            return []
        if len(raw) > limits.MAX_SELF_TESTS:
            self.problems.add(("tests",), f"{len(raw):,} self-tests; an exercise has at most "
                              f"{limits.MAX_SELF_TESTS:,}")
            return []
        texts_of: dict[object, dict[tuple, str]] = {}  # test index -> its answers' texts
        for key, text in self.loaded.texts.items():
            if len(key) >= 3 and key[0] == "tests" and key[2] == "answers":
                texts_of.setdefault(key[1], {})[key[3:]] = text
        tests = []
        for index, entry in enumerate(raw):
            path = ("tests", index)
            if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict):
                self.problems.add(path, "a self-test is {answers: {step: value, ...}, score: N}")
                continue
            score = finite_number(entry.get("score"))
            if score is None or score < 0:
                self.problems.add((*path, "score"), "a self-test's score is a number of "
                                  f"points, 0 or more, not {shown(entry.get('score'))}")
                continue
            unknown_keys(entry, ("answers", "score"), path, self.problems)
            texts = texts_of.get(index, {})
            tests.append(SelfTest(entry["answers"], score, self.loaded.line(*path), texts))
        return tests
