"""What `pip install .` ships (every subpackage and the bundled exercises), and lint."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text()


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    listed = re.search(r"^packages = \[(.*?)\]$", PYPROJECT, re.M | re.S)
    assert listed
    packages = set(re.findall(r'"([\w.]+)"', listed.group(1)))
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "gradtutor").rglob("__init__.py")}
    assert found <= packages
    assert '"gradtutor.bundled" = "exercises"' in PYPROJECT
    assert '"gradtutor.bundled" = ["*.yaml", "answers/*.yaml"]' in PYPROJECT


def test_the_code_is_lint_clean() -> None:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    result = subprocess.run([ruff, "check", "--no-cache", "gradtutor", "tests", "benchmarks"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
