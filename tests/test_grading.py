"""Grading a class: finding the files, workers, interruption, and the class summary."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.grading import batch as grading
from gradtutor.grading.batch import answer_files, check_file, check_files, summarize
from gradtutor.kinds import load_exercise

SAMPLES = Path(__file__).resolve().parent.parent / "exercises" / "answers"
runner = CliRunner()


def make_class(folder: Path, count: int) -> list[Path]:
    """`count` answers files: the sample and the answer key, alternately (the key under the
    sample's name, graded on the numbers as written: in a class, `student: answer-key` is
    its file name's student)."""
    key = runner.invoke(app, ["solve", "vanishing-sigmoid-chain", "--format", "yaml"]).stdout
    key = key.replace("student: answer-key", "student: sample-notes-002")
    paths = []
    for index in range(count):
        path = folder / f"s{index:02d}.yaml"
        if index % 2:
            path.write_text(key)
        else:
            shutil.copy(SAMPLES / "vanishing-sigmoid-chain.yaml", path)
        paths.append(path)
    return paths


def test_answer_files_from_folders_globs_and_names(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.yaml", "b.yml", "sub/c.yaml", "notes.txt"):
        (tmp_path / name).write_text("answers: {}\n")
    assert [p.name for p in answer_files([str(tmp_path)])] == ["a.yaml", "b.yml", "c.yaml"]
    assert [p.name for p in answer_files([str(tmp_path / "*.yaml")])] == ["a.yaml"]
    named = answer_files([str(tmp_path / "a.yaml"), str(tmp_path / "a.yaml")])
    assert [p.name for p in named] == ["a.yaml"]


def test_workers_give_the_same_results_as_one_process(tmp_path: Path) -> None:
    paths = make_class(tmp_path, 20)
    ex = load_exercise("vanishing-sigmoid-chain")
    alone = list(check_files(ex, paths, jobs=1))
    together = list(check_files(ex, paths, jobs=2, exercise_target="vanishing-sigmoid-chain"))
    assert [r.answers_file for r in together] == [str(p) for p in paths]
    assert [(r.score, [s.verdict for s in r.steps]) for r in alone] == \
        [(r.score, [s.verdict for s in r.steps]) for r in together]


def test_ctrl_c_reports_the_files_already_checked(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_class(tmp_path, 5)
    real = grading.check_file
    seen = []

    def interrupted_after_two(ex: object, path: object, **options: bool) -> object:
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(path)
        return real(ex, path, **options)

    monkeypatch.setattr(grading, "check_file", interrupted_after_two)
    result = runner.invoke(app, ["check", "vanishing-sigmoid-chain", str(tmp_path),
                                 "--format", "json", "--jobs", "1"])
    assert result.exit_code == 130
    data = json.loads(result.stdout)
    assert [Path(d["answers_file"]).name for d in data] == [p.name for p in paths[:2]]
    assert "interrupted: 2 of 5 files checked" in result.stderr


def test_class_summary(tmp_path: Path) -> None:
    paths = make_class(tmp_path, 6)
    (tmp_path / "broken.yaml").write_text("answers: [\n")
    ex = load_exercise("vanishing-sigmoid-chain")
    results = [check_file(ex, p) for p in [*paths, tmp_path / "broken.yaml"]]
    summary = summarize(results)
    assert (summary.files, summary.checked) == (7, 6)
    assert summary.unreadable == [str(tmp_path / "broken.yaml")]
    assert summary.max_score == 18
    assert sorted(summary.scores) == [16, 16, 16, 18, 18, 18]
    assert (summary.mean, summary.median, summary.lowest, summary.highest) == (17, 17, 16, 18)
    assert sum(count for _, count in summary.histogram) == 6
    steps = {s.step: s for s in summary.steps}
    assert steps["dL/dz3"].share_correct == 0.5
    assert (steps["dL/dz3"].common_diagnosis, steps["dL/dz3"].diagnosis_count) == \
        ("activation-derivative-wrong-argument", 3)
    assert steps["dL/da2"].share_follow_through == 0.5
    assert steps["z1"].share_correct == 1.0


def test_links_inside_a_submission_are_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "submission"
    (folder / "deep").mkdir(parents=True)
    shutil.copy(SAMPLES / "softmax.yaml", folder / "deep" / "mine.yaml")
    (folder / "key.yaml").symlink_to(SAMPLES / "max-gate.yaml")
    (folder / "linked").symlink_to(SAMPLES)
    assert [p.name for p in answer_files([str(folder)])] == ["mine.yaml"]
    assert [p.name for p in answer_files([str(folder / "*.yaml")])] == []
    # a link named on the command line is the user's own choice, and is read
    assert answer_files([str(folder / "key.yaml")]) == [folder / "key.yaml"]
