"""What `pip install .` ships: every subpackage and the bundled exercises."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text()


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    listed = re.search(r"^packages = \[(.*)\]$", PYPROJECT, re.M)
    assert listed
    packages = set(re.findall(r'"([\w.]+)"', listed.group(1)))
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "gradtutor").rglob("__init__.py")}
    assert found <= packages
    assert '"gradtutor.exercises" = "exercises"' in PYPROJECT
    assert '"gradtutor.exercises" = ["*.yaml", "answers/*.yaml"]' in PYPROJECT
