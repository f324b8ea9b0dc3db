"""Grading-platform bundles an instructor uploads as they are.

Gradescope: a zip with `setup.sh` and `run_autograder` at its root, the exercise, and
gradtutor with every dependency as wheels, installed with `pip --no-index` (no network).
PrairieLearn: a question folder whose external grader runs gradtutor from a vendored copy
(numpy and sympy come from the `prairielearn/grader-python` image).
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from ..base.errors import GradtutorError
from .graders import SETTINGS

# Gradescope's default base image is Ubuntu 22.04, whose python3 is 3.10 (x86-64, glibc 2.35).
GRADESCOPE_PYTHON = "3.10"
GRADESCOPE_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                        "manylinux2014_x86_64")
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
# Installed in PrairieLearn's grader-python image: not vendored.
IMAGE_PACKAGES = {"numpy", "sympy", "mpmath"}
PL_IMAGE = "prairielearn/grader-python"
PL_TIMEOUT = 60
VENDOR = "gradtutor_vendor"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: it installs gradtutor and
# its dependencies from the wheels in this zip, with no package index (no network).
set -eu
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${GRADTUTOR_PYTHON:-python3}"
if ! $PYTHON -m pip --version >/dev/null 2>&1; then
    # pip from the base image's own packages
    apt-get install -y --no-install-recommends python3-pip \\
        || { apt-get update && apt-get install -y --no-install-recommends python3-pip; }
fi
EXTRA=""
if $PYTHON -m pip install --help 2>/dev/null | grep -q -- --break-system-packages; then
    EXTRA="--break-system-packages"  # an image whose python3 is marked externally managed
fi
$PYTHON -m pip install --no-index --find-links "$HERE/wheels" $EXTRA gradtutor
$PYTHON -m gradtutor --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves results/results.json: when
# gradtutor itself cannot run, a score of 0 and a message that it is not the student's fault.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${GRADTUTOR_PYTHON:-python3}"
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
cd "$ROOT" || exit 0
$PYTHON -m gradtutor.cli.graders gradescope "$ROOT"
if [ ! -s "$ROOT/results/results.json" ]; then
    cat > "$ROOT/results/results.json" <<'JSON'
{"score": 0.0, "output_format": "text", "tests": [],
 "output": "The autograder could not run (see its stdout): not a problem with your answers."}
JSON
fi
exit 0
"""

PL_RUN_SH = """#!/usr/bin/env bash
# PrairieLearn's external grader runs this for every submission (no network needed): it
# always leaves /grade/results/results.json.
ROOT="${GRADE_ROOT:-/grade}"
PYTHON="${GRADTUTOR_PYTHON:-python3}"
mkdir -p "$ROOT/results"
export PYTHONPATH="$ROOT/serverFilesCourse/%(vendor)s${PYTHONPATH:+:$PYTHONPATH}"
$PYTHON -m gradtutor.cli.graders prairielearn "$ROOT"
if [ ! -s "$ROOT/results/results.json" ]; then
    cat > "$ROOT/results/results.json" <<'JSON'
{"gradable": false, "score": 0.0, "tests": [],
 "message": "The grader could not run: tell your instructor."}
JSON
fi
exit 0
"""

QUESTION_HTML = """<pl-question-panel>
  <p>%(title)s</p>
  <p>Run <code>gradtutor template %(id)s &gt; answers.yaml</code>, fill in every step, and
  upload the file here.</p>
</pl-question-panel>
<pl-file-upload file-patterns="*"></pl-file-upload>
<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def settings(exercise: Any, source_name: str, feedback: str | None,
             visibility: str = "visible") -> dict[str, Any]:
    """What the grader in the container reads: the exercise file and the feedback level."""
    return {"exercise": source_name, "exercise_id": exercise.id,
            "feedback": feedback or exercise.feedback, "visibility": visibility}


# -- Gradescope ----------------------------------------------------------------------------


def gradescope_zip(exercise: Any, exercise_file: Path, output: Path, *, feedback: str | None,
                   visibility: str, wheels: Path | None, python_version: str,
                   platforms: tuple[str, ...]) -> list[str]:
    """Write the autograder zip; the names of the wheels in it."""
    if visibility not in VISIBILITIES:
        raise GradtutorError(f"'{visibility}' is not one of {', '.join(VISIBILITIES)}",
                             field="--visibility")
    with tempfile.TemporaryDirectory(prefix="gradtutor-wheels-") as scratch:
        folder = wheels if wheels is not None else build_wheels(
            Path(scratch), python_version, platforms)
        found = sorted(folder.glob("*.whl"))
        if not any(path.name.startswith("gradtutor-") for path in found):
            raise GradtutorError(f"no gradtutor wheel in {folder}", field="--wheels")
        name = f"{exercise.id}.yaml"
        config = settings(exercise, name, feedback, visibility)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as bundle:
            _add(bundle, "setup.sh", SETUP_SH, executable=True)
            _add(bundle, "run_autograder", RUN_AUTOGRADER, executable=True)
            _add(bundle, SETTINGS, json.dumps(config, indent=2) + "\n")
            _add(bundle, name, exercise_file.read_text(encoding="utf-8"))
            for wheel in found:
                bundle.write(wheel, f"wheels/{wheel.name}")
        return [wheel.name for wheel in found]


def _add(bundle: zipfile.ZipFile, name: str, text: str, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)


def build_wheels(folder: Path, python_version: str, platforms: tuple[str, ...]) -> Path:
    """gradtutor's wheel (from its source tree) and every dependency's wheel for the target
    Python and platforms, from the package index pip is configured with."""
    project = project_root()
    _pip(["wheel", "--no-deps", "--wheel-dir", str(folder), str(project)])
    platform_args = [arg for platform in platforms for arg in ("--platform", platform)]
    _pip(["download", "--only-binary=:all:", "--python-version", python_version,
          "--implementation", "cp", *platform_args, "--dest", str(folder),
          *requirements()])
    return folder


def project_root() -> Path:
    """The source tree gradtutor is installed from (an editable or source install)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise GradtutorError("gradtutor is not installed from its source tree here: build its "
                             "wheel (pip wheel --no-deps) and the others, and pass the folder "
                             "with --wheels", field="--wheels")
    return root


