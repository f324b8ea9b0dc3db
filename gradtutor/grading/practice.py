"""`practice`: a session that asks one step at a time and judges each answer at once.

No terminal code here: the command line (and a notebook) drive a PracticeSession with
`ask()` and `answer(text)`. Each answer is judged by the exercise's own `check`, on an
answers file of everything the student has answered so far, so follow-through works as in
`check`, and the file the session saves (`answers_yaml()`) scores the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..base import fmt
from ..base.errors import AnswersError, GradtutorError
from ..exercises.answers import Answers, parse_answers
from ..exercises.yamlio import load_yaml
from ..kinds import AnyExercise, kind_of
from ..kinds.variants import variant_for
from ..marking.results import FileResult, StepResult
from .feedback import redact

COMMANDS = {  # what each command at the prompt does, as `help` lists it
    "hint": "the step's hint",
    "reveal": "the worked line; the step earns no credit",
    "explain": "the walkthrough of this step only; counts as a reveal",
    "graph": "the computational graph with what is known so far",
    "skip": "leave the step for now",
    "back": "the step before",
    "help": "",
    "quit": "save and stop",
}
HELP = ("Type a value (a number, or [a, b] for a vector) to answer the step, or a command: "
        + ", ".join(f"{name} ({what})" if what else name for name, what in COMMANDS.items())
        + ".")
MAX_ANSWER_CHARS = 2000
ATTEMPT_PENALTY = 0.1  # of a step's points, for each try after the first
REVEAL_PENALTY = 1.0  # of a step's points, when it is revealed: no credit
UNKNOWN = "?"


@dataclass
class PracticeResult:
    """What the session says to one line typed at its prompt."""

    verdict: str  # correct, follow-through, wrong, invalid; or hint, revealed, skipped, ...
    message: str  # one line
    hint: str | None = None  # after a wrong answer
    worked: str | None = None  # the worked line: on the last try, or on `reveal`
    done: bool = False  # no more steps to ask, or `quit`
    lines: list[str] = field(default_factory=list)  # `graph`: the graph, one line per value
    walkthrough: Any = None  # `explain`: the walkthrough of the step (the explain layer's)
    revised: list[str] = field(default_factory=list)  # earlier verdicts this answer changed


@dataclass
class PracticeReport:
    """The end of a session: what `check` gives the answers, the score after penalties, the
    diagnoses met and what to review."""

    check: FileResult
    score: float  # after the penalties
    max_score: float
    extra_tries: int
    reveals: int
    met: dict[str, int]  # diagnosis code: how many answers it explained
    review: list[tuple[str, str]]  # (code, what to review), the most met first

    def lines(self) -> list[str]:
        """The report as lines of text, the check's summary first."""
        found = [self.check.summary,
                 f"practice score {self.score:g}/{self.max_score:g} ({self.extra_tries} extra "
                 f"{'try' if self.extra_tries == 1 else 'tries'}, {self.reveals} "
                 f"{'reveal' if self.reveals == 1 else 'reveals'})"]
        if self.met:
            found.append("met: " + ", ".join(f"{code} ({count})" for code, count
                                             in self.met.items()))
        found += [f"review: {text}" for _, text in self.review]
        return found


@dataclass
class _Slot:
    step: str
    text: str | None = None  # the student's answer as typed, kept for the answers file
    tries: int = 0  # since the step was last asked
    earlier_tries: int = 0  # before `back` asked it again: they still count in the score
    revealed: bool = False  # once revealed, always: `back` does not take a reveal back
    verdict: str | None = None  # as the session last said it
    messages: list[str] = field(default_factory=list)

    @property
    def extra_tries(self) -> int:
        """The tries after the first, over every time the step was asked."""
        return max(0, self.earlier_tries + self.tries - 1)


