"""Identity and gradebooks: a blank `student:` is the file's name; `--roster` joins the class
list; `--format canvas` and `moodle` write CSVs those systems import. A 300-file class with
copies, one name on several files, broken files and a roster: every roster student and every
file appears exactly once."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from written import written_copy

from gradtutor.cli.app import app

runner = CliRunner()
GOOD = {"q": 3, "f": -12, "dq/dx": 1, "dq/dy": 1, "df/dq": -4, "df/dz": 3, "df/dx": -4,
        "df/dy": -4}


def answers(student: str, **changes: float) -> str:
    values = {**GOOD, **changes}
    lines = "".join(f"  {step}: {value}\n" for step, value in values.items())
    return f"exercise: add-mul-gate\nstudent: {student}\nanswers:\n{lines}"


def a_class(folder: Path, size: int) -> tuple[Path, Path]:
    """`size` files for a roster of `size` + 5 students: s0..; every 10th a copy of its
    neighbour, every 25th broken, every 30th claiming another student's name, one blank."""
    folder.mkdir()
    rows = ["id,name,email,section"]
    for index in range(size + 5):
        rows.append(f"s{index},Student {index},s{index}@uni.edu,S{index % 3}")
    for index in range(size):
        name = f"s{index}"
        if index % 25 == 24:
            text = "exercise: add-mul-gate\nanswers: [broken\n"
        elif index % 30 == 29:
            text = answers(f"s{index - 1}", q=index % 7)
        elif index % 10 == 9:
            text = answers(name, f=-12, q=2)
        else:
            text = answers(name, q=3 + (index % 4), f=-12 - (index % 3))
        (folder / f"{name}.yaml").write_text(text)
    (folder / "s0.yaml").write_text(answers("", q=5))  # blank name: the file's, s0
    roster = folder.parent / "roster.csv"
    roster.write_text("\n".join(rows) + "\n")
    return folder, roster


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (1, 2), result.output
    return result.stdout


def test_a_blank_student_is_the_files_name(tmp_path: Path) -> None:
    (tmp_path / "ada.yaml").write_text(answers(""))
    result = runner.invoke(app, ["check", "add-mul-gate", str(tmp_path / "ada.yaml"),
                                 "--format", "csv"])
    assert result.exit_code == 0
    assert list(csv.DictReader(io.StringIO(result.stdout)))[0]["student"] == "ada"


@pytest.mark.slow
def test_a_class_of_300_with_a_roster(tmp_path: Path) -> None:
    folder, roster = a_class(tmp_path / "class", 300)
    # the notes' numbers for every student: this test is about gradebooks, not variants
    exercise = written_copy("add-mul-gate", tmp_path / "exercise")
    files = {str(path) for path in folder.glob("*.yaml")}
    ids = {f"s{index}" for index in range(305)}
    summary = tmp_path / "summary.json"
    table = run("check", exercise, str(folder), "--format", "csv", "--roster",
                str(roster), "--summary", str(summary), "--jobs", "2")
    rows = list(csv.DictReader(io.StringIO(table)))
    graded_files = [row["answers_file"] for row in rows if row["answers_file"]]
    assert sorted(graded_files) == sorted(files)  # every file once
    roster_ids = [row["id"] for row in rows if row["id"]]
    assert sorted(roster_ids) == sorted(ids)  # every roster student once
    assert {row["id"] for row in rows if row["status"] == "no submission"} == \
        {f"s{index}" for index in range(300, 305)}

    data = json.loads(summary.read_text())
    assert data["files"] == 300 and data["checked"] == 300 - 12
    assert sorted(data["unreadable"]) == sorted(str(folder / f"s{i}.yaml")
                                                for i in range(24, 300, 25))
    assert any(len(group) > 1 for group in data["identical"])
    assert all(len(files) > 1 for files in data["same_name"].values()) and data["same_name"]

    listed = json.loads(run("check", exercise, str(folder), "--format", "json"))
    assert sorted(item["answers_file"] for item in listed) == sorted(files)

    canvas = list(csv.reader(io.StringIO(run("check", exercise, str(folder), "--format",
                                             "canvas", "--roster", str(roster)))))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "add-mul-gate"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][-1] == "10"
    assert sorted(row[2] for row in canvas[2:]) == sorted(ids)
    moodle = list(csv.reader(io.StringIO(run("check", exercise, str(folder), "--format",
                                             "moodle", "--roster", str(roster)))))
    assert moodle[0] == ["ID number", "Email address", "Full name", "add-mul-gate"]
    assert sorted(row[0] for row in moodle[1:]) == sorted(ids)
    by_id = {row[0]: row[3] for row in moodle[1:]}
    assert by_id["s12"] == "10" and by_id["s300"] == "" and by_id["s24"] == ""


def test_a_roster_without_a_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(answers("a"))
    roster = tmp_path / "roster.csv"
    roster.write_text("a,Ada\n")
    result = runner.invoke(app, ["check", "add-mul-gate", str(tmp_path / "a.yaml"),
                                 "--format", "canvas", "--roster", str(roster)])
    assert result.exit_code == 2
    assert "the first row names the columns" in result.output


def test_a_roster_field_over_the_csv_limit_is_one_message(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(answers("a"))
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nb,Bo\n" + "a" * 200_000 + ",x\n")
    result = runner.invoke(app, ["check", "add-mul-gate", str(tmp_path / "a.yaml"),
                                 "--roster", str(roster)])
    assert result.exit_code == 2, result.output
    assert f"--roster: {roster}:3: field larger than field limit" in result.output
