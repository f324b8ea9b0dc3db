"""The README's commands are real: CI runs its test command, and the autograder
commands it shows write their bundles."""

import re
from pathlib import Path

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


def test_the_autograder_commands_are_real(tmp_path: Path) -> None:
    """The README's PrairieLearn command writes a question folder (the Gradescope one is
    run, offline, in tests/test_autograder.py)."""
    from typer.testing import CliRunner

    from gradtutor.cli.app import app

    assert "gradtutor autograder gradescope" in block("gradescope-command")
    line = block("prairielearn-command").strip().removeprefix("$ gradtutor ").split()
    line[line.index("--output") + 1] = str(tmp_path / "question")
    result = CliRunner().invoke(app, line)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "question" / "info.json").is_file()
