"""The generated-exercise sweep: every level, many seeds, each exercise held to what practice
promises of it. Prints one row per level: the seeds tried and how many failed each check.

    python tests/practice_sweep.py [--seeds 200] [--levels 1,2,3,4,5] [--distinct 50]

Checks, per exercise: generation ends within TIME_LIMIT seconds without raising; `validate`
accepts the file; the variant guards hold; `solve`'s key scored by `check` is full marks;
the given values have at most two decimals and the key rounded to three significant digits
(what a student types) is still full marks; and no two of the first `--distinct` seeds give
the same exercise. tests/test_generate.py runs it on the first 50 seeds (marked slow).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

TIME_LIMIT = 60  # seconds for one exercise: beyond it, generation counts as hung
CHECKS = ("raises", "hangs", "invalid", "guards", "key", "given", "typed", "same")


@dataclass
class Tally:
    """One level's sweep: the seeds tried, each check's failures, an example of each."""

    seeds: int = 0
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    example: dict[str, str] = field(default_factory=dict)
    slowest: tuple[float, int] = (0.0, 0)  # seconds, seed

    def fail(self, check: str, seed: int, detail: str) -> None:
        self.failed[check] += 1
        self.example.setdefault(check, f"seed {seed}: {detail}")


class Hung(Exception):
    """Generation ran past TIME_LIMIT."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise Hung
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def significant(value: Any, digits: int = 3) -> Any:
    """A value as a student types it: each number to `digits` significant digits."""
    if isinstance(value, list):
        return [significant(item, digits) for item in value]
    return float(f"{value:.{digits}g}")


def decimals(value: Any) -> int:
    """The most decimals any number in a given value is written with."""
    if isinstance(value, list):
        return max((decimals(item) for item in value), default=0)
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def sweep_one(level: int, seed: int, folder: Path, tally: Tally) -> str | None:
    """The checks on one exercise; its text without the id (for the duplicate check)."""
    import gradtutor as gt
    from gradtutor.grading.catalog import validate
    from gradtutor.grading.generate import generate
    from gradtutor.kinds.variants import guard_failure

    started = time.perf_counter()
    try:
        with time_limit(TIME_LIMIT):
            drawn = generate(level, seed)
    except Hung:
        tally.fail("hangs", seed, f"more than {TIME_LIMIT}s")
        return None
    except Exception as error:  # the sweep counts every failure, whatever it is
        tally.fail("raises", seed, f"{type(error).__name__}: {error}")
        return None
    tally.slowest = max(tally.slowest, (time.perf_counter() - started, seed))
    path = folder / f"{drawn.exercise.id}.yaml"
    path.write_text(drawn.text)
    checked = validate(str(path))
    if checked.problems or checked.failed_tests:
        tally.fail("invalid", seed, str(checked.problems or checked.failed_tests)[:200])
    reason = guard_failure(drawn.exercise, drawn.structural)
    if reason:
        tally.fail("guards", seed, reason)
    key = {row["step"]: row["expected"] for row in gt.solve(str(path)).to_dict()["steps"]}
    if not gt.check(str(path), key).result.all_correct:
        tally.fail("key", seed, "the key itself is not full marks")
    wide = {name: value for name, value in drawn.exercise.given.items()
            if decimals(np.asarray(value).tolist()) > 2 or np.max(np.abs(value)) > 100}
    if wide:
        tally.fail("given", seed, f"given values not hand-workable: {wide}")
    typed = gt.check(str(path), {step: significant(value) for step, value in key.items()})
    if not typed.result.all_correct:
        wrong = [s.step for s in typed.result.steps if s.verdict != "correct"]
        tally.fail("typed", seed, f"3 significant digits marked wrong at {wrong}")
    return drawn.text.split("\n", 1)[1]


def sweep(levels: list[int], seeds: int, distinct: int) -> dict[int, Tally]:
    """Every level at seeds 1..seeds; the tallies."""
    tallies: dict[int, Tally] = {}
    with tempfile.TemporaryDirectory() as folder:
        for level in levels:
            tally = tallies[level] = Tally()
            seen: dict[str, int] = {}
            for seed in range(1, seeds + 1):
                tally.seeds += 1
                text = sweep_one(level, seed, Path(folder), tally)
                if text is not None and seed <= distinct:
                    if text in seen:
                        tally.fail("same", seed, f"the same exercise as seed {seen[text]}")
                    seen.setdefault(text, seed)
    return tallies


def table(tallies: dict[int, Tally]) -> list[str]:
    """The tallies as a table, then one example of each failure."""
    lines = [f"{'level':>5} {'seeds':>5} " + " ".join(f"{check:>7}" for check in CHECKS)
             + "  slowest (seed)"]
    for level, tally in tallies.items():
        lines.append(f"{level:>5} {tally.seeds:>5} "
                     + " ".join(f"{tally.failed[check]:>7}" for check in CHECKS)
                     + f"  {tally.slowest[0]:.2f}s ({tally.slowest[1]})")
    for level, tally in tallies.items():
        lines += [f"level {level} {check}: {text}" for check, text in tally.example.items()]
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--levels", default="1,2,3,4,5")
    parser.add_argument("--distinct", type=int, default=50)
    options = parser.parse_args(argv)
    levels = [int(level) for level in options.levels.split(",")]
    tallies = sweep(levels, options.seeds, options.distinct)
    print("\n".join(table(tallies)))
    return 1 if any(sum(tally.failed.values()) for tally in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
