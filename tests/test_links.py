"""Every link in README and docs resolves inside the repository: files and #anchors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, '-' for ' '."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    headings = re.findall(r"^#+\s+(.+?)\s*$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


def resolves(page: Path, link: str) -> bool:
    """A file inside the repository, and a heading of it when the link has an #anchor."""
    target, _, anchor = link.partition("#")
    path = (page.parent / target).resolve() if target else page
    if not path.is_relative_to(ROOT) or not path.exists():
        return False
    return not anchor or path.suffix != ".md" or anchor in anchors(path)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(page: Path) -> None:
    local = [link for link in links(page) if not re.match(r"[a-z]+:", link)]  # not web pages
    broken = [link for link in local if not resolves(page, link)]
    assert not broken, f"{page.name}: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_links_outside_the_repository(page: Path) -> None:
    """The reference is the repository's own: no page sends readers to a web page for it."""
    outside = [link for link in links(page) if re.match(r"[a-z]+:", link)]
    assert not outside, f"{page.name}: {outside}"


def test_a_broken_link_and_a_missing_anchor_are_caught() -> None:
    readme = ROOT / "README.md"
    assert resolves(readme, "docs/exercise-format.md")
    assert not resolves(readme, "SPEC.md")
    assert not resolves(readme, "#no-such-heading")
    assert not resolves(readme, "../outside.md")


def test_no_page_sends_readers_to_a_spec_the_repository_lacks() -> None:
    assert not (ROOT / "SPEC.md").exists()
    assert [page.name for page in PAGES if "SPEC.md" in page.read_text(encoding="utf-8")] == []
