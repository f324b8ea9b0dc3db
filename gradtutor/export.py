"""Machine-readable output: JSON for solve and check, as SPEC.md fixes the keys."""

from __future__ import annotations

import json
from typing import Any

from .fmt import plain_data
from .solve import Solution


def dumps(data: Any) -> str:
    return json.dumps(plain_data(data), indent=2, allow_nan=False)


def solution_data(solution: Solution) -> dict[str, Any]:
    """`solve --format json` of an expression or program (keys as in SPEC.md)."""
    data: dict[str, Any] = {"output": solution.output}
    if solution.value is not None:
        data["value"] = solution.value
    data["symbolic"] = solution.symbolic
    if solution.value is not None:
        data["gradients"] = solution.gradients
    data["nodes"] = [
        {"name": node.name, "expression": node.expression, "value": node.value,
         "grad": node.grad}
        for node in solution.nodes
    ]
    data["checks"] = solution.checks
    if solution.messages:
        data["messages"] = solution.messages
    return data
