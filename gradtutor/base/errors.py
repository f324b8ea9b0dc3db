"""The exceptions the library raises. Only the CLI turns them into messages and exit statuses."""

from __future__ import annotations

from .safetext import visible


class GradtutorError(Exception):
    """A problem with the user's input: reported as one clear message, exit status 2.

    `file`, `line`, `field` and `column` locate the problem; `source` is the text an
    expression error points into (shown with a caret under `column`).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.column = column
        self.source = source

    def where(self) -> str:
        """`file:line: field` as far as it is known."""
        place = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        parts = [visible(p, 300) for p in (place, self.field) if p]
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = visible(self.message, 1000)
        if self.column is not None and self.source is not None and "\n" not in self.source:
            text += f" (column {self.column})"
        return f"{where}: {text}" if where else text

    def caret(self) -> str | None:
        """The source line with a caret under the offending column, when there is one."""
        if self.column is None or self.source is None:
            return None
        lines = self.source.split("\n")
        line_no, col = _line_and_col(self.source, self.column)
        start = max(0, col - 60)  # a window of a long line, around the column
        shown = visible(lines[line_no][start:start + 120], 130)
        dots = "..." if start else ""
        return f"  {dots}{shown}\n  {' ' * (len(dots) + col - 1 - start)}^"


def _line_and_col(source: str, column: int) -> tuple[int, int]:
    """Map a 1-based offset into a multi-line source to (line index, 1-based column)."""
    offset = column - 1
    line_no = source.count("\n", 0, max(offset, 0))
    start = source.rfind("\n", 0, max(offset, 0)) + 1
    return line_no, offset - start + 1


class ParseError(GradtutorError):
    """An expression or value that does not parse."""


class LimitError(GradtutorError):
    """Input beyond one of the bounds in `limits`."""


class ExpressionError(GradtutorError):
    """An expression that parses but does not make sense: unknown name or function."""


class ShapeError(GradtutorError):
    """Operands whose shapes do not fit, raised at the node that combines them."""


class ExerciseError(GradtutorError):
    """An invalid exercise file, or an unknown exercise id. May carry several problems."""

    def __init__(self, message: str, *, problems: list[GradtutorError] | None = None,
                 **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return super().__str__()
        return "\n".join(str(p) for p in self.problems)


class AnswersError(GradtutorError):
    """An answers file that cannot be read at all (a bad step inside is that step's verdict)."""


class TimeLimitError(GradtutorError):
    """A symbolic computation that did not finish within its time bound."""
