"""Per-student variants across a class: whose numbers a file matches, placeholders at a
student's numbers, each student's template and handout, the roster's and the platform's
identity choosing the variant."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gradtutor as gt
from gradtutor.base.errors import GradtutorError
from gradtutor.cli import graders
from gradtutor.cli.app import app
from gradtutor.grading import othernumbers
from gradtutor.grading.batch import check_file, summarize
from gradtutor.grading.feedback import redact
from gradtutor.grading.handouts import file_stems
from gradtutor.grading.othernumbers import flag_other_numbers
from gradtutor.grading.roster import read_roster, variant_keys
from gradtutor.kinds import kind_of, load_exercise
from gradtutor.kinds.variants import variant_for
from gradtutor.marking.results import AS_WRITTEN
from gradtutor.render import draw, export

runner = CliRunner()

EXERCISE = """\
id: drawn-class
title: "f = (x + y) z, each student's own"
description: |
  Compute $f = (x + y) z$ at $x = {x}$, $y = {y}$, $z = {z:.1f}$, then $e^{x}$ is not asked.
given:
  x: {integers: [-5, 5], default: -2}
  y: {integers: [-5, 5], default: 5}
  z: {uniform: [-4, 4], step: 0.5, default: -4}
graph:
  q: x + y
  f: q*z
output: f
ask:
  - q
  - f
  - step: df/dx
    hint: "the upstream gradient times dq/dx, at z = {z}"
  - df/dy
  - df/dz
variants:
  seed: 11
  tries: 100
  require:
    - abs(x + y) >= 1
    - abs(z) >= 1
"""


@pytest.fixture
def exercise_file(tmp_path: Path) -> Path:
    path = tmp_path / "drawn-class.yaml"
    path.write_text(EXERCISE)
    return path


def key_file(ex: object, folder: Path, numbers_of: str, student: str) -> Path:
    """An answers file for `student` holding the full key of `numbers_of`'s variant."""
    mine = variant_for(ex, numbers_of)  # type: ignore[arg-type]
    text = export.answer_key_yaml(mine.id, mine.title, kind_of(mine).key(mine), student)
    path = folder / f"{student}.yaml"
    path.write_text(text)
    return path


# -- whose numbers ---------------------------------------------------------------------------


