"""The class summary an instructor acts on: every diagnosis per step, where follow-through
came from, the first step to fix, unexplained wrong values many wrote, copies and names
claimed twice; in the report and as JSON (`--summary FILE.json`)."""

import json
from pathlib import Path

from typer.testing import CliRunner
from written import written_copy

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "exercises" / "answers" / "sigmoid-neuron.yaml").read_text()
runner = CliRunner()


def a_class(folder: Path) -> Path:
    """Two copies of the sample, two files claiming 'zed' (one with f4 doubled), a blank."""
    folder.mkdir()
    (folder / "a.yaml").write_text(SAMPLE)
    (folder / "b.yaml").write_text(SAMPLE)
    zed = SAMPLE.replace("f6: 0.36", "f6: 0.5").replace("sample-notes-002", "zed")
    (folder / "d.yaml").write_text(zed)
    (folder / "e.yaml").write_text(zed.replace("f4: 1", "f4: 2"))
    (folder / "c.yaml").write_text("exercise: sigmoid-neuron\nstudent:\nanswers:\n  f4:\n")
    return folder


def test_the_summary_says_what_to_reteach(tmp_path: Path) -> None:
    folder = a_class(tmp_path / "class")
    target = tmp_path / "summary.json"
    exercise = written_copy("sigmoid-neuron", tmp_path / "exercise")  # zed's numbers too
    result = runner.invoke(app, ["check", exercise, str(folder), "--format", "plain",
                                 "--summary", str(target)])
    assert result.exit_code == 1
    report = result.stdout
    assert "f6: 2 students wrote 0.36: no diagnosis explains it" in report
    assert "f6: 2 students wrote 0.5: no diagnosis explains it" in report
    assert f"identical answers: {folder / 'a.yaml'}, {folder / 'b.yaml'}" in report
    assert f"one name, 2 files: zed: {folder / 'd.yaml'}, {folder / 'e.yaml'}" in report
    data = json.loads(target.read_text())
    assert data["first_to_fix"] == {"f6": 3, "f4": 2}
    steps = {step["step"]: step for step in data["steps"]}
    assert steps["df8/df3"]["origins"] == {"df8/df4": 3, "f4": 1}
    assert steps["f4"]["diagnoses"] == {"factor-of-two": 1}
    assert steps["df8/df4"]["diagnoses"] == {"rounded-early": 4}
    assert data["identical"] == [[str(folder / "a.yaml"), str(folder / "b.yaml")]]
    assert set(data["same_name"]) == {"sample-notes-002", "zed"}


def test_a_plain_summary_file(tmp_path: Path) -> None:
    folder = a_class(tmp_path / "class")
    target = tmp_path / "summary.txt"
    exercise = written_copy("sigmoid-neuron", tmp_path / "exercise")
    result = runner.invoke(app, ["check", exercise, str(folder), "--format", "csv",
                                 "--summary", str(target)])
    assert result.exit_code == 1
    text = target.read_text()
    assert text.startswith("class summary: 5 files, 5 checked")
    assert "first step to fix (students):" in text
