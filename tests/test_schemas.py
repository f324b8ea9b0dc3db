"""The JSON Schemas in docs/schemas/ are the published contract of every JSON output and of
exercise and answers files: every golden output of each kind, every bundled exercise and
sample answers file validates, and each schema is strict enough to refuse a wrong type or a
missing required field."""

from __future__ import annotations

import copy
import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.exercises.answers import TOP_KEYS
from gradtutor.exercises.exercise import ASK_KEYS, GRAPH_KEYS
from gradtutor.exercises.network import LAYER_KEYS, NETWORK_KEYS
from gradtutor.exercises.perceptron.loading import PERCEPTRON_KEYS
from gradtutor.exercises.variants import DRAW_KEYS, VARIANT_KEYS

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
GOLDEN = ROOT / "tests" / "golden"
EXERCISES = ROOT / "exercises"

# golden file pattern -> its schema, first match wins; every golden JSON output needs one
SCHEMA_OF = [
    ("solve-expr-*.json", "solve-expression"),
    ("solve-*.json", "solve-exercise"),
    ("check-*.json", "check"),
    ("explain-*.json", "explain"),
    ("list.json", "list"),
    ("validate-*.json", "validate"),
    ("*.gradescope", "gradescope-results"),
    ("*.prairielearn", "prairielearn-results"),
    ("solve-*.yaml", "answers"),
    ("template-*.yaml", "answers"),
]
JSON_SUFFIXES = (".json", ".gradescope", ".prairielearn")


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def schema_of(golden: Path) -> str | None:
    return next((name for pattern, name in SCHEMA_OF if fnmatch.fnmatch(golden.name, pattern)),
                None)


def golden_output(golden: Path) -> Any:
    """The stdout a golden file pins: without its `exit N` line and its stderr."""
    text = golden.read_text(encoding="utf-8").split("\n", 1)[1]
    text = text.split("--- stderr ---\n", 1)[0]
    return yaml.safe_load(text) if golden.suffix == ".yaml" else json.loads(text)


def problems(name: str, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(name).iter_errors(document)]


GOLDEN_FILES = sorted(p for p in GOLDEN.iterdir() if schema_of(p) is not None)


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        Draft202012Validator.check_schema(schema)


def test_every_golden_json_output_has_a_schema() -> None:
    outputs = [p.name for p in GOLDEN.iterdir() if p.suffix in JSON_SUFFIXES]
    lacking = [name for name in outputs if schema_of(GOLDEN / name) is None]
    assert not lacking, (f"golden JSON outputs with no schema: {lacking}; add one in "
                         "docs/schemas/ and a line in SCHEMA_OF")


@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda p: p.name)
def test_golden_output_validates(golden: Path) -> None:
    name = schema_of(golden)
    assert name is not None
    assert problems(name, golden_output(golden)) == []


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_exercise_validates(path: Path) -> None:
    assert problems("exercise", yaml.safe_load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", sorted((EXERCISES / "answers").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_sample_answers_file_validates(path: Path) -> None:
    assert problems("answers", yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_class_summary_validates(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    sample = (EXERCISES / "answers" / "add-mul-gate.yaml").read_text(encoding="utf-8")
    for student in ("ada", "alan"):
        (tmp_path / f"{student}.yaml").write_text(sample, encoding="utf-8")
    (tmp_path / "bob.yaml").write_text("exercise: add-mul-gate\nanswers:\n  q: 3\n",
                                       encoding="utf-8")
    args = ["check", "add-mul-gate", str(tmp_path), "--format", "json", "--summary",
            str(summary)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert problems("check", json.loads(result.stdout)) == []
    assert problems("class-summary", json.loads(summary.read_text(encoding="utf-8"))) == []


def _sample(name: str) -> Any:
    """A document that validates against the schema `name`."""
    golden = next(p for p in GOLDEN_FILES if schema_of(p) == name)
    return golden_output(golden)


def _first_object(document: Any) -> dict[str, Any]:
    return document[0] if isinstance(document, list) else document


# schema -> (a required key to delete, a key to give the wrong type), in its first object
MUTATIONS = {
    "solve-expression": ("nodes", "output"),
    "solve-exercise": ("steps", "title"),
    "check": ("steps", "score"),
    "explain": ("nodes", "title"),
    "list": ("id", "steps"),
    "validate": ("status", "problems"),
    "gradescope-results": ("tests", "score"),
    "prairielearn-results": ("gradable", "score"),
    "answers": ("answers", "exercise"),
}


def test_every_schema_has_a_strictness_test() -> None:
    assert set(MUTATIONS) == {name for _, name in SCHEMA_OF}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_missing_required_field_or_a_wrong_type_fails(name: str) -> None:
    sample = _sample(name)
    assert problems(name, sample) == []
    required, typed = MUTATIONS[name]
    missing = copy.deepcopy(sample)
    del _first_object(missing)[required]
    assert problems(name, missing), f"{name}: no error without {required}"
    wrong = copy.deepcopy(sample)
    _first_object(wrong)[typed] = {"not": "this"}
    assert problems(name, wrong), f"{name}: no error with {typed} an object"


def test_exercise_and_answers_files_refuse_an_unknown_key() -> None:
    exercise = yaml.safe_load((EXERCISES / "add-mul-gate.yaml").read_text(encoding="utf-8"))
    assert problems("exercise", {**exercise, "graf": {}})
    assert problems("exercise", {**exercise, "ask": [{"step": "f", "point": 2}]})
    perceptron = yaml.safe_load((EXERCISES / "and-perceptron.yaml").read_text(encoding="utf-8"))
    assert problems("exercise", {**perceptron, "graph": {"f": "x"}})
    assert problems("answers", {"exercise": "x", "answer": {}})


def _properties(*path: str) -> set[str]:
    schema = validator("exercise").schema["$defs"]
    for key in path:
        schema = schema[key]
    return set(schema["properties"])


def test_the_exercise_schema_names_every_key_the_loader_reads_and_no_other() -> None:
    assert _properties("graph") == set(GRAPH_KEYS)
    assert _properties("perceptron") == set(PERCEPTRON_KEYS)
    assert set(validator("exercise").schema["$defs"]["ask"]["anyOf"][1]["properties"]) == \
        set(ASK_KEYS)
    assert _properties("graph", "properties", "network") == set(NETWORK_KEYS)
    network = validator("exercise").schema["$defs"]["graph"]["properties"]["network"]
    assert set(network["properties"]["layers"]["items"]["properties"]) == set(LAYER_KEYS)
    assert _properties("graph", "properties", "variants") == set(VARIANT_KEYS)
    assert _properties("draw") == set(DRAW_KEYS)
    assert set(validator("answers").schema["properties"]) == set(TOP_KEYS)


def test_the_python_api_results_validate_as_their_commands_output() -> None:
    import gradtutor as gt

    sample = str(EXERCISES / "answers" / "sigmoid-neuron.yaml")
    results = {
        "solve-expression": [gt.solve("sum((W@x)**2)", W=[[0.1, 0.5], [-0.3, 0.8]],
                                      x=[0.2, 0.4]), gt.solve("sigmoid(w*x + b)")],
        "solve-exercise": [gt.solve("mlp-mse"), gt.solve("xor-perceptron")],
        "check": [gt.check("sigmoid-neuron", sample), gt.check("sigmoid-neuron", {"f8": 0.73})],
        "explain": [gt.explain("linear-layer", step=3), gt.explain("and-perceptron")],
    }
    for name, found in results.items():
        for result in found:
            assert problems(name, json.loads(json.dumps(result.to_dict()))) == []
