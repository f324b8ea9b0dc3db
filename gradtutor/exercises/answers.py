"""Answers files: untrusted YAML written by students, read into plain data.

A file that cannot be read at all raises AnswersError (exit status 2 for that file); a
strange value inside a readable file is kept as it is, for the checker to call `invalid`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base import limits
from ..base.errors import AnswersError, GradtutorError
from ..lang.parser import TYPED
from .exercise import parse_step
from .fields import kind_of
from .yamlio import Loaded, load_yaml, read_yaml_file

TOP_KEYS = ("exercise", "student", "answers")


@dataclass
class Answer:
    step: str  # the key as the student wrote it
    raw: Any  # number, text, nested lists, or anything else YAML can hold
    texts: dict[tuple, str] = field(default_factory=dict)  # index path -> number as written
    line: int | None = None


@dataclass
class Answers:
    file: str
    exercise: str | None
    student: str | None
    answers: dict[str, Answer]  # in file order


def read_answers(path: str | Path, exercise_id: str | None = None) -> Answers:
    loaded = read_yaml_file(path, error=AnswersError)
    return answers_from_yaml(loaded, exercise_id)


def parse_answers(text: str | bytes, *, file: str, exercise_id: str | None = None) -> Answers:
    return answers_from_yaml(load_yaml(text, file=file, error=AnswersError), exercise_id)


def _same_exercise(name: str) -> str:
    """An exercise id as a student may type it: `Max-Gate`, ` max-gate `, `max-gate.yaml`."""
    name = name.strip().casefold()
    return name.removesuffix(".yaml").removesuffix(".yml")


def answers_from_yaml(loaded: Loaded, exercise_id: str | None = None) -> Answers:
    """Check the file's shape and that it is for this exercise; keep every answer."""
    data, file = loaded.data, loaded.file
    if data is None:
        raise AnswersError("the file is empty: expected 'exercise:' and 'answers:'", file=file)
    if not isinstance(data, dict):
        raise AnswersError("an answers file is a mapping with 'exercise' and 'answers', not "
                           f"{kind_of(data)}", file=file, line=loaded.line())
    for key in data:
        if key not in TOP_KEYS:
            raise AnswersError(f"unknown key '{key}'; expected exercise, student and answers",
                               file=file, line=loaded.key_lines.get((key,)), field=key)
    exercise = _text(loaded, "exercise")
    if exercise_id is not None and exercise is not None and \
            _same_exercise(exercise) != _same_exercise(exercise_id):
        raise AnswersError(f"these answers are for exercise '{exercise}', not "
                           f"'{exercise_id}'", file=file, line=loaded.line("exercise"),
                           field="exercise")
    student = _text(loaded, "student")
    raw = data.get("answers")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswersError("'answers' must map step names to values", file=file,
                           line=loaded.line("answers"), field="answers")
    if len(raw) > limits.MAX_ANSWER_STEPS:
        raise AnswersError(f"{len(raw):,} answers; an answers file holds at most "
                           f"{limits.MAX_ANSWER_STEPS:,}", file=file,
                           line=loaded.line("answers"), field="answers")
    texts_of: dict[object, dict[tuple, str]] = {}  # step -> its texts, in one pass
    for key, text in loaded.texts.items():
        if len(key) >= 2 and key[0] == "answers":
            texts_of.setdefault(key[1], {})[key[2:]] = text
    answers = {}
    for step, value in raw.items():
        path = ("answers", step)
        texts = texts_of.get(step, {})
        line = loaded.key_lines.get(path) or loaded.line(*path)
        written = _times_ten(value)
        if written is not None:  # "1.6 × 10^4" is the number 1.6e4, its figures as written
            value, texts = float(written), {(): written}
        answers[step] = Answer(step, value, texts, line)
    return Answers(file, exercise, student, answers)


# a number in scientific notation as people write it: 1.6 × 10^4, -2.0*10**-1, 3 · 10^(-2)
TIMES_TEN = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*\*\s*10\s*(?:\^|\*\*)\s*"
                       r"(\(\s*[-+]?\d{1,4}\s*\)|[-+]?\d{1,4})\s*")


def _times_ten(value: object) -> str | None:
    """`1.6 × 10^4` as the literal `1.6e4` (so its written figures count as in `1.6e4`);
    None for anything else."""
    if not isinstance(value, str) or len(value) > 80:
        return None
    match = TIMES_TEN.fullmatch(value.translate(TYPED))
    if match is None:
        return None
    exponent = match.group(2).strip("() ").replace(" ", "")
    return f"{match.group(1)}e{exponent}"


def _text(loaded: Loaded, key: str) -> str | None:
    value = loaded.data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise AnswersError(f"'{key}' must be text", file=loaded.file, line=loaded.line(key),
                           field=key)
    return str(value)


@dataclass
class StepMatch:
    """What an answers-file key names: an asked step, or nothing and maybe a suggestion."""

    step: str | None
    suggestion: str | None = None


def match_step(key: object, asked: Sequence[str]) -> StepMatch:
    """The asked step a key names: exactly, or (`∂` read as `d`) regardless of case when
    only one asked step fits; otherwise the closest step as a suggestion. Two asked steps
    that differ only in case are matched exactly, never by guessing."""
    try:
        name = parse_step(str(key)).text
    except GradtutorError:
        name = str(key).strip()
    if name in asked:
        return StepMatch(name)
    same = [step for step in asked if step.lower() == name.lower()]
    if len(same) == 1:
        return StepMatch(same[0])
    if same:
        return StepMatch(None, " or ".join(same))
    by_lower = {step.lower(): step for step in asked}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
    return StepMatch(None, by_lower[close[0]] if close else None)
