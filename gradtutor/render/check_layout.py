"""Check reports laid out as blocks: one answers file (its steps, verdicts and notes) and
the class summary of many."""

from __future__ import annotations

from ..base import fmt
from ..base.safetext import visible
from ..grading.batch import ClassSummary, StepSummary
from ..marking.results import FileResult, StepResult
from .blocks import Bars, Block, Cell, Document, Line, Styled, Table, Typed, Verdict

STEP_HEADERS = ["step", "verdict", "given", "expected", "score"]


def file_report(result: FileResult) -> Document:
    """One answers file: a row per step, with its message and hint beside it."""
    if result.error is not None:
        return _report(result, [Line([f"error: {visible(result.error, 1000)}"], "error")])
    shown = result.feedback == "full"  # below full, no expected value: no column for it
    headers = STEP_HEADERS if shown else [h for h in STEP_HEADERS if h != "expected"]
    table = Table(headers, [step_row(step, expected=shown) for step in result.steps],
                  notes=collapsed([step_notes(step, expected=shown) for step in result.steps],
                                  [visible(step.step, 1000) for step in result.steps]))
    blocks: list[Block] = [table]
    blocks += [Line([f"note: {visible(note, 1000)}"], "note") for note in result.notes]
    if result.other_numbers is not None:
        found = result.other_numbers  # below full feedback, no counts that could be values
        blocks.append(Line([visible(found.line if shown else found.advice, 1000)], "warning"))
    blocks.append(Line([visible(result.summary, 1000)],
                       "passed" if result.all_correct else "strong"))
    return _report(result, blocks)


def _report(result: FileResult, blocks: list[Block]) -> Document:
    return Document(file_heading(result), blocks, form="report")


def file_heading(result: FileResult) -> str:
    """Exercise, file and student, as one safe line."""
    who = f" ({result.student})" if result.student else ""
    return visible(f"{result.exercise}: {result.answers_file}{who}", 1000)


def step_row(step: StepResult, *, expected: bool = True) -> list[Cell]:
    head: list[Cell] = [Typed(visible(step.step, 1000)),
                        Verdict(step.verdict, step.diagnosis or ""), Typed(given_text(step.given))]
    shown: list[Cell] = [Typed(fmt.value(step.expected))] if expected else []
    return [*head, *shown, f"{step.score:g}/{step.max_score:g}"]


def collapsed(notes: list[list[str]], steps: list[str]) -> list[list[str]]:
    """The same notes on rows in a row said once, under the last of them, with a count and
    the rows they are about: "... (x6: df9/df6 to df9/df1)"."""
    shown: list[list[str]] = [list(lines) for lines in notes]
    start = 0
    for end in range(1, len(notes) + 1):
        if end < len(notes) and notes[end] and notes[end] == notes[start]:
            continue
        if end - start > 1 and notes[start]:
            for row in range(start, end - 1):
                shown[row] = []
            shown[end - 1][-1] += f" (×{end - start}: {steps[start]} to {steps[end - 1]})"
        start = end
    return shown


def given_text(given: object) -> str:
    if given is None:
        return "-"
    if isinstance(given, str):
        return visible(given, 40)
    return fmt.value(given)


def step_notes(step: StepResult, *, expected: bool = True) -> list[str]:
    """The lines about a step that is not correct: message, details, hint. Where the
    expected value has a column, a follow-through note does not repeat it."""
    if step.verdict == "correct":
        return []
    message = step.advice if expected and step.verdict == "follow-through" and step.advice \
        else step.message
    lines = [message] if message else []
    lines.extend(step.details)
    if step.hint:
        lines.append(f"hint: {step.hint}")
    return [visible(line, 1000) for line in lines]


# -- the class -----------------------------------------------------------------------------

CLASS_HEADERS = ["step", "correct", "follow-through", "carried from", "diagnoses"]


def class_report(summary: ClassSummary) -> Document:
    """The class at a glance: score distribution, how each step went, what to re-teach first,
    and the files to look at (identical answers, one name on several files)."""
    blocks: list[Block] = []
    if summary.scores:
        blocks.append(Line([f"scores (out of {summary.max_score:g}): mean {summary.mean:.3g}, "
                            f"median {summary.median:g}, lowest {summary.lowest:g}, "
                            f"highest {summary.highest:g}"]))
        blocks.append(Bars(summary.histogram))
    if summary.steps:
        blocks.append(Table(CLASS_HEADERS, [class_row(step) for step in summary.steps],
                            prose=("carried from", "diagnoses")))
    if summary.first_to_fix:
        blocks.append(Line(["first step to fix (students):"], "strong"))
        blocks.append(Bars([(visible(step, 80), n) for step, n in summary.first_to_fix.items()]))
    blocks += [Line([visible(line, 1000)], "note") for line in attention_lines(summary)]
    blocks += [Line([f"unreadable: {visible(name, 1000)}"], "wrong")
               for name in summary.unreadable]
    return Document(class_heading(summary), blocks, form="report")


def attention_lines(summary: ClassSummary) -> list[str]:
    """Wrong values many wrote that no diagnosis explains; copies; names claimed twice;
    answers that match another student's numbers."""
    lines = [f"{step.step}: {n} students wrote {value}: no diagnosis explains it"
             for step in summary.steps for value, n in step.unexplained.items()]
    lines += ["identical answers: " + ", ".join(files) for files in summary.identical]
    lines += [f"one name, {len(files)} files: {name}: " + ", ".join(files)
              for name, files in summary.same_name.items()]
    lines += [f"{file} matches {whose}" for file, whose in summary.other_numbers.items()]
    return lines


def class_heading(summary: ClassSummary) -> str:
    return (f"class summary: {summary.files} files, {summary.checked} checked"
            + (f", {len(summary.unreadable)} unreadable" if summary.unreadable else "")
            + (" (interrupted)" if summary.interrupted else ""))


def class_row(step: StepSummary) -> list[Cell]:
    share = Styled(f"{100 * step.share_correct:.0f}%", share_role(step.share_correct))
    every = ", ".join(f"{code} ({n})" for code, n in step.diagnoses.items()) or "-"
    origins = ", ".join(f"{visible(origin, 80)} ({n})" for origin, n in step.origins.items())
    return [Typed(visible(step.step, 1000)), share,
            f"{100 * step.share_follow_through:.0f}%", origins or "-", every]


def share_role(share: float) -> str:
    """How a step went for the class: most got it, about half, or few."""
    return "correct" if share >= 0.8 else "partial" if share >= 0.5 else "wrong"
