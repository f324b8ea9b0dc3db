"""Numbers and arrays as people and JSON read them; shared by every renderer."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .safetext import visible


def number(x: float, digits: int = 6) -> str:
    """A float with up to `digits` significant figures: -12, 0.731059, 1.5e-07."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def value(v: Any, digits: int = 6) -> str:
    """A scalar, vector or matrix in the language's own list syntax (anything else, such
    as a ragged list a student wrote, as visible text)."""
    if v is None:
        return "-"
    if isinstance(v, str):
        return visible(v)
    try:
        array = np.asarray(v, dtype=float)
    except (ValueError, TypeError, OverflowError):
        return visible(v)
    if array.ndim == 0:
        return number(float(array), digits)
    if array.ndim == 1:
        return "[" + ", ".join(number(float(x), digits) for x in array) + "]"
    return "[" + ", ".join(value(row, digits) for row in array) + "]"


def plain_data(v: Any) -> Any:
    """Arrays as nested lists of floats, dataclasses as dicts of their fields, ready for
    json.dumps (nan and inf as strings)."""
    if v is None or isinstance(v, str | bool | int):
        return v
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: plain_data(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, dict):
        return {key: plain_data(item) for key, item in v.items()}
    if isinstance(v, list | tuple):
        return [plain_data(item) for item in v]
    array = np.asarray(v, dtype=float)
    if array.ndim == 0:
        x = float(array)
        return x if math.isfinite(x) else number(x)
    return [plain_data(item) for item in array]


def shape(v: Any) -> str:
    s = np.shape(v)
    return "scalar" if s == () else "x".join(str(n) for n in s)
