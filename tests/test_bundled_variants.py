"""The bundled exercises' per-student variants: every student's numbers pass the guards,
every catalogue mistake stays distinguishable, the same student gets the same numbers
everywhere; the rule for an answers file with no `student:`; validate's rejection report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradtutor.api import check
from gradtutor.base.errors import ExerciseError
from gradtutor.exercises.exercise import bundled_dir
from gradtutor.grading.batch import AS_WRITTEN_NOTE, check_file, check_files
from gradtutor.grading.catalog import validate
from gradtutor.kinds import AnyExercise, kind_of, load_exercise
from gradtutor.kinds.variants import MOSTLY_REJECTED, variant_for
from gradtutor.render.export import answer_key_yaml

WITH_VARIANTS = ["add-mul-gate", "x-plus-yz", "max-gate", "fan-out", "sigmoid-neuron",
                 "vectorized-norm", "vanishing-sigmoid-chain", "exploding-relu-chain",
                 "linear-layer", "mlp-mse", "nand-perceptron"]
STUDENTS = [f"s{index}" for index in range(200)]


def unfit_variants(ex: AnyExercise, students: list[str]) -> list[str]:
    """Each student whose variant cannot be drawn, or fails the guards (the distinguishing
    check of every catalogue mistake on every asked step among them), with the reason."""
    found = []
    for student in students:
        try:
            variant = variant_for(ex, student)
        except ExerciseError as error:
            found.append(f"{student}: {error.message}")
            continue
        reason = kind_of(variant).unfit(variant, ex)
        if reason:
            found.append(f"{student}: {reason}")
    return found


def test_every_listed_bundled_exercise_has_variants() -> None:
    with_block = sorted(path.stem for path in bundled_dir().glob("*.yaml")
                        if load_exercise(str(path)).variants is not None)
    assert with_block == sorted(WITH_VARIANTS)


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", WITH_VARIANTS)
def test_two_hundred_variants_pass_the_guards(exercise_id: str) -> None:
    ex = load_exercise(exercise_id)
    assert unfit_variants(ex, STUDENTS) == []
    drawn = {tuple(np.concatenate([np.ravel(v) for v in _drawn(variant_for(ex, s))]))
             for s in STUDENTS}
    assert len(drawn) >= 10  # students really get numbers of their own


def _drawn(variant: AnyExercise) -> list[np.ndarray]:
    spec = variant.variants
    assert spec is not None
    given = getattr(variant, "given", None)
    if given is not None:
        return [given[name] for name in spec.draws]
    rule = variant.rule  # type: ignore[attr-defined]
    return [np.array([float(v) for v in (*rule.initial, rule.rate)])]


BAD_DRAW = """\
id: bad-draws
title: "f = (x + y) z, badly drawn"
given:
  x: {choice: [2], default: -2}
  y: {integers: [1, 4], default: 5}
  z: {integers: [2, 5], default: -4}
graph:
  q: x + y
  f: q*z
output: f
ask: [q, f, dq/dx, dq/dy, df/dq, df/dz, df/dx, df/dy]
variants:
  seed: 3
  tries: 5
  require:
    - abs(q) >= 1
