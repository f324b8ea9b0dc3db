"""Generated exercises for practice: `--random LEVEL [--seed N]`.

A level is one recipe (LEVELS) that draws an exercise as the fields of an ordinary exercise
file: the text is written in the exercise format and loaded by the normal loader, so
`validate` accepts it and `check` grades answers to it like any other. A draw is kept only
when it passes the variant guards (kinds/guards.py: no kink within reach, every asked value
finite, every catalogue mistake distinguishable) and the recipe's own (no value too large,
no division by a number near 0); otherwise the recipe draws again from the same stream.
The stream is PCG64 seeded by sha256 of "practice-level-LEVEL:SEED", so one seed gives the
same exercise on every run and machine.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import yaml

from ..base.errors import ExerciseError, GradtutorError
from ..exercises.exercise import Exercise
from ..exercises.variants import student_generator
from ..exercises.yamlio import load_yaml
from ..kinds import exercise_from_yaml, kind_of
from ..kinds.guards import guard_failure, mistake_warnings

Rng = np.random.Generator
Fields = dict[str, Any]
Numbers = Callable[[Rng], dict[str, Any]]  # the given values of one shape
Shape = tuple[Fields, Numbers]
MAX_SHAPES = 100  # a recipe passes the guards within a few draws; this bounds a bad one
STRICT_SHAPES = 20  # shapes drawn before one with mistakes no numbers separate is kept
NUMBERS_PER_SHAPE = 3  # numbers drawn for one shape (what all share is the shape's)
MAX_SEED = 999_999
LARGEST_VALUE = 100.0  # a generated exercise keeps every value a student can work by hand
INPUTS = ("x", "y", "z", "w", "u", "v")


@dataclass(frozen=True)
class Level:
    """One level of generated exercise: what it practises, and how one is drawn."""

    number: int
    practises: str  # a few words, for the help and the docs
    draw: Callable[[Rng], Shape]  # the exercise's fields but id and given; how to draw given


@dataclass(frozen=True)
class Generated:
    """A generated exercise, with the text of its file (to save beside the answers)."""

    level: int
    seed: int
    exercise: Exercise
    text: str
    # mistakes that no numbers could tell apart on this graph (every draw of it shares them)
    structural: frozenset[tuple] = frozenset()


def random_seed() -> int:
    """A fresh seed, for a session that names none (printed, so it can be used again)."""
    return secrets.randbelow(MAX_SEED) + 1


def generate(level: int, seed: int | None = None) -> Generated:
    """The exercise of this level and seed: the same every time (a fresh seed if None)."""
    seed = random_seed() if seed is None else seed
    if level not in LEVELS:
        raise GradtutorError(f"level {level} does not exist: levels are "
                             f"{min(LEVELS)} to {max(LEVELS)}", field="level")
    if not 0 <= seed <= 2**63:
        raise GradtutorError(f"a seed is a whole number from 0 to {2**63}, not {seed}",
                             field="seed")
    rng = student_generator(f"practice-level-{level}", str(seed))
    reason = ""
    for attempt in range(MAX_SHAPES):
        shape, numbers = LEVELS[level].draw(rng)
        drawn, structural = _draw_numbers(level, seed, shape, numbers, rng)
        if structural and attempt < STRICT_SHAPES:  # first, shapes that tell every mistake apart
            reason = f"{sorted(structural)[0][0]}: two mistakes no numbers can tell apart"
            continue
        for exercise, text, warnings in drawn:
            reason = _unfit(exercise, structural) if warnings <= structural else \
                "two mistakes give one value at these numbers"
            if not reason:
                return Generated(level, seed, exercise, text, structural)
    raise ExerciseError(f"no level {level} exercise passed the guards in {MAX_SHAPES} draws "
                        f"(the last: {reason}); try another seed", field="seed")


def _draw_numbers(level: int, seed: int, shape: Fields, numbers: Numbers, rng: Rng
                  ) -> tuple[list[tuple[Exercise, str, frozenset[tuple]]], frozenset[tuple]]:
    """Up to NUMBERS_PER_SHAPE draws of the shape's numbers, with each one's indistinguishable
    mistakes; and what all of them share, the shape's own (no numbers could separate those).
    Drawing stops once nothing is shared."""
    drawn: list[tuple[Exercise, str, frozenset[tuple]]] = []
    structural: frozenset[tuple] | None = None
    for _ in range(NUMBERS_PER_SHAPE):
        exercise, text = _load(level, seed, {**shape, "given": numbers(rng)})
        warnings = mistake_warnings(exercise)
        structural = warnings if structural is None else structural & warnings
        drawn.append((exercise, text, warnings))
        if not structural:
            break
    return drawn, structural or frozenset()


def _load(level: int, seed: int, fields: Fields) -> tuple[Exercise, str]:
    """A drawn exercise written in the exercise format and read by the normal loader."""
    fields = {"id": exercise_id(level, seed), "title": fields.pop("title"),
              "description": fields.pop("description"), "given": fields.pop("given"),
              **fields}
    text = yaml.safe_dump(fields, sort_keys=False, width=88, allow_unicode=False)
    loaded = load_yaml(text, file=f"{fields['id']}.yaml", error=ExerciseError)
    return cast(Exercise, exercise_from_yaml(loaded)), text  # every recipe writes a graph


def exercise_id(level: int, seed: int) -> str:
    """The id of a generated exercise: it names its level and seed."""
    return f"random-level{level}-seed{seed}"


def _unfit(exercise: Exercise, structural: frozenset[tuple]) -> str:
    """Why a drawn exercise is not kept ('' when it is)."""
    key = kind_of(exercise).key(exercise)
    if any(np.max(np.abs(value), initial=0.0) > LARGEST_VALUE for value in key.values()
           if np.all(np.isfinite(value))):
        return f"a value beyond {LARGEST_VALUE:g}"
    return guard_failure(exercise, structural)


# -- drawing numbers ---------------------------------------------------------------------


def _integer(rng: Rng, low: int = -5, high: int = 5) -> int:
    """A whole number in [low, high], not 0, 1 or -1 (which hide a multiply gate's work)."""
    while True:
        drawn = int(rng.integers(low, high + 1))
        if abs(drawn) > 1:
            return drawn


def _tenths(rng: Rng, low: float = -2.0, high: float = 2.0, shape: tuple[int, ...] = ()
            ) -> Any:
    """Numbers with one decimal in [low, high], none 0 (a list for a shape)."""
    count = round((high - low) * 10) + 1
    values = np.round(low + 0.1 * rng.integers(count, size=shape or None), 1)
    values = np.where(values == 0, 0.1, values)
    return values.tolist() if shape else float(values)


def _asked(forward: list[str], output: str, wrt: list[str], inputs: list[str]) -> list[Any]:
    """Forward values in order, then the gradient of the output, from the output back to the
    inputs (each input worth 2 points, as in the bundled exercises)."""
    ask: list[Any] = list(forward)
    ask += [f"d{output}/d{name}" for name in reversed(wrt) if name != output]
    ask += [{"step": f"d{output}/d{name}", "points": 2} for name in inputs]
    return ask


# -- levels 1 to 3: scalar gates -------------------------------------------------------

BINARY = {"add": "{} + {}", "mul": "{}*{}", "max": "max({}, {})", "div": "{}/{}"}
UNARY = {"relu": "relu({})", "sigmoid": "sigmoid({})", "tanh": "tanh({})", "exp": "exp({})"}


def _scalar_graph(rng: Rng, gates: list[str], inputs: list[str], fan_out: bool) -> Fields:
    """Gates applied in turn to values not read yet (one input read twice for a fan-out),
    then add or multiply gates until one value is left: the output."""
    unread = list(inputs)
    graph: dict[str, str] = {}
    reused = fan_out
    for gate in gates:
        operands: list[str] = []
        for _ in range(1 if gate in UNARY else 2):
            if reused and graph and len(operands) == 1:  # an input read a second time
                read = [name for name in inputs if name not in unread + operands]
                operands.append(read[int(rng.integers(len(read)))] if read else unread.pop(0))
                reused = False
                continue
            operands.append(unread.pop(int(rng.integers(len(unread)))) if unread
                            else list(graph)[-1])
        name = f"f{len(graph) + 1}"
        graph[name] = (UNARY | BINARY)[gate].format(*operands)
        unread.append(name)
    while len(unread) > 1:
        first, second = unread.pop(0), unread.pop(0)
        name = f"f{len(graph) + 1}"
        graph[name] = BINARY[("add", "mul")[int(rng.integers(2))]].format(first, second)
        unread.append(name)
    return {"graph": graph, "output": unread[0]}


def _gates_exercise(rng: Rng, gates: list[str], *, fan_out: bool, integers: bool,
                    practises: str) -> Shape:
    rng.shuffle(gates)
    binary = sum(gate in BINARY for gate in gates)
    inputs = list(INPUTS[:1 + binary - fan_out])  # a tree of gates reads each input once
    shape = _scalar_graph(rng, gates, inputs, fan_out)
    nodes = list(shape["graph"])
    output = shape["output"]
    formula = "; ".join(f"{name} = {text}" for name, text in shape["graph"].items())

    def numbers(rng: Rng) -> dict[str, Any]:
        return {name: _integer(rng) if integers else _tenths(rng) for name in inputs}
    return {"title": f"Practice: {formula}",
            "description": f"A generated exercise: {practises}. Do the forward pass, then "
                           f"backpropagate from {output} (d{output}/d{output} = 1): each step "
                           "is the local derivative times the upstream gradient.",
            **shape, "ask": _asked(nodes, output, nodes, inputs),
            "tolerance": {"rel": 0.01}}, numbers


def _level1(rng: Rng) -> Shape:
    gates = ["add", "mul"] + [("add", "mul")[int(rng.integers(2))]] * int(rng.integers(2))
    return _gates_exercise(rng, gates, fan_out=False, integers=True,
                           practises="add and multiply gates")


def _level2(rng: Rng) -> Shape:
    gates = ["max", "relu"] + [("add", "mul")[int(rng.integers(2))] for _ in range(2)]
    return _gates_exercise(rng, gates, fan_out=True, integers=True,
                           practises="add, multiply, max and relu gates, and a value used "
                                     "twice (its gradients add up)")


NEURON_ENDS = {  # the sigmoid neuron's last gates: as the notes' four gates, or one
    "gates": ["-{}", "exp({})", "1 + {}", "1/{}"],
    "sigmoid": ["sigmoid({})"],
    "tanh": ["tanh({})"],
}


def _level3(rng: Rng) -> Shape:
    inputs = ["w0", "x0", "w1", "x1", "w2"]
    graph = {"f1": "w0*x0", "f2": "w1*x1", "f3": "f1 + f2", "f4": "f3 + w2"}
    end = list(NEURON_ENDS)[int(rng.integers(len(NEURON_ENDS)))]
    for text in NEURON_ENDS[end]:
        graph[f"f{len(graph) + 1}"] = text.format(list(graph)[-1])
    if end != "gates":  # then one more gate: divide by an input, or exp
        if rng.integers(2):
            inputs.append("c")
            graph[f"f{len(graph) + 1}"] = f"{list(graph)[-1]}/c"
        else:
            graph[f"f{len(graph) + 1}"] = f"exp({list(graph)[-1]})"
    output = list(graph)[-1]
    nodes = list(graph)

    def numbers(rng: Rng) -> dict[str, Any]:
        given: dict[str, Any] = {name: _tenths(rng, -2.0, 2.0) for name in inputs}
        if "c" in given:
            given["c"] = float(_integer(rng, -4, 4))
        return given
    return {"title": f"Practice: a neuron ending in {end}",
            "description": "A generated exercise: a neuron's gates (multiply, add, then "
                           "sigmoid, tanh, exp or division). Do the forward pass, then "
                           f"backpropagate from {output}.",
            "graph": graph, "output": output,
            "ask": _asked(nodes, output, nodes, inputs), "tolerance": {"rel": 0.01}}, numbers


# -- levels 4 and 5: vectors, matrices, a network --------------------------------------


def _level4(rng: Rng) -> Shape:
    rows, columns = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    inputs = ["W", "x"]
    if rng.integers(2):
        graph, title = {"q": "W @ x", "f": "sum(q**2)"}, "||W x||^2"
    else:
        graph, title = {"q": "W @ x + b", "f": "0.5*sum(q**2)"}, "a linear layer q = W x + b"
        inputs.append("b")

    def numbers(rng: Rng) -> dict[str, Any]:
        shapes = {"W": (rows, columns), "x": (columns,), "b": (rows,)}
        return {name: _tenths(rng, -1.0, 1.0, shapes[name]) for name in inputs}
    return {"title": f"Practice: {title}",
            "description": "A generated exercise: vectors and matrices. A gradient has the "
                           "shape of what it is taken with respect to.",
            "graph": graph, "output": "f",
            "ask": _asked(list(graph), "f", list(graph), inputs),
            "tolerance": {"rel": 0.01}}, numbers


def _level5(rng: Rng) -> Shape:
    batch, features, hidden = int(rng.integers(3, 5)), 2, int(rng.integers(2, 4))
    activation = ("sigmoid", "tanh", "relu")[int(rng.integers(3))]
    loss = ("half-mse", "mse")[int(rng.integers(2))]

    def numbers(rng: Rng) -> dict[str, Any]:
        return {"X": _tenths(rng, -1.5, 1.5, (batch, features)),
                "Y": np.round(0.5 * rng.integers(3, size=(batch, 1)), 1).tolist(),
                "W1": _tenths(rng, -1.0, 1.0, (features, hidden)),
                "b1": _tenths(rng, -0.5, 0.5, (hidden,)),
                "W2": _tenths(rng, -1.0, 1.0, (hidden, 1)),
                "b2": _tenths(rng, -0.5, 0.5, (1,))}
    network = {"input": "X", "target": "Y",
               "layers": [{"weights": "W1", "bias": "b1", "activation": activation},
                          {"weights": "W2", "bias": "b2", "activation": "identity"}],
               "loss": loss}
    ask = ["z1", "a1", "a2", "L", "dL/da2", "dL/dz2", "dL/dW2", "dL/db2", "dL/da1", "dL/dz1",
           {"step": "dL/dW1", "points": 2}, "dL/db1"]
    return {"title": f"Practice: a two-layer {activation} network, {loss} on a batch of "
                     f"{batch}",
            "description": "A generated exercise: a two-layer network (one sample per row of "
                           "X) with a loss on the batch. Forward, then backward from L.",
            "network": network, "ask": ask, "tolerance": {"rel": 0.01}}, numbers


LEVELS: dict[int, Level] = {level.number: level for level in (
    Level(1, "add and multiply gates", _level1),
    Level(2, "adds max, relu and a value used twice (fan-out)", _level2),
    Level(3, "adds sigmoid, tanh, exp and division: the sigmoid neuron's gates", _level3),
    Level(4, "vectors and matrices: a linear layer, ||W x||^2", _level4),
    Level(5, "a two-layer network with a loss on a batch", _level5),
)}
