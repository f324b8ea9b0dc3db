"""LaTeX: a standalone document for pdflatex, drawn from blocks: text escaped, unicode made
safe, an author's Markdown converted, math in $...$ and align*."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ..base.safetext import prose, visible_lines
from .blocks import (
    Answer,
    AnswerEquation,
    Bars,
    Block,
    Bullets,
    Caption,
    Cell,
    Code,
    Description,
    Diagram,
    Document,
    Equations,
    Fact,
    Gap,
    Graph,
    Hint,
    Line,
    Lines,
    Math,
    Note,
    Paragraph,
    Reasoning,
    Remark,
    Section,
    StepTitle,
    Strong,
    Subsection,
    Table,
    Visit,
    Worked,
    distinct,
    span_text,
)
from .plain import INDENT

LATEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\setcounter{MaxMatrixCols}{200}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
"""

_UNICODE = {
    "\u2212": r"\ensuremath{-}", "\u00b7": r"\ensuremath{\cdot}", "\u00d7": r"\ensuremath{\times}",
    "\u03c3": r"\ensuremath{\sigma}", "\u2202": r"\ensuremath{\partial}",
    "\u2192": r"\ensuremath{\rightarrow}", "\u2190": r"\ensuremath{\leftarrow}",
    "\u00b2": r"\ensuremath{^2}", "\u00b3": r"\ensuremath{^3}", "\u2264": r"\ensuremath{\leq}",
    "\u2265": r"\ensuremath{\geq}", "\u2014": "---", "\u2013": "--", "\u2026": r"\ldots{}",
    "\u2018": "`", "\u2019": "'", "\u201c": "``", "\u201d": "''", "\u00a0": "~",
    "\u2207": r"\ensuremath{\nabla}", "\u2211": r"\ensuremath{\sum}",
}
_TEXT_SPECIALS = {
    "\\": r"\ensuremath{\backslash}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}", "|": r"\ensuremath{|}", "[": "{[}", "]": "{]}",
}


def _unicode(char: str) -> str:
    if char in _UNICODE:
        return _UNICODE[char]
    if ord(char) < 128:
        return char
    ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return ascii_form or "?"


def text_escape(text: str) -> str:
    """Text for LaTeX's text mode, never a command: special characters escaped (a bracket
    too: after \\\\ or \\item it would be an optional argument), hidden characters shown
    as escapes, unicode made safe."""
    return "".join(_TEXT_SPECIALS.get(c, _unicode(c)) for c in prose(text))


def math_safe(text: str) -> str:
    """Math the program wrote (numbers, names, operators), with unicode made safe."""
    return "".join(_unicode(c) for c in text)


def verbatim_safe(line: str) -> str:
    shown = "".join(_unicode(c) for c in visible_lines(line).replace("\n", " "))
    return shown.replace(r"\end{verbatim}", r"\end {verbatim}")


# -- an author's math: only known math commands reach the document ------------------------

_MATH_COMMAND_NAMES = """
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta
    Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    frac tfrac dfrac sqrt partial nabla sum prod int lim max min argmax argmin sup inf log ln
    exp sin cos tan tanh sinh cosh det top intercal cdot cdots ldots dots vdots ddots times
    div pm mp circ odot otimes oplus ast star bullet le leq ge geq lt gt ne neq approx equiv
    sim simeq propto in notin subset subseteq cup cap forall exists infty to rightarrow
    leftarrow Rightarrow Leftarrow leftrightarrow mapsto implies iff quad qquad big Big bigg
    Bigg bigl bigr Bigl Bigr left right langle rangle lVert rVert lvert rvert Vert vert
    lfloor rfloor lceil rceil hat bar tilde vec dot ddot overline underline widehat
    widetilde prime ell hbar mathbb mathbf mathit mathcal mathsf mathtt mathrm boldsymbol
    displaystyle textstyle scriptstyle limits nolimits begin end text textrm textbf textit
    mbox operatorname
"""
MATH_COMMANDS = frozenset(_MATH_COMMAND_NAMES.split())
TEXT_ARGUMENT = frozenset({"text", "textrm", "textbf", "textit", "mbox", "operatorname"})
MATH_ENVIRONMENTS = frozenset({"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix",
                               "smallmatrix", "cases", "aligned", "gathered", "split"})
