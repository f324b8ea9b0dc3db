"""`gradtutor practice` and `gt.practice`: one step at a time, each answer judged at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from practice_students import failures
from practice_students import run as simulate
from test_variants import EXERCISE as DRAWN  # an exercise with per-student variants

import gradtutor as gt
from gradtutor.base.errors import GradtutorError

PIPED = "3\n12\n-12\nreveal\nquit\n"
EXPECTED = """\
add-mul-gate: An add gate feeding a multiply gate: f = (x + y) z (8 steps, 3 tries each; \
type help for the commands)
note: the numbers as written, not a student's own (--student NAME gives your own)
graph: the graph so far (?: not known yet)
  given: x = -2, y = 5, z = -4
  q = x + y = ?
  f = q*z = ?
  gradients: dq/dx = ?, dq/dy = ?, df/dq = ?, df/dz = ?, df/dx = ?, df/dy = ?
q = x + y: q =
correct (q = 3): right
f = q * z: f =
wrong (f = 12): sign-flipped: the right size with the wrong sign; keep track of minus \
signs: d(-u) = -du, d(a - b)/db = -1; 2 tries left
hint: Forward pass: f = q * z; put in the values of q and z.
f = q * z: f =
correct (f = -12): right
dq/dx =
revealed: no credit for this step
worked: dq/dx = 1 * dq/dq = 1 * 1 = 1
dq/dy =
quit: stopped
score 2/10; 2 of 8 steps correct; first to fix: dq/dx (missing)
practice score 1.9/10 (1 extra try, 1 reveal)
met: sign-flipped (1)
review: signs through negations and subtractions
saved s.yaml: gradtutor check add-mul-gate s.yaml
"""


def run(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command in `cwd`, its progress file in `cwd`/data."""
    env = {**os.environ, "XDG_DATA_HOME": str(cwd / "data")}
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd, timeout=120, env=env)


