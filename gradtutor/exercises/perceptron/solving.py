"""Solving a perceptron exercise: the answer key, and what the commands ask of an exercise
(the keys of a blank answers file, and what it asks in a sentence for `list`).

For a separable table: the learning rule's trace and the weights it ends with (or, for a
slow rule, a vertex of the linear program). For a table that is not: the certificate, and a
two-layer network that computes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .exact import plain_number
from .learning import TraceStep, first_updates, trace_keys
from .loading import PerceptronExercise
from .networks import Network, build_network, network_keys, pad_network
from .separability import Certificate, separate
from .units import Weights, weight_keys

MAX_TRACE = 20_000  # presentations kept for `solve`


@dataclass
class PerceptronSolution:
    """The answer key and everything `solve` shows: the trace, weights or proof, a network."""

    exercise: PerceptronExercise
    separable: bool
    trace: list[TraceStep]  # the learning rule from the exercise's initial weights
    converged: bool  # the trace ends with an epoch without a mistake
    weights: Weights | None  # one perceptron computing the table (separable tables)
    weights_from: str  # "learning rule" or "linear programming" (a slow rule)
    certificate: Certificate | None  # why no single perceptron does (non-separable tables)
    network: Network | None  # a two-layer network computing the table
    key: dict[str, Any] = field(default_factory=dict)  # an answers mapping scored fully correct


def solve_perceptron(ex: PerceptronExercise) -> PerceptronSolution:
    """The learning rule's trace and weights, or the proof of non-separability, and a network."""
    separation = separate(ex.rows, ex.targets, ex.at_zero, ex.rule)
    trace = separation.trace if separation.separable else []
    if ex.asks("trace"):
        wanted = ex.trace_length()
        if len(trace) < wanted:
            trace = first_updates(ex.rows, ex.targets, ex.at_zero, ex.rule, wanted)
    trace = trace[:MAX_TRACE]
    network = None
    if not separation.separable or ex.asks("network"):
        network = pad_network(build_network(ex.rows, ex.targets, ex.at_zero, separation),
                              max(ex.hidden, 1))
    solution = PerceptronSolution(ex, separation.separable, trace, separation.converged,
                                  separation.weights,
                                  "learning rule" if separation.converged else
                                  "linear programming", separation.certificate, network)
    solution.key = _key(ex, solution)
    return solution


def _key(ex: PerceptronExercise, solution: PerceptronSolution) -> dict[str, Any]:
    """Every asked key with its value, as plain numbers for YAML and JSON."""
    key: dict[str, Any] = {}
    for part in ex.ask:
        if part.what == "weights" and solution.weights is not None:
            key.update(zip(weight_keys(ex.n), map(plain_number, solution.weights), strict=True))
        elif part.what == "network" and solution.network is not None:
            values = [v for w in solution.network.hidden for v in w] + list(solution.network.out)
            key.update(zip(network_keys(ex.n, ex.hidden), map(plain_number, values),
                           strict=True))
        elif part.what == "trace":
            for item in first_updates(ex.rows, ex.targets, ex.at_zero, ex.rule,
                                      ex.trace_length()):
                key.update(zip(trace_keys(ex.n, item.index), map(plain_number, item.weights),
                               strict=True))
    return key


def key_answers(ex: PerceptronExercise) -> dict[str, object]:
    """An answers mapping that check_perceptron scores as fully correct."""
    return solve_perceptron(ex).key


def template_steps(ex: PerceptronExercise) -> list[str]:
    """The answer keys of a blank answers file, in the order they are asked."""
    keys: list[str] = []
    for part in ex.ask:
        if part.what == "weights":
            keys += weight_keys(ex.n)
        elif part.what == "network":
            keys += network_keys(ex.n, ex.hidden)
        else:
            for update in range(1, ex.trace_length() + 1):
                keys += trace_keys(ex.n, update)
    return keys


def asked_text(ex: PerceptronExercise) -> str:
    """What the exercise asks, for `list`: 'weights w1, w2, b of one perceptron' etc."""
    parts = []
    for part in ex.ask:
        if part.what == "weights":
            parts.append(f"weights {', '.join(weight_keys(ex.n))} of one perceptron")
        elif part.what == "network":
            parts.append(f"a two-layer network with {ex.hidden} hidden units")
        else:
            parts.append(f"{ex.trace_length()} updates of the learning rule")
    return "; ".join(parts)