CONTROL_SYMBOLS = frozenset(",;:! {}|\\_%#&")
_MATH_TOKEN = re.compile(r"\\([A-Za-z]+|.?)|\{|\}|[%#&]|[^\\{}%#&]+", re.DOTALL)


def author_math(text: str) -> str | None:
    """An author's math for the document: known math commands kept, anything else (a
    command such as \\input or \\write18, TeX's ^^ notation) escaped so it shows as text;
    None when it cannot be math (unbalanced braces, hidden characters other than line
    breaks): the caller shows it as text."""
    if visible_lines(text) != text or not _balanced(text):
        return None
    tokens = [match.group() for match in _MATH_TOKEN.finditer(text)]
    aligned = any(tok == r"\begin" for tok in tokens)
    shown: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith("\\") and token[1:] in TEXT_ARGUMENT and _group_at(tokens, index + 1):
            end = _group_end(tokens, index + 1)
            shown.append(token + "{" + text_escape("".join(tokens[index + 2:end])) + "}")
            index = end + 1
            continue
        if token in (r"\begin", r"\end"):
            name = _group_text(tokens, index + 1)
            if name in MATH_ENVIRONMENTS:
                shown.append(f"{token}{{{name}}}")
                index = _group_end(tokens, index + 1) + 1
                continue
            shown.append(r"\backslash{}\mathrm{" + token[1:] + "}")
        else:
            shown.append(_math_token(token, aligned))
        index += 1
    math = "".join(shown)
    while "^^" in math:  # never TeX's ^^ notation (^^5c is a backslash)
        math = math.replace("^^", "^{}{}^")
    return math_safe(math)


def _math_token(token: str, aligned: bool) -> str:
    if token.startswith("\\"):
        name = token[1:]
        known = name in MATH_COMMANDS if name[:1].isalpha() else name in CONTROL_SYMBOLS
        if known and (name != "\\" or aligned):
            return token
        return r"\backslash{}" + (r"\mathrm{" + name + "}" if name[:1].isalpha()
                                  else text_escape_in_math(name))
    if token == "&" and aligned:
        return token
    return {"%": r"\%", "#": r"\#", "&": r"\&"}.get(token, token)


def text_escape_in_math(text: str) -> str:
    return r"\text{" + text_escape(text) + "}" if text else ""


def _balanced(text: str) -> bool:
    depth = 0
    for match in _MATH_TOKEN.finditer(text):
        depth += {"{": 1, "}": -1}.get(match.group(), 0)
        if depth < 0:
            return False
    return depth == 0


def _group_at(tokens: list[str], index: int) -> bool:
    return index < len(tokens) and tokens[index] == "{"


