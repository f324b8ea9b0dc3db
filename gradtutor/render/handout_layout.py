"""A student's handout laid out as blocks: her numbers, the description at her numbers,
what is asked, and how to hand in (`gradtutor variants`)."""

from __future__ import annotations

import shlex

from ..base.safetext import visible
from ..grading.handouts import Handout
from .blocks import Block, Bullets, Code, Description, Document, Paragraph, Table, Typed


def handout(h: Handout) -> Document:
    """One student's exercise at her numbers."""
    blocks: list[Block] = [
        Paragraph(f"For {visible(h.student, 200)}: your own numbers."),
        Table(["value", "yours"], [[Typed(name), Typed(value)] for name, value in h.given]),
    ]
    if not h.numbers_in_text:
        blocks.append(Paragraph("The description below shows the numbers as written: work "
                                "with your own numbers above."))
    if h.description.strip():
        blocks.append(Description(h.description.strip()))
    blocks += [Paragraph("Find each of:"), Bullets([visible(step, 200) for step in h.steps]),
               Paragraph(f"Write your answers in {visible(h.answers_file, 300)} (it names "
                         "you, keep that line), then check them:"),
               Code([f"gradtutor check {shlex.quote(visible(h.check_as, 1000))} "
                     f"{shlex.quote(visible(h.answers_file, 300))}"])]
    return Document(visible(f"{h.exercise}: {h.title}", 1000), blocks)
