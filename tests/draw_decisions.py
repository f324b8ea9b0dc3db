"""Which draws the variant guards accept, recorded to pin them across speed-ups.

    GRADTUTOR_CACHE_DIR=off python tests/draw_decisions.py tests/fixtures/draw_decisions.json

For every bundled exercise with `variants:` and the benchmark's drawn neuron: the first
students' accept/reject decision on each of their draws up to the one chosen (and a few
beyond it), the chosen draw's index and its answer key (a digest of its exact numbers);
and what `validate` counts of its sample of draws (the rejections, reasons and all).
tests/test_draw_decisions.py asserts that the code as it is decides exactly the same: the
guards may name another reason for a student's rejected draw, never reject another draw.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = 40  # per exercise
BEYOND = 3  # draws decided after the chosen one


def exercise_paths() -> list[Path]:
    """The bundled exercises with `variants:`, and the benchmark's drawn neuron."""
    bundled = sorted(path for path in (ROOT / "exercises").glob("*.yaml")
                     if "\nvariants:" in path.read_text())
    return [*bundled, bench_exercise()]


def bench_exercise() -> Path:
    """The benchmark's drawn neuron, written to a file of its own."""
    tree = ast.parse((ROOT / "benchmarks" / "bench.py").read_text())
    text = next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "DRAWN_NEURON")
    path = Path(tempfile.mkdtemp(prefix="gradtutor-draws-")) / "drawn-neuron.yaml"
    path.write_text(text)
    return path


def decisions(path: Path, students: int = STUDENTS) -> dict[str, Any]:
    """Student -> the decision on each draw, the chosen index and the chosen values."""
    from gradtutor.exercises.variants import student_generator
    from gradtutor.kinds import kind_of, load_exercise
    from gradtutor.kinds.variants import variant_for

    ex = load_exercise(str(path))
    assert ex.variants is not None
    kind = kind_of(ex)
    found: dict[str, Any] = {}
    for number in range(students):
        student = f"s{number:04d}"
        chosen = variant_for(ex, student)
        rng = student_generator(ex.variants.seed, student)
        accepted: list[bool] = []
        while len(accepted) < ex.variants.tries and \
                (True not in accepted or len(accepted) <= accepted.index(True) + BEYOND):
            drawn = {name: draw.sample(rng) for name, draw in ex.variants.draws.items()}
            accepted.append(not kind.unfit(kind.with_drawn(ex, drawn, student), ex))
        found[student] = {"accepted": accepted, "chosen": accepted.index(True),
                          "key": _digest(kind.key(chosen))}
    return found


def sample(path: Path) -> dict[str, Any]:
    """What `validate` reports of the exercise's sample of draws: how many the guards
    reject, and why."""
    from gradtutor.kinds import load_exercise
    from gradtutor.kinds.variants import rejections

    found = rejections(load_exercise(str(path)))
    return {"drawn": found.drawn, "rejected": found.rejected, "reasons": dict(found.reasons)}


def _digest(key: dict[str, Any]) -> str:
    """The answer key's exact numbers, as a short fingerprint."""
    text = json.dumps({step: _plain(value) for step, value in key.items()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    try:
        return np.asarray(value, dtype=float).tolist()
    except (TypeError, ValueError):
        return str(value)


def main() -> None:
    out = Path(sys.argv[1])
    record = {path.name: {"students": decisions(path), "sample": sample(path)}
              for path in exercise_paths()}
    out.write_text(json.dumps(record, sort_keys=True).replace('}, "', '},\n "') + "\n")


if __name__ == "__main__":
    main()