"""


def test_the_check_fails_on_a_bad_draw(tmp_path: Path) -> None:
    """With x = 2, adding dq/dx's local gradient to the upstream 1 gives x itself: two
    mistakes share a value on every draw, so every student is reported."""
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_DRAW)
    ex = load_exercise(str(path))
    found = unfit_variants(ex, STUDENTS[:3])
    assert len(found) == 3
    assert "no variant for student 's0' passed the guards" in found[0]
    assert "step dq/dx: the mistakes added-not-multiplied and forward-value-as-gradient" \
        in found[0]
    x_two = kind_of(ex).with_drawn(ex, {"x": np.array(2.0)}, "someone")
    assert "step dq/dx" in kind_of(ex).unfit(x_two, ex)


# sha256("{seed}:{student}") seeds PCG64: the same numbers on every machine and Python
PINNED = {
    ("add-mul-gate", "alice"): {"x": -3.0, "y": 0.0, "z": -3.0},
    ("max-gate", "bob"): {"x": 3.0, "y": -5.0, "z": 3.0, "w": -4.0},
    ("linear-layer", "carol"): {"X": [[-0.5, 0.5], [0.0, 2.0], [2.0, 2.0]],
                                "W": [[1.0, 0.5], [0.5, -0.5]], "b": [0.2, -0.2],
                                "G": [[0.1, 0.2], [-0.1, -0.2], [-0.2, -0.1]]},
    ("vanishing-sigmoid-chain", "dan"): {"x": 1.0, "y": 1.0, "w1": 0.3, "w2": 0.5,
                                         "w3": 0.8},
}


@pytest.mark.parametrize(("exercise_id", "student"), list(PINNED))
def test_bundled_variants_are_pinned_by_value(exercise_id: str, student: str) -> None:
    variant = variant_for(load_exercise(exercise_id), student)
    assert {name: variant.given[name].tolist()  # type: ignore[attr-defined]
            for name in PINNED[exercise_id, student]} == PINNED[exercise_id, student]


def test_a_pinned_variant_is_the_same_in_a_fresh_interpreter() -> None:
    code = ("from gradtutor.kinds import load_exercise; "
            "from gradtutor.kinds.variants import variant_for; "
            "v = variant_for(load_exercise('nand-perceptron'), 'erin'); "
            "print(*v.rule.initial, v.rule.rate)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "99", "PATH": ""})
    assert shown.stdout.split() == ["2", "-2", "-1", "1"]


def test_a_perceptron_variant_fills_its_description_and_is_graded_as_its_own(
        tmp_path: Path) -> None:
    ex = load_exercise("nand-perceptron")
    erin = variant_for(ex, "erin")
    assert "Start from w1 = 2, w2 = -2, b = -1 with learning rate 1." in erin.description
    assert "Start from w1 = 0, w2 = 0, b = 0 with learning rate 1." in ex.description
    key = answer_key_yaml(ex.id, ex.title, kind_of(erin).key(erin), "erin")
    own = tmp_path / "erin.yaml"
    own.write_text(key)
    assert check_file(ex, own).score == check_file(ex, own).max_score
    other = tmp_path / "frank.yaml"
    other.write_text(key.replace("student: erin", "student: frank"))
    assert check_file(ex, other).score < check_file(ex, other).max_score


def test_placeholders_take_the_students_numbers() -> None:
    ex = load_exercise("sigmoid-neuron")
    assert "e^-1 = 0.3679" in (ex.ask[1].hint or "")  # the notes' numbers by default
    variant = variant_for(ex, "alice")
    f6 = float(np.exp(-(variant.given["w0"] * variant.given["x0"]  # type: ignore[attr-defined]
                        + variant.given["w1"] * variant.given["x1"]  # type: ignore[attr-defined]
                        + variant.given["w2"])))  # type: ignore[attr-defined]
    assert f"= {f6:.4f}: keep four" in (variant.ask[1].hint or "")  # type: ignore[attr-defined]


# -- whose numbers: an answers file without `student:` ---------------------------------------

NO_STUDENT = "exercise: add-mul-gate\nanswers:\n  q: 3\n  f: -12\n"


def test_one_file_without_a_student_is_checked_on_the_numbers_as_written(
        tmp_path: Path) -> None:
    path = tmp_path / "zoe.yaml"
    path.write_text(NO_STUDENT)
    result = check("add-mul-gate", path)
    assert [s.verdict for s in result.steps[:2]] == ["correct", "correct"]
    assert AS_WRITTEN_NOTE in result.result.notes
    cli = subprocess.run([sys.executable, "-m", "gradtutor", "check", "add-mul-gate",
                          str(path), "--format", "plain"], capture_output=True, text=True)
    assert f"note: {AS_WRITTEN_NOTE}" in cli.stdout


def test_in_a_class_a_file_without_a_student_is_its_names_student(tmp_path: Path) -> None:
    ex = load_exercise("add-mul-gate")
    zoe = variant_for(ex, "zoe")
    key = answer_key_yaml(ex.id, ex.title, kind_of(zoe).key(zoe), "zoe")
    (tmp_path / "zoe.yaml").write_text(key.replace("student: zoe\n", ""))
    (tmp_path / "yann.yaml").write_text(NO_STUDENT)
    results = {Path(r.answers_file).stem: r for r in check_files(ex, sorted(tmp_path.iterdir()))}
    assert results["zoe"].score == results["zoe"].max_score
    assert AS_WRITTEN_NOTE not in results["zoe"].notes
    cli = subprocess.run([sys.executable, "-m", "gradtutor", "check", "add-mul-gate",
                          str(tmp_path / "zoe.yaml"), "--format", "csv"],
                         capture_output=True, text=True)  # one file alone: as written
    assert cli.returncode == 1
    folder = subprocess.run([sys.executable, "-m", "gradtutor", "check", "add-mul-gate",
                             str(tmp_path), "--format", "csv"], capture_output=True, text=True)
    assert "zoe.yaml,zoe,10," in folder.stdout.replace('"', "")


# -- validate: how many draws the guards reject ----------------------------------------------

NEARLY_NEVER = """\
id: nearly-never
title: nearly never
given:
  x: {integers: [1, 9], default: 9}
graph:
  f: x*3
variants:
  seed: 1
  require:
    - x > 8.5
"""


def test_validate_fails_when_the_guards_reject_nearly_every_draw(tmp_path: Path) -> None:
    path = tmp_path / "never.yaml"
    path.write_text(NEARLY_NEVER)
    result = validate(str(path))
    assert result.variants is not None and result.variants.share > MOSTLY_REJECTED
    [problem] = result.problems
    assert problem.field == "variants.require" and problem.line == 10
    assert "'x > 8.5' does not hold" in problem.message
    cli = subprocess.run([sys.executable, "-m", "gradtutor", "validate", str(path)],
                         capture_output=True, text=True)
    assert cli.returncode == 2
    assert f"{path}:10: variants.require: the guards reject" in cli.stderr


def test_validate_reports_the_rejected_draws() -> None:
    result = validate(str(bundled_dir() / "max-gate.yaml"))
    assert result.problems == [] and result.variants is not None
    assert result.variants.drawn == 100 and 0 < result.variants.rejected < 90
    assert (result.variants_line or "").startswith("variants: 100 draws, ")
    cli = subprocess.run([sys.executable, "-m", "gradtutor", "validate", "max-gate"],
                         capture_output=True, text=True)
    assert cli.returncode == 0 and "rejected by the guards" in cli.stdout
