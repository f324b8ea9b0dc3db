"""Matrices as small grids on a terminal: in a formula's text, each small 2-D value (as
fmt.value writes it, `[[1, 2], [-1, 0.5]]`) is drawn as aligned rows in brackets, beside the
rest of the formula, which runs along the grids' middle row. Plain and rich draw formulas
through here; the other formats keep their own matrices (LaTeX's bmatrix, dot's tables).

A line with no such matrix is left to the renderer (None), so that it reads and wraps as
before. A formula too wide for the page is stacked: `lhs = a` and then each `= b` on lines
of its own, a part still too wide wrapped between its operands; a grid wider than the page
leaves the whole line as text. A number is never split: a grid is one piece, and text is
broken only at spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .blocks import Grid

_NUMBER = r"(?:-?(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|inf)|nan)"
_ROW = rf"\[{_NUMBER}(?:, {_NUMBER})*\]"
MATRIX = re.compile(rf"(?<!\[)\[{_ROW}(?:, {_ROW})+\](?!\])")  # two rows or more
MAX_ROWS = 6  # a taller matrix stays inline: as a grid it would fill the screen
UNICODE, ASCII = "unicode", "ascii"  # rich draws ⎡ ⎤ brackets; plain [ ] on each row
Piece = str | Grid
_VECTOR = re.compile(rf"\[{_NUMBER}(?:, {_NUMBER})*\]")
_LITERAL = re.compile(rf"\[{_ROW}(?:, {_ROW})*\]|{_VECTOR.pattern}")
_KEPT = "\x00"  # the space after a vector's comma, while the text is cut into words


@dataclass
class Box:
    """Lines drawn one under the other; `base` is the line the formula's text runs on."""

    lines: list[str]
    base: int = 0

    @property
    def width(self) -> int:
        return max(len(line) for line in self.lines)


def pieces(text: str) -> list[Piece]:
    """The text split into its words and small matrices (as grids of their entries)."""
    found: list[Piece] = []
    start = 0
    for match in MATRIX.finditer(text):
        rows = [row.split(", ") for row in re.findall(r"\[([^\[\]]*)\]", match.group()[1:-1])]
        if len(rows) > MAX_ROWS or any(len(row) != len(rows[0]) for row in rows):
            continue  # (a ragged list, as a student may write one, stays as it is)
        found += [text[start:match.start()], rows]
        start = match.end()
    return [piece for piece in [*found, text[start:]] if piece != ""]


def has_grid(text: str) -> bool:
    return any(not isinstance(piece, str) for piece in pieces(text))


def held(text: str, room: int, space: str = "\xa0") -> str:
    """The text with each vector or matrix no longer than `room` held together: the spaces
    in it replaced by `space` (a no-break space), for a wrapper that breaks at spaces."""
    def hold(match: re.Match[str]) -> str:
        found = match.group()
        return found.replace(" ", space) if len(found) <= room else found

    return _LITERAL.sub(hold, text)


def drawn(text: str, style: str, room: int) -> list[str] | None:
    """A value that is one small matrix (a table's cell) as its grid's lines, else None (a
    grid wider than `room` too)."""
    found = pieces(text)
    if len(found) != 1 or isinstance(found[0], str):
        return None
    lines = grid_box(found[0], style).lines
    return lines if max(len(line) for line in lines) <= room else None


def aligned(grid: Grid) -> list[str]:
    """The grid's rows, each column aligned on the decimal point, two spaces between."""
    columns = [_column([row[i] for row in grid]) for i in range(len(grid[0]))]
    return ["  ".join(column[r] for column in columns) for r in range(len(grid))]


def _column(cells: Sequence[str]) -> list[str]:
    split = [re.match(r"(-?[^.e]*)(.*)", cell).groups() for cell in cells]  # type: ignore[union-attr]
    whole = max(len(head) for head, _ in split)
    tail = max(len(rest) for _, rest in split)
    return [head.rjust(whole) + rest.ljust(tail) for head, rest in split]


