"""Write tests/corpus/students.yaml: simulated students on the corpus exercises, each step
labelled with the verdict and code a fair grader gives.

    python tests/corpus/generate.py

The labels come from the simulation: which slip was injected where (tests/corpus/slips.py),
what follows from it honestly, and the fair grader's policy (README, "Follow-through"):
- a step equal to the truth (1% or the rounding the student wrote) is correct;
- a slip is wrong, with the slip's code;
- a step that differs only because it was computed honestly from an earlier slip is
  follow-through, unless it comes from a value that is no plausible attempt (a forward
  value written as a gradient): then it is wrong, without a code;
- gaming attempts (1e-9 everywhere, zeros, every gradient 1, huge numbers, forward values
  copied into the gradients, last year's key) earn only the steps that happen to be right;
  steps answered with their own names, or with each other's in a ring, earn nothing.
Values are worked out with gradtutor's numeric engine (the arithmetic, never its verdicts).
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from slips import ALTERNATIVES, IMPLAUSIBLE, SLIPS  # noqa: E402

from gradtutor.exercises.exercise import Exercise, Step  # noqa: E402
from gradtutor.kinds import load_exercise  # noqa: E402
from gradtutor.marking.recompute import Overrides, Recomputer  # noqa: E402

SEED = 11
TARGETS = {"y", "Y", "t"}  # last year's key keeps the targets


def exercises() -> list[Exercise]:
    return [load_exercise(str(p)) for p in sorted((HERE / "exercises").glob("*.yaml"))]


def order(ex: Exercise) -> list[Step]:
    """Forward steps in node order, then gradients from the output backwards, then the
    updates (in the order asked)."""
    names = ex.graph.names
    return sorted((item.step for item in ex.ask),
                  key=lambda s: (2, 0) if s.is_update else
                  (1, -names[s.wrt]) if s.is_gradient else (0, names[s.wrt]))


def rounded(value: np.ndarray, figures: int) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    out = np.vectorize(lambda v: float(f"{v:.{figures}g}"))(value) if value.size else value
    return np.asarray(out, dtype=float) + 0.0  # no -0.0


def close(given: np.ndarray, true: np.ndarray, scale: float) -> bool:
    given, true = np.asarray(given, dtype=float), np.asarray(true, dtype=float)
    return given.shape == true.shape and bool(np.all(
        np.abs(given - true) <= np.maximum(0.01 * np.abs(true), 1e-9 * scale)))


def simulate(ex: Exercise, slips: dict[str, str], figures: int,
             neutral: frozenset[str] = frozenset(), twins: dict | None = None
             ) -> dict[str, np.ndarray]:
    """The answers of a student making `slips` (step -> code), rounding to `figures`; the
    slips in `neutral` are made right (to see what depends on them)."""
    answers: dict[str, np.ndarray] = {}
    overrides = Overrides()
    for step in order(ex):
        def values(name: str) -> np.ndarray:
            if name in answers:
                return answers[name]
            if name in ex.given:
                return np.asarray(ex.given[name], dtype=float)
            of, _, wrt = name.partition("/d")
            inner = Step(name, wrt, of[1:]) if wrt else Step(name, name)
            return Recomputer(ex, overrides).value(inner)
        if step.text in slips and step.text not in neutral:
            value = np.asarray(SLIPS[ex.id][step.text][slips[step.text]](values), dtype=float)
            if twins is not None:
                twins[step.text] = _twins(ex, step.text, slips[step.text], value, values)
        else:
            value = Recomputer(ex, overrides).value(step)
        answers[step.text] = value = rounded(value, figures)
        node = ex.graph.names[step.wrt]
        if step.is_update or value.shape != Recomputer(ex).value(step).shape:
            continue  # an update is read by no other step
        if step.is_gradient:
            overrides.backward.setdefault(ex.graph.names[step.of or ""], {})[node] = value
        else:
            overrides.forward[node] = value
    return answers


def _twins(ex: Exercise, step: str, code: str, value: np.ndarray, values: object) -> bool:
    """Whether another mistake gives the same value at this step (then none is named)."""
    others = [(c, f) for table in (SLIPS, ALTERNATIVES)
              for c, f in table.get(ex.id, {}).get(step, {}).items() if c != code]
    found = []
    for _, formula in others:
        try:
            found.append(np.asarray(formula(values), dtype=float))
        except (ValueError, KeyError):
            continue
    return any(other.shape == value.shape and close(value, other, ex.tolerance.scale)
               for other in found)


def honest(ex: Exercise, slips: dict[str, str], figures: int, name: str) -> dict:
    truth = Recomputer(ex)
    true = {s.text: truth.value(s) for s in order(ex)}
    twins: dict[str, bool] = {}
    answers = simulate(ex, slips, figures, twins=twins)
    made = {step for step in slips if not close(answers[step], true[step], ex.tolerance.scale)}
    bad = frozenset(step for step in made if slips[step] in IMPLAUSIBLE)
    cleaned = simulate(ex, slips, figures, bad) if bad else answers
    labels = {}
    for step, value in answers.items():
        if step in made:
            labels[step] = {"verdict": "wrong", "code": None if twins[step] else slips[step]}
        elif close(value, true[step], ex.tolerance.scale):
            labels[step] = {"verdict": "correct", "code": None}
        elif not close(value, cleaned[step], ex.tolerance.scale):
            labels[step] = {"verdict": "wrong", "code": None}  # from an implausible value
        else:
            labels[step] = {"verdict": "follow-through", "code": None}
    return record(ex, name, "honest", answers, labels)


def gaming(ex: Exercise, how: str, rng: random.Random) -> dict:
    truth = Recomputer(ex)
    true = {s.text: truth.value(s) for s in order(ex)}
    answers: dict[str, np.ndarray] = {}
    codes: dict[str, str | None] = {}
    if how == "last-year":
        given = {k: v if k in TARGETS else rounded(v * rng.choice([0.5, 0.7, 1.3, 1.6]), 3)
                 for k, v in ex.given.items()}
        other = Exercise(**{**{f: getattr(ex, f) for f in ex.__dataclass_fields__
                               if ex.__dataclass_fields__[f].init}, "given": given})
        old = Recomputer(other)
        answers = {s.text: rounded(old.value(s), 4) for s in order(ex)}
    if how in ("names", "ring"):
        return named(ex, how)
    for step in order(ex):
        if how == "last-year":
            continue
        value = true[step.text]
        if how == "tiny":
            value = np.full_like(value, 1e-9)
        elif how == "zeros":
            value = np.zeros_like(value)
        elif how == "huge":
            value = np.full_like(value, 1e6 * rng.choice([1, -1, 3, 7]))
        elif step.is_gradient and how == "ones":
            value = np.ones_like(value)
        elif step.is_gradient and how == "forward-copied":
            own = truth.values[ex.graph.names[step.wrt]]
            if own.shape == value.shape:
                value = own
                codes[step.text] = "forward-value-as-gradient"
        answers[step.text] = rounded(value, 4)
    labels = {}
    for step, value in answers.items():
        right = close(value, true[step], ex.tolerance.scale)
        labels[step] = {"verdict": "correct" if right else "wrong",
                        "code": None if right else codes.get(step)}
    return record(ex, f"{ex.id}-{how}", "gaming", answers, labels)


def named(ex: Exercise, how: str) -> dict:
    """No numbers at all: each step answered with its own name ("names"), or each with the
    name of the next asked step, the last with the first's ("ring"). A name in a formula
    stands for its true value, so a fair grader gives none of it credit."""
    steps = [s for s in order(ex) if not s.is_update]
    answers = {step.text: step.text if how == "names" else steps[(i + 1) % len(steps)].text
               for i, step in enumerate(steps)}
    # the ring's last gradient answered with a forward value is a formula, and not its own
    labels = {step.text: {"verdict": "wrong" if step.is_gradient and "/" not in
                          answers[step.text] else "invalid", "code": None} for step in steps}
    return record(ex, f"{ex.id}-{how}", "gaming", answers, labels)


def record(ex: Exercise, name: str, kind: str, answers: dict, labels: dict) -> dict:
    return {"student": name, "exercise": ex.id, "kind": kind,
            "answers": {k: np.asarray(v).tolist() for k, v in answers.items()},
            "labels": labels}


def students() -> list[dict]:
    rng = random.Random(SEED)
    found = []
    for ex in exercises():
        found.append(honest(ex, {}, 4, f"{ex.id}-correct-4"))
        found.append(honest(ex, {}, 3, f"{ex.id}-correct-3"))
        single = [(step, code) for step, codes in SLIPS[ex.id].items() for code in codes]
        for step, code in single:
            found.append(honest(ex, {step: code}, rng.choice([3, 4]), f"{ex.id}-{code}-{step}"))
        pairs = [(a, b) for a, b in itertools.combinations(single, 2) if a[0] != b[0]]
        for a, b in rng.sample(pairs, min(3, len(pairs))):
            found.append(honest(ex, dict([a, b]), 4, f"{ex.id}-{a[1]}+{b[1]}"))
        for how in ("tiny", "zeros", "ones", "huge", "forward-copied", "last-year", "names",
                    "ring"):
            found.append(gaming(ex, how, rng))
    return found


if __name__ == "__main__":
    out = HERE / "students.yaml"
    header = "# Generated by tests/corpus/generate.py (seed 11): do not edit by hand.\n"
    out.write_text(header + yaml.safe_dump(students(), sort_keys=False, width=100))
    print(f"wrote {out}")
