"""What the renderers draw for `solve` of a perceptron exercise: sentences, table cells and
the JSON data, all from a PerceptronSolution. Nothing here decides anything new.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..exercises.perceptron.exact import num
from ..exercises.perceptron.functions import computed_by, target_name
from ..exercises.perceptron.learning import MAX_EPOCHS, TraceStep
from ..exercises.perceptron.loading import PerceptronExercise
from ..exercises.perceptron.separability import Certificate
from ..exercises.perceptron.solving import PerceptronSolution
from ..exercises.perceptron.units import (
    Weights,
    net_input,
    row_text,
    rows_text,
    step,
    unit_text,
    weight_keys,
    weights_text,
    z_text,
)


def headline(s: PerceptronSolution) -> str:
    """Separable or not, and how the weights were found, in a sentence."""
    ex = s.exercise
    what = target_name(ex)
    if not s.separable:
        return (f"not linearly separable: no single perceptron ({', '.join(weight_keys(ex.n))})"
                f" computes {what}")
    if s.converged:
        epoch = next((t.epoch for t in reversed(s.trace) if t.changed), 0) + 1
        return (f"linearly separable: the perceptron learning rule finds weights for {what} "
                f"(epoch {epoch} is the first without a mistake)")
    return (f"linearly separable: weights for {what} from linear programming (the learning "
            f"rule had not converged after {MAX_EPOCHS} epochs; it does eventually)")


def rule_text(s: PerceptronSolution) -> str:
    """The learning rule as run: where it starts, its rate, and what an update does."""
    ex = s.exercise
    return (f"learning rule from {weights_text(ex.rule.initial)} with rate "
            f"{num(ex.rule.rate)}: present the rows in table order, epoch after epoch; "
            "z = w.x + b, output g(z); when the output is wrong, w <- w + rate*(target - "
            "output)*x and b <- b + rate*(target - output)")


def trace_table(s: PerceptronSolution, limit: int = 120
                ) -> tuple[list[str], list[list[str]]]:
    """The trace as text cells; past `limit` updates, the middle is one '...' row."""
    ex = s.exercise
    headers = ["update", "epoch", *ex.inputs, "target", "z", "output", "change",
               *weight_keys(ex.n)]
    shown: list[TraceStep | None] = list(s.trace)
    if len(s.trace) > limit:
        shown = [*s.trace[:limit - 20], None, *s.trace[-20:]]
    rows = []
    for item in shown:
        if item is None:
            skipped = len(s.trace) - limit
            rows.append(["...", f"({skipped} more)", *[""] * (len(headers) - 2)])
            continue
        rows.append([str(item.index), str(item.epoch), *map(num, ex.rows[item.row]),
                     str(item.target), num(item.z), str(item.output),
                     change_text(item, ex.rule.rate), *map(num, item.weights)])
    return headers, rows


def change_text(item: TraceStep, rate: Fraction) -> str:
    """What an update did: '+1' or '-1' (rate*(target - output)), or '-' for no change."""
    if not item.changed:
        return "-"
    change = num(rate * (item.target - item.output))
    return change if change.startswith("-") else "+" + change


def weights_table(s: PerceptronSolution) -> tuple[list[str], list[list[str]]]:
    """Every row of the table through the found single perceptron."""
    ex = s.exercise
    weights = s.weights or ()
    headers = [*ex.inputs, "z", "output", "target"]
    rows = [[*map(num, x), z_text(weights, x), str(step(net_input(weights, x), ex.at_zero)),
             str(t)] for x, t in zip(ex.rows, ex.targets, strict=True)]
    return headers, rows


def reason_lines(s: PerceptronSolution) -> list[str]:
    """The proof that no single perceptron computes the table, from the certificate."""
    cert, ex = s.certificate, s.exercise
    if cert is None:
        return []
    ones = [ex.rows[i] for i, _ in cert.ones]
    zeros = [ex.rows[i] for i, _ in cert.zeros]
    combo_ones = _combination(cert.ones, ex)
    combo_zeros = _combination(cert.zeros, ex)
    point = row_text(cert.point)
    z_ones = _combination(cert.ones, ex, "z")
    z_zeros = _combination(cert.zeros, ex, "z")
    average = "the same average" if _even(cert) else "a common weighted average"
    fire, rest = (">= 0", "< 0") if ex.at_zero else ("> 0", "<= 0")
    affine = " + ".join(f"w{k + 1}*{name}" for k, name in enumerate(ex.inputs)) + " + b"
    return [
        f"{'Row' if len(ones) == 1 else 'Rows'} {rows_text([row_text(x) for x in ones])} "
        f"(target 1) and {'row' if len(zeros) == 1 else 'rows'} "
        f"{rows_text([row_text(x) for x in zeros])} (target 0) have {average}:",
        "  " + " = ".join(dict.fromkeys([combo_ones, point, combo_zeros])),
        f"z = {affine} is affine in the inputs, so for any weights z at {point} is that same "
        "average of the rows' z:",
        "  " + " = ".join(dict.fromkeys([z_ones, f"z{point}", z_zeros])),
        f"The left side is {fire}: each of its rows needs z {fire} to output 1. The right side "
        f"is {rest}: each of its rows needs z {rest} to output 0. Both cannot hold, so no "
        "weights work.",
        "(So the learning rule never settles: it makes at least one mistake in every epoch.)",
    ]


def _even(cert: Certificate) -> bool:
    """Whether each side's coefficients are all equal: a plain average."""
    return len({c for _, c in cert.ones}) == 1 and len({c for _, c in cert.zeros}) == 1


