"""`gradtutor list`: the bundled exercises."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from .guard import guard
from .output import chosen_format, show


class ListFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"


EPILOG = "Example:\n\n\b\n  gradtutor list --format json\n"


def list_exercises(
    format: Annotated[ListFormat | None, typer.Option("--format", "-f", help="rich, plain or "
                                                      "json.")] = None,
) -> None:
    """The bundled exercises: id, title, kind, and what each asks."""
    with guard():
        from ..grading import catalog
        from ..render import draw, export
        from ..render.solution_layout import exercise_list

        rows = catalog.list_rows()
        chosen = chosen_format(format)
        if chosen == "json":
            show(export.dumps(rows))
        else:
            show(draw.render_document(exercise_list(rows), chosen))
