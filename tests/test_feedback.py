"""The feedback policy: below `full`, no expected value of any step appears in any format,
for every bundled exercise and a blank, a half-done and the bundled sample answers file."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from gradtutor import api
from gradtutor.base import fmt
from gradtutor.cli.app import app
from gradtutor.exercises.exercise import bundled_dir
from gradtutor.grading.feedback import redact
from gradtutor.kinds import kind_of, load_exercise
from gradtutor.kinds.variants import variant_for

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "exercises" / "answers"
EXERCISES = sorted(path.stem for path in bundled_dir().glob("*.yaml"))
MANY_FORMATS = ("rich", "plain", "json", "csv")
PLATFORMS = ("gradescope", "prairielearn")
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def answer_files(exercise: str, folder: Path) -> list[Path]:
    """A blank template, a half-done file (the first half of the key, the rest blank) and
    the bundled sample."""
    ex = load_exercise(exercise)
    blank = folder / "blank.yaml"
    blank.write_text(run("template", exercise))
    key = kind_of(ex).key(ex)
    half = dict(list(key.items())[:len(key) // 2])
    done = {step: np.asarray(value).tolist() if isinstance(value, np.ndarray) else value
            for step, value in half.items()}
    half_done = folder / "half.yaml"
    half_done.write_text(yaml.safe_dump({"exercise": ex.id, "student": "half",
                                         "answers": done}))
    return [blank, half_done, SAMPLES / f"{exercise}.yaml"]


def forms(value: object) -> set[str]:
    """Every way gradtutor writes a value: 6 significant figures, repr (JSON), entry by
    entry, and the text itself."""
    if isinstance(value, str):
        return {value}
    found = {fmt.value(value)}
    for entry in np.asarray(value, dtype=float).ravel():
        found |= {fmt.number(float(entry)), repr(float(entry))}
    return found


def present(form: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(form)}(?![\w])", text) is not None


def secrets(exercise: str, files: list[Path]) -> set[str]:
    """The forms of the expected values of the steps a file does not have right, less those
    the student can see anyway (the template, the hints, the given values, the files)."""
    public = run("template", exercise) + "".join(path.read_text() for path in files)
    ex = load_exercise(exercise)
    for own in [ex, *(variant_for(ex, name) for name in students(ex, files))]:
        public += " ".join(str(item.hint) for item in getattr(own, "ask", []))
        public += " ".join(fmt.value(v) for v in getattr(own, "given", {}).values())
    found: set[str] = set()
    for path in files:
        for step in api.check(ex, path).steps:
            if step.given is not None:  # what the student wrote (a trace's weights as w1=..)
                public += " " + " ".join(given_forms(step.given))
            if step.verdict != "correct":
                found |= forms(step.expected)
    return {form for form in found if not trivial(form) and not present(form, public)}


def students(ex: object, files: list[Path]) -> list[str]:
    """The students the files name, when the exercise gives each their own numbers: their
    template, given values and hints are theirs to see."""
    if getattr(ex, "variants", None) is None:
        return []
    named = [yaml.safe_load(path.read_text()).get("student") for path in files]
    return [str(name).strip() for name in named if name and str(name).strip()]


def given_forms(given: object) -> set[str]:
    if isinstance(given, str):
        return {given, re.sub(r"@\d+", "", given)}
    try:
        return forms(given)
    except (TypeError, ValueError):
        return {str(given)}


def trivial(form: str) -> bool:
    """A value too short to tell from a score or a count (0, 1.0, -4)."""
    try:
        number = float(form)
    except ValueError:
        return len(form) <= 2
    return number == int(number) and abs(number) <= 20


def outputs(exercise: str, files: list[Path], level: str, folder: Path) -> dict[str, str]:
    """Every format's output at a feedback level (rich written to a file, as plain text)."""
    texts: dict[str, str] = {}
    names = [str(path) for path in files]
    for chosen in MANY_FORMATS:
        target = folder / f"out.{chosen}"
        run("check", exercise, *names, "--format", chosen, "--feedback", level,
            "--output", str(target))
        texts[chosen] = target.read_text()
    for chosen in PLATFORMS:
        for path in files:
            texts[f"{chosen} {path.name}"] = run("check", exercise, str(path), "--format",
                                                 chosen, "--feedback", level)
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES)
def test_no_expected_value_below_full(exercise: str, tmp_path: Path) -> None:
    files = answer_files(exercise, tmp_path)
    hidden = secrets(exercise, files)
    full = outputs(exercise, files, "full", tmp_path)
    if hidden:  # the search finds them when they are shown
        assert any(present(form, text) for form in hidden for text in full.values())
    for level in ("diagnosis", "verdict"):
        for name, text in outputs(exercise, files, level, tmp_path).items():
            leaked = sorted(form for form in hidden if present(form, text))
            assert not leaked, f"{level} {name}: {leaked}"


def test_a_blank_template_reveals_nothing_at_diagnosis(tmp_path: Path) -> None:
    blank = tmp_path / "blank.yaml"
    blank.write_text(run("template", "sigmoid-neuron"))
    full = run("check", "sigmoid-neuron", str(blank), "--format", "json")
    shown = run("check", "sigmoid-neuron", str(blank), "--format", "json", "--feedback",
                "diagnosis")
    assert all("expected" in step for step in json.loads(full)["steps"])
    data = json.loads(shown)
    assert data["feedback"] == "diagnosis"
    assert [step["verdict"] for step in data["steps"]] == ["missing"] * 16
    assert all("expected" not in step and step["message"] == "no answer"
               for step in data["steps"])


def test_platforms_default_to_the_exercises_setting(tmp_path: Path) -> None:
    sample = str(SAMPLES / "sigmoid-neuron.yaml")
    terminal = run("check", "sigmoid-neuron", sample, "--format", "plain")
    graded = json.loads(run("check", "sigmoid-neuron", sample, "--format", "gradescope"))
    assert "the true value is" in terminal
    assert "the true value is" not in json.dumps(graded)
    assert "carried forward from f6" in json.dumps(graded)
    exercise = tmp_path / "ex.yaml"
    exercise.write_text((bundled_dir() / "add-mul-gate.yaml").read_text()
                        + "feedback: score\n")
    scored = json.loads(run("check", str(exercise), str(SAMPLES / "add-mul-gate.yaml"),
                            "--format", "prairielearn"))
    assert scored["tests"] == [] and scored["message"].startswith("score ")


def test_verdict_and_score_levels_keep_what_they_say() -> None:
    result = api.check("sigmoid-neuron", SAMPLES / "sigmoid-neuron.yaml").result
    verdicts = redact(result, "verdict")
    assert [s.verdict for s in verdicts.steps] == [s.verdict for s in result.steps]
    assert all(s.message == "" and s.hint is None and s.diagnosis is None
               for s in verdicts.steps)
    scored = redact(result, "score")
    assert scored.steps == [] and scored.summary == "score 15/17"
    assert scored.score == result.score


def test_an_unknown_feedback_word_is_refused(tmp_path: Path) -> None:
    exercise = tmp_path / "ex.yaml"
    exercise.write_text((bundled_dir() / "add-mul-gate.yaml").read_text()
                        + "feedback: everything\n")
    result = runner.invoke(app, ["validate", str(exercise)])
    assert result.exit_code == 2
    assert "'feedback' must be one of full, diagnosis, verdict, score" in result.output


def test_the_api_takes_feedback() -> None:
    shown = api.check("add-mul-gate", SAMPLES / "add-mul-gate.yaml", feedback="diagnosis")
    assert all(step.expected is None for step in shown.steps)
    assert "expected" not in shown.text().splitlines()[1]
