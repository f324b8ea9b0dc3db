"""Plain-text output, for pipes and files: the same results the rich renderer draws."""

from __future__ import annotations

from collections.abc import Sequence

from . import fmt
from .solve import Solution

CHECK_WORDS = {
    "agree": "agree", "disagree": "DISAGREE", "kink": "differ only across a kink",
    "singular": "undefined here (singular point)", "unavailable": "unavailable",
    "skipped": "skipped (no values)",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row[:-1], widths, strict=False)]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return "\n".join(lines)


def solution(s: Solution) -> str:
    parts = [f"{s.output} = {s.graph.nodes[s.graph.output].text}" if not s.graph.assigned[:-1]
             else s.source.strip()]
    if s.value is not None:
        parts.append(f"value: {s.output} = {fmt.value(s.value)}")
        rows = [[n.name or "", n.expression, fmt.value(n.value), fmt.value(n.grad)]
                for n in s.nodes]
        parts.append(table(["node", "expression", "value", f"d{s.output}/dnode"], rows))
    rows = [[f"d{s.output}/d{name}", s.symbolic.get(name) or "-",
             fmt.value(s.gradients[name]) if name in s.gradients else "-"]
            for name in [*s.inputs, *(n for n in s.gradients if n not in s.inputs)]]
    parts.append(table(["gradient", "symbolic", "value"], rows))
    parts.append(checks_line(s.checks))
    parts.extend(f"note: {m}" for m in s.messages)
    return "\n\n".join(parts) + "\n"


def checks_line(checks: dict[str, str]) -> str:
    fd = CHECK_WORDS.get(checks.get("finite_difference", ""), "")
    sym = CHECK_WORDS.get(checks.get("symbolic", ""), "")
    return f"cross-checks: finite differences {fd}; symbolic {sym}"
