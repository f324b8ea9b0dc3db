"""`explain --step N` of a graph exercise in plain text, Markdown and LaTeX: one asked step
worked out. (The whole walkthrough is laid out as blocks, layout.py, and drawn by each
format's renderer; the revealed step is not converted yet.)

Nothing here computes a value: every number comes from the `Walkthrough`.
"""

from __future__ import annotations

from ..base import fmt
from ..explain.model import Edge, Forward, Reveal, Walkthrough
from ..explain.terms import latex_value
from .latex import LATEX_PREAMBLE, align
from .latex import text_escape as _text_escape
from .layout import edge_line, equation, forward_line, part_note, shapes_line, sum_line, sum_note
from .markdown import escape as _md_escape
from .plain import INDENT, WIDTH
from .plain import wrap as _wrap


def render(w: Walkthrough, format: str) -> str:
    """The walkthrough in one of the text formats: plain, markdown, latex or dot."""
    if w.reveal is None or format == "dot":
        from .draw import render as draw

        return draw(w, format)
    revealed = {"plain": plain, "markdown": markdown, "latex": latex}
    return revealed[format](w, w.reveal)


# -- plain -------------------------------------------------------------------------------


def plain(w: Walkthrough, reveal: Reveal) -> str:
    lines = [w.title, "=" * min(len(w.title), WIDTH), ""]
    return "\n".join(lines + _plain_reveal(w, reveal)) + "\n"


def _plain_reveal(w: Walkthrough, reveal: Reveal) -> list[str]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    lines = [f"Step {reveal.number} of {reveal.count}: {reveal.step}{weight}", ""]
    lines += _wrap("Hint: " + reveal.hint, "")
    if reveal.hint_only:
        return lines + ["", "Try it, then run again without --hint to see the step worked out."]
    lines += ["", "Worked out:"]
    lines += [INDENT + forward_line(line) for line in reveal.forward]
    for edge in reveal.edges:
        lines.append(INDENT + edge_line(edge) + (f"   {part_note(edge)}" if edge.part else ""))
        if edge.shapes:
            lines.append(INDENT + "  " + shapes_line(edge.shapes))
    lines += [INDENT + sum_line(total) + f"   {sum_note(total)}" for total in reveal.sums]
    for note in reveal.notes:
        lines += _wrap(note, INDENT)
    lines += ["", f"Answer: {equation(reveal.answer_symbol.text, fmt.value(reveal.answer))}"]
    return lines


# -- markdown ----------------------------------------------------------------------------


def markdown(w: Walkthrough, reveal: Reveal) -> str:
    lines = [f"# {_md_escape(w.title)}", ""]
    return "\n".join(lines + _md_reveal(reveal)) + "\n"


def _math(rows: list[tuple[str, list[str]]]) -> list[str]:
    """An aligned block: one `lhs = part = part` row each."""
    if not rows:
        return []
    body = " \\\\\n".join(f"{lhs} &= " + " = ".join(_dedupe(parts)) for lhs, parts in rows)
    return ["$$", r"\begin{aligned}", body, r"\end{aligned}", "$$", ""]


def _dedupe(parts: list[str]) -> list[str]:
    shown: list[str] = []
    for part in parts:
        if not shown or part != shown[-1]:
            shown.append(part)
    return shown


def _latex_name(line: Forward) -> str:
    from ..explain.terms import latex_name

    return latex_name(line.name)


def _forward_parts(line: Forward) -> list[str]:
    return [line.expression.latex, line.numbers.latex, latex_value(line.value)]


def _edge_parts(edge: Edge) -> list[str]:
    return [edge.formula.latex, edge.numbers.latex, latex_value(edge.value)]


def _md_reveal(reveal: Reveal) -> list[str]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    lines = [f"## Step {reveal.number} of {reveal.count}: `{reveal.step}`{weight}", "",
             f"**Hint:** {_md_escape(reveal.hint)}", ""]
    if reveal.hint_only:
        return lines + ["Try it, then run again without `--hint` to see the step worked out."]
    lines += ["### Worked out", ""]
    rows = [(_latex_name(line), _forward_parts(line)) for line in reveal.forward]
    rows += [(edge.gradient.latex, _edge_parts(edge)) for edge in reveal.edges]
    rows += [(t.gradient.latex, [t.numbers.latex, latex_value(t.total)]) for t in reveal.sums]
    lines += _math(rows)
    lines += [f"- {_md_escape(note)}" for note in reveal.notes]
    lines += ["", f"**Answer:** $${reveal.answer_symbol.latex} = {latex_value(reveal.answer)}$$"]
    return lines


# -- latex -------------------------------------------------------------------------------


def latex(w: Walkthrough, reveal: Reveal) -> str:
    """A standalone LaTeX document (pdflatex)."""
    body = [r"\begin{document}", rf"\section*{{{_text_escape(w.title)}}}", "",
            *_latex_reveal(reveal), r"\end{document}"]
    return LATEX_PREAMBLE + "\n".join(body) + "\n"


def _latex_reveal(reveal: Reveal) -> list[str]:
    weight = f" (weight {fmt.number(reveal.weight)})" if reveal.weight != 1 else ""
    lines = [rf"\subsection*{{Step {reveal.number} of {reveal.count}: "
             rf"{_text_escape(reveal.step)}{_text_escape(weight)}}}",
             rf"\textbf{{Hint:}} {_text_escape(reveal.hint)}", ""]
    if reveal.hint_only:
        return lines + [_text_escape("Try it, then run again without --hint to see the step "
                                     "worked out."), ""]
    rows = [(_latex_name(line), _forward_parts(line)) for line in reveal.forward]
    rows += [(edge.gradient.latex, _edge_parts(edge)) for edge in reveal.edges]
    rows += [(t.gradient.latex, [t.numbers.latex, latex_value(t.total)]) for t in reveal.sums]
    lines += [r"\subsubsection*{Worked out}"] + align(rows)
    lines += [_text_escape(note) + "\n" for note in reveal.notes]
    lines += [rf"\textbf{{Answer:}} ${reveal.answer_symbol.latex} = "
              rf"{latex_value(reveal.answer)}$", ""]
    return lines
