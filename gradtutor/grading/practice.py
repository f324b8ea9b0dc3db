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

COMMANDS = ("hint", "reveal", "skip", "back", "help", "quit")
HELP = ("Type a value (a number, or [a, b] for a vector) to answer the step, or a command: "
        "hint (the step's hint), reveal (the worked line; no credit), skip (leave it for now), "
        "back (the step before), help, quit (save and stop).")
MAX_ANSWER_CHARS = 2000


@dataclass
class PracticeResult:
    """What the session says to one line typed at its prompt."""

    verdict: str  # correct, follow-through, wrong, invalid; or hint, revealed, skipped, ...
    message: str  # one line
    hint: str | None = None  # after a wrong answer
    worked: str | None = None  # the worked line: on the last try, or on `reveal`
    done: bool = False  # no more steps to ask, or `quit`


@dataclass
class _Slot:
    step: str
    text: str | None = None  # the student's answer as typed, kept for the answers file
    tries: int = 0
    revealed: bool = False
    verdict: str | None = None  # as the session last said it
    messages: list[str] = field(default_factory=list)


class PracticeSession:
    """One exercise practised step by step, with `attempts` tries per step."""

    def __init__(self, exercise: AnyExercise, attempts: int = 3,
                 student: str | None = None) -> None:
        if attempts < 1:
            raise GradtutorError(f"attempts must be at least 1, not {attempts}",
                                 field="attempts")
        named = student.strip() if student else ""
        # the student's own numbers (an exercise with `variants:`), as `check` grades them
        self.exercise = variant_for(exercise, named) if named else exercise
        exercise = self.exercise
        self.attempts = attempts
        self.student = student
        self.kind = kind_of(exercise)
        self.slots = [_Slot(step) for step in self.kind.template_steps(exercise)]
        self.position = 0
        self.finished = False
        self._reveals: dict[int, Any] = {}
        checked = [result.step for result in self.check().steps]
        if checked != [slot.step for slot in self.slots]:  # e.g. w1, w2, b marked as a whole
            raise GradtutorError(f"{exercise.id} is marked by parts ({', '.join(checked)}), "
                                 "not one answer per step: practice takes exercises whose "
                                 "steps are answered one at a time")

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
                    "back": self._back, "help": self._help, "quit": self._quit}[command]()
        if not typed:
            return PracticeResult("empty", "type an answer, or help")
        return self._judge(typed)

    def _judge(self, typed: str) -> PracticeResult:
        slot = self.slots[self.position]
        problem = _answer_problem(typed)
        if problem:
            return PracticeResult("invalid", problem)
        previous = slot.text
        slot.text, slot.tries = typed, slot.tries + 1
        result = self._step_result(self.check(), slot.step)
        shown = self._shown(result)
        slot.verdict = result.verdict
        if result.verdict in ("correct", "follow-through"):
            message = "right" if result.verdict == "correct" else \
                f"right given your earlier answers ({shown})"
            notes = getattr(self._reveal(), "notes", [])
            if notes and result.verdict == "correct":  # the gate pattern, where one applies
                message += f"; {notes[0]}"
            self._advance()
            return PracticeResult(result.verdict, message, done=self.finished)
        if result.verdict == "invalid":
            slot.text, slot.tries = previous, slot.tries - 1  # not a try: nothing to judge
            return PracticeResult("invalid", shown)
        slot.messages.append(shown)
        if slot.tries >= self.attempts:
            worked = self.worked()
            self._advance()
            return PracticeResult("wrong", f"{shown}; no tries left", worked=worked,
                                  done=self.finished)
        left = self.attempts - slot.tries
        return PracticeResult("wrong", f"{shown}; {left} {'try' if left == 1 else 'tries'} "
                              "left", hint=self.hint())

    def _hint(self) -> PracticeResult:
        return PracticeResult("hint", self.hint())

    def _reveal(self) -> Any:
        """The walkthrough's reveal of the current step (None for a kind that has none)."""
        if self.position not in self._reveals:
            walk = self.kind.explain(self.exercise, target=self.exercise.id,
                                     step=self.position + 1)
            self._reveals[self.position] = getattr(walk, "reveal", None)
        return self._reveals[self.position]

    def _reveal_command(self) -> PracticeResult:
        slot = self.slots[self.position]
        slot.revealed, slot.verdict, slot.text = True, "revealed", None
        worked = self.worked()
        self._advance()
        return PracticeResult("revealed", "no credit for this step", worked=worked,
                              done=self.finished)

    def _skip(self) -> PracticeResult:
        self.slots[self.position].verdict = self.slots[self.position].verdict or "skipped"
        self._advance()
        return PracticeResult("skipped", "skipped", done=self.finished)

    def _back(self) -> PracticeResult:
        if self.position == 0:
            return PracticeResult("back", "this is the first step")
        self.position -= 1
        slot = self.slots[self.position]
        slot.tries, slot.revealed = 0, False
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
                text = answer.texts.get(()) or json.dumps(answer.raw)
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

    @staticmethod
    def _step_result(result: FileResult, step: str) -> StepResult:
        return next(s for s in result.steps if s.step == step)


def _answer_problem(text: str) -> str | None:
    """Why a typed answer cannot go into an answers file as it is; None if it can."""
    if len(text) > MAX_ANSWER_CHARS or "\n" in text or "\r" in text:
        return f"an answer is one line of at most {MAX_ANSWER_CHARS} characters"
    try:
        loaded = load_yaml(f"v: {text}\n", file="answer", error=AnswersError)
    except GradtutorError:
        return "not a value: type a number, or [a, b] for a vector"
    if not isinstance(loaded.data, dict) or list(loaded.data) != ["v"]:
        return "not a value: type a number, or [a, b] for a vector"
    return None


def _equation(lhs: str, *parts: str) -> str:
    """`lhs = a = b`, leaving out a part that repeats the one before it."""
    shown = [lhs]
    for part in parts:
        if part != shown[-1]:
            shown.append(part)
    return " = ".join(shown)
