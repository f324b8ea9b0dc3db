"""Drawn `given` values and the `variants:` block: what a per-student variant draws.

A drawn value is `{choice: [...]}`, `{uniform: [lo, hi]}` (with `step:` or `decimals:`),
or `{integers: [lo, hi]}`, optionally with `shape:` (a vector or matrix of draws) and
`default:` (the value when no student is given). A student's numbers come from
`student_generator`: sha256 of "{seed}:{student}" seeds numpy's PCG64, so they depend on
neither Python's hash randomisation nor its version.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ..base import fmt, limits
from ..base.errors import GradtutorError
from ..base.safetext import visible
from ..lang.condition import Condition, parse_condition
from ..lang.expr import free_names
from ..lang.values import to_array
from .fields import FieldReader, Problems, finite_number, kind_of, shown, unknown_keys
from .yamlio import Loaded

DRAW_KINDS = ("choice", "uniform", "integers")
DRAW_KEYS = (*DRAW_KINDS, "step", "decimals", "shape", "default")
VARIANT_KEYS = ("seed", "tries", "require", "as_written")
ANSWER_KEY_STUDENT = "answer-key"  # who `solve --format yaml` writes: the numbers as written
MAX_TRIES = 1000
DEFAULT_TRIES = 50
MAX_DRAWN_ENTRIES = 10_000


@dataclass(frozen=True)
class Draw:
    """How one given value is drawn."""

    kind: str  # one of DRAW_KINDS
    choices: tuple[np.ndarray, ...] = ()
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    decimals: int | None = None
    shape: tuple[int, ...] = ()
    default: np.ndarray | None = field(default=None, compare=False)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """One value: an entry per place in `shape` (a choice is drawn whole)."""
        if self.kind == "choice" and not self.shape:
            return self.choices[int(rng.integers(len(self.choices)))].copy()
        if self.kind == "choice":  # an entry per place, each one of the listed numbers
            picks = rng.integers(len(self.choices), size=math.prod(self.shape))
            return np.array([float(self.choices[i]) for i in picks]).reshape(self.shape)
        size = math.prod(self.shape)
        if self.kind == "integers":
            flat = rng.integers(int(self.low), int(self.high) + 1, size=size).astype(float)
        elif self.step is not None:
            count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
            flat = self.low + self.step * rng.integers(count, size=size)
            flat = np.round(flat, 12)
        else:
            flat = rng.uniform(self.low, self.high, size=size)
            if self.decimals is not None:
                flat = np.round(flat, self.decimals)
        return np.asarray(flat, dtype=float).reshape(self.shape)


@dataclass(frozen=True)
class Requirement:
    condition: Condition
    line: int | None


@dataclass(frozen=True)
class Written:
    """An exercise's words as written, placeholders and all: each variant fills its own."""

    title: str
    description: str
    hints: tuple[str | None, ...]  # one per asked step


@dataclass(frozen=True)
class VariantSpec:
    """The `variants:` block, and the given values it draws."""

    seed: str
    tries: int
    require: tuple[Requirement, ...]
    draws: dict[str, Draw]
    # students graded on the numbers as written (a sample file, the answer key)
    as_written: frozenset[str] = frozenset({ANSWER_KEY_STUDENT})
    written: Written | None = None  # the words to fill (set by the exercise's loader)


def student_generator(seed: str, student: str) -> np.random.Generator:
    """The documented stream of a student's draws: PCG64 seeded by sha256(f"{seed}:{student}"),
    the name in Unicode's composed form (NFC: "José" typed on macOS, decomposed, is the same
    student as "José" typed elsewhere)."""
    name = unicodedata.normalize("NFC", student)
    try:
        digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    except UnicodeEncodeError:  # a name from bytes that are not UTF-8 (surrogate-escaped)
        raise GradtutorError(f"the student name '{visible(student)}' is not UTF-8 text: "
                             "write it (or the file's name) in UTF-8", field="student") from None
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest, "big")))


