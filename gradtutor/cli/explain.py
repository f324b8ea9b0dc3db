"""`gradtutor explain`: a chain-rule walkthrough in any format."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from .guard import guard
from .options import AT_HELP
from .output import chosen_format, show
from .targets import is_exercise, option_values, refuse_near_id


class ExplainFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    markdown = "markdown"
    latex = "latex"
    dot = "dot"


EPILOG = """Examples:

\b
  gradtutor explain "(x+y)*z" --at x=-2 --at y=5 --at z=-4
  gradtutor explain "q = x + y; f = q*z" --at x=-2 --at y=5 --at z=-4 --format plain
  gradtutor explain sigmoid-neuron --format markdown > sigmoid-neuron.md
  gradtutor explain sigmoid-neuron --format latex > walkthrough.tex && pdflatex walkthrough.tex
  gradtutor explain max-gate --format dot | dot -Tpng > max-gate.png
  gradtutor explain max-gate --step 9 --hint
"""


def explain(
    target: Annotated[str, typer.Argument(help="An expression, a program of assignments "
                                          "(';' or new lines), an exercise file or a bundled "
                                          "exercise id.")],
    at: Annotated[list[str] | None, typer.Option("--at", help=AT_HELP + " Every input of an "
                                                 "expression or program needs one.")] = None,
    format: Annotated[ExplainFormat | None, typer.Option(
        "--format", "-f", help="rich (terminal default), plain (pipe default), json (the "
        "walkthrough's data), markdown ($$ math, for GitHub and Jupyter), latex (a "
        "standalone document for pdflatex), dot (Graphviz source).")] = None,
    step: Annotated[int | None, typer.Option(
        "--step", "-s", min=1, help="Exercises: reveal only asked step N (1 = the first step "
        "of 'ask'), a hint first, then the step worked out.")] = None,
    hint: Annotated[bool, typer.Option(
        "--hint", help="With --step: show only the hint, to try the step before reading "
        "it.")] = False,
) -> None:
    """A chain-rule walkthrough, in the style of the worked examples of the notes.

    1) the sub-functions and the computational graph, 2) the local derivative of every edge
    in symbols, 3) the forward pass, 4) the backward pass from the end of the circuit, one
    line per edge: downstream = local * upstream, with the numbers filled in, 5) the
    gradients. A bare expression gets one node per operation, named n1, n2, ...; a program or
    an exercise is explained node by node as it names them. Kinks: relu'(0) = 0, and at a
    tie max routes the gradient to its first argument.

    A perceptron exercise: the unit and g(0), the weights the learning rule finds (or why no
    single unit can), the truth table row by row, and for XOR the two-layer construction;
    --step N reveals its N-th asked part (weights, network or trace).
    """
    with guard():
        from ..base.errors import GradtutorError
        from ..kinds import explain as build

        chosen = chosen_format(format)
        if hint and step is None:
            raise GradtutorError("--hint goes with --step N", field="--hint")
        if step is not None and chosen == "dot":
            raise GradtutorError("--step shows one step in words: use --format rich, plain, "
                                 "json, markdown or latex", field="--step")
        values = option_values(at)
        if not is_exercise(target):  # is_exercise notes when an expression names a file here
            refuse_near_id(target, at)
        walk = build(target, values, step=step, hint_only=hint)
        if chosen == "json":
            from ..render.export import dumps, walkthrough_data

            show(dumps(walkthrough_data(walk)))
        else:  # laid out as blocks, drawn by the format's renderer
            from ..render.draw import render as draw

            show(draw(walk, chosen))
