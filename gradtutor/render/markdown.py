"""Markdown, drawn from blocks: headings, `$$` math, tables, arithmetic as code."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .blocks import (
    Answer,
    Block,
    Caption,
    Code,
    Description,
    Document,
    Gap,
    Graph,
    Hint,
    Paragraph,
    Reasoning,
    Section,
    StepTitle,
    Strong,
    Table,
    Worked,
)
from .plain import reasoning_lines


def escape(text: str) -> str:
    """Prose for Markdown: characters that would start emphasis or a tag are escaped."""
    return re.sub(r"([\\`*_<>\[\]|#])", r"\\\1", text)


def document(doc: Document) -> str:
    """The document as Markdown."""
    lines = [f"# {escape(doc.title)}", ""]
    for block in doc.blocks:
        lines += draw(block)
    return "\n".join(lines).rstrip("\n") + "\n"


def draw(block: Block) -> list[str]:
    return DRAW[type(block)](block)


def _heading(block: Section | StepTitle) -> list[str]:
    return [f"## {escape(block.text)}", ""]


def _worked(block: Worked) -> list[str]:
    return ["### Worked out", "", f"#### {escape(block.text)}", ""]


def _answer(block: Answer) -> list[str]:
    return ["**Answer:**", "", "```text", *block.lines, "```", ""]


def _code(lines: list[str]) -> list[str]:
    return ["```text", *lines, "```", ""]


def _table(block: Table) -> list[str]:
    def cell(header: str, text: str) -> str:
        return f"`{text}`" if header == block.math_column and text else escape(text)

    headers = block.headers
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |",
             "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(cell(h, c) for h, c in zip(headers, row, strict=True)) + " |"
              for row in block.rows]
    return lines + [""]


def _paragraph(block: Paragraph) -> list[str]:
    return [escape(block.text), ""] if block.text else []


def _nothing(block: Gap | Graph) -> list[str]:
    return []


DRAW: dict[type, Callable[[Any], list[str]]] = {
    Description: lambda block: [block.markdown, ""],
    Section: _heading, StepTitle: _heading, Worked: _worked,
    Hint: lambda block: [f"**Hint:** {escape(block.text)}", ""],
    Answer: _answer, Code: lambda block: _code(block.lines),
    Reasoning: lambda block: _code(reasoning_lines(block.lines, "")),
    Table: _table, Caption: lambda block: [f"`{block.text}`", ""],
    Strong: lambda block: [f"**{escape(block.text)}**", ""],
    Paragraph: _paragraph, Gap: _nothing, Graph: _nothing,
}
