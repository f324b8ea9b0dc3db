"""Golden files: the output of every command, for every bundled exercise and sample, is
pinned byte for byte in tests/golden/. A change to one is deliberate: regenerate with
`python -m pytest tests/test_golden.py --regenerate-golden`, read the diff, and record
user-visible changes in CHANGELOG.md.

Commands run from the repository's root with relative paths, so that no output depends on
where the repository was checked out (plain output wraps long lines: a longer path would
move the breaks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = Path("exercises")  # relative to ROOT, where the commands run
GOLDEN = Path(__file__).resolve().parent / "golden"
IDS = sorted(path.stem for path in (ROOT / EXERCISES).glob("*.yaml"))
EXPRESSIONS = {
    "add-mul": ["(x+y)*z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4"],
    "program": ["q = x + y; f = q*z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4"],
    "norm": ["sum((W@x)**2)", "--at", "W=[[0.1,0.5],[-0.3,0.8]]", "--at", "x=[0.2,0.4]"],
    "kinks": ["max(x, y) + relu(z) + abs(w)", "--at", "x=1", "--at", "y=1", "--at", "z=0",
              "--at", "w=0"],
    "symbolic": ["sigmoid(w*x + b)"],
    "softmax": ["sum(softmax(v) * y)", "--at", "v=[1,2,3]", "--at", "y=[0,1,0]"],
}


def _cases() -> dict[str, list[str]]:
    cases: dict[str, list[str]] = {}
    for name, args in EXPRESSIONS.items():
        for fmt in ("json", "plain"):
            cases[f"solve-expr-{name}.{fmt}"] = ["solve", *args, "--format", fmt]
    for ex in IDS:
        sample = str(EXERCISES / "answers" / f"{ex}.yaml")
        for fmt in ("json", "plain", "yaml"):
            cases[f"solve-{ex}.{fmt}"] = ["solve", ex, "--format", fmt]
        for fmt in ("json", "plain", "markdown", "latex", "dot"):
            cases[f"explain-{ex}.{fmt}"] = ["explain", ex, "--format", fmt]
        cases[f"explain-{ex}-step1.json"] = ["explain", ex, "--step", "1", "--format", "json"]
        cases[f"explain-{ex}-step1-hint.plain"] = ["explain", ex, "--step", "1", "--hint",
                                                   "--format", "plain"]
        for fmt in ("json", "plain", "csv", "gradescope", "prairielearn"):
            cases[f"check-{ex}.{fmt}"] = ["check", ex, sample, "--format", fmt]
        cases[f"template-{ex}.yaml"] = ["template", ex]
        cases[f"validate-{ex}.json"] = ["validate", str(EXERCISES / f"{ex}.yaml"),
                                        "--format", "json"]
    cases["check-class.json"] = ["check", "sigmoid-neuron", str(EXERCISES / "answers"),
                                 "--format", "json"]
    cases["check-class.plain"] = ["check", "sigmoid-neuron", str(EXERCISES / "answers"),
                                  "--format", "plain"]
    cases["check-sigmoid-neuron-verdicts.dot"] = [
        "check", "sigmoid-neuron", str(EXERCISES / "answers" / "sigmoid-neuron.yaml"),
        "--format", "dot", "--feedback", "diagnosis"]
    cases["check-class.dot"] = ["check", "sigmoid-neuron", str(EXERCISES / "answers"),
                                "--format", "dot"]
    cases["check-class-jobs.csv"] = ["check", "add-mul-gate", str(EXERCISES / "answers"),
                                      "--format", "csv", "--jobs", "2"]
    variants = Path("tests") / "fixtures" / "variants"
    for fmt in ("json", "plain", "csv"):  # each student's numbers, and whose numbers match
        cases[f"check-variants-class.{fmt}"] = ["check", str(variants / "drawn-class.yaml"),
                                                str(variants / "class"), "--format", fmt]
    cases["template-variants-student.yaml"] = ["template", str(variants / "drawn-class.yaml"),
                                               "--student", "carol"]
    cases["list.json"] = ["list", "--format", "json"]
    cases["list.plain"] = ["list", "--format", "plain"]
    cases["validate-all.json"] = ["validate", str(EXERCISES), "--format", "json"]
    hostile = Path("tests") / "hostile"
    cases["validate-hostile.json"] = ["validate", str(hostile / "exercises"), "--format", "json"]
    # (against vectorized-norm: the sigmoid-neuron ones that run into time bounds are refused)
    cases["check-hostile.plain"] = ["check", "vectorized-norm", str(hostile / "answers"),
                                    "--format", "plain"]
    return cases


CASES = _cases()


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    text = result.stdout
    if result.stderr:
        text += "--- stderr ---\n" + result.stderr
    text = text.replace(str(ROOT), "<ROOT>")
    # timings are the only output that may differ between two runs
    text = re.sub(r'"execution_time": [0-9.e-]+', '"execution_time": 0', text)
    return f"exit {result.exit_code}\n{text}"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_pinned(name: str, request: pytest.FixtureRequest,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    got = _run(CASES[name])
    golden = GOLDEN / name
    if request.config.getoption("--regenerate-golden"):
        golden.write_text(got)
    assert golden.exists(), f"no golden file {golden.name}: run with --regenerate-golden"
    assert got == golden.read_text(), f"{name} changed; regenerate deliberately if meant"


def test_every_golden_file_has_a_case() -> None:
    stale = sorted(p.name for p in GOLDEN.iterdir()) if GOLDEN.exists() else []
    assert [name for name in stale if name not in CASES] == []