def _group_end(tokens: list[str], start: int) -> int:
    """The index of the '}' that closes the group opened at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += {"{": 1, "}": -1}.get(tokens[index], 0)
        if depth == 0:
            return index
    return len(tokens) - 1


def _group_text(tokens: list[str], start: int) -> str | None:
    """The text of a brace group of plain tokens at `start`, if there is one."""
    if not _group_at(tokens, start):
        return None
    return "".join(tokens[start + 1:_group_end(tokens, start)])


def display_math(text: str) -> list[str]:
    """Display math from an author: `\\[...\\]`, or its text when it cannot be math."""
    math = author_math(text)
    return [r"\[", math, r"\]"] if math is not None else [text_escape(f"$${text}$$")]


def inline_math(text: str) -> str:
    math = author_math(text)
    return f"${math}$" if math is not None else text_escape(f"${text}$")


def description_lines(description: str) -> list[str]:
    """The exercise's Markdown description, converted for LaTeX: paragraphs, lists, tables,
    code, emphasis; math is passed through."""
    lines: list[str] = []
    blocks = re.split(r"\n\s*\n", description.strip())
    for block in blocks:
        lines += _latex_block(block) + [""]
    return lines


def _latex_block(block: str) -> list[str]:
    rows = block.splitlines()
    stripped = block.strip()
    if stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4:
        return display_math(stripped[2:-2].strip())
    if all(row.startswith("    ") for row in rows):
        return [r"\begin{verbatim}", *(verbatim_safe(r[4:]) for r in rows), r"\end{verbatim}"]
    if all(row.strip().startswith("|") for row in rows):
        return _latex_table(rows)
    if re.match(r"\s*(?:[-*]|\d+\.)\s", rows[0]):
        return _latex_list(rows)
    return [_latex_inline(" ".join(row.strip() for row in rows))]


def _latex_table(rows: list[str]) -> list[str]:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows
             if not re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", row)]
    width = max(len(r) for r in cells)
    lines = [r"\begin{tabular}{" + "l" * width + "}"]
    for row in cells:
        row = row + [""] * (width - len(row))
        lines.append(" & ".join(_latex_inline(c) for c in row) + r" \\")
    return lines + [r"\end{tabular}"]


def _latex_list(rows: list[str]) -> list[str]:
    numbered = bool(re.match(r"\s*\d+\.\s", rows[0]))
    items: list[str] = []
    for row in rows:
        match = re.match(r"\s*(?:[-*]|\d+\.)\s+(.*)", row)
        if match:
            items.append(match.group(1))
        elif items:
            items[-1] += " " + row.strip()
    environment = "enumerate" if numbered else "itemize"
    return [rf"\begin{{{environment}}}", *(rf"\item {_latex_inline(i)}" for i in items),
            rf"\end{{{environment}}}"]


_INLINE = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$|`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)")


def _latex_inline(text: str) -> str:
    parts = []
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("$$") and piece.endswith("$$") and len(piece) > 4:
            parts.append("".join(display_math(piece[2:-2])))
        elif piece.startswith("$") and piece.endswith("$") and len(piece) > 2:
            parts.append(inline_math(piece[1:-1]))
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
            parts.append(rf"\texttt{{{text_escape(piece[1:-1])}}}")
        elif piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            parts.append(rf"\textbf{{{text_escape(piece[2:-2])}}}")
        elif piece.startswith("*") and piece.endswith("*") and len(piece) > 2:
            parts.append(rf"\emph{{{text_escape(piece[1:-1])}}}")
        else:
            parts.append(text_escape(piece))
    return "".join(parts)


# -- blocks ------------------------------------------------------------------------------

DOCUMENT_PREAMBLE = LATEX_PREAMBLE + "\\usepackage{longtable}\n"


def span(cell: Cell) -> str:
    """Text escaped; math (a name, a formula, a value) in $...$."""
    if isinstance(cell, list):
        return "".join(span(part) for part in cell)
    if isinstance(cell, Math):
        return f"${cell.latex}$"
    return text_escape(span_text(cell))


def document(doc: Document) -> str:
    """The document as a standalone LaTeX file."""
    title = [rf"\section*{{{text_escape(doc.title)}}}", ""] if doc.title else []
    body = [r"\begin{document}", *title]
    for block in doc.blocks:
        body += draw(block)
    return DOCUMENT_PREAMBLE + "\n".join([*body, r"\end{document}"]) + "\n"


def draw(block: Block) -> list[str]:
    return DRAW[type(block)](block)


def _heading(block: Section | StepTitle) -> list[str]:
    return [rf"\subsection*{{{span(block.text)}}}"]


def _worked(block: Worked) -> list[str]:
    named = [rf"\paragraph{{{text_escape(block.text)}}}", ""] if block.text else []
    return [r"\subsubsection*{Worked out}", *named]


def _hint(block: Hint) -> list[str]:
    return [rf"\textbf{{Hint:}} {text_escape(block.text)}", ""]


def _answer(block: Answer) -> list[str]:
    return [r"\textbf{Answer:}", *_code(Code(block.lines))]


def _code(block: Code) -> list[str]:
    return [r"\begin{verbatim}", *map(verbatim_safe, block.lines), r"\end{verbatim}", ""]


def _reasoning(block: Reasoning) -> list[str]:
    return [rf"\begin{{center}}\texttt{{{text_escape(line.strip())}}}\end{{center}}"
            if line.startswith("  ") else text_escape(line) + "\n" for line in block.lines]


def _table(block: Table) -> list[str]:
    if block.long:
        return _longtable(block)
    lines = [r"\begin{tabular}{" + "l" * len(block.headers) + "}",
             " & ".join(text_escape(h) for h in block.headers) + r" \\ \hline"]
    lines += [" & ".join(span(cell) for cell in row) + r" \\" for row in block.rows]
    title = [rf"\textbf{{{text_escape(block.title)}}}", ""] if block.title else []
    notes = [f"{span_text(row[0])}: {note}"
             for row, row_notes in zip(block.rows, block.notes, strict=False) for note in row_notes]
    return title + lines + [r"\end{tabular}", "", *_itemize(notes)]


def _longtable(block: Table) -> list[str]:
    """A longtable (it breaks across pages), arithmetic in math: 1 \\cdot 0 + 1 = 1."""
    def cell(header: str, text: Cell) -> str:
        if header == block.math_column and isinstance(text, str) and text:
            return inline_math(text.replace("*", r" \cdot "))
        return span(text)

    headers = block.headers
    lines = [r"\begin{longtable}{" + "l" * len(headers) + "}",
             " & ".join(text_escape(h) for h in headers) + r" \\ \hline", r"\endhead"]
    lines += [" & ".join(cell(h, c) for h, c in zip(headers, row, strict=True)) + r" \\"
              for row in block.rows]
    return lines + [r"\end{longtable}", ""]


def _lines(block: Lines) -> list[str]:
    *first, last = [span(line) for line in block.lines]
    return [*(line + r"\\" for line in first), last, ""]


def _equations(block: Equations) -> list[str]:
    """An align* block (a long row's parts on lines of their own); the shapes listed under it."""
    lines = align([(row.lhs.latex, [*(part.latex for part in row.parts), *_remark(row.remark)])
                   for row in block.rows])
    shapes = [rf"\item ${row.lhs.latex}$: {text_escape(row.shapes)}"
              for row in block.rows if row.shapes]
    return lines + ([r"\begin{itemize}", *shapes, r"\end{itemize}"] if shapes else [])


def _remark(remark: str) -> list[str]:
    return [rf"\quad \text{{{text_escape(remark)}}}"] if remark else []


def align(rows: list[tuple[str, list[str]]]) -> list[str]:
    """An align* block; a long row's parts go on lines of their own."""
    if not rows:
        return []
    return [r"\begin{align*}", " \\\\\n".join(align_rows(rows)), r"\end{align*}", ""]


LINE = 80  # about how many characters of math a line of the page holds


def align_rows(rows: list[tuple[str, list[str]]]) -> list[str]:
    """The rows of an alignment at =: a row too long for a line has its parts on lines of
    their own, and a part too long is broken before its operators (+, -, ⊙, ·) or, when
    one operand alone is too wide, its matrices made small."""
    body = []
    for lhs, parts in rows:
        parts = distinct(parts)
        if math_width(lhs) + sum(math_width(p) + 3 for p in parts) <= LINE:
            body.append(f"{lhs} &= " + " = ".join(parts))
            continue
        lines = [f"&= {line}" if i == 0 else rf"&\quad {line}"
                 for part in parts for i, line in enumerate(fitted(part))]
        body.append(f"{lhs} " + " \\\\ ".join(lines))
    return body


_MATRIX = re.compile(r"\\begin\{(\w*matrix)\}(.*?)\\end\{\1\}", re.DOTALL)
_OPERATOR = re.compile(r" (?:\\odot|\\cdot|\\times|\+|-) ")


def math_width(latex: str) -> int:
    """Roughly how many characters wide the math is: a matrix as wide as its widest row,
    a command as one character, braces as none."""
    def matrix(match: re.Match[str]) -> str:
        rows = [row.replace("&", "  ").strip() for row in match.group(2).split(r"\\")]
        return "[" + max(rows, key=len) + "]"

    shown = _MATRIX.sub(matrix, latex)
    shown = re.sub(r"\\(left|right|operatorname|mathrm|text)\b", "", shown)
    return len(re.sub(r"\\[A-Za-z]+", "x", shown).replace("{", "").replace("}", ""))


def fitted(part: str) -> list[str]:
    """A part of an equation as lines of at most about LINE characters."""
    if math_width(part) <= LINE:
        return [part]
    lines: list[str] = []
    for piece in _pieces(part):
        if lines and math_width(lines[-1] + piece) <= LINE:
            lines[-1] += piece
        else:
            lines.append(piece.strip())
    return [small(line) if math_width(line) > LINE else line for line in lines]


def _pieces(latex: str) -> list[str]:
    """The math cut before each operator outside every bracket, group and environment."""
    pieces, start, depth = [], 0, 0
    for match in re.finditer(r"\\left\b|\\right\b|\\begin\b|\\end\b|[{}]|"
                             + _OPERATOR.pattern, latex):
        token = match.group()
        if token in (r"\left", r"\begin", "{"):
            depth += 1
        elif token in (r"\right", r"\end", "}"):
            depth -= 1
        elif depth == 0:
            pieces.append(latex[start:match.start()])
            start = match.start()
    return [*pieces, latex[start:]]


def small(latex: str) -> str:
    """The math with its matrices in script size (smallmatrix in brackets)."""
    return _MATRIX.sub(lambda m: rf"\left[\begin{{smallmatrix}}{m.group(2)}"
                       rf"\end{{smallmatrix}}\right]", latex)


def _itemize(items: list[str]) -> list[str]:
    if not items:
        return []
    return [r"\begin{itemize}", *(rf"\item {text_escape(i)}" for i in items), r"\end{itemize}"]


def _bold(block: Strong | Caption) -> list[str]:
    return [rf"\textbf{{{text_escape(block.text)}}}", ""]


def _paragraph(block: Paragraph) -> list[str]:
    return [text_escape(block.text), ""] if block.text else []


def _nothing(block: Graph) -> list[str]:
    return []


DRAW: dict[type, Callable[[Any], list[str]]] = {
    Description: lambda block: description_lines(block.markdown),
    Section: _heading, StepTitle: _heading, Worked: _worked, Hint: _hint, Answer: _answer,
    Code: _code, Reasoning: _reasoning, Table: _table, Strong: _bold, Caption: _bold,
    Paragraph: _paragraph, Gap: lambda block: [r"\medskip", ""], Graph: _nothing,
    Lines: _lines, Fact: lambda block: [text_escape(block.text), ""],
    Note: lambda block: [rf"\emph{{Note: {text_escape(block.text)}}}" + "\n"],
    Subsection: lambda block: [rf"\subsection*{{{text_escape(block.text)}}}"],
    Diagram: lambda block: [r"\begin{verbatim}",
                            *(verbatim_safe(INDENT + line) for line in block.lines()),
                            r"\end{verbatim}"],
    AnswerEquation: lambda block: [rf"\textbf{{Answer:}} ${block.answer.latex}$", ""],
    Equations: _equations, Bullets: lambda block: _itemize(block.items),
    Visit: lambda block: [rf"\paragraph{{At ${block.node.latex}$}} upstream "
                          rf"${block.upstream.latex}$", ""],
    Remark: lambda block: [rf"\textbf{{{text_escape(block.text)}}}", ""],
    Line: lambda block: [span(block.spans), ""],
    Bars: lambda block: _itemize([f"{band}: {count}" for band, count in block.rows]),
}
