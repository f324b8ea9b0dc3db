"""Per-student variants: drawn given values, stable per student, guarded, graded."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.base import limits
from gradtutor.base.errors import ExerciseError, GradtutorError
from gradtutor.cli.app import app
from gradtutor.grading.batch import check_file
from gradtutor.kinds import kind_of, load_exercise
from gradtutor.kinds.variants import guard_failure, variant_for, with_given
from gradtutor.render.export import answer_key_yaml

EXERCISE = """\
id: drawn-add-mul
title: "f = (x + y) z, drawn"
given:
  x: {integers: [-5, 5], default: -2}
  y: {integers: [-5, 5], default: 5}
  z: {uniform: [-4, 4], step: 0.5, default: -4}
graph:
  q: x + y
  f: q*z
output: f
variants:
  seed: 7
  tries: 100
  require:
    - abs(x + y) >= 1
    - abs(z) >= 1
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def given_of(ex: object) -> dict[str, float]:
    return {name: float(value) for name, value in ex.given.items()}  # type: ignore[attr-defined]


@pytest.fixture
def exercise_file(tmp_path: Path) -> Path:
    return write(tmp_path / "drawn.yaml", EXERCISE)


def test_no_student_gets_the_defaults(exercise_file: Path) -> None:
    assert given_of(load_exercise(str(exercise_file))) == {"x": -2.0, "y": 5.0, "z": -4.0}


def test_two_students_get_different_numbers(exercise_file: Path) -> None:
    ex = load_exercise(str(exercise_file))
    assert given_of(variant_for(ex, "alice")) != given_of(variant_for(ex, "bob"))
    assert variant_for(ex, "alice") is variant_for(ex, "alice")  # cached per student


