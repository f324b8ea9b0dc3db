"""TeX math read on a terminal: `\\frac{1}{m}` as 1/m, `x_1` as x₁, `\\partial` as ∂, a
matrix as rows in brackets (grids.py draws one of numbers as a grid in display math).
Markdown and LaTeX keep the TeX; plain and rich draw this.

pylatexenc parses the TeX (tolerantly: an author's typo never stops a walkthrough) and
names its symbols (Greek, ∂, ∈, ...: only its table of symbols is read, no macro is run);
what it leaves as TeX (sub- and superscripts, fractions whose parts need brackets, spacing,
\\big, matrices) is drawn here. Imported only
when a description is drawn: pylatexenc costs start-up that a numeric check never needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

SUB = dict(zip("0123456789+-=()aehijklmnoprstuvxβγρφχ",
               "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True))
SUPER = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ⊤",
                 "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡᵀ",
                 strict=True))
SPACES = {"qquad": "    ", "quad": "  ", ",": " ", ";": " ", ":": " ", " ": " ", "!": "",
          "big": "", "Big": "", "bigg": "", "Bigg": "", "bigl": "", "bigr": "", "Bigl": "",
          "Bigr": "", "left": "", "right": "", "displaystyle": "", "limits": ""}
SYMBOLS = {"top": "ᵀ", "cdot": "·", "times": "×", "lVert": "‖", "rVert": "‖", "lvert": "|",
           "rvert": "|", "ge": "≥", "le": "≤", "geq": "≥", "leq": "≤", "neq": "≠",
           "circ": "∘", "odot": "⊙", "to": "→", "leftarrow": "←", "gets": "←", "ldots": "…",
           "cdots": "⋯", "dots": "…", "infty": "∞", "approx": "≈", "sum": "∑", "prod": "∏"}
TEXT_MACROS = ("text", "mathrm", "operatorname", "mathbf", "mathit", "textbf", "textit",
               "boldsymbol", "mathsf", "mathtt")
FRACTIONS = ("frac", "tfrac", "dfrac")
BLACKBOARD = dict(zip("RNZQC", "ℝℕℤℚℂ", strict=True))
CELL, ROW = "\x1f", "\x1e"  # `&` and `\\\\` inside an environment, until it is drawn
_SINGLE_SCRIPT = re.compile(r"([_^])([^\s{}\\])")
_SIMPLE = re.compile(r"[\w.′'∂]+|\(.*\)")  # a fraction's part that needs no brackets
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)(.+?)(?<![\s\\])\$", re.DOTALL)


def tex_to_unicode(tex: str) -> str:
    """One TeX math fragment as Unicode text on one line (a matrix of numbers as
    [[1, 2], [3, 4]], any other as [a b; c d])."""
    from pylatexenc.latexwalker import LatexWalker

    walker = LatexWalker(tex, latex_context=_context(), tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    text = _nodes(nodes).replace(CELL, " ").replace(ROW, "; ")
    text = re.sub(r"\s*×\s*", " × ", re.sub(r"\s*\n\s*", " ", text))
    return re.sub(" {3,}", "   ", text).strip()


def markdown_math(markdown: str, escape: Callable[[str], str] = lambda text: text,
                  indent: str = "") -> str:
    """Markdown whose $...$ and $$...$$ are Unicode text: inline math stays in its sentence,
    display math becomes a paragraph of its own (after `indent`); both through `escape`, so
    that Markdown reads none of it as emphasis."""
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f"\n\n{indent}{escape(tex_to_unicode(match.group(1)))}\n\n"
        return escape(tex_to_unicode(match.group(2)))

    text = _MATH.sub(replace, markdown)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip("\n")


def markdown_escaped(text: str) -> str:
    """Text that Markdown shows as it is (no emphasis, code, link or table cell in it)."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


@cache
def _context() -> Any:
    """pylatexenc's macros, plus the arguments of the ones it does not know."""
    from pylatexenc import macrospec
    from pylatexenc.latexwalker import get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category("gradtutor", prepend=True, macros=[
        *(macrospec.MacroSpec(name, "{{") for name in FRACTIONS),
        *(macrospec.MacroSpec(name, "{") for name in (*TEXT_MACROS, "mathbb", "sqrt")),
    ])
    return context


@cache
def _symbols() -> Any:
    """pylatexenc's table of what each macro reads as (its text, not its behaviour)."""
    from pylatexenc.latex2text import get_default_latex_context_db

    return get_default_latex_context_db()


