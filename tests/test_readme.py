"""The README's commands and scripts are real: CI runs its test command, and the Gradescope
script it shows writes a results.json."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def block(marker: str) -> str:
    found = re.search(rf"<!-- {marker} -->\n```\w*\n(.*?)```\n<!-- /{marker} -->", README, re.S)
    assert found, marker
    return found.group(1)


def test_the_two_set_up_commands_open_the_readme() -> None:
    assert block("main-command").strip().startswith("python -m pip install . && gradtutor ")
    assert block("test-command").strip() == 'python -m pip install ".[test]" && python -m pytest'
    assert README.index("main-command") < README.index("test-command") < README.index("## ")
    assert "test-command" in (ROOT / ".ci" / "run").read_text()


def test_the_gradescope_script_writes_results(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    if shutil.which("gradtutor", path=str(bin_dir)) is None:
        pytest.skip("the gradtutor command is not installed next to this Python")
    (tmp_path / "source").mkdir()
    (tmp_path / "submission").mkdir()
    shutil.copy(ROOT / "exercises" / "softmax.yaml", tmp_path / "source" / "exercise.yaml")
    shutil.copy(ROOT / "exercises" / "answers" / "softmax.yaml",
                tmp_path / "submission" / "answers.yaml")
    script = tmp_path / "run_autograder"
    script.write_text(block("run-autograder"))
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 3.0
    assert {t["name"] for t in results["tests"]} == {"a", "L", "dL/da", "dL/dz"}
