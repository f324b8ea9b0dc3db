"""The grading-platform bundles, run as the platforms run them: a PrairieLearn question in an
emulated /grade with only numpy and sympy besides the vendored code, and a Gradescope zip
installed from its own wheels with no package index."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "exercises" / "answers"
runner = CliRunner()
SCHEMAS = ROOT / "docs" / "schemas"
GOOD = ("exercise: add-mul-gate\nstudent: typed-name\nanswers:\n  q: 3\n  f: -12\n"
        "  dq/dx: 1\n  dq/dy: 1\n  df/dq: -4\n  df/dz: 3\n  df/dx: -4\n  df/dy: -4\n")
MISSPELT = GOOD.replace("df/dq:", "df/dqq:")
NOT_YAML = "exercise: [add-mul-gate\n  answers: {{{\n"
NO_NETWORK = {"PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/none",
              "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull,
              "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def schema_errors(name: str, data: dict) -> list[str]:
    """How a platform's results break the published schema (docs/schemas/NAME.schema.json)."""
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return [error.message for error in Draft202012Validator(schema).iter_errors(data)]


def bash(script: Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script)], env={**os.environ, **NO_NETWORK, **env},
                          cwd=cwd, capture_output=True, text=True, timeout=600)


# -- PrairieLearn --------------------------------------------------------------------------


def image_python(folder: Path) -> Path:
    """A python3 that sees only numpy, sympy and mpmath (what grader-python has) and the
    PYTHONPATH the entrypoint sets: no typer, rich or yaml from this environment."""
    site = folder / "image-site"
    site.mkdir()
    for name in ("numpy", "sympy", "mpmath"):
        module = __import__(name)
        source = Path(module.__file__).parent
        (site / name).symlink_to(source, target_is_directory=True)
    wrapper = folder / "python3"
    wrapper.write_text(f'#!/usr/bin/env bash\nexport PYTHONPATH="$PYTHONPATH:{site}"\n'
                       f'exec {sys.executable} -S "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def pl_grade(question: Path, folder: Path, files: dict[str, str], python: Path) -> dict:
    """One grading job: /grade laid out as PrairieLearn lays it out, then the entrypoint."""
    grade = folder / "grade"
    shutil.copytree(question / "tests", grade / "tests")
    shutil.copytree(question / "serverFilesCourse", grade / "serverFilesCourse")
    (grade / "student").mkdir()
    for name, text in files.items():
        (grade / "student" / name).write_text(text)
    done = bash(grade / "tests" / "run.sh", {"GRADE_ROOT": str(grade),
                                             "GRADTUTOR_PYTHON": str(python)}, folder)
    assert done.returncode == 0, done.stderr
    data = json.loads((grade / "results" / "results.json").read_text())
    assert schema_errors("prairielearn-results", data) == []
    return data


def test_prairielearn_question_grades_offline_from_its_vendored_code(tmp_path: Path) -> None:
    question = tmp_path / "question"
    result = runner.invoke(app, ["autograder", "prairielearn", "add-mul-gate", "--output",
                                 str(question)])
    assert result.exit_code == 0, result.output
    info = json.loads((question / "info.json").read_text())
    options = info["externalGradingOptions"]
    assert info["gradingMethod"] == "External"
    assert options["image"] == "prairielearn/grader-python" and options["enabled"] is True
    assert options["entrypoint"] == "/grade/tests/run.sh" and options["timeout"] == 60
    assert options["serverFilesCourse"] == ["gradtutor_vendor/"]
    assert "<pl-file-upload" in (question / "question.html").read_text()
    python = image_python(tmp_path)
    shown = subprocess.run([str(python), "-c", "import typer"], capture_output=True)
    assert shown.returncode != 0  # the emulated image really lacks typer

    good = pl_grade(question, tmp_path / "good", {"mine.txt": GOOD}, python)
    assert good["gradable"] is True and good["score"] == 1.0
    assert len(good["tests"]) == 8 and "graded mine.txt" in good["message"]

    broken = pl_grade(question, tmp_path / "broken", {"answers.yaml": NOT_YAML}, python)
    assert broken["gradable"] is False and broken["score"] == 0.0
    assert "answers.yaml" in broken["message"] and "Accepted" in broken["message"]
    assert all("-12" not in test["message"] for test in good["tests"])

    misspelt = pl_grade(question, tmp_path / "misspelt", {"a.yaml": MISSPELT}, python)
    assert misspelt["score"] < 1 and "did you mean" in misspelt["message"]
    assert all("expected" not in json.dumps(test) for test in misspelt["tests"])


# -- Gradescope ----------------------------------------------------------------------------

TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format",
              "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
              "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output",
               "output_format", "tags", "visibility", "extra_data"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def valid_results(data: dict) -> None:
    """results.json as Gradescope's autograder specification lists its fields."""
    assert set(data) <= TOP_FIELDS, set(data) - TOP_FIELDS
    assert isinstance(data["score"], int | float) and isinstance(data["execution_time"],
                                                                 int | float)
    assert isinstance(data["output"], str) and data["output_format"] in FORMATS
    assert data.get("visibility", "visible") in VISIBILITIES
    for test in data["tests"]:
        assert set(test) <= TEST_FIELDS, set(test) - TEST_FIELDS
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITIES
        assert isinstance(test["score"], int | float) and isinstance(test["name"], str)


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gradtutor's wheel and its dependencies' for this Python, built once per session."""
    from gradtutor.base.errors import GradtutorError
    from gradtutor.cli.bundles import GRADESCOPE_PLATFORMS, build_wheels

    folder = tmp_path_factory.mktemp("wheels")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        return build_wheels(folder, version, GRADESCOPE_PLATFORMS)
    except GradtutorError as error:
        pytest.skip(f"the wheels cannot be built here (no package index?): {error}")


@pytest.fixture(scope="session")
def autograder(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The zip built, unpacked into ROOT/source as Gradescope does, setup.sh run into a fresh
    venv with no package index: (ROOT's source, the venv's python)."""
    folder = tmp_path_factory.mktemp("gradescope")
    bundle = folder / "autograder.zip"
    result = runner.invoke(app, ["autograder", "gradescope", "add-mul-gate", "--output",
                                 str(bundle), "--wheels", str(wheels), "--visibility",
                                 "after_due_date"])
    assert result.exit_code == 0, result.output
    source = folder / "source"
    with zipfile.ZipFile(bundle) as unpacked:
        assert {"setup.sh", "run_autograder"} <= set(unpacked.namelist())
        unpacked.extractall(source)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    done = bash(source / "setup.sh", {"GRADTUTOR_PYTHON": str(python)}, source)
    assert done.returncode == 0, done.stdout + done.stderr
    return source, python


def gradescope_run(autograder: tuple[Path, Path], folder: Path, files: dict[str, str]
                   ) -> dict:
    source, python = autograder
    root = folder / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(source / "run_autograder", root / "run_autograder")
    os.symlink(source, root / "source")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"users": [{"name": "Ada Lovelace", "email": "ada@example.org", "sid": "A1"}]}))
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    done = bash(root / "run_autograder", {"AUTOGRADER_ROOT": str(root),
                                          "GRADTUTOR_PYTHON": str(python)}, root)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    valid_results(data)
    assert schema_errors("gradescope-results", data) == []
    return data