class PracticeSession:
    """One exercise practised step by step, with `attempts` tries per step."""

    def __init__(self, exercise: AnyExercise, attempts: int = 3,
                 student: str | None = None, *, attempt_penalty: float = ATTEMPT_PENALTY,
                 reveal_penalty: float = REVEAL_PENALTY) -> None:
        if attempts < 1:
            raise GradtutorError(f"attempts must be at least 1, not {attempts}",
                                 field="attempts")
        for name, penalty in (("attempt_penalty", attempt_penalty),
                              ("reveal_penalty", reveal_penalty)):
            if not 0.0 <= penalty <= 1.0:
                raise GradtutorError(f"{name} is a fraction of a step's points, from 0 to 1, "
                                     f"not {penalty:g}", field=name)
        self.exercise = _own_numbers(exercise, student)
        exercise = self.exercise
        self.attempts = attempts
        self.student = student
        self.attempt_penalty = attempt_penalty
        self.reveal_penalty = reveal_penalty
        self.kind = kind_of(exercise)
        self.slots = [_Slot(step) for step in self.kind.template_steps(exercise)]
        self.position = 0
        self.finished = False
        self.generated: Any = None  # the generated exercise (grading.generate), if it is one
        self.met: dict[str, int] = {}  # diagnosis code: how many wrong answers it explained
        self._walks: dict[int, Any] = {}
        checked = [result.step for result in self.check().steps]
        if checked != [slot.step for slot in self.slots]:  # e.g. w1, w2, b marked as a whole
            raise GradtutorError(f"practice cannot take {exercise.id}: it is marked by parts "
                                 f"({', '.join(checked)}), not one answer per step; "
                                 f"read it with `gradtutor explain {exercise.id}`, or practise a "
                                 "graph exercise (gradtutor list)")

    @property
    def numbers_note(self) -> str:
        """What the session says of whose numbers these are ('' when that is plain): an
        exercise drawing each student's numbers, practised without a student."""
        if getattr(self.exercise, "variants", None) is None or self.student:
            return ""
        return "the numbers as written, not a student's own"

    # the prompt ------------------------------------------------------------------------
    @property
    def current(self) -> str | None:
        """The step asked now; None when the session is over."""
        return None if self.finished else self.slots[self.position].step

    def ask(self) -> str:
        """The current prompt, e.g. `q = x + y: q =`; empty when the session is over."""
        if self.current is None:
            return ""
        step = self.current
        forward = [line for line in getattr(self._reveal(), "forward", [])
                   if line.name == step]
        if forward:
            return f"{step} = {forward[0].expression.text}: {step} ="
        return f"{step} ="

    # one line from the student ---------------------------------------------------------
    def answer(self, text: str) -> PracticeResult:
        """Judge one answer, or run one command (COMMANDS)."""
        if self.finished:
            return PracticeResult("done", "the session is over", done=True)
        typed = text.strip()
        command = typed.lower()
        if command in COMMANDS:
            return {"hint": self._hint, "reveal": self._reveal_command, "skip": self._skip,
                    "back": self._back, "help": self._help, "quit": self._quit,
                    "graph": self.graph, "explain": self._explain}[command]()
        if not typed:
            return PracticeResult("empty", "type an answer, or help")
        return self._judge(typed)

    def _judge(self, typed: str) -> PracticeResult:
        slot = self.slots[self.position]
        problem = _answer_problem(typed)
        if problem:
            return PracticeResult("invalid", problem)
        before = slot.text, slot.verdict
        slot.text, slot.tries = typed, slot.tries + 1
        checked = self.check()
        result = self._step_result(checked, slot.step)
        shown = self._shown(result)
        if result.verdict == "invalid":  # not a try: nothing to judge
            (slot.text, slot.verdict), slot.tries = before, slot.tries - 1
            return PracticeResult("invalid", shown)
        slot.verdict = result.verdict
        said = self._judged(slot, result, shown)
        said.revised = self._revise(checked, slot)
        return said

    def _judged(self, slot: _Slot, result: StepResult, shown: str) -> PracticeResult:
        """What the session says of the current step's answer, judged as `result`."""
        if result.verdict in ("correct", "follow-through"):
            message = "right" if result.verdict == "correct" else shown  # check says why
            notes = getattr(self._reveal(), "notes", [])
            if notes and result.verdict == "correct":  # the gate pattern, where one applies
                message += f"; {notes[0]}"
            self._advance()
            return PracticeResult(result.verdict, message, done=self.finished)
        slot.messages.append(shown)
        if result.diagnosis:
            self.met[result.diagnosis] = self.met.get(result.diagnosis, 0) + 1
        if slot.tries >= self.attempts:
            worked = self.worked()
            self._advance()
            return PracticeResult("wrong", f"{shown}; no tries left", worked=worked,
                                  done=self.finished)
        left = self.attempts - slot.tries
        return PracticeResult("wrong", f"{shown}; {left} {'try' if left == 1 else 'tries'} "
                              "left", hint=self.hint())

    def _revise(self, checked: FileResult, judged: _Slot) -> list[str]:
        """The earlier steps whose verdict this answer changed, each said in one line, their
        verdicts now `check`'s. `check` judges a file as a whole: a third answer of one number
        where the true values differ, or a third slip where the given numbers enter, takes
        back follow-through it gave before; an answer changed after `back` moves it."""
        changed: list[str] = []
        for slot in self.slots:
            if slot.text is None or slot.verdict is None or slot is judged:
                continue
            now = self._step_result(checked, slot.step)
            if now.verdict != slot.verdict:
                slot.verdict = now.verdict
                changed.append(f"{slot.step} is {now.verdict} now: {self._shown(now)}")
        return changed

    def _hint(self) -> PracticeResult:
        return PracticeResult("hint", self.hint())

    def walkthrough(self) -> Any:
        """The walkthrough of the current step alone, as `explain --step N` builds it."""
        if self.position not in self._walks:
            self._walks[self.position] = self.kind.explain(
                self.exercise, target=self.exercise.id, step=self.position + 1)
        return self._walks[self.position]

    def _reveal(self) -> Any:
        """The walkthrough's reveal of the current step (None for a kind that has none)."""
        return getattr(self.walkthrough(), "reveal", None)

    def _reveal_command(self, verdict: str = "revealed") -> PracticeResult:
        slot = self.slots[self.position]
        walk = self.walkthrough()
        slot.revealed, slot.verdict, slot.text = True, "revealed", None
        worked = self.worked()
        self._advance()
        left = 1.0 - self.reveal_penalty
        message = "no credit for this step" if not left else \
            f"this step earns {left:.0%} of its points"
        return PracticeResult(verdict, message, worked=None if verdict == "explained"
                              else worked, done=self.finished,
                              walkthrough=walk if verdict == "explained" else None)

    def _explain(self) -> PracticeResult:
        return self._reveal_command("explained")

    def graph(self) -> PracticeResult:
        """The computational graph with what is known so far (shown at the start, and on
        the `graph` command)."""
        return PracticeResult("graph", f"the graph so far ({UNKNOWN}: not known yet)",
                              lines=self.graph_lines())

    def graph_lines(self) -> list[str]:
        """The computational graph with what is known so far: the given values, each node's
        formula and its value once answered or revealed, then the gradients known."""
        known = self._known()
        given = getattr(self.exercise, "given", {})
        lines = ["given: " + ", ".join(f"{name} = {fmt.value(value)}"
                                       for name, value in given.items())] if given else []
        for name, formula in getattr(self.exercise, "nodes", {}).items():
            lines.append(f"{name} = {formula} = {known.get(name, UNKNOWN)}")
        gradients = [f"{slot.step} = {known.get(slot.step, UNKNOWN)}" for slot in self.slots
                     if slot.step not in getattr(self.exercise, "nodes", {})]
        if gradients:
            lines.append("gradients: " + ", ".join(gradients))
        return lines

    def _known(self) -> dict[str, str]:
        """Each step known so far: the student's answer once judged right, the true value
        once revealed or out of tries."""
        key = self.kind.key(self.exercise)
        known: dict[str, str] = {}
        for slot in self.slots:
            if slot.verdict in ("correct", "follow-through") and slot.text is not None:
                known[slot.step] = slot.text
            elif slot.revealed or (slot.verdict == "wrong" and slot.tries >= self.attempts):
                known[slot.step] = fmt.value(key[slot.step])
        return known

    def _skip(self) -> PracticeResult:
        self.slots[self.position].verdict = self.slots[self.position].verdict or "skipped"
        self._advance()
        return PracticeResult("skipped", "skipped", done=self.finished)

    def _back(self) -> PracticeResult:
        if self.position == 0:
            return PracticeResult("back", "this is the first step")
        self.position -= 1
        slot = self.slots[self.position]
        slot.earlier_tries, slot.tries = slot.earlier_tries + slot.tries, 0
        return PracticeResult("back", f"back to {slot.step}")

    def _help(self) -> PracticeResult:
        return PracticeResult("help", HELP)

    def _quit(self) -> PracticeResult:
        self.finished = True
        return PracticeResult("quit", "stopped", done=True)

    def _advance(self) -> None:
        if self.position + 1 >= len(self.slots):
            self.finished = True
        else:
            self.position += 1

    # what the student sees of a step ---------------------------------------------------
    def hint(self) -> str:
        """The current step's hint (the author's, else the walkthrough's)."""
        reveal = self._reveal()
        if reveal is not None:
            return str(reveal.hint)
        return f"work out {self.current}"

    def worked(self) -> str:
        """The current step's worked line: local x upstream = numbers = result."""
        reveal = self._reveal()
        if reveal is None:
            step = self.slots[self.position].step
            return f"{step} = {fmt.value(self.kind.key(self.exercise)[step])}"
        lines = [_equation(line.name, line.expression.text, line.numbers.text,
                           fmt.value(line.value)) for line in reveal.forward]
        lines += [_equation(edge.gradient.text, edge.formula.text, edge.numbers.text,
                            fmt.value(edge.value)) for edge in reveal.edges]
        lines += [_equation(total.gradient.text, total.numbers.text, fmt.value(total.total))
                  for total in reveal.sums]
        answer = _equation(reveal.answer_symbol.text, fmt.value(reveal.answer))
        if not lines or lines[-1].split(" = ")[-1] != fmt.value(reveal.answer):
            lines.append(answer)
        return "; ".join(lines)

    @staticmethod
    def _shown(result: StepResult) -> str:
        """The verdict's one line without the expected value: the diagnosis and its advice."""
        shown = result.advice or result.message or result.verdict
        if result.diagnosis and result.diagnosis not in shown:
            shown = f"{result.diagnosis}: {shown}"
        return " ".join(shown.split())

    # the answers so far ----------------------------------------------------------------
    def answers(self) -> dict[str, str]:
        """Each answered step and the answer as typed, in the order asked."""
        return {slot.step: slot.text for slot in self.slots if slot.text is not None}

    def answers_yaml(self) -> str:
        """The answers so far as an answers file that `check` grades."""
        lines = [f"exercise: {json.dumps(self.exercise.id)}"]
        if self.student:
            lines.append(f"student: {json.dumps(self.student)}")
        lines.append("answers:")
        lines += [f"  {json.dumps(step)}: {text}" for step, text in self.answers().items()]
        if len(lines) == (3 if self.student else 2):
            lines[-1] = "answers: {}"
        return "\n".join(lines) + "\n"

    def check(self) -> FileResult:
        """Every answer so far checked as `check` checks the saved file."""
        answers: Answers = parse_answers(self.answers_yaml(), file="practice",
                                         exercise_id=self.exercise.id)
        return redact(self.kind.check(self.exercise, answers), "diagnosis")

    def resume(self, answers: Answers) -> None:
        """Continue from an answers file: its answers kept, the first unanswered step asked."""
        known = {slot.step: slot for slot in self.slots}
        for step, answer in answers.answers.items():
            if step in known and answer.raw is not None:
                text = _as_written(answer.raw, answer.texts)
                if _answer_problem(text) is None:
                    known[step].text = text
        result = self.check()
        for slot in self.slots:
            slot.verdict = self._step_result(result, slot.step).verdict \
                if slot.text is not None else None
        waiting = [i for i, slot in enumerate(self.slots) if slot.text is None]
        if waiting:
            self.position = waiting[0]
        else:
            self.finished = True

    def score(self) -> FileResult:
        """The final check of the answers (what `check` says of the saved file)."""
        return self.check()

    def report(self) -> PracticeReport:
        """The check of the answers, the score after the penalties, the diagnoses met and
        what to review."""
        from ..marking.diagnosis import CODES, by_code

        result = self.check()
        earned = 0.0
        for slot, step in zip(self.slots, result.steps, strict=True):
            if slot.revealed:
                earned += step.max_score * (1.0 - self.reveal_penalty)
            else:
                earned += step.score * max(0.0, 1.0 - self.attempt_penalty * slot.extra_tries)
        met = dict(sorted(self.met.items(), key=lambda item: -item[1]))
        review = [(code, by_code(code).review) for code in met if code in CODES]
        return PracticeReport(result, round(earned, 4), result.max_score,
                              sum(slot.extra_tries for slot in self.slots
                                  if not slot.revealed),
                              sum(slot.revealed for slot in self.slots), met, review)

    @staticmethod
    def _step_result(result: FileResult, step: str) -> StepResult:
        return next(s for s in result.steps if s.step == step)