def test_each_key_is_full_marks_for_its_student_only(exercise_file: Path,
                                                     tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    for student, other in (("alice", "bob"), ("bob", "alice")):
        mine = variant_for(ex, student)
        text = answer_key_yaml(ex.id, ex.title, kind_of(mine).key(mine), student)
        own = check_file(ex, write(tmp_path / f"{student}.yaml", text))
        assert own.score == own.max_score
        swapped = text.replace(f"student: {student}", f"student: {other}")
        theirs = check_file(ex, write(tmp_path / f"{student}-as-{other}.yaml", swapped))
        assert theirs.score < theirs.max_score


def test_a_blank_student_is_the_files_name(exercise_file: Path, tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    alice = variant_for(ex, "alice")
    text = answer_key_yaml(ex.id, ex.title, kind_of(alice).key(alice), "alice")
    result = check_file(ex, write(tmp_path / "alice.yaml", text.replace("student: alice",
                                                                         "student:")))
    assert result.score == result.max_score


def test_variants_are_pinned_by_value(exercise_file: Path) -> None:
    ex = load_exercise(str(exercise_file))
    assert given_of(variant_for(ex, "alice")) == PINNED["alice"]
    assert given_of(variant_for(ex, "bob")) == PINNED["bob"]


# sha256("7:alice") seeds PCG64: these numbers hold on every machine and Python version
PINNED = {"alice": {"x": 5.0, "y": 0.0, "z": 1.0}, "bob": {"x": 2.0, "y": -5.0, "z": 3.5}}


def test_a_variant_is_the_same_under_another_hash_seed(exercise_file: Path) -> None:
    code = ("import json, sys; from gradtutor.kinds import load_exercise; "
            "from gradtutor.kinds.variants import variant_for; "
            "ex = load_exercise(sys.argv[1]); "
            "print(json.dumps({k: float(v) for k, v in variant_for(ex, 'alice').given.items()}))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    shown = subprocess.run([sys.executable, "-c", code, str(exercise_file)], env=env,
                           capture_output=True, text=True, check=True)
    assert json.loads(shown.stdout) == PINNED["alice"]


def test_the_guards_reject_a_draw_at_a_kink(tmp_path: Path) -> None:
    path = write(tmp_path / "kink.yaml", """\
id: kinked
title: relu
given:
  x: {choice: [0, 2], default: 2}
graph:
  f: relu(x)*3
variants: {seed: 1}
""")
    ex = load_exercise(str(path))
    at_kink = with_given(ex, {"x": np.array(0.0)}, "someone")
    assert "kink" in guard_failure(at_kink)
    assert float(variant_for(ex, "carol").given["x"]) == 2.0


def test_no_draw_passing_the_guards_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "never.yaml", """\
id: never
title: never
given:
  x: {choice: [1, 2]}
graph:
  f: x*3
variants: {seed: 1, tries: 5, require: ["x > 10"]}
""")
    ex = load_exercise(str(path))
    with pytest.raises(ExerciseError, match="no variant for student 'dan' passed the guards "
                       "in 5 draws .*'x > 10' does not hold"):
        variant_for(ex, "dan")


@pytest.mark.parametrize(("given", "variants", "message"), [
    ("{uniform: [3, 1]}", "{seed: 1}", r"given\.x\.uniform: 'uniform' is \[low, high\]"),
    ("{uniform: [0, 1], step: 0}", "{seed: 1}", r"given\.x\.step: 'step' must be a positive"),
    ("{integers: [0, 1], choice: [1]}", "{seed: 1}", "exactly one of choice"),
    ("{uniform: [0, 1], shape: [0]}", "{seed: 1}", r"given\.x\.shape"),
    ("{integers: [1, 3]}", "{seed: 1, tries: 0}", r"variants\.tries: 'tries' must be"),
    ("{integers: [1, 3]}", "{tries: 5}", r"variants\.seed: 'seed' is a number or a word"),
    ("{integers: [1, 3]}", "{seed: 1, require: ['x']}", r"variants\.require\[0\]: .*one "
     "comparison"),
    ("{integers: [1, 3]}", "{seed: 1, require: ['w > 1']}", "'w' is not a given value"),
    ("{integers: [1, 3]}", "{seed: 1, tires: 3}", "unknown key 'tires' .did you mean 'tries'"),
])
def test_bad_variant_fields_are_named(tmp_path: Path, given: str, variants: str,
                                      message: str) -> None:
    path = write(tmp_path / "bad.yaml", f"id: bad\ntitle: bad\ngiven:\n  x: {given}\n"
                 f"graph:\n  f: x*3\nvariants: {variants}\n")
    with pytest.raises(ExerciseError) as raised:
        load_exercise(str(path))
    assert any(re.search(message, str(p)) for p in raised.value.problems), \
        [str(p) for p in raised.value.problems]


def test_a_draw_needs_a_variants_block(tmp_path: Path) -> None:
    path = write(tmp_path / "nob.yaml", "id: nob\ntitle: t\ngiven:\n  x: {integers: [1, 3]}\n"
                 "graph:\n  f: x*3\n")
    with pytest.raises(ExerciseError) as raised:
        load_exercise(str(path))
    assert any("needs a 'variants:' block" in str(p) for p in raised.value.problems)


def test_comparisons_stay_out_of_ordinary_expressions(tmp_path: Path) -> None:
    path = write(tmp_path / "cmp.yaml", "id: cmp\ntitle: t\ngiven:\n  x: 1\ngraph:\n"
                 "  f: x > 1\n")
    with pytest.raises(ExerciseError):
        load_exercise(str(path))


def test_a_name_in_decomposed_unicode_is_the_same_student() -> None:
    """"José" as macOS writes it (e + combining accent) draws José's numbers."""
    from gradtutor.exercises.variants import student_generator

    composed, decomposed = "Jos\u00e9", "Jose\u0301"
    assert student_generator("s", composed).random() == \
        student_generator("s", decomposed).random()


def test_a_student_name_that_is_not_utf8_is_a_clear_error(exercise_file: Path) -> None:
    ex = load_exercise(str(exercise_file))
    with pytest.raises(GradtutorError, match="the student name 'ali\\\\udcffce' is not UTF-8"):
        variant_for(ex, "ali\udcffce")  # the byte 0xff of a command line, surrogate-escaped


def chain(length: int) -> str:
    """An exercise whose every draw runs the guards over a long chain of asked steps."""
    nodes = "".join(f"  a{i}: sigmoid(a{i - 1})*w + 0.1\n" for i in range(1, length))
    asked = "".join(f"  - a{i}\n  - da{length - 1}/da{i}\n" for i in range(length))
    return ("id: chain\ntitle: c\ngiven:\n"
            "  x: {uniform: [0.5, 1.5], decimals: 2, default: 1.0}\n"
            "  w: {uniform: [0.5, 1.5], decimals: 2, default: 0.9}\n"
            f"graph:\n  a0: x*w\n{nodes}ask:\n{asked}variants:\n  seed: s\n  tries: 1000\n")


def test_drawing_one_variant_is_bounded_in_time(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "VARIANT_SECONDS", 0.05)
    ex = load_exercise(str(write(tmp_path / "chain.yaml", chain(30))))
    with pytest.raises(ExerciseError, match="exercise 'chain': drawing the variant of "
                       "student 'bob' took more than 0.05 s"):
        variant_for(ex, "bob")


def test_validates_sample_of_draws_is_bounded_in_time(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "SAMPLE_SECONDS", 0.05)
    path = write(tmp_path / "chain.yaml", chain(30))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "the guards took more than 0.05 s for 100 sample draws" in result.output
