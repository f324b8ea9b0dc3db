"""Simulated students who slip, driving practice sessions through the API.

    python tests/practice_students.py [--seeds 20] [--students 3]

Each student works every step from their own earlier answers (error carried forward when an
earlier one was wrong) and writes it in one of the ways a person types a number; now and
then they slip (a sign flip, a factor forgotten, a forward value off) and, with one try per
step, carry on from the slip. Counted: a value the student worked right from their own
answers that the session marks wrong ("right marked wrong"), a slip the session accepts
("slip marked right"), and a step whose last verdict in the session is not what `check`
gives the saved answers file ("differs from check"). tests/test_practice.py runs a few.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ACCEPTED = ("correct", "follow-through")
SLIPS = ("sign", "double", "off-by-one")


@dataclass
class Tally:
    """What the simulated sessions found."""

    sessions: int = 0
    answers: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, what: str, detail: str) -> None:
        self.failed[what] += 1
        self.examples.setdefault(what, []).append(detail)


def typed(value: Any, rng: np.random.Generator) -> str:
    """A value as one of the ways a student types it."""
    array = np.asarray(value, dtype=float)
    if array.ndim:
        return "[" + ", ".join(typed(item, rng) for item in array.tolist()) + "]"
    number = float(array)
    if number == int(number) and abs(number) < 1e6:
        forms = [f"{int(number)}", f"{number:.1f}", f"{int(number)}e0", f" {int(number)} "]
        forms.append(f"+{int(number)}" if number > 0 else f"{int(number)}")
    else:
        forms = [f"{number:.3g}", f"{number:.4g}", f"{number:.3e}", f"  {number:.5g}"]
        forms.append(f"+{number:.3g}" if number > 0 else f"{number:.4g}")
    return forms[int(rng.integers(len(forms)))]


def slipped(value: Any, slip: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if slip == "sign":
        return -array
    if slip == "double":  # an upstream factor of 2 forgotten, or counted twice
        return 2 * array
    return array + 1


def own_value(ex: Any, step: Any, answers: dict[str, np.ndarray]) -> np.ndarray:
    """The step worked right from the student's own earlier answers."""
    from gradtutor.marking.recompute import Overrides, step_value

    overrides = Overrides()
    names = ex.graph.names
    for item in ex.ask:
        if item.step.text not in answers:
            continue
        target = names[item.step.wrt]
        if item.step.is_gradient:
            overrides.backward.setdefault(names[item.step.of], {})[target] = \
                answers[item.step.text]
        else:
            overrides.forward[target] = answers[item.step.text]
    return np.asarray(step_value(ex, step, overrides), dtype=float)


def one_student(ex: Any, rng: np.random.Generator, tally: Tally, label: str) -> None:
    """One session: every step answered, some slipped; its verdicts held to check's."""
    import gradtutor as gt
    from gradtutor.kinds import kind_of

    attempts = 1 if rng.integers(2) else 3  # one try: a slip is carried on from
    session = gt.practice(ex, attempts=attempts)
    items = {item.step.text: item.step for item in ex.ask}
    answers: dict[str, np.ndarray] = {}
    key = kind_of(ex).key(ex)
    tally.sessions += 1
    while session.current is not None:
        step = session.current
        own = own_value(ex, items[step], answers)
        slip = SLIPS[int(rng.integers(len(SLIPS)))] if rng.random() < 0.25 else None
        value = own if slip is None else slipped(own, slip)
        text = typed(value, rng)
        said = session.answer(text)
        tally.answers += 1
        where = f"{label} {step} = {text!r} (own value {own.tolist()})"
        if slip is None and said.verdict not in ACCEPTED:
            true = np.allclose(own, key[step], rtol=1e-6, atol=1e-12)
            tally.fail("right marked wrong" if true else "carried forward, refused",
                       f"{where}: {said.verdict}: {said.message}")
        if slip is not None and said.verdict in ACCEPTED and not any(
                np.allclose(value, right, rtol=0.02, atol=1e-9) for right in (own, key[step])):
            tally.fail("slip marked right", f"{where}, slip {slip}: {said.verdict}")
        if said.verdict in ACCEPTED or session.current != step:
            answers[step] = np.asarray(value, dtype=float)
        elif said.verdict == "wrong":  # another try: the student finds their slip
            right = typed(own, rng)
            said = session.answer(right)
            tally.answers += 1
            answers[step] = own
            if said.verdict not in ACCEPTED:
                tally.fail("right marked wrong", f"{label} {step} = {right!r} after a slip: "
                           f"{said.verdict}: {said.message}")
    said_last = {slot.step: slot.verdict for slot in session.slots}
    checked = gt.check(ex, _answers(session, ex))
    for result in checked.result.steps:
        if said_last[result.step] != result.verdict:
            tally.fail("differs from check", f"{label} {result.step}: the session said "
                       f"{said_last[result.step]}, check says {result.verdict}")


def _answers(session: Any, ex: Any) -> Any:
    from gradtutor.exercises.answers import parse_answers

    return parse_answers(session.answers_yaml(), file="saved", exercise_id=ex.id)


def corpus(seeds: int) -> list[tuple[str, Any]]:
    """The bundled graph exercises that practice takes, then generated ones at every level."""
    import gradtutor as gt
    from gradtutor.base.errors import GradtutorError
    from gradtutor.grading.catalog import list_rows
    from gradtutor.grading.generate import LEVELS, generate

    found: list[tuple[str, Any]] = []
    for row in list_rows():
        ex = gt.load_exercise(row["id"])
        try:
            gt.practice(ex)
        except GradtutorError:
            continue
        found.append((ex.id, ex))
    for level in LEVELS:
        found += [(f"level {level} seed {seed}", generate(level, seed).exercise)
                  for seed in range(1, seeds + 1)]
    return found


def run(seeds: int, students: int, rng_seed: int = 2026) -> Tally:
    """Every exercise of the corpus practised by `students` simulated students."""
    rng = np.random.default_rng(rng_seed)
    tally = Tally()
    for label, ex in corpus(seeds):
        for student in range(students):
            one_student(ex, rng, tally, f"{label} (student {student})")
    return tally


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--examples", type=int, default=3, help="failures shown of each")
    options = parser.parse_args(argv)
    tally = run(options.seeds, options.students)
    print(f"{tally.sessions} sessions, {tally.answers} answers")
    for what in ("right marked wrong", "slip marked right", "differs from check",
                 "carried forward, refused"):
        print(f"{what:>20}: {tally.failed[what]}")
    for what, examples in tally.examples.items():
        print("\n".join(f"e.g. {what}: {text}" for text in examples[:options.examples]))
    return 1 if failures(tally) else 0


def failures(tally: Tally) -> dict[str, int]:
    """What must not happen: a right answer marked wrong, a slip marked right, a verdict
    that is not check's (a refused follow-through is check's rule, not a failure)."""
    return {what: count for what, count in tally.failed.items()
            if what != "carried forward, refused"}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