def test_a_file_with_another_students_key_is_flagged(exercise_file: Path,
                                                     tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    files = [key_file(ex, tmp_path, "alice", "alice"), key_file(ex, tmp_path, "bob", "bob"),
             key_file(ex, tmp_path, "bob", "carol")]
    results = flag_other_numbers(ex, [check_file(ex, path) for path in files])
    assert [r.other_numbers is None for r in results] == [True, True, False]
    found = results[2].other_numbers
    assert found is not None and found.who == "bob" and found.matched == 5
    assert found.own < found.matched and found.steps == 5
    assert found.line.startswith("matches bob's numbers (5 of 5 steps), not its own")
    assert "bob" not in found.advice  # what a student reads names nobody
    # bob's key earns carol nothing where it is bob's and not hers (no follow-through)
    assert [r.score for r in results] == [5, 5, found.own]  # only where the keys agree
    assert {s.message for s in results[2].steps if s.verdict != "correct"} == {
        "worked on another student's numbers, not yours: work it from your own given values"}


def test_a_key_copied_with_slips_keeps_the_steps_that_are_not_the_keys(
        exercise_file: Path, tmp_path: Path) -> None:
    """Only the steps equal to the other key are taken back; a slip of one's own is judged
    as it was (here: a wrong value of neither key stays wrong, with its own message)."""
    ex = load_exercise(str(exercise_file))
    path = key_file(ex, tmp_path, "bob", "carol")
    text = path.read_text().splitlines()
    first = next(i for i, line in enumerate(text) if line.startswith("  "))
    text[first] = text[first].split(":")[0] + ": 123456"
    path.write_text("\n".join(text) + "\n")
    [result] = flag_other_numbers(ex, [check_file(ex, path)], ["bob"])
    assert result.other_numbers is not None and result.other_numbers.matched == 4
    assert result.score == result.other_numbers.own
    assert result.steps[0].verdict == "wrong" and "not yours" not in result.steps[0].message
    assert all("not yours" in s.message for s in result.steps[1:] if s.verdict != "correct")


def test_the_numbers_as_written_are_one_of_the_variants(exercise_file: Path,
                                                        tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    copied = key_file(ex, tmp_path, AS_WRITTEN, "dora")  # `solve` prints this key to anyone
    [result] = flag_other_numbers(ex, [check_file(ex, copied)])
    assert result.other_numbers is not None and result.other_numbers.who == AS_WRITTEN
    assert "the numbers as written" in result.other_numbers.line
    assert result.score == 0 and result.max_score == 5


def test_a_students_own_key_or_honest_slips_are_not_flagged(exercise_file: Path,
                                                            tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    own = key_file(ex, tmp_path, "erin", "erin")
    text = own.read_text().splitlines()
    slipped = [line if not line.startswith("  f:") else "  f: 1234" for line in text]
    (tmp_path / "erin.yaml").write_text("\n".join(slipped) + "\n")
    blank = tmp_path / "frank.yaml"
    blank.write_text("exercise: drawn-class\nstudent: frank\nanswers: {}\n")
    results = flag_other_numbers(ex, [check_file(ex, own), check_file(ex, blank),
                                      check_file(ex, key_file(ex, tmp_path, "gus", "gus"))])
    assert [r.other_numbers for r in results] == [None, None, None]


PLAIN = """\
id: plain-add-mul
title: f = (x + y) z
given: {x: -2, y: 5, z: -4}
graph: {q: x + y, f: q*z}
output: f
"""


def test_an_exercise_without_variants_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "plain.yaml").write_text(PLAIN)
    ex = load_exercise(str(tmp_path / "plain.yaml"))
    answers = tmp_path / "a.yaml"
    answers.write_text("exercise: plain-add-mul\nanswers: {q: 3}\n")
    results = [check_file(ex, answers)]
    assert flag_other_numbers(ex, results) is results
    assert results[0].variant is None
    assert "variant" not in export.file_data(results[0])


def test_matching_looks_up_each_answer_instead_of_every_pair(
        exercise_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """n files are matched with a window around each answer: the tolerance is asked about
    the few variants near it, not about all n of them (n² comparisons)."""
    ex = load_exercise(str(exercise_file))
    count = 120
    results = [check_file(ex, key_file(ex, tmp_path, f"s{i}", f"s{i}")) for i in range(count)]
    calls = []
    real = othernumbers.close

    def counted(*args: object, **options: object) -> bool:
        calls.append(1)
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(othernumbers, "close", counted)
    flag_other_numbers(ex, results)
    assert 0 < len(calls) < count * 5 * count / 4  # integer draws collide, but not all


def test_whose_numbers_in_every_format(exercise_file: Path, tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    files = [key_file(ex, tmp_path, "bob", "bob"), key_file(ex, tmp_path, "bob", "carol")]
    results = flag_other_numbers(ex, [check_file(ex, path) for path in files])
    data = export.file_data(results[1])
    assert data["variant"] == "carol"
    assert data["other_numbers"]["student"] == "bob"
    assert export.file_data(results[0])["other_numbers"] is None
    assert "matches bob's numbers" in draw.render(results[1], "plain")
    rows = export.check_csv(results).splitlines()
    assert rows[0].endswith(",variant,matches_numbers_of")
    assert rows[2].endswith(",carol,bob") and rows[1].endswith(",bob,")
    for platform in (export.gradescope(results[1]), export.prairielearn(results[1])):
        text = json.dumps(platform)
        assert "another student's numbers" in text and "bob" not in text
    hidden = redact(results[1], "diagnosis")  # below full feedback, nobody is named
    assert export.file_data(hidden)["other_numbers"]["student"] is None
    assert "match another student's numbers better" in draw.render(hidden, "plain")
    assert export.check_csv([hidden]).splitlines()[1].endswith(",carol,another student")
    summary = summarize(results)
    assert summary.other_numbers == {str(files[1]): "bob's numbers"}
    assert export.summary_data(summary)["other_numbers"] == {str(files[1]): "bob's numbers"}
    assert "other_numbers" not in export.summary_data(summarize(results[:1]))


def test_the_api_flags_a_class(exercise_file: Path, tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    key_file(ex, tmp_path, "bob", "bob")
    key_file(ex, tmp_path, "bob", "carol")
    checked = gt.check_files(str(exercise_file), [str(tmp_path / "bob.yaml"),
                                                  str(tmp_path / "carol.yaml")])
    assert [r.other_numbers.who if r.other_numbers else None for r in checked.results] == \
        [None, "bob"]
    assert checked.to_dict()[1]["other_numbers"]["student"] == "bob"


# -- the roster's identity -----------------------------------------------------------------


def test_the_roster_says_whose_numbers_a_file_gets(exercise_file: Path,
                                                   tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\na1,Ada,ada@uni.edu\nb2,Ben,\n")
    keys = variant_keys(read_roster(roster))
    assert keys == {"a1": "ada@uni.edu", "ada": "ada@uni.edu", "ada@uni.edu": "ada@uni.edu",
                    "b2": "b2", "ben": "b2"}
    ex = load_exercise(str(exercise_file))
    path = key_file(ex, tmp_path, "ada@uni.edu", "a1")  # named by the submission system
    path.write_text(path.read_text().replace("student: a1", "student: Ada"))
    assert check_file(ex, path).variant == "Ada"  # without the roster: the name written
    result = check_file(ex, path, roster_keys=keys)
    assert result.variant == "ada@uni.edu" and result.score == result.max_score


# -- placeholders ----------------------------------------------------------------------------


def test_placeholders_are_filled_at_each_students_numbers(exercise_file: Path) -> None:
    ex = load_exercise(str(exercise_file))
    assert "$x = -2$, $y = 5$, $z = -4.0$" in ex.description  # the defaults
    alice = variant_for(ex, "alice")  # type: ignore[arg-type]
    x, z = float(alice.given["x"]), float(alice.given["z"])
    assert f"$x = {x:g}$" in alice.description and f"$z = {z:.1f}$" in alice.description
    assert alice.ask[2].hint == f"the upstream gradient times dq/dx, at z = {z:g}"


# -- each student's template and handout ---------------------------------------------------


def test_the_template_of_a_student_is_at_her_numbers(exercise_file: Path) -> None:
    ex = load_exercise(str(exercise_file))
    alice = variant_for(ex, "alice")  # type: ignore[arg-type]
    text = gt.template(str(exercise_file), student="alice")
    assert f"$x = {float(alice.given['x']):g}$" in text
    assert "Your own numbers (alice); answer with these:" in text
    assert "student: alice" in text
    assert "Your own numbers" not in gt.template(ex)  # no student: the defaults
    assert f"gradtutor check {exercise_file} THIS_FILE" in text  # the file, not its id
    with pytest.raises(GradtutorError, match="no 'variants:'"):
        gt.template("softmax", student="alice")


def test_variants_writes_a_template_and_a_handout_per_student(exercise_file: Path,
                                                             tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,id\nAlice,alice@uni.edu,a1\nBob,,b/2\nBob2,,b 2\n")
    seen: list[tuple[int, int, str]] = []
    written = gt.variants(str(exercise_file), roster, tmp_path / "out",
                          progress=lambda done, total, who: seen.append((done, total, who)))
    assert seen == [(1, 3, "alice@uni.edu"), (2, 3, "b/2"), (3, 3, "b 2")]
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["alice@uni.edu.md", "alice@uni.edu.yaml", "b_2-2.md", "b_2-2.yaml",
                     "b_2.md", "b_2.yaml"]
    template, handout = written.files["alice@uni.edu"]
    assert template.read_text() == gt.template(str(exercise_file), student="alice@uni.edu")
    sheet = handout.read_text()
    alice = variant_for(load_exercise(str(exercise_file)), "alice@uni.edu")  # type: ignore
    assert f"$x = {float(alice.given['x']):g}$" in sheet
    assert "gradtutor check" in sheet and "alice@uni.edu.yaml" in sheet
    # her template, filled with her key, is full marks for her
    key = kind_of(alice).key(alice)
    filled = template.read_text()
    for step, value in key.items():
        filled = filled.replace(f"  {step}:", f"  {step}: {float(value)!r} #", 1)
    template.write_text(filled)
    result = gt.check(str(exercise_file), template)
    assert result.score == result.max_score
    assert written.to_dict()["students"][0]["student"] == "alice@uni.edu"


def test_variants_refuses_clearly(exercise_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("section,phone\nA,123\n")
    with pytest.raises(GradtutorError, match="id, name, email"):
        gt.variants(str(exercise_file), bad, tmp_path / "out")
    with pytest.raises(GradtutorError, match="no 'variants:'"):
        gt.variants("softmax", ["alice"], tmp_path / "out")
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(GradtutorError, match="cannot make the folder"):
        gt.variants(str(exercise_file), ["alice"], blocked / "out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_a_clear_error(exercise_file: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(GradtutorError, match="cannot write in"):
            gt.variants(str(exercise_file), ["alice"], locked)
    finally:
        locked.chmod(0o700)


def test_file_names_are_safe_and_distinct() -> None:
    assert file_stems(["a/b", "a b", "A_B", "..", "x" * 300]) == {
        "a/b": "a_b", "a b": "a_b-2", "A_B": "A_B-3", "..": "student", "x" * 300: "x" * 100}


# -- which draw passed, remembered -------------------------------------------------------------


def given_of(ex: object) -> dict[str, float]:
    return {name: float(value) for name, value in ex.given.items()}  # type: ignore[attr-defined]


def test_a_remembered_draw_is_the_same_variant(exercise_file: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUTOR_CACHE_DIR", str(tmp_path / "cache"))
    first = variant_for(load_exercise(str(exercise_file)), "alice")  # type: ignore[arg-type]
    [written] = list((tmp_path / "cache" / "variants").iterdir())
    entry = json.loads(written.read_text())
    assert entry["student"] == "alice" and set(entry["given"]) == {"x", "y", "z"}
    again = variant_for(load_exercise(str(exercise_file)), "alice")  # type: ignore[arg-type]
    assert given_of(again) == given_of(first)
    assert again.description == first.description


def test_a_remembered_draw_that_fails_is_drawn_again(exercise_file: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUTOR_CACHE_DIR", str(tmp_path / "cache"))
    first = given_of(variant_for(load_exercise(str(exercise_file)), "bob"))  # type: ignore
    [written] = list((tmp_path / "cache" / "variants").iterdir())
    # x + y = 0 breaks `require`; a draw index out of range and a broken line are ignored
    written.write_text('{"student": "bob", "draw": 5000, "given": {"x": 1, "y": -1, '
                       '"z": 2}}\nnot json\n')
    assert given_of(variant_for(load_exercise(str(exercise_file)), "bob")) == first  # type: ignore


def test_the_cache_can_be_off(exercise_file: Path, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUTOR_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    variant_for(load_exercise(str(exercise_file)), "carol")  # type: ignore[arg-type]
    assert not (tmp_path / "xdg").exists()


# -- grading platforms -----------------------------------------------------------------------


def gradescope_root(tmp_path: Path, exercise_file: Path, answers: str,
                    users: list[dict[str, object]]) -> Path:
    """An /autograder folder as Gradescope lays it out, with the bundle's source."""
    root = tmp_path / "autograder"
    source, submission = root / "source", root / "submission"
    source.mkdir(parents=True)
    submission.mkdir()
    (source / "drawn-class.yaml").write_text(exercise_file.read_text())
    (source / graders.SETTINGS).write_text(json.dumps(
        {"exercise": "drawn-class.yaml", "exercise_id": "drawn-class", "feedback": "diagnosis",
         "visibility": "visible"}))
    (submission / "answers.yaml").write_text(answers)
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "users": users, "assignment": {"title": "variants"}}))
    return root


ADA = {"email": "ada@uni.edu", "id": 1234, "name": "Ada Lovelace", "sid": "a1"}


def test_gradescope_grades_the_variant_of_the_submitter(exercise_file: Path,
                                                        tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    text = key_file(ex, tmp_path, "ada@uni.edu", "whoever").read_text()  # her own key
    root = gradescope_root(tmp_path, exercise_file, text, [ADA])
    assert graders.run_gradescope(root) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 5.0
    assert data["extra_data"]["variant"] == "ada@uni.edu"
    assert data["extra_data"]["matches_numbers_of"] is None


def test_gradescope_flags_the_key_anyone_can_print(exercise_file: Path,
                                                   tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    text = key_file(ex, tmp_path, AS_WRITTEN, "ada").read_text()
    root = gradescope_root(tmp_path, exercise_file, text, [ADA])
    graders.run_gradescope(root)
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] < 5
    assert "match the numbers as written better than your own" in data["output"]
    assert data["extra_data"]["matches_numbers_of"] == AS_WRITTEN
    shown = json.dumps([data["output"], data["tests"]])
    for value in kind_of(ex).key(ex).values():  # the diagnosis level shows no expected value
        assert f"expected {float(value):g}" not in shown


def test_without_metadata_gradescope_grades_the_numbers_as_written(
        exercise_file: Path, tmp_path: Path) -> None:
    """A file's own `student:` never chooses the numbers on a platform: copying bob's key
    and writing his name would pass."""
    ex = load_exercise(str(exercise_file))
    text = key_file(ex, tmp_path, AS_WRITTEN, "bob").read_text()
    root = gradescope_root(tmp_path, exercise_file, text, [])
    graders.run_gradescope(root)
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 5.0 and "variant" not in data["extra_data"]


# -- the command line ----------------------------------------------------------------------


def test_check_flags_a_class_from_the_command_line(exercise_file: Path,
                                                   tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    key_file(ex, tmp_path, "bob", "bob")
    key_file(ex, tmp_path, "bob", "carol")
    files = [str(tmp_path / "bob.yaml"), str(tmp_path / "carol.yaml")]
    plain = runner.invoke(app, ["check", str(exercise_file), *files, "--format", "plain"])
    assert "matches bob's numbers (5 of 5 steps)" in plain.stdout
    assert "carol.yaml matches bob's numbers" in plain.stdout  # the class summary
    data = json.loads(runner.invoke(app, ["check", str(exercise_file), *files,
                                          "--format", "json"]).stdout)
    assert [d["other_numbers"] and d["other_numbers"]["student"] for d in data] == \
        [None, "bob"]


def test_check_with_a_roster_gives_each_file_its_students_numbers(exercise_file: Path,
                                                                  tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    key_file(ex, submitted, "ada@uni.edu", "a1")  # named by id, numbers of her email
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\na1,Ada,ada@uni.edu\nb2,Ben,ben@uni.edu\n")
    result = runner.invoke(app, ["check", str(exercise_file), str(submitted), "--roster",
                                 str(roster), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[1].endswith("a1.yaml,a1,5,5,1,1,1,1,1,,,,a1,ada@uni.edu,,graded,ada@uni.edu,")
    assert "roster: no submission from Ben" in result.stderr


def test_the_api_takes_a_roster_as_check_does(exercise_file: Path, tmp_path: Path) -> None:
    ex = load_exercise(str(exercise_file))
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    key_file(ex, submitted, "ada@uni.edu", "a1")
    key_file(ex, submitted, "ben@uni.edu", "c3")  # c3 hands in Ben's key; Ben hands in none
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\na1,Ada,ada@uni.edu\nb2,Ben,ben@uni.edu\nc3,Cy,\n")
    checked = gt.check_files(str(exercise_file), submitted, roster=roster)
    ada, cy = checked.results
    assert ada.result.variant == "ada@uni.edu" and ada.score == ada.max_score
    assert cy.other_numbers is not None and cy.other_numbers.who == "ben@uni.edu"


def test_template_student_from_the_command_line(exercise_file: Path) -> None:
    result = runner.invoke(app, ["template", str(exercise_file), "--student", "alice"])
    assert result.exit_code == 0
    assert result.stdout == gt.template(str(exercise_file), student="alice")
    refused = runner.invoke(app, ["template", "softmax", "--student", "alice"])
    assert refused.exit_code == 2 and "--student" in refused.stderr


def test_variants_from_the_command_line(exercise_file: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nAlice,alice@uni.edu\nBob,bob@uni.edu\n")
    out = tmp_path / "handouts"
    result = runner.invoke(app, ["variants", str(exercise_file), "--roster", str(roster),
                                 "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == \
        f"alice@uni.edu\t{out / 'alice@uni.edu.yaml'}\t{out / 'alice@uni.edu.md'}"
    assert "wrote 4 files for 2 students" in result.stderr
    roster.write_text("name,email\nAlice,alice@uni.edu\n")
    alone = runner.invoke(app, ["variants", str(exercise_file), "--roster", str(roster),
                                "--output", str(out)])
    assert "wrote 2 files for 1 student in" in alone.stderr
    assert (out / "bob@uni.edu.yaml").read_text() == \
        gt.template(str(exercise_file), student="bob@uni.edu")


def test_variants_says_how_far_it_is_in_a_pipe(exercise_file: Path, tmp_path: Path) -> None:
    names = [f"s{i}" for i in range(20)]
    roster = tmp_path / "roster.csv"
    roster.write_text("id\n" + "\n".join(names) + "\n")
    result = runner.invoke(app, ["variants", str(exercise_file), "--roster", str(roster),
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert [line for line in result.stderr.splitlines() if line.startswith("variants:")] == \
        [f"variants: {n} of 20 students" for n in range(2, 21, 2)]


@pytest.mark.parametrize(("roster_text", "output", "message"), [
    ("section,phone\nA,1\n", "out", "--roster: .*the first row names the columns"),
    (None, "out", "--roster: cannot read the roster"),
    ("name\nAda\n", "blocker/out", "--output: cannot make the folder"),
])
def test_variants_refuses_bad_input_with_status_2(exercise_file: Path, tmp_path: Path,
                                                  roster_text: str | None, output: str,
                                                  message: str) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    roster = tmp_path / "roster.csv"
    if roster_text is not None:
        roster.write_text(roster_text)
    result = runner.invoke(app, ["variants", str(exercise_file), "--roster", str(roster),
                                 "--output", str(tmp_path / output)])
    assert result.exit_code == 2
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_variants_of_an_exercise_without_variants(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nAda\n")
    result = runner.invoke(app, ["variants", "softmax", "--roster", str(roster),
                                 "--output", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no 'variants:'" in result.stderr


def test_variants_help_has_examples() -> None:
    result = runner.invoke(app, ["variants", "--help"])
    assert result.exit_code == 0
    assert "gradtutor variants my-exercise.yaml --roster roster.csv" in result.stdout