def is_draw(raw: object) -> bool:
    """A mapping naming a draw (any other mapping is read, and refused, as a value)."""
    return isinstance(raw, dict) and any(kind in raw for kind in DRAW_KINDS)


def read_draw(raw: dict, path: tuple, problems: Problems) -> Draw | None:
    """A drawn given value, every field checked; None (with problems) when it is wrong."""
    before = len(problems.found)
    unknown_keys(raw, DRAW_KEYS, path, problems)
    kinds = [k for k in DRAW_KINDS if k in raw]
    if len(kinds) != 1:
        problems.add(path, "a drawn value has exactly one of choice, uniform or integers, "
                     f"not {' and '.join(kinds) or 'none'}")
        return None
    kind = kinds[0]
    shape = _shape(raw.get("shape"), (*path, "shape"), problems)
    draw = _choice(raw, path, problems, shape) if kind == "choice" else \
        _range(raw, kind, path, problems, shape)
    default = _default(raw, path, problems)
    if draw is None or len(problems.found) > before:
        return None
    return Draw(**{**draw.__dict__, "default": default})


def _shape(raw: object, path: tuple, problems: Problems) -> tuple[int, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 1 <= len(raw) <= 2 or \
            not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in raw):
        problems.add(path, f"'shape' is [n] (a vector) or [rows, columns], whole numbers of 1 "
                     f"or more, not {shown(raw)}")
        return ()
    if math.prod(raw) > MAX_DRAWN_ENTRIES:
        problems.add(path, f"a drawn value has at most {MAX_DRAWN_ENTRIES:,} entries")
        return ()
    return tuple(raw)


def _choice(raw: dict, path: tuple, problems: Problems, shape: tuple[int, ...]) -> Draw | None:
    options = raw["choice"]
    if not isinstance(options, list) or not options:
        problems.add((*path, "choice"), f"'choice' is a list of values, not {kind_of(options)}")
        return None
    for key in ("step", "decimals"):
        if key in raw:
            problems.add((*path, key), f"'{key}' is for uniform draws, not choice")
    values = []
    for index, option in enumerate(options):
        try:
            value = to_array(option)
        except GradtutorError as error:
            problems.add((*path, "choice", index), error.message)
            continue
        if not np.all(np.isfinite(value)):
            problems.add((*path, "choice", index), "a choice must be finite")
        values.append(value)
    if len({v.shape for v in values}) > 1:
        problems.add((*path, "choice"), "every choice must have the same shape")
    if shape and any(v.ndim for v in values):
        problems.add((*path, "choice"), "with 'shape', each entry is one of the choices: "
                     "list numbers, not vectors")
    return Draw("choice", tuple(values), shape=shape)


def _range(raw: dict, kind: str, path: tuple, problems: Problems,
           shape: tuple[int, ...]) -> Draw | None:
    bounds = raw[kind]
    numbers = [finite_number(b) for b in bounds] if isinstance(bounds, list) else []
    if len(numbers) != 2 or None in numbers or numbers[0] > numbers[1]:  # type: ignore[operator]
        problems.add((*path, kind), f"'{kind}' is [low, high], two numbers with low <= high, "
                     f"not {shown(bounds)}")
        return None
    low, high = float(numbers[0]), float(numbers[1])  # type: ignore[arg-type]
    if max(abs(low), abs(high)) > limits.MAX_DRAWN_MAGNITUDE:
        problems.add((*path, kind), f"'{kind}' bounds are at most "
                     f"{limits.MAX_DRAWN_MAGNITUDE:g} in size, not {shown(bounds)}")
        return None
    if kind == "integers":
        if low != int(low) or high != int(high):
            problems.add((*path, kind), "'integers' bounds must be whole numbers")
        for key in ("step", "decimals"):
            if key in raw:
                problems.add((*path, key), f"'{key}' is for uniform draws, not integers")
        return Draw(kind, low=low, high=high, shape=shape)
    if "step" in raw and "decimals" in raw:
        problems.add(path, "give 'step' or 'decimals', not both")
    step = finite_number(raw.get("step")) if "step" in raw else None
    if "step" in raw and (step is None or step <= 0):
        problems.add((*path, "step"), f"'step' must be a positive number, not "
                     f"{shown(raw.get('step'))}")
    elif step is not None and (high - low) / step >= limits.MAX_STEP_VALUES:
        problems.add((*path, "step"), f"'step' {shown(raw.get('step'))} leaves more than "
                     f"{limits.MAX_STEP_VALUES:,} values between the bounds")
    decimals = raw.get("decimals")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int)
                                 or not 0 <= decimals <= 12):
        problems.add((*path, "decimals"), f"'decimals' must be a whole number from 0 to 12, "
                     f"not {shown(decimals)}")
        decimals = None
    return Draw(kind, low=low, high=high, step=step, decimals=decimals, shape=shape)


