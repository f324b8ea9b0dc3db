"""Independent checks of backprop: central finite differences and the symbolic result.

Finite differences use PyTorch gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3) in
float64. When they disagree, the kinked operations are asked which branch each side of the
difference took: if a relu, abs, max or min changed branch, the difference straddles a kink
(reported as `kink`); otherwise the disagreement is real (`disagree`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..base.errors import GradtutorError
from .graph import Graph, evaluate, kink_signature

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-3
MAX_ENTRIES = 16  # entries probed per input; larger inputs are sampled

Array = np.ndarray

# worst first: the overall status is the worst of the per-input ones
STATUS_ORDER = ("disagree", "singular", "kink", "agree", "unavailable", "skipped")


@dataclass
class Verdict:
    status: str  # one of STATUS_ORDER
    messages: list[str] = field(default_factory=list)


def worst(statuses: list[str]) -> str:
    return min(statuses, key=STATUS_ORDER.index) if statuses else "skipped"


def _output_total(graph: Graph, inputs: Mapping[str, Array], of: int) -> tuple[float, list]:
    values = evaluate(graph, inputs)
    return float(np.sum(values[of])), kink_signature(graph, values)


def _same_branches(a: list[Array], b: list[Array]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _probe_entries(size: int, rng: np.random.Generator) -> list[int]:
    if size <= MAX_ENTRIES:
        return list(range(size))
    return sorted(rng.choice(size, MAX_ENTRIES, replace=False).tolist())


def finite_differences(graph: Graph, inputs: Mapping[str, Array],
                       gradients: Mapping[str, Array], of: int | None = None) -> Verdict:
    """Compare every input's backprop gradient with a central difference, entry by entry."""
    of = graph.output if of is None else of
    rng = np.random.default_rng(0)
    total, branches = _output_total(graph, inputs, of)
    if not np.isfinite(total):
        return Verdict("singular", [f"{graph.nodes[of].label} is not finite here (a singular "
                                    "point: outside the domain of a function it uses)"])
    statuses, messages = [], []
    for name, gradient in gradients.items():
        status, message = _check_input(graph, inputs, name, gradient, of, branches, rng)
        statuses.append(status)
        if message:
            messages.append(message)
    return Verdict(worst(statuses), messages)


def _check_input(graph: Graph, inputs: Mapping[str, Array], name: str, gradient: Array,
                 of: int, branches: list[Array], rng: np.random.Generator
                 ) -> tuple[str, str]:
    base = np.asarray(inputs[name], dtype=np.float64)
    if not np.all(np.isfinite(gradient)):
        return "singular", f"{name}: the gradient is not finite here (a singular point)"
    worst_status, worst_message = "agree", ""
    for entry in _probe_entries(base.size, rng):
        totals, sides = [], []
        for step in (EPS, -EPS):
            moved = base.copy()
            moved.flat[entry] += step
            total, side_branches = _output_total(graph, {**inputs, name: moved}, of)
            totals.append(total)
            sides.append(side_branches)
        numeric = (totals[0] - totals[1]) / (2 * EPS)
        if not np.isfinite(numeric):
            where = f"{name}[{entry}]" if base.size > 1 else name
            return "singular", (f"{where}: the function is not finite next to this point "
                                "(a singular point)")
        analytic = float(gradient.flat[entry])
        if abs(analytic - numeric) <= ATOL + RTOL * abs(numeric):
            continue
        where = f"{name}[{entry}]" if base.size > 1 else name
        if not (_same_branches(sides[0], branches) and _same_branches(sides[1], branches)):
            worst_status = "kink"
            worst_message = (f"{where}: the finite difference ({numeric:.6g}) straddles a kink; "
                             f"backprop uses the convention ({analytic:.6g})")
        else:
            return "disagree", (f"{where}: backprop gives {analytic:.6g} but the finite "
                                f"difference gives {numeric:.6g}")
    return worst_status, worst_message


def compare_symbolic(gradients: Mapping[str, Array],
                     symbolic_values: Mapping[str, Callable[[], Array] | None]) -> Verdict:
    """Compare backprop with the symbolic gradients evaluated at the point."""
    statuses, messages = [], []
    for name, gradient in gradients.items():
        evaluate_symbolic = symbolic_values.get(name)
        if evaluate_symbolic is None:
            statuses.append("unavailable")
            continue
        try:
            expected = np.asarray(evaluate_symbolic(), dtype=float)
        except GradtutorError as error:
            statuses.append("disagree")
            messages.append(f"{name}: the formula cannot be computed here ({error})")
            continue
        if not np.all(np.isfinite(gradient)):
            statuses.append("singular")
            messages.append(f"{name}: the gradient is not finite here (a singular point)")
        elif not np.all(np.isfinite(expected)):
            statuses.append("singular")
            messages.append(f"{name}: the formula is not finite here (a singular point)")
        elif expected.shape != np.shape(gradient):
            statuses.append("disagree")
            messages.append(f"{name}: the formula gives shape {expected.shape} but the "
                            f"gradient has shape {np.shape(gradient)}")
        elif np.allclose(gradient, expected, rtol=1e-6, atol=1e-9, equal_nan=True):
            statuses.append("agree")
        else:
            statuses.append("disagree")
            messages.append(f"{name}: backprop gives {np.array2string(gradient)} but the "
                            f"symbolic gradient gives {np.array2string(expected)}")
    # "agree" ranks above "unavailable": inputs without a symbolic form are numeric only
    return Verdict(worst(statuses), messages)
