"""Values from the user (`--at NAME=VALUE`, YAML numbers and lists) as float64 arrays."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..base import limits
from ..base.errors import GradtutorError, LimitError, ParseError
from .parser import parse_value_text


def to_array(raw: object, *, what: str | None = None) -> np.ndarray:
    """A number, a list (vector) or a list of equal-length lists (matrix) as a float64 array.

    Text entries are parsed as constant expressions ("1e-3", "-1/2", "pi"). `what` names the
    value in error messages (their `field`).
    """
    try:
        nested = _to_floats(raw, depth=0, budget=[limits.MAX_ENTRIES])
        shape = _shape_of(nested)
    except GradtutorError as error:
        error.field = error.field or what
        raise
    return np.array(nested, dtype=np.float64).reshape(shape)


def _to_floats(raw: object, depth: int, budget: list[int]) -> object:
    if isinstance(raw, bool) or raw is None:
        raise ParseError("expected a number or a list of numbers, got "
                         f"{'nothing' if raw is None else str(raw).lower()}")
    if isinstance(raw, int | float):
        budget[0] -= 1
        return float(raw) if isinstance(raw, float) else _int_to_float(raw)
    if isinstance(raw, str):
        parsed = parse_value_text(raw, max_chars=limits.MAX_ANSWER_CHARS)
        return _to_floats(parsed, depth, budget) if isinstance(parsed, list) else parsed
    if isinstance(raw, Sequence):
        if depth >= limits.MAX_NDIM:
            raise ParseError(f"lists nested more than {limits.MAX_NDIM} deep; values are "
                             "numbers, vectors or matrices")
        if len(raw) == 0:
            raise ParseError("an empty list is not a value")
        budget[0] -= len(raw)
        if budget[0] < 0:
            raise LimitError(f"more than {limits.MAX_ENTRIES:,} entries")
        return [_to_floats(item, depth + 1, budget) for item in raw]
    raise ParseError(f"expected a number or a list of numbers, got {type(raw).__name__}")


def _int_to_float(value: int) -> float:
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if math.isinf(result):
        raise LimitError("number too large for a float")
    return result


def _shape_of(nested: object) -> tuple[int, ...]:
    if not isinstance(nested, list):
        return ()
    if all(not isinstance(item, list) for item in nested):
        return (len(nested),)
    if not all(isinstance(item, list) for item in nested):
        raise ParseError("a matrix mixes numbers and rows")
    widths = {len(row) for row in nested}
    if len(widths) != 1:
        lengths = ", ".join(str(len(row)) for row in nested[:6])
        raise ParseError(f"ragged matrix: rows have lengths {lengths}")
    return (len(nested), widths.pop())


def parse_assignment(text: str) -> tuple[str, np.ndarray]:
    """`NAME=VALUE` from the command line, e.g. `x=-2` or `W=[[0.1,0.5],[-0.3,0.8]]`."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise GradtutorError(f"expected NAME=VALUE, got {text!r}", field="values")
    if not name.isidentifier() or name.startswith("__"):
        raise GradtutorError(f"{name!r} is not a valid name", field="values")
    return name, to_array(value.strip(), what=f"value {name}")


def shape_text(shape: tuple[int, ...]) -> str:
    """How a shape reads in messages: 'scalar', '(3,)', '(2, 3)'."""
    return "scalar" if shape == () else str(tuple(shape))
