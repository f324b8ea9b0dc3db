"""From a result to its output: the result's layout (by its class), drawn by the renderer
of the format (by its name). One more format is one more renderer here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import dot, latex, markdown, plain
from .blocks import Document
from .layout import layout


def _rich(doc: Document) -> Any:
    from . import rich  # rich is imported only for a terminal

    return rich.document(doc)


RENDERERS: dict[str, Callable[[Document], Any]] = {
    "plain": plain.document, "rich": _rich, "markdown": markdown.document,
    "latex": latex.document, "dot": dot.document,
}


def render(result: object, format: str) -> Any:
    """The result in a format: text, or for rich a renderable."""
    return RENDERERS[format](layout(result))


def render_document(doc: Document, format: str) -> Any:
    """A document laid out by hand (a list of exercises has no class of its own)."""
    return RENDERERS[format](doc)