def _default(raw: dict, path: tuple, problems: Problems) -> np.ndarray | None:
    if "default" not in raw:
        return None
    try:
        value = to_array(raw["default"])
    except GradtutorError as error:
        problems.add((*path, "default"), error.message)
        return None
    if not np.all(np.isfinite(value)):
        problems.add((*path, "default"), "'default' must be finite")
    return value


def read_variants(raw: object, problems: Problems, draws: dict[str, Draw],
                  line_of: dict[int, int | None]) -> VariantSpec | None:
    """The `variants:` block (seed, tries, require); `line_of` maps require's entries to
    their lines."""
    path = ("variants",)
    if not isinstance(raw, dict):
        problems.add(path, "'variants' is a mapping: {seed: ..., tries: ..., require: [...]}")
        return None
    unknown_keys(raw, VARIANT_KEYS, path, problems)
    seed = raw.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int | str) or seed == "":
        problems.add((*path, "seed"), f"'seed' is a number or a word, not {shown(seed)}")
        seed = ""
    tries = raw.get("tries", DEFAULT_TRIES)
    if isinstance(tries, bool) or not isinstance(tries, int) or not 1 <= tries <= MAX_TRIES:
        problems.add((*path, "tries"), f"'tries' must be a whole number from 1 to "
                     f"{MAX_TRIES:,}, not {shown(tries)}")
        tries = DEFAULT_TRIES
    require = _requirements(raw.get("require") or [], problems, line_of)
    as_written = raw.get("as_written") or []
    if not isinstance(as_written, list) or not all(isinstance(n, str) for n in as_written):
        problems.add((*path, "as_written"), "'as_written' is a list of student names, not "
                     f"{shown(as_written)}")
        as_written = []
    if not draws:
        problems.add(path, "'variants' needs at least one drawn value under 'given' "
                     "(like {uniform: [-3, 3], step: 1})")
    return VariantSpec(str(seed), tries, require, draws,
                       frozenset({ANSWER_KEY_STUDENT, *as_written}))


def _requirements(raw: object, problems: Problems,
                  line_of: dict[int, int | None]) -> tuple[Requirement, ...]:
    path = ("variants", "require")
    if not isinstance(raw, list):
        problems.add(path, "'require' is a list of comparisons like 'abs(z1) > 0.2'")
        return ()
    found = []
    for index, text in enumerate(raw):
        if not isinstance(text, str):
            problems.add((*path, index), f"a requirement is a comparison written as text, "
                         f"not {kind_of(text)}")
            continue
        try:
            found.append(Requirement(parse_condition(text), line_of.get(index)))
        except GradtutorError as error:
            problems.adopt((*path, index), error)
    return tuple(found)


# `{x}` or `{x:.4g}` in a variants exercise's title, description and hints: the student's own
# value of a given value or node (any other brace, LaTeX's included, is left as written)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}\n]{1,12}))?\}")
# a placeholder's width and precision: a wider format would fill memory with spaces or digits
MAX_FORMAT_NUMBER = 40
_FORMAT_NUMBER = re.compile(r"\d+")


def bounded_format(spec: str) -> bool:
    """Whether every width and precision in a number format is at most MAX_FORMAT_NUMBER."""
    return all(int(digits) <= MAX_FORMAT_NUMBER for digits in _FORMAT_NUMBER.findall(spec))