def _symbol(name: str) -> str:
    """A macro's symbol (\\partial: ∂), else its name: only a fixed text from the table is
    used, never a macro's action (\\input would read a file)."""
    spec = _symbols().get_macro_spec(name)
    found = getattr(spec, "simplify_repl", None)
    return found if isinstance(found, str) and "%" not in found else name


def _nodes(nodes: Sequence[Any]) -> str:
    """Nodes as text; a ^ or _ before a group makes the group a super- or subscript."""
    out = ""
    for node in nodes:
        if node is None:
            continue
        drawn = _node(node)
        if out.endswith(("^", "_")) and drawn.strip():
            out = out[:-1] + _script(out[-1], drawn) + (" " if drawn.endswith(" ") else "")
        else:
            out += drawn
    return out


def _script(mark: str, text: str) -> str:
    """text raised (^) or lowered (_) where Unicode has every character, else in brackets."""
    table = SUPER if mark == "^" else SUB
    text = text.strip()
    if text and all(char in table for char in text.replace(" ", "")):
        return "".join(table[char] for char in text.replace(" ", ""))
    if mark == "^" and text in ("ᵀ", "⊤", "T"):
        return "ᵀ"
    return mark + (text if len(text) == 1 else f"({text})")


def _node(node: Any) -> str:
    from pylatexenc import latexwalker as lw

    if node.isNodeType(lw.LatexCharsNode):
        return _SINGLE_SCRIPT.sub(lambda m: _script(m.group(1), m.group(2)), str(node.chars))
    if node.isNodeType(lw.LatexGroupNode):
        return _nodes(node.nodelist)
    if node.isNodeType(lw.LatexMacroNode):
        return _macro(node)
    if node.isNodeType(lw.LatexEnvironmentNode):
        return _environment(node)
    if node.isNodeType(lw.LatexSpecialsNode):
        return {"&": CELL, "~": " "}.get(node.specials_chars, node.specials_chars)
    if node.isNodeType(lw.LatexMathNode):
        return _nodes(node.nodelist)
    return ""  # a comment


def _argument(node: Any, index: int) -> str:
    args = node.nodeargd.argnlist if node.nodeargd is not None else []
    found = args[index] if index < len(args) else None
    return _nodes([found]) if found is not None else ""


def _macro(node: Any) -> str:
    """A macro drawn, and the space written after it kept (`X \\in W`), except after a
    symbol that reads with what follows (∂s, ∇f)."""
    drawn = _macro_text(node)
    space = " " if node.macro_post_space and drawn not in ("∂", "∇", "√", "") else ""
    return drawn + space


def _macro_text(node: Any) -> str:
    name = str(node.macroname)
    if name in SPACES:
        return SPACES[name]
    if name in SYMBOLS:
        return SYMBOLS[name]
    if name in FRACTIONS:
        return f"{_bracketed(_argument(node, 0))}/{_bracketed(_argument(node, 1))}"
    if name in TEXT_MACROS:
        return _argument(node, 0)
    if name == "mathbb":
        letters = _argument(node, 0)
        return "".join(BLACKBOARD.get(char, char) for char in letters)
    if name == "sqrt":
        return f"√{_bracketed(_argument(node, 0))}"
    if name == "\\":
        return ROW
    return _symbol(name).strip()


def _bracketed(text: str) -> str:
    text = text.strip()
    return text if _SIMPLE.fullmatch(text) else f"({text})"


def _environment(node: Any) -> str:
    """cases as `(a if b, c if d)`, a matrix as `[a b; c d]`, anything else as its body."""
    name = str(node.environmentname)
    body = _nodes(node.nodelist)
    rows = [[" ".join(cell.split()) for cell in row.split(CELL)]
            for row in body.split(ROW) if row.strip()]
    if name == "cases":
        return "(" + ", ".join(" if ".join(cell for cell in row if cell) for row in rows) + ")"
    if name.endswith("matrix"):
        return _matrix(rows)
    return body


def _matrix(rows: list[list[str]]) -> str:
    """A matrix of numbers as the language writes one, `[[1, 2], [3, 4]]` (a terminal draws
    it as a grid); any other as `[a b; c d]`."""
    if all(_NUMBER.fullmatch(cell) for row in rows for cell in row):
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"
    return "[" + "; ".join(" ".join(row) for row in rows) + "]"
