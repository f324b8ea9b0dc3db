"""The generated reference in docs/ matches the code: the command reference is every
registered command's --help, the function tables are ops/specs.py's and the diagnosis table
is the catalogue's, both ways. When one fails, regenerate with the command it names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from gradtutor.cli import reference
from gradtutor.marking.diagnosis import CATALOGUE
from gradtutor.ops.specs import BINARY_OPS, FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_generated_docs_are_current() -> None:
    old = [page.name for page in reference.stale(DOCS)]
    assert not old, f"stale: {old}; regenerate with: {reference.REGENERATE}"


def test_every_registered_command_has_its_help_in_the_command_reference() -> None:
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    paths = reference.command_paths()
    assert ("autograder", "gradescope") in paths and ("check",) in paths
    for path in paths:
        assert f"\n## {' '.join(('gradtutor', *path))}\n" in page
        assert f"Usage: {' '.join(('gradtutor', *path))} " in page


def test_the_help_is_rendered_the_same_everywhere() -> None:
    text = reference.help_text(("check",))
    assert "\x1b" not in text
    assert max(map(len, text.splitlines())) <= 90  # 80 columns, examples kept whole
    assert text == reference.help_text(("check",))
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert not set(page) & set("\x1b╭╮╰╯│─"), "help drawn with colour or rich panels"


def _table_codes(page: str, section: str) -> list[str]:
    body = page.split(f"<!-- generated: {section} -->", 1)[1].split("<!-- /generated", 1)[0]
    return re.findall(r"^\| `([^`]+)", body, re.M)


def test_the_diagnosis_table_is_the_catalogue_both_ways() -> None:
    page = (DOCS / "verdicts.md").read_text(encoding="utf-8")
    assert _table_codes(page, "diagnoses") == [entry.code for entry in CATALOGUE]
    for entry in CATALOGUE:
        assert entry.explanation.replace("|", "\\|") in page


def test_every_function_and_operator_is_in_the_language_reference() -> None:
    page = (DOCS / "expression-language.md").read_text(encoding="utf-8")
    calls = {code.split("(")[0] for code in _table_codes(page, "functions")}
    assert calls == set(FUNCTIONS)
    operators = _table_codes(page, "operators")
    assert {f"a {symbol} b" for symbol in BINARY_OPS} <= set(operators)


def test_a_stale_page_is_caught_and_regenerated(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    (docs / "commands.md").write_text("# Command reference\n", encoding="utf-8")
    language = docs / "expression-language.md"
    text = language.read_text(encoding="utf-8")
    language.write_text(text.replace("| `exp(x)` |", "| `expo(x)` |"), encoding="utf-8")
    assert [page.name for page in reference.stale(docs)] == ["commands.md",
                                                             "expression-language.md"]
    assert reference.main(["--check", "--docs", str(docs)]) == 1
    assert reference.main(["--docs", str(docs)]) == 0
    assert reference.stale(docs) == []
    assert language.read_text(encoding="utf-8") == text