def _own_numbers(exercise: AnyExercise, student: str | None) -> AnyExercise:
    """The student's variant of an exercise with `variants:`, the one `check` grades their
    answers file against; with no student named, the numbers as written (as `check` grades
    one answers file without `student:`)."""
    if getattr(exercise, "variants", None) is None or not (student and student.strip()):
        return exercise
    return variant_for(exercise, student.strip())


def _as_written(raw: object, texts: dict[tuple, str], path: tuple = ()) -> str:
    """An answer as the file wrote it: each number's own text (`0.10` keeps its two
    decimals, which the tolerance reads), in the vectors and matrices too."""
    if isinstance(raw, list):
        return "[" + ", ".join(_as_written(item, texts, (*path, index))
                               for index, item in enumerate(raw)) + "]"
    return texts.get(path) or json.dumps(raw)


def _answer_problem(text: str) -> str | None:
    """Why a typed answer cannot go into an answers file as it is; None if it can."""
    if len(text) > MAX_ANSWER_CHARS or "\n" in text or "\r" in text:
        return f"an answer is one line of at most {MAX_ANSWER_CHARS} characters"
    try:  # at the depth the answers file holds it (answers: -> step -> value)
        loaded = load_yaml(f"answers:\n  v: {text}\n", file="answer", error=AnswersError)
    except GradtutorError:
        return "not a value: type a number, or [a, b] for a vector"
    held = loaded.data.get("answers") if isinstance(loaded.data, dict) else None
    if not isinstance(held, dict) or list(held) != ["v"] \
            or held["v"] in (None, ""):  # `#...`, `~`, `|`: an answers file's blank
        return "not a value: type a number, or [a, b] for a vector"
    return None


def _equation(lhs: str, *parts: str) -> str:
    """`lhs = a = b`, leaving out a part that repeats the one before it."""
    shown = [lhs]
    for part in parts:
        if part != shown[-1]:
            shown.append(part)
    return " = ".join(shown)
