"""The slips the simulated students make: for each corpus exercise, each step, each code,
the value a student making exactly that mistake writes, worked out by hand from the values
the student has so far (`S`: their own answers, else honestly recomputed from them).

These formulas are the simulation's ground truth; they never call gradtutor's catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Values = Callable[[str], np.ndarray]


def sig(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


SLIPS: dict[str, dict[str, dict[str, Callable[[Values], object]]]] = {
    "tanh-neuron": {
        "dL/dd": {
            "missing-half": lambda S: 2 * S("d"),
            "sign-flipped": lambda S: -S("d"),
        },
        "dL/dz": {
            "activation-derivative-wrong-argument": lambda S: S("dL/da") * (1 - S("z") ** 2),
            "activation-not-differentiated": lambda S: S("dL/da") * S("a"),
            "added-not-multiplied": lambda S: S("dL/da") + (1 - S("a") ** 2),
            "local-gradient-missing": lambda S: S("dL/da"),
            "local-gradient-only": lambda S: 1 - S("a") ** 2,
            "forward-value-as-gradient": lambda S: S("z"),
        },
        "dL/dw": {"own-value-at-multiply": lambda S: S("dL/dz") * S("w")},
        "dL/dx": {"factor-of-two": lambda S: 2 * S("dL/dz") * S("w")},
    },
    "mlp-batch": {
        "dL/dR": {"mean-not-divided": lambda S: 2 * S("R")},
        "dL/db2": {"not-reduced-over-batch": lambda S: S("dL/dP")},
        "dL/dZ1": {
            "relu-always-one": lambda S: S("dL/dH"),
            "wrong-branch": lambda S: S("dL/dH") * (S("Z1") <= 0),
        },
        "dL/dW1": {"transposed": lambda S: (S("X").T @ S("dL/dZ1")).T},
        "dL/db1": {
            "batch-sum-vs-mean": lambda S: S("dL/dZ1").mean(axis=0),
            "shape-mismatch": lambda S: S("dL/dZ1").sum(axis=0).reshape(2, 1),
        },
    },
    "softmax-ce": {
        "dL/dz": {
            "sign-flipped": lambda S: S("y") - S("p"),
            "forward-value-as-gradient": lambda S: S("z"),
        },
        "dL/dW": {"transposed": lambda S: np.outer(S("dL/dz"), S("x")).T},
        "dL/dx": {"factor-of-two": lambda S: 2 * S("W").T @ S("dL/dz")},
    },
    "fan-out-sigmoid": {
        "f": {"rounded-early": lambda S: np.round(S("s"), 1) * S("q")},
        "df/dr": {
            "activation-not-differentiated": lambda S: S("df/ds") * S("s"),
            "activation-derivative-wrong-argument":
                lambda S: S("df/ds") * S("r") * (1 - S("r")),
            "added-not-multiplied": lambda S: S("df/ds") + S("s") * (1 - S("s")),
            "local-gradient-missing": lambda S: S("df/ds"),
            "local-gradient-only": lambda S: S("s") * (1 - S("s")),
        },
        "df/dx": {"fan-out-not-summed": lambda S: S("df/dq") * S("y")},
        "df/dy": {"own-value-at-multiply": lambda S: S("df/dq") * S("y")},
    },
    "deep-sigmoid-chain": {
        "dL/da4": {"missing-half": lambda S: 2 * (S("a4") - S("y"))},
        "dL/dz4": {"added-not-multiplied": lambda S: S("dL/da4") + S("a4") * (1 - S("a4"))},
        "dL/dz3": {"local-gradient-missing": lambda S: S("dL/da3")},
        "dL/dz2": {"activation-derivative-wrong-argument":
                   lambda S: S("dL/da2") * S("z2") * (1 - S("z2"))},
        "dL/dw2": {"own-value-at-multiply": lambda S: S("dL/dz2") * S("w2")},
        "dL/dz1": {"activation-not-differentiated": lambda S: S("dL/da1") * S("a1")},
    },
    "mean-loss": {
        "dL/dr": {"mean-not-divided": lambda S: 2 * S("r")},
        "dL/dv": {"sign-flipped": lambda S: -S("dL/dr"),
                  "forward-value-as-gradient": lambda S: S("v")},
        "dL/dw": {"own-value-at-multiply": lambda S: np.sum(S("dL/dv")) * S("w")},
        "dL/dx": {"factor-of-two": lambda S: 2 * S("dL/dv") * S("w")},
    },
    "update-step": {
        "dL/dr": {"sign-flipped": lambda S: -2 * S("r")},
        "dL/dW": {"transposed": lambda S: np.outer(S("dL/dy"), S("x")).T},
        "W - lr*dL/dW": {"update-sign-flipped": lambda S: S("W") + S("lr") * S("dL/dW"),
                         "learning-rate-forgotten": lambda S: S("W") - S("dL/dW")},
        "b - lr*dL/db": {"update-sign-flipped": lambda S: S("b") + S("lr") * S("dL/db"),
                         "learning-rate-forgotten": lambda S: S("b") - S("dL/db")},
    },
}

# values that are no plausible attempt: what follows from them is not carried forward
IMPLAUSIBLE = {"forward-value-as-gradient"}

# other ways to make the same mistake: when one gives the value of another code's slip, the
# two cannot be told apart and the fair grader names neither
ALTERNATIVES: dict[str, dict[str, dict[str, Callable[[Values], object]]]] = {
    "tanh-neuron": {"dL/dz": {
        "activation-derivative-wrong-argument": lambda S: S("dL/da") * (1 - np.tanh(S("a")) ** 2),
    }},
    "fan-out-sigmoid": {"df/dr": {
        "activation-derivative-wrong-argument":
            lambda S: S("df/ds") * sig(S("s")) * (1 - sig(S("s"))),
    }},
    "deep-sigmoid-chain": {"dL/dz2": {
        "activation-derivative-wrong-argument":
            lambda S: S("dL/da2") * sig(S("a2")) * (1 - sig(S("a2"))),
    }},
}
