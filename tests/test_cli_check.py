"""`check`, `list`, `template` and `validate` through the command line, with exact
expectations: exit statuses, key output, JSON parsed and compared."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "exercises" / "answers"
runner = CliRunner()

SPEC_STEP_KEYS = {"step", "verdict", "given", "expected", "score", "max_score", "diagnosis",
                  "message"}


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args))


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_all_correct_exits_0_and_a_mistake_exits_1(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", "exercise: add-mul-gate\nanswers:\n  q: 3\n  f: -12\n"
                 "  dq/dx: 1\n  dq/dy: 1\n  df/dq: -4\n  df/dz: 3\n  df/dx: -4\n  df/dy: -4\n")
    result = invoke("check", "add-mul-gate", str(good))
    assert result.exit_code == 0
    assert "score 10/10; 8 of 8 steps correct" in result.stdout
    result = invoke("check", "add-mul-gate", str(SAMPLES / "add-mul-gate.yaml"))
    assert result.exit_code == 1
    assert "wrong (local-gradient-only)" in result.stdout


def test_json_has_the_spec_keys() -> None:
    result = invoke("check", "sigmoid-neuron", str(SAMPLES / "sigmoid-neuron.yaml"),
                    "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["exercise"] == "sigmoid-neuron"
    assert data["answers_file"] == str(SAMPLES / "sigmoid-neuron.yaml")
    assert (data["score"], data["max_score"]) == (15.0, 17.0)
    assert all(set(step) >= SPEC_STEP_KEYS for step in data["steps"])
    by_step = {s["step"]: s for s in data["steps"]}
    assert by_step["f6"] == {
        "step": "f6", "verdict": "wrong", "given": 0.36, "expected": pytest.approx(0.3678794),
        "score": 0.0, "max_score": 1.0, "diagnosis": None, "message": "expected 0.367879",
        "hint": "e^-1 = 0.3679: keep four significant figures.", "line": 7}
    assert by_step["df8/df4"]["diagnosis"] == "rounded-early"
    assert by_step["df8/df3"]["verdict"] == "follow-through"
    assert by_step["df8/df3"]["origin"] == "df8/df4"


def test_many_files_one_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(SAMPLES / "max-gate.yaml", folder / f"{name}.yaml")
    write(folder / "broken.yaml", "exercise: max-gate\nanswers: [1, 2\n")
    result = invoke("check", "max-gate", str(folder), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [Path(d["answers_file"]).name for d in data] == ["a.yaml", "b.yaml", "broken.yaml",
                                                            "c.yaml"]
    broken = data[2]
    assert broken["steps"] == [] and "YAML syntax error" in broken["error"]
    assert all(d["score"] == 11 for d in data if "error" not in d)
    assert result.stderr.count("\n") == 1 and "broken.yaml:3: YAML syntax error" in result.stderr


def test_globs_and_the_class_summary(tmp_path: Path) -> None:
    for i in range(4):
        shutil.copy(SAMPLES / "vanishing-sigmoid-chain.yaml", tmp_path / f"s{i}.yaml")
    result = invoke("check", "vanishing-sigmoid-chain", str(tmp_path / "s*.yaml"),
                    "--format", "plain")
    assert result.exit_code == 1
    assert "class summary: 4 files, 4 checked" in result.stdout
    assert "activation-derivative-wrong-argument (4)" in result.stdout
    assert "dL/da2  0%       100%            dL/dz3 (4)" in result.stdout


def test_csv_has_a_row_per_student(tmp_path: Path) -> None:
    for name in ("ann", "bob"):
        shutil.copy(SAMPLES / "add-mul-gate.yaml", tmp_path / f"{name}.yaml")
    result = invoke("check", "add-mul-gate", str(tmp_path), "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["answers_file", "student", "score", "max_score", "q", "f", "dq/dx",
                       "dq/dy", "df/dq", "df/dz", "df/dx", "df/dy", "first_to_fix", "error",
                       "notes", "variant", "matches_numbers_of"]  # an exercise with variants
    assert len(rows) == 3
    assert rows[1][2:4] == ["5", "10"] and rows[1][-5] == "df/dx"


def test_gradescope_results(tmp_path: Path) -> None:
    result = invoke("check", "softmax", str(SAMPLES / "softmax.yaml"), "--format", "gradescope")
    data = json.loads(result.stdout)
    assert set(data) >= {"score", "output", "tests"}
    assert data["score"] == 3.0
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] == "visible"
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert [t["name"] for t in failed] == ["dL/dz"]
    assert "sign-flipped" in failed[0]["output"]
    broken = write(tmp_path / "broken.yaml", "\x00\x01")
    result = invoke("check", "softmax", str(broken), "--format", "gradescope")
    data = json.loads(result.stdout)
    assert data["score"] == 0 and data["tests"] == []
    assert "could not be read" in data["output"]


def test_prairielearn_results() -> None:
    result = invoke("check", "softmax", str(SAMPLES / "softmax.yaml"), "--format",
                    "prairielearn")
    data = json.loads(result.stdout)
    assert data["gradable"] is True
    assert data["score"] == pytest.approx(3 / 5)
    for test in data["tests"]:
        assert set(test) >= {"name", "points", "max_points", "message"}


def test_platform_formats_always_write_their_results(tmp_path: Path) -> None:
    empty = tmp_path / "submission"
    empty.mkdir()
    for files, found in (([], 0), ([SAMPLES / "softmax.yaml", SAMPLES / "max-gate.yaml"], 2)):
        for path in files:
            shutil.copy(path, empty / path.name)
        target = tmp_path / "results.json"
        result = invoke("check", "softmax", str(empty), "--format", "gradescope", "--output",
                        str(target))
        assert result.exit_code == 2
        data = json.loads(target.read_text())
        assert data["score"] == 0 and data["tests"] == []
        assert f"a submission holds one answers file (.yaml); found {found}" in data["output"]
        result = invoke("check", "softmax", str(empty), "--format", "prairielearn")
        assert json.loads(result.stdout)["gradable"] is False


def test_output_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "grades.json"
    target.write_text("old")
    result = invoke("check", "softmax", str(SAMPLES / "softmax.yaml"), "--format", "json",
                    "--output", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text())["exercise"] == "softmax"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.json"]
    result = invoke("check", "softmax", str(SAMPLES / "softmax.yaml"), "--output",
                    str(tmp_path / "missing" / "x.txt"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_answers_files_are_only_read(tmp_path: Path) -> None:
    answers = shutil.copy(SAMPLES / "mlp-mse.yaml", tmp_path / "a.yaml")
    before = (Path(answers).read_bytes(), Path(answers).stat().st_mtime_ns)
    invoke("check", "mlp-mse", str(answers))
    assert (Path(answers).read_bytes(), Path(answers).stat().st_mtime_ns) == before


def test_missing_files_and_no_files(tmp_path: Path) -> None:
    result = invoke("check", "softmax", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "nope.yaml" in result.stderr
    result = invoke("check", "softmax", str(tmp_path / "*.yaml"))
    assert result.exit_code == 2 and "no answers files found" in result.stderr


def test_list_json() -> None:
    result = invoke("list", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ids = [row["id"] for row in data]
    assert "sigmoid-neuron" in ids and "xor-perceptron" in ids
    assert all({"id", "title", "kind"} <= set(row) for row in data)
    assert {row["kind"] for row in data} == {"graph", "network", "perceptron"}


def test_template_is_a_blank_answers_file() -> None:
    result = invoke("template", "vectorized-norm")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# vectorized-norm: A vectorized example: f = ||W x||^2"
    assert "exercise: vectorized-norm" in lines
    assert "  df/dW:    # a 2x2 matrix: [[...], [...]]" in lines
    assert "  f:        # a number" in lines


def test_validate_reports_a_failing_self_test(tmp_path: Path) -> None:
    text = (ROOT / "exercises" / "add-mul-gate.yaml").read_text()
    bad = write(tmp_path / "bad-test.yaml", text + "\n  - answers: {q: 3}\n    score: 5\n")
    result = invoke("validate", str(bad))
    assert result.exit_code == 1
    assert "expected score 5, got 1" in result.stderr


def test_validate_json_lists_every_file_with_its_problems_and_self_tests(
        tmp_path: Path) -> None:
    text = (ROOT / "exercises" / "add-mul-gate.yaml").read_text()
    broken = write(tmp_path / "broken.yaml", text.replace("  f: q*z", "  f: q*zz"))
    result = invoke("validate", str(ROOT / "exercises" / "add-mul-gate.yaml"), str(broken),
                    "--format", "json")
    assert result.exit_code == 2
    good, bad = json.loads(result.stdout)
    assert (good["exercise"], good["status"], good["problems"]) == ("add-mul-gate", 0, [])
    assert len(good["tests"]) == 3 and all(test["passed"] for test in good["tests"])
    assert (bad["exercise"], bad["status"], bad["tests"]) == (None, 2, [])
    [problem] = bad["problems"]
    line = text.splitlines().index("  f: q*z") + 1
    assert (problem["file"], problem["line"], problem["field"]) == (str(broken), line, "graph.f")
    assert "'zz'" in problem["message"]


def test_validate_prints_a_file_s_problems_as_one_message(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "id: bad\ntitle: t\ngiven: {x: 1}\ngraph:\n"
                "  f: x + zz\n  g: f * qq\n")
    result = invoke("validate", str(bad))
    assert result.exit_code == 2
    first, second = result.stderr.splitlines()
    assert first.startswith(f"error: {bad}:5: graph.f: undefined name 'zz'")
    assert second.startswith(f"       {bad}:6: graph.g: undefined name 'qq'")


def test_validate_json_reports_a_failing_self_test(tmp_path: Path) -> None:
    text = (ROOT / "exercises" / "add-mul-gate.yaml").read_text()
    bad = write(tmp_path / "bad-test.yaml", text + "\n  - answers: {q: 3}\n    score: 5\n")
    result = invoke("validate", str(bad), "--format", "json")
    assert result.exit_code == 1
    [report] = json.loads(result.stdout)
    failed = [test for test in report["tests"] if not test["passed"]]
    assert [(t["expected_score"], t["score"]) for t in failed] == [(5.0, 1.0)]


def test_help_has_examples() -> None:
    for command in ("solve", "check", "list", "template", "validate"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, command
    assert "relu'(0) = 0" in invoke("--help").stdout


@pytest.mark.parametrize("sample", sorted(p.stem for p in SAMPLES.glob("*.yaml")))
def test_platform_results_from_every_bundled_sample(sample: str) -> None:
    gradescope = json.loads(invoke("check", sample, str(SAMPLES / f"{sample}.yaml"),
                                   "--format", "gradescope").stdout)
    assert isinstance(gradescope["score"], float) and isinstance(gradescope["output"], str)
    assert gradescope["tests"]
    for test in gradescope["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert 0 <= test["score"] <= test["max_score"]
    assert gradescope["score"] == pytest.approx(sum(t["score"] for t in gradescope["tests"]))
    prairie = json.loads(invoke("check", sample, str(SAMPLES / f"{sample}.yaml"),
                                "--format", "prairielearn").stdout)
    assert prairie["gradable"] is True and 0 <= prairie["score"] <= 1
    for test in prairie["tests"]:
        assert {"name", "points", "max_points", "message"} <= set(test)
    total = sum(t["max_points"] for t in prairie["tests"])
    assert prairie["score"] == pytest.approx(sum(t["points"] for t in prairie["tests"]) / total)


def test_a_numeric_check_loads_only_what_it_draws() -> None:
    """Start-up is most of a check's time: no sympy, worker pool, walkthrough, solver,
    perceptron or LaTeX modules for a numeric graph exercise checked as plain text."""
    import subprocess
    import sys

    sample = str(SAMPLES / "sigmoid-neuron.yaml")
    code = ("import sys; from typer.testing import CliRunner; from gradtutor.cli.app import app; "
            f"r = CliRunner().invoke(app, ['check', 'sigmoid-neuron', {sample!r}, '--format', "
            "'plain']); print(r.stdout.splitlines()[-1]); print(*sorted(sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    score, loaded_line = result.stdout.splitlines()[-2:]
    assert score.startswith("score 15/17"), result.stderr
    loaded = set(loaded_line.split())
    assert "gradtutor.render.plain" in loaded and "gradtutor.marking.check" in loaded
    unwanted = {"sympy", "multiprocessing", "gradtutor.walkthrough", "gradtutor.engine.solve",
                "gradtutor.exercises.perceptron", "gradtutor.render.latex", "rich"}
    assert sorted(unwanted & loaded) == []