def grid_box(grid: Grid, style: str) -> Box:
    """A matrix in brackets: tall ones, ⎡ ⎢ ⎣ (unicode), or a `[ ]` on each row (ascii)."""
    rows = aligned(grid)
    last = len(rows) - 1
    if style == UNICODE:
        left, right = ["⎡", *["⎢"] * (last - 1), "⎣"], ["⎤", *["⎥"] * (last - 1), "⎦"]
    else:
        left, right = ["["] * len(rows), ["]"] * len(rows)
    return Box([f"{left[r]}{row}{right[r]}" for r, row in enumerate(rows)], last // 2)


SPACE = Box([" "])


def beside(boxes: Sequence[Box]) -> Box:
    """Boxes side by side, their bases on one line."""
    above = max(box.base for box in boxes)
    below = max(len(box.lines) - 1 - box.base for box in boxes)
    lines = [""] * (above + below + 1)
    for box in boxes:
        top = above - box.base
        for row in range(len(lines)):
            inside = 0 <= row - top < len(box.lines)
            lines[row] += (box.lines[row - top] if inside else "").ljust(box.width)
    return Box([line.rstrip() for line in lines], above)


def _atoms(text: str) -> list[list[Piece]]:
    """The text's pieces grouped where no space separates them (`sum(` and a grid)."""
    atoms: list[list[Piece]] = []
    glued = False
    for piece in pieces(text):
        words: Sequence[Piece] = _words(piece) if isinstance(piece, str) else [piece]
        for position, word in enumerate(words):
            glued = glued and position == 0
            if word == "":
                continue
            if glued:
                atoms[-1].append(word)
            else:
                atoms.append([word])
            glued = True
    return atoms


def _words(text: str) -> list[str]:
    """The text cut at its spaces, a vector ([0.1, -0.2]) kept whole."""
    return [word.replace(_KEPT, " ") for word in held(text, 10**6, _KEPT).split(" ")]


def _atom_box(atom: list[Piece], style: str) -> Box:
    """An atom drawn: its grids in brackets, a transpose raised beside the grid's top row."""
    boxes: list[Box] = []
    for piece in atom:
        if not isinstance(piece, str):
            boxes.append(grid_box(piece, style))
        elif piece.startswith(".T") and boxes and len(boxes[-1].lines) > 1:
            boxes += [_transposed(boxes[-1], style), *([Box([piece[2:]])] if piece[2:] else [])]
        else:
            boxes.append(Box([piece]))
    return beside(boxes)


def _transposed(grid: Box, style: str) -> Box:
    """A grid's transpose mark, raised beside its top row: ᵀ (unicode) or .T (ascii)."""
    return Box(["ᵀ" if style == UNICODE else ".T", *[""] * grid.base], grid.base)


def layout(text: str, page: int, style: str, *, indent: str = "", stack: bool = False
           ) -> list[str] | None:
    """The text's lines with its matrices as grids, within `page` columns; None when it has
    no small matrix or a grid is wider than the page (the caller draws the text as it is).
    `stack`: an equation too wide is broken at its `=`, each part on lines of its own."""
    atoms = _atoms(text)
    if all(isinstance(piece, str) for atom in atoms for piece in atom):
        return None
    boxes = [_atom_box(atom, style) for atom in atoms]
    room = page - len(indent)
    if max(box.width for box in boxes) > room - 6:
        return None
    if _width(boxes) <= room:
        return _drawn([boxes], indent)
    parts = _parts(atoms, boxes) if stack else [boxes]
    if len(parts) > 1:  # `lhs = a` on the first line, the other parts under it
        parts[:2] = [[*parts[0], Box(["="]), *parts[1]]]
    rows = _wrapped(parts[0], room, 4)
    for part in parts[1:]:
        rows += [[Box(["  =" if n == 0 else "   "]), *row]
                 for n, row in enumerate(_wrapped(part, room - 4, 2))]
    return _drawn(rows, indent)


def _parts(atoms: list[list[Piece]], boxes: list[Box]) -> list[list[Box]]:
    """The boxes of `a = b = c` as its parts [a, b, c] (a part's boxes without the `=`)."""
    parts: list[list[Box]] = [[]]
    for atom, box in zip(atoms, boxes, strict=True):
        if atom == ["="]:
            parts.append([])
        else:
            parts[-1].append(box)
    return [part for part in parts if part]


def _width(boxes: Sequence[Box]) -> int:
    return sum(box.width for box in boxes) + len(boxes) - 1


def _wrapped(boxes: list[Box], room: int, hang: int) -> list[list[Box]]:
    """Boxes in rows of at most `room` columns, a continued row indented by `hang`; an `=`
    stays at the end of a row, never starting one."""
    rows: list[list[Box]] = [[]]
    for box in boxes:
        row = rows[-1]
        starts = box.lines == ["="] and row
        if row and not starts and _width([*row, box]) > room - (hang if len(rows) > 1 else 0):
            rows.append([Box([" " * (hang - 1)])] if hang else [])
        rows[-1].append(box)
    return rows


def _drawn(rows: list[list[Box]], indent: str) -> list[str]:
    """The rows of boxes drawn, a space between two boxes."""
    lines: list[str] = []
    for row in rows:
        spaced = [box for n, item in enumerate(row) for box in ([SPACE, item] if n else [item])]
        lines += [indent + line if line else "" for line in beside(spaced).lines]
    return lines