def requirements() -> list[str]:
    """gradtutor's own dependencies (no extras), as requirement strings."""
    return [req.split(";")[0].strip() for req in metadata.requires("gradtutor") or []
            if "extra ==" not in req]


def _pip(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise GradtutorError("could not build the wheels: pip " + args[0] + ": "
                             + " / ".join(tail), field="--wheels")


# -- PrairieLearn --------------------------------------------------------------------------


def prairielearn_question(exercise: Any, exercise_file: Path, output: Path, *,
                          feedback: str | None, timeout: int) -> None:
    """Write the question folder: info.json, question.html, tests/ (the grader and the
    exercise) and serverFilesCourse/ (gradtutor vendored) to merge into the course's."""
    if output.exists() and any(output.iterdir()):
        raise GradtutorError(f"{output} is not empty: give a new folder", field="--output")
    tests = output / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    name = f"{exercise.id}.yaml"
    (tests / name).write_text(exercise_file.read_text(encoding="utf-8"), encoding="utf-8")
    (tests / SETTINGS).write_text(json.dumps(settings(exercise, name, feedback), indent=2)
                                  + "\n", encoding="utf-8")
    run = tests / "run.sh"
    run.write_text(PL_RUN_SH % {"vendor": VENDOR}, encoding="utf-8")
    run.chmod(0o755)
    (output / "info.json").write_text(json.dumps(info_json(exercise, timeout), indent=2)
                                      + "\n", encoding="utf-8")
    (output / "question.html").write_text(
        QUESTION_HTML % {"title": _html(exercise.title), "id": _html(exercise.id)},
        encoding="utf-8")
    vendor_gradtutor(output / "serverFilesCourse" / VENDOR)


def info_json(exercise: Any, timeout: int) -> dict[str, Any]:
    return {
        "uuid": _uuid(exercise.id), "title": exercise.title, "topic": "Backpropagation",
        "tags": ["gradtutor"], "type": "v3", "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True, "image": PL_IMAGE, "serverFilesCourse": [f"{VENDOR}/"],
            "entrypoint": "/grade/tests/run.sh", "timeout": timeout,
        },
    }


def _uuid(text: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"gradtutor:{text}"))


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def vendor_gradtutor(folder: Path) -> list[str]:
    """gradtutor and its pure-Python dependencies copied into `folder`, as installed here
    (numpy, sympy and mpmath are the image's); the names of the distributions copied."""
    folder.mkdir(parents=True, exist_ok=True)
    package = Path(__file__).resolve().parents[1]
    shutil.copytree(package, folder / "gradtutor",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    from ..exercises.exercise import bundled_dir

    bundled = folder / "gradtutor" / "bundled"
    if not bundled.exists():
        shutil.copytree(bundled_dir(), bundled, ignore=shutil.ignore_patterns("__pycache__"))
        (bundled / "__init__.py").touch()
    copied = []
    for dist in dependency_closure("gradtutor") - {"gradtutor"}:
        _copy_distribution(dist, folder)
        copied.append(dist)
    return sorted(copied)


def dependency_closure(name: str) -> set[str]:
    """The installed distributions `name` needs (extras left out), less the image's."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = _normal(todo.pop())
        if current in seen or current in IMAGE_PACKAGES:
            continue
        try:
            needs = metadata.requires(current) or []
        except metadata.PackageNotFoundError:
            continue  # needed only elsewhere (colorama on Windows), so not installed here
        seen.add(current)
        for req in needs:
            if "extra ==" in req:
                continue
            todo.append(_requirement_name(req))
    return seen


def _requirement_name(requirement: str) -> str:
    import re

    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return match.group(0) if match else requirement


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def _copy_distribution(name: str, folder: Path) -> None:
    dist = metadata.distribution(name)
    for entry in dist.files or []:
        if entry.parts[0] in ("..",) or entry.suffix == ".pyc" or "__pycache__" in entry.parts:
            continue  # scripts in bin/, compiled caches
        source = Path(str(dist.locate_file(entry)))
        if source.is_file():
            target = folder / entry
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
