"""From a result to its output: the result's layout (by its class), drawn by the renderer
of the format (by its name). One more format is one more renderer here."""

from __future__ import annotations

import importlib
from typing import Any

from .blocks import Document
from .layout import layout

# A format -> the module in render/ whose `document(doc)` draws it (or "module:function");
# imported when first used (rich only for a terminal, LaTeX and dot only when asked for).
RENDERERS: dict[str, str] = {
    "plain": "plain", "rich": "rich", "markdown": "markdown", "latex": "latex", "dot": "dot",
    "svg": "graphviz:svg_document", "png": "graphviz:png_document", "html": "html",
}


def render_document(doc: Document, format: str) -> Any:
    """A document drawn in a format: text (bytes for png), or for rich a renderable."""
    module, _, function = RENDERERS[format].partition(":")
    return getattr(importlib.import_module(f".{module}", __package__), function or "document")(doc)


def render(result: object, format: str) -> Any:
    """The result in a format: text, or for rich a renderable."""
    return render_document(layout(result), format)
