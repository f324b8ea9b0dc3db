"""Pictures of a document's graph (SVG, PNG), drawn by Graphviz's `dot` from the dot
renderer's source; Graphviz is an external program, run under the bounds of base/."""

from __future__ import annotations

from ..base.programs import installed, run_program
from .blocks import Document
from .dot import document as dot_source

NOT_INSTALLED = "Graphviz's `dot` is not installed: apt install graphviz (or see graphviz.org)"


def available() -> bool:
    return installed("dot")


def picture(source: str, kind: str) -> bytes:
    """dot source drawn as `kind` (svg or png)."""
    return run_program(["dot", f"-T{kind}"], source.encode("utf-8"),
                       what=f"Graphviz (dot -T{kind})", missing=NOT_INSTALLED)


def svg_document(doc: Document) -> str:
    """The document's graph as an SVG picture."""
    return picture(dot_source(doc), "svg").decode("utf-8")


def png_document(doc: Document) -> bytes:
    """The document's graph as a PNG picture."""
    return picture(dot_source(doc), "png")