def _combination(side: tuple[tuple[int, Fraction], ...], ex: PerceptronExercise,
                 function: str = "") -> str:
    """'0.5*(0, 1) + 0.5*(1, 0)', or with function 'z': '0.5*z(0, 1) + 0.5*z(1, 0)'."""
    return " + ".join(("" if c == 1 else f"{num(c)}*") + function + row_text(ex.rows[i])
                      for i, c in side)


def network_lines(s: PerceptronSolution) -> list[str]:
    """Each unit of the network: its formula and, where it has one, the function's name."""
    net, ex = s.network, s.exercise
    if net is None:
        return []
    hidden_names = [f"h{j + 1}" for j in range(len(net.hidden))]
    formulas = [unit_text(w, ex.inputs) for w in net.hidden]
    width = max(len(f) for f in formulas)
    lines = []
    for name, w, formula in zip(hidden_names, net.hidden, formulas, strict=True):
        named = computed_by(w, ex.rows, ex.at_zero, ex.inputs)
        lines.append(f"{name:<4}= {formula}" +
                     (f"{' ' * (width - len(formula))}    computes {named.name}" if named
                      else ""))
    lines.append(f"{'out':<4}= {unit_text(net.out, hidden_names)}")
    if net.how:
        lines.append(net.how)
    return lines


def network_table(s: PerceptronSolution) -> tuple[list[str], list[list[str]]]:
    """Every row of the table through the network: the hidden outputs, out, the target."""
    net, ex = s.network, s.exercise
    if net is None:
        return [], []
    headers = [*ex.inputs, *(f"h{j + 1}" for j in range(len(net.hidden))), "out", "target"]
    rows = []
    for x, t in zip(ex.rows, ex.targets, strict=True):
        hidden, _, out = net.run(x, ex.at_zero)
        rows.append([*map(num, x), *map(str, hidden), str(out), str(t)])
    return headers, rows


def key_lines(s: PerceptronSolution) -> list[str]:
    """The answer key as YAML lines under `answers:`."""
    return [f"  {k}: {v}" for k, v in s.key.items()]


def solution_data(s: PerceptronSolution) -> dict[str, Any]:
    """JSON-ready data for `solve --format json` of a perceptron exercise."""
    ex = s.exercise

    def weights(values: Weights | None, names: list[str]) -> dict[str, Any] | None:
        if values is None:
            return None
        return {k: _json_number(v) for k, v in zip(names, values, strict=True)}

    data: dict[str, Any] = {
        "exercise": ex.id, "kind": "perceptron", "inputs": ex.inputs,
        "table": [{"inputs": [_json_number(v) for v in x], "target": t}
                  for x, t in zip(ex.rows, ex.targets, strict=True)],
        "activation": {"step": {"at_zero": ex.at_zero}},
        "separable": s.separable,
        "learning_rule": {
            "initial": weights(ex.rule.initial, weight_keys(ex.n)),
            "rate": _json_number(ex.rule.rate), "converged": s.converged,
            "trace": [{"update": item.index, "epoch": item.epoch,
                       "inputs": [_json_number(v) for v in ex.rows[item.row]],
                       "target": item.target, "z": _json_number(item.z),
                       "output": item.output,
                       "weights": weights(item.weights, weight_keys(ex.n))}
                      for item in s.trace]},
        "weights": weights(s.weights, weight_keys(ex.n)),
        "weights_from": s.weights_from if s.weights is not None else None,
        "certificate": None, "network": None, "answers": s.key,
    }
    if s.certificate is not None:
        cert = s.certificate
        data["certificate"] = {
            "ones": [{"inputs": [_json_number(v) for v in ex.rows[i]],
                      "coefficient": _json_number(c)} for i, c in cert.ones],
            "zeros": [{"inputs": [_json_number(v) for v in ex.rows[i]],
                       "coefficient": _json_number(c)} for i, c in cert.zeros],
            "point": [_json_number(v) for v in cert.point],
            "reason": "\n".join(line.strip() for line in reason_lines(s)),
        }
    if s.network is not None:
        net = s.network
        data["network"] = {
            "hidden": [weights(w, weight_keys(ex.n)) for w in net.hidden],
            "out": weights(net.out, weight_keys(len(net.hidden))), "how": net.how}
    return data


def _json_number(q: Fraction) -> int | float:
    """An int when whole, else the nearest float: JSON readers want plain numbers."""
    return q.numerator if q.denominator == 1 else float(q)