def fill(text: str, values: Mapping[str, np.ndarray]) -> str:
    """The text with each placeholder of a known name replaced by its value."""
    def replaced(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in values or (spec is not None and not bounded_format(spec)):
            return match.group(0)
        return shown_value(values[name], spec)

    return PLACEHOLDER.sub(replaced, text)


def shown_value(value: np.ndarray, spec: str | None) -> str:
    """A value as a placeholder shows it: gradtutor's shortest form, or each entry formatted
    by a Python number format such as `.4g` (checked when the exercise loads)."""
    if spec is None:
        return fmt.value(value)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return format(float(array), spec)
    return str(_formatted(array.tolist(), spec)).replace("'", "")


def _formatted(entries: object, spec: str) -> object:
    if isinstance(entries, list):
        return [_formatted(entry, spec) for entry in entries]
    return format(float(entries), spec)  # type: ignore[arg-type]


def bad_placeholders(text: str, names: set[str]) -> list[str]:
    """The placeholders of known names whose number format Python does not read, or whose
    width or precision is over MAX_FORMAT_NUMBER."""
    bad = []
    for match in PLACEHOLDER.finditer(text):
        spec = match.group(2)
        if match.group(1) not in names or spec is None:
            continue
        if not bounded_format(spec):
            bad.append(match.group(0))
            continue
        try:
            format(1.5, spec)
        except ValueError:
            bad.append(match.group(0))
    return bad


class VariantsReader(FieldReader):
    """What every kind's loader reads of drawn values and the `variants:` block."""

    def __init__(self, loaded: Loaded) -> None:
        super().__init__(loaded)
        self.draws: dict[str, Draw] = {}  # the drawn values, by name

    def drawn(self, name: str, raw: dict, path: tuple) -> np.ndarray | None:
        """A drawn value's `default:`, else its draw for no student (the empty name)."""
        draw = read_draw(raw, path, self.problems)
        if draw is None:
            return None
        self.draws[name] = draw
        if draw.default is not None:
            return draw.default
        block = self.data.get("variants")
        seed = block.get("seed") if isinstance(block, dict) else None
        return draw.sample(student_generator(str(seed), ""))

    def variants_block(self, names: Collection[str], what: str,
                       drawn_at: Callable[[str], tuple]) -> VariantSpec | None:
        """The `variants:` block, each condition's names among `names` (`what` says which
        they are); without a block, every drawn value (at `drawn_at(name)`) is a problem."""
        if "variants" not in self.data:
            for name in self.draws:
                self.problems.add(drawn_at(name), f"'{name}' is drawn, so the exercise needs "
                                  "a 'variants:' block (with a seed)")
            return None
        require = self.lookup("require", ("variants",))
        lines = {index: self.loaded.line("variants", "require", index)
                 for index in range(len(require))} if isinstance(require, list) else {}
        spec = read_variants(self.data["variants"], self.problems, self.draws, lines)
        for index, requirement in enumerate(spec.require if spec else ()):
            condition = requirement.condition
            for used in [*free_names(condition.left), *free_names(condition.right)]:
                if used not in names:
                    self.problems.add(("variants", "require", index), f"condition "
                                      f"'{condition.text}': '{used}' is not {what}")
        return spec

    def with_words(self, spec: VariantSpec, title: str, description: str,
                   hints: list[str | None], names: Collection[str]) -> VariantSpec:
        """The block with the words each variant fills in (placeholders' formats checked)."""
        texts = [(("title",), title), (("description",), description),
                 *((("ask", i, "hint"), hint or "") for i, hint in enumerate(hints))]
        for path, text in texts:
            for bad in bad_placeholders(text, set(names)):
                self.problems.add(path, f"'{bad}': after the ':' comes a number format such "
                                  f"as .2f or .4g, with widths and precisions up to "
                                  f"{MAX_FORMAT_NUMBER}")
        return replace(spec, written=Written(title, description, tuple(hints)))