def submitters_answers() -> tuple[str, str, str]:
    """The key of the student submission_metadata.json names (Gradescope grades a submission
    against its submitter's numbers, whatever `student:` the file types), the same with a
    misspelt step, and that step's true value as written."""
    from gradtutor.kinds import kind_of, load_exercise
    from gradtutor.kinds.variants import variant_for
    from gradtutor.render.export import answers_yaml

    ada = variant_for(load_exercise("add-mul-gate"), "ada@example.org")
    key = {step: float(value) for step, value in kind_of(ada).key(ada).items()}
    good = answers_yaml("add-mul-gate", key, student="typed-name")
    return good, good.replace("df/dq:", "df/dqq:"), f"{key['df/dq']:g}"


@pytest.mark.slow
def test_gradescope_zip_installs_offline_and_grades(autograder: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    good_text, misspelt_text, hidden = submitters_answers()
    good = gradescope_run(autograder, tmp_path / "good", {"my answers.TXT": good_text})
    assert good["score"] == 10 and len(good["tests"]) == 8
    assert "graded my answers.TXT" in good["output"]
    assert "student: Ada Lovelace" in good["output"] and good["output_format"] == "text"
    assert {test["visibility"] for test in good["tests"]} == {"after_due_date"}
    assert good["extra_data"]["student"]["sid"] == "A1"

    misspelt = gradescope_run(autograder, tmp_path / "misspelt", {"a.yaml": misspelt_text})
    assert misspelt["score"] == 9 and "did you mean df/dq?" in misspelt["output"]
    assert hidden not in json.dumps(misspelt["tests"])  # feedback diagnosis: no expected value

    empty = gradescope_run(autograder, tmp_path / "empty", {})
    assert empty["score"] == 0 and "empty" in empty["output"]
    assert "answers.yaml" in empty["output"]

    broken = gradescope_run(autograder, tmp_path / "broken", {"answers.yaml": NOT_YAML})
    assert broken["score"] == 0 and broken["tests"] == []
    assert "answers.yaml:" in broken["output"] and "Accepted" in broken["output"]

    two = gradescope_run(autograder, tmp_path / "two", {"first.yaml": misspelt_text,
                                                        "second.yml": good_text})
    assert two["score"] == 0 and two["tests"] == []  # four guesses in four files: no best
    assert "several answers files in the submission (first.yaml, second.yml): upload one" \
        in two["output"] and "9/10" not in two["output"]