def test_piped_session_judges_each_line_at_once(tmp_path: Path) -> None:
    done = run(["practice", "add-mul-gate", "--save", "s.yaml"], PIPED, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == EXPECTED
    assert done.stderr == ""
    assert (tmp_path / "s.yaml").read_text() == \
        'exercise: "add-mul-gate"\nanswers:\n  "q": 3\n  "f": -12\n'


def test_saved_file_checks_with_the_sessions_verdicts(tmp_path: Path) -> None:
    lines = "3\n12\n1\n1\n1\n1\n-4\n3\n1\n-4\n-4\n"  # f: three tries; df/dx: a slip
    done = run(["practice", "add-mul-gate", "--save", "s.yaml"], lines, tmp_path)
    assert done.returncode == 0, done.stderr
    said = {}  # step -> the session's last verdict on it
    for line in done.stdout.splitlines():
        head, _, rest = line.partition(" (")
        if head in ("correct", "wrong", "follow-through") and " = " in rest:
            said[rest.split(" = ")[0]] = head
    assert said == {"q": "correct", "f": "wrong", "dq/dx": "correct", "dq/dy": "correct",
                    "df/dq": "correct", "df/dz": "correct", "df/dx": "correct",
                    "df/dy": "correct"}
    checked = run(["check", "add-mul-gate", "s.yaml", "--format", "json"], "", tmp_path)
    result = json.loads(checked.stdout)
    assert {step["step"]: step["verdict"] for step in result["steps"]} == said
    assert f"score {result['score']:g}/{result['max_score']:g}; 7 of 8 steps correct; " \
        "first to fix: f" in done.stdout.splitlines()


def test_eof_saves_and_exits_cleanly(tmp_path: Path) -> None:
    done = run(["practice", "add-mul-gate"], "3\n", tmp_path)
    assert done.returncode == 0
    saved = tmp_path / "add-mul-gate.practice.yaml"
    assert gt.check("add-mul-gate", saved).result.steps[0].verdict == "correct"


def test_resume_continues_at_the_first_unanswered_step(tmp_path: Path) -> None:
    run(["practice", "add-mul-gate", "--save", "s.yaml"], "3\n-12\n", tmp_path)
    done = run(["practice", "add-mul-gate", "--resume", "s.yaml"], "1\n", tmp_path)
    lines = done.stdout.splitlines()
    asked = lines.index("dq/dx =")  # after the header and the graph with q and f known
    given = lines.index("  given: x = -2, y = 5, z = -4")
    assert lines[given + 1:given + 3] == ["  q = x + y = 3", "  f = q*z = -12"]
    assert lines[asked + 1] == "correct (dq/dx = 1): right; add gate: distributes the " \
        "upstream gradient 1 unchanged to x and y (a gradient distributor)"
    assert "dq/dx" in (tmp_path / "s.yaml").read_text()




def test_an_exercise_with_variants_is_practised_with_the_students_own_numbers(
        tmp_path: Path) -> None:
    (tmp_path / "drawn.yaml").write_text(DRAWN)
    done = run(["practice", "drawn.yaml", "--student", "alice", "--save", "a.yaml"],
               "5\n5\n", tmp_path)  # alice's x, y, z are 5, 0, 1 (the file's: -2, 5, -4)
    assert "correct (q = 5): right" in done.stdout and "correct (f = 5)" in done.stdout
    assert done.stdout.splitlines()[-1] == "saved a.yaml: gradtutor check drawn.yaml a.yaml"
    checked = run(["check", "drawn.yaml", "a.yaml", "--format", "json"], "", tmp_path)
    assert [step["verdict"] for step in json.loads(checked.stdout)["steps"][:2]] == \
        ["correct", "correct"]
    # no student named: the numbers as written, as `check` grades one file without student:
    assert gt.practice(tmp_path / "drawn.yaml").exercise.given["x"] == -2
    written = run(["practice", "drawn.yaml", "--save", "w.yaml"], "3\n", tmp_path)
    assert written.returncode == 0 and "correct (q = 3): right" in written.stdout
    assert written.stdout.splitlines()[1] == \
        "note: the numbers as written, not a student's own (--student NAME gives your own)"
    assert "note:" not in done.stdout
    checked = run(["check", "drawn.yaml", "w.yaml", "--format", "json"], "", tmp_path)
    assert json.loads(checked.stdout)["steps"][0]["verdict"] == "correct"


def test_another_students_file_is_not_resumed_under_a_new_name(tmp_path: Path) -> None:
    (tmp_path / "bob.yaml").write_text("exercise: add-mul-gate\nstudent: bob\nanswers:\n"
                                       "  q: 3\n")
    done = run(["practice", "add-mul-gate", "--resume", "bob.yaml", "--student", "alice"],
               "quit\n", tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: --student: bob.yaml holds bob's answers, not alice's: " \
        "resume your own file, or leave out the student\n"
    assert gt.practice("add-mul-gate", resume=tmp_path / "bob.yaml").student == "bob"


@pytest.mark.parametrize("save", ["folder", "no/such/folder/s.yaml"])
def test_a_save_location_that_cannot_be_written_is_one_message(save: str,
                                                                tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    done = run(["practice", "add-mul-gate", "--save", save], "3\n", tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"error: --save: cannot write {save}: ")
    assert len(done.stderr.splitlines()) == 1


def test_a_bad_value_is_not_a_try(tmp_path: Path) -> None:
    session = gt.practice("add-mul-gate", attempts=1)
    said = session.answer("{a: [")
    assert (said.verdict, session.current) == ("invalid", "q")
    assert session.answer("three").verdict == "invalid"
    assert session.current == "q"


@pytest.mark.parametrize("blank", ["#", "# 3", "|", ">", "~", "null"])
def test_what_an_answers_file_reads_as_blank_is_not_a_try(blank: str) -> None:
    session = gt.practice("add-mul-gate", attempts=1)
    assert session.answer(blank).verdict == "invalid"
    assert (session.current, session.answers()) == ("q", {})


def test_back_does_not_take_back_a_reveal_or_the_tries_spent() -> None:
    session = gt.practice("add-mul-gate", attempts=2)
    session.answer("reveal")
    session.answer("back")
    assert session.answer("3").verdict == "correct"  # the value the reveal showed
    session.answer("5")
    session.answer("6")  # f: out of tries
    session.answer("back")
    assert session.answer("-12").verdict == "correct"
    report = session.report()
    assert (report.reveals, report.extra_tries) == (1, 2)
    assert report.score == pytest.approx(1 * 0.8)  # q: a reveal; f: two extra tries


def test_api_session_hint_reveal_skip_back_quit() -> None:
    session = gt.practice("add-mul-gate", attempts=2)
    assert session.ask() == "q = x + y: q ="
    assert session.answer("hint").message.startswith("Forward pass: q = x + y")
    wrong = session.answer("4")
    assert (wrong.verdict, wrong.worked) == ("wrong", None)
    assert wrong.hint is not None and "q = x + y" in wrong.hint
    last = session.answer("5")
    assert last.worked == "q = x + y = -2 + 5 = 3" and "no tries left" in last.message
    assert session.current == "f"
    assert session.answer("back").message == "back to q"
    assert session.answer("3").verdict == "correct"
    assert session.answer("skip").verdict == "skipped"
    assert session.current == "dq/dx"
    revealed = session.answer("reveal")
    assert (revealed.verdict, revealed.worked) == ("revealed", "dq/dx = 1 * dq/dq = 1 * 1 = 1")
    assert "reveal" in session.answer("help").message
    assert session.answer("quit").done and session.current is None
    assert session.answers() == {"q": "3"}
    assert session.score().score == 1


def test_follow_through_is_judged_as_check_judges_it() -> None:
    session = gt.practice("add-mul-gate", attempts=1)
    session.answer("4")  # q wrong: the worked line follows
    said = session.answer("-16")  # f from the student's own q
    assert (said.verdict, said.message) == ("follow-through", "right given your earlier "
                                            "answers (error carried forward from q)")
    assert gt.check("add-mul-gate", {"q": 4, "f": -16}).result.steps[1].verdict == \
        "follow-through"


def test_an_answer_that_takes_back_earlier_follow_through_says_so() -> None:
    """`check` judges a file as a whole: a third slip where the given numbers enter reads as
    a key of other numbers and takes back the follow-through of the steps before. The
    session says so, and its verdicts stay `check`'s."""
    session = gt.practice("vanishing-sigmoid-chain", attempts=1)
    said = [session.answer(text) for text in ("1.5", "0.818", "0.409", "0.601", "1.3",
                                              "0.7859", "1.02")]
    assert [s.verdict for s in said[:6]] == ["wrong", "follow-through", "follow-through",
                                            "follow-through", "wrong", "follow-through"]
    assert said[6].revised == ["a1 is wrong now: not right", "z2 is wrong now: not right",
                               "a2 is wrong now: not right", "a3 is wrong now: not right"]
    checked = gt.check("vanishing-sigmoid-chain", session.answers()).result
    assert {slot.step: slot.verdict for slot in session.slots if slot.text} == \
        {step.step: step.verdict for step in checked.steps if step.verdict != "missing"}


def test_attempts_must_be_positive() -> None:
    with pytest.raises(GradtutorError, match="attempts"):
        gt.practice("add-mul-gate", attempts=0)


GRAPH_EXERCISES = sorted(p for p in (Path(__file__).parent.parent / "exercises").glob("*.yaml")
                         if "perceptron" not in p.name)


@pytest.mark.parametrize("path", GRAPH_EXERCISES, ids=lambda p: p.stem)
def test_every_step_of_every_graph_exercise_can_be_practised(path: Path) -> None:
    session = gt.practice(path)
    worked = []
    while session.current is not None:
        assert session.ask().endswith(f"{session.current} =")
        worked.append(session.answer("reveal").worked)
    assert len(worked) == len(session.slots) and all(worked)
    assert session.answers() == {}


def test_an_exercise_marked_as_a_whole_is_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(GradtutorError, match="marked by parts"):
        gt.practice("and-perceptron")
    done = run(["practice", "and-perceptron"], "", tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: practice cannot take and-perceptron: it is marked "
                                  "by parts (weights), not one answer per step; read it "
                                  "with `gradtutor explain and-perceptron`")
    assert "Traceback" not in done.stderr


def test_the_terminal_session_through_a_pseudo_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "gradtutor", "practice", "add-mul-gate"],
                          cwd=str(tmp_path), encoding="utf-8", timeout=60,
                          env={"TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200",
                               "PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path)})
    child.expect_exact("  f = q*z = ?")  # the graph, before the first question
    child.expect_exact("q = x + y: q = ")
    child.sendline("33\x1b[D\x7f")  # line editing: left arrow, then delete the first 3
    child.expect_exact("correct (q = 3): right")
    child.expect_exact("f = q * z: f = ")
    child.sendline("12")
    child.expect_exact("wrong (f = 12): sign-flipped")
    child.expect_exact("hint: Forward pass: f = q * z; put in the values of q and z.")
    child.expect_exact("f = q * z: f = ")
    child.sendline("hint")
    child.expect_exact("hint: Forward pass: f = q * z")
    child.sendline("reveal")
    child.expect_exact("worked: f = q * z = 3 * (-4) = -12")
    child.expect_exact("dq/dx = ")
    child.sendline("graph")
    child.expect_exact("q = x + y = 3")
    child.expect_exact("f = q*z = -12")
    child.expect_exact("dq/dx = ")
    child.sendline("explain")
    child.expect_exact("Step 3 of 8: dq/dx")
    child.expect_exact("dq/dy = ")
    child.sendeof()
    child.expect_exact("saved add-mul-gate.practice.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "add-mul-gate.practice.yaml").read_text() == \
        'exercise: "add-mul-gate"\nanswers:\n  "q": 3\n'


def test_a_generated_exercise_is_saved_beside_the_answers_and_checks(tmp_path: Path) -> None:
    done = run(["practice", "--random", "1", "--seed", "4", "--save", "mine.yaml"],
               "graph\nreveal\nquit\n", tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "generated: level 1, seed 4 (gradtutor practice --random 1 --seed 4 " \
        "gives it again)"
    assert "graph: the graph so far (?: not known yet)" in lines
    assert any(line.startswith("  given: ") for line in lines)
    assert lines[-1] == "saved mine.yaml: gradtutor check random-level1-seed4.yaml mine.yaml"
    checked = run(["check", "random-level1-seed4.yaml", "mine.yaml"], "", tmp_path)
    assert checked.returncode == 1 and "missing" in checked.stdout
    again = run(["practice", "--random", "1", "--seed", "4", "--save", "again.yaml"],
                "quit\n", tmp_path)
    assert again.stdout.splitlines()[1] == lines[1]  # the same seed, the same exercise


def test_without_a_seed_one_is_chosen_and_printed(tmp_path: Path) -> None:
    done = run(["practice", "--random", "2"], "quit\n", tmp_path)
    first = done.stdout.splitlines()[0]
    assert first.startswith("generated: level 2, seed ") and "--seed" in first


def test_explain_shows_the_steps_walkthrough_and_counts_as_a_reveal(tmp_path: Path) -> None:
    done = run(["practice", "add-mul-gate"], "3\nexplain\nquit\n", tmp_path)
    out = done.stdout
    assert "explained: no credit for this step" in out
    assert "Step 2 of 8: f" in out and "Answer: f = -12" in out
    assert "practice score 1/10 (0 extra tries, 1 reveal)" in out


def test_penalties_are_options(tmp_path: Path) -> None:
    done = run(["practice", "add-mul-gate", "--attempt-penalty", "0.5", "--reveal-penalty",
                "0.5"], "2\n3\nreveal\nquit\n", tmp_path)
    assert "revealed: this step earns 50% of its points" in done.stdout
    assert "practice score 1/10 (1 extra try, 1 reveal)" in done.stdout
    bad = run(["practice", "add-mul-gate", "--attempt-penalty", "2"], "", tmp_path)
    assert bad.returncode == 2


def test_progress_review_and_clear_from_the_command_line(tmp_path: Path) -> None:
    empty = run(["practice", "--review"], "", tmp_path)
    assert empty.returncode == 2 and "no diagnoses recorded yet" in empty.stderr
    run(["practice", "add-mul-gate", "--attempts", "1"], "3\n12\n", tmp_path)
    shown = run(["practice", "--progress"], "", tmp_path)
    assert shown.stdout.splitlines()[1:] == ["  sign-flipped: met 1 time"]
    assert (tmp_path / "data" / "gradtutor" / "progress.json").is_file()
    review = run(["practice", "--review", "--seed", "5"], "quit\n", tmp_path)
    assert review.returncode == 0 and review.stdout.startswith("generated: level ")
    cleared = run(["practice", "--clear-progress"], "", tmp_path)
    assert cleared.stdout.startswith("cleared ")
    assert not (tmp_path / "data" / "gradtutor" / "progress.json").exists()
    alone = run(["practice", "add-mul-gate", "--progress"], "", tmp_path)
    assert alone.returncode == 2 and "go alone" in alone.stderr


def test_graph_shows_what_is_known_so_far() -> None:
    session = gt.practice("add-mul-gate")
    session.answer("3")
    assert session.answer("graph").lines == [
        "given: x = -2, y = 5, z = -4", "q = x + y = 3", "f = q*z = ?",
        "gradients: dq/dx = ?, dq/dy = ?, df/dq = ?, df/dz = ?, df/dx = ?, df/dy = ?"]
    report = session.report()
    assert (report.score, report.max_score, report.met) == (1, 10, {})


@pytest.mark.slow
def test_simulated_students_who_slip_get_checks_verdicts() -> None:
    """Every bundled exercise practice takes and a generated one per level, by students who
    work from their own answers, type numbers in many ways and slip now and then: no right
    answer marked wrong, no slip marked right, every verdict the one `check` gives the saved
    file (`python tests/practice_students.py` runs more)."""
    tally = simulate(seeds=1, students=2)
    assert tally.answers > 300
    assert failures(tally) == {}, tally.examples


def test_typing_the_steps_own_name_is_no_answer_and_no_try() -> None:
    session = gt.practice("add-mul-gate")
    said = session.answer("q")
    assert (said.verdict, session.current) == ("invalid", "q")
    assert said.message.startswith("q is a forward value: work out its number")
    assert session.answer("3").verdict == "correct"
    assert session.report().extra_tries == 0


def test_resume_keeps_every_number_as_written(tmp_path: Path) -> None:
    """0.10 in a matrix keeps its two decimals (which the tolerance reads) when resumed."""
    saved = tmp_path / "r.yaml"
    saved.write_text("exercise: vectorized-norm\nanswers:\n  q: [0.22, 0.26]\n  f: 0.116\n"
                     "  df/dq: [0.44, 0.52]\n  df/dW: [[0.088, 0.18], [0.10, 0.21]]\n")
    before = gt.check("vectorized-norm", saved).result.score
    session = gt.practice("vectorized-norm", resume=saved)
    assert "[[0.088, 0.18], [0.10, 0.21]]" in session.answers_yaml()
    assert session.report().check.score == before


def test_a_list_nested_as_deep_as_the_file_allows_is_not_a_try() -> None:
    session = gt.practice("add-mul-gate", attempts=1)
    for depth in (30, 31, 32):
        said = session.answer("[" * depth + "1" + "]" * depth)
        assert (said.verdict, session.current) == ("invalid", "q"), said.message
    assert session.answer("3").verdict == "correct"


def test_the_header_shows_a_titles_escapes_as_text(tmp_path: Path) -> None:
    (tmp_path / "esc.yaml").write_text(
        'id: esc\ntitle: "T\\x1b]0;pwn\\x07\\u202e"\ngiven:\n  x: 2\n  y: 3\n'
        "graph:\n  f: x*y\nask:\n  - f\n")
    done = run(["practice", "esc.yaml", "--save", "s.yaml"], "quit\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("esc: T\\x1b]0;pwn\\x07\\u202e (1 steps"), done.stdout
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
