"""`validate` warns when an exercise's numbers hide a mistake or confuse two of them."""

import json
from pathlib import Path

from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.kinds import load_exercise
from gradtutor.marking.distinguish import indistinguishable

TANH_AT_005 = """\
id: small-tanh
title: tanh at 0.05
given: {w: 0.5, x: 0.1}
graph:
  z: w*x
  a: tanh(z)
  L: 2*a
output: L
ask: [a, dL/da, dL/dz]
"""


def small_tanh(tmp_path: Path) -> Path:
    path = tmp_path / "small-tanh.yaml"
    path.write_text(TANH_AT_005)
    return path


def test_forgetting_tanh_prime_at_005_passes_and_is_reported(tmp_path: Path) -> None:
    found = indistinguishable(load_exercise(str(small_tanh(tmp_path))))
    passing = [(w.step, w.codes) for w in found if w.passes]
    assert ("dL/dz", ("local-gradient-missing",)) in passing


def test_two_mistakes_with_one_value_are_reported() -> None:
    path = Path(__file__).parent / "corpus" / "exercises" / "tanh-neuron.yaml"
    found = indistinguishable(load_exercise(str(path)))
    shared = [(w.step, w.codes) for w in found if not w.passes]
    assert ("dL/dz", ("activation-derivative-wrong-argument",
                      "activation-not-differentiated")) in shared


def test_validate_prints_the_warning_in_plain_and_json(tmp_path: Path) -> None:
    path = str(small_tanh(tmp_path))
    plain = CliRunner().invoke(app, ["validate", path])
    assert plain.exit_code == 0
    assert "warning: " in plain.stdout and "step dL/dz: the mistake local-gradient-missing" \
        in plain.stdout
    data = json.loads(CliRunner().invoke(app, ["validate", path, "--format", "json"]).stdout)
    assert any("local-gradient-missing" in w for w in data[0]["warnings"])


def test_an_exercise_with_distinct_mistakes_gets_no_warning() -> None:
    assert indistinguishable(load_exercise("sigmoid-neuron")) == []
