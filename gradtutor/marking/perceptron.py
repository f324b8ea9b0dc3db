"""Checking a student's answers to a perceptron exercise.

Weights and networks are checked by behaviour: any that give the target on every row are
correct, and wrong ones are diagnosed by what they compute instead (OR for AND, z = 0 on
the wrong rows, flipped signs). A trace is checked update by update, against the true trace
and against what the student's own previous weights lead to (follow-through), and a wrong
update is recomputed with each known slip of the learning rule to name the one made.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..base.compare import Tolerance
from ..exercises.answers import Answers
from ..exercises.fields import kind_of
from ..exercises.perceptron.exact import close, num, read_number, short
from ..exercises.perceptron.functions import computed_by, name_function, target_name
from ..exercises.perceptron.learning import TraceStep, apply_rule, first_updates, trace_keys
from ..exercises.perceptron.loading import AskPart, PerceptronExercise
from ..exercises.perceptron.networks import Network, network_keys
from ..exercises.perceptron.units import (
    Row,
    Weights,
    g_text,
    net_input,
    outputs,
    row_text,
    rows_text,
    step,
    weight_keys,
    weights_text,
    z_text,
)
from .results import FileResult, StepResult, finish


@dataclass
class _Read:
    """A group of answer keys read together: the numbers, or why they could not be."""

    values: Weights | None
    verdict: str | None  # missing | invalid, when values is None
    message: str
    given: str | None
    line: int | None


def _read_group(answers: Answers, keys: Sequence[str]) -> _Read:
    """The keys' numbers, all of them; else why not (none given, some missing, unreadable)."""
    present = [k for k in keys if k in answers.answers and answers.answers[k].raw is not None]
    line = next((answers.answers[k].line for k in present), None)
    given = ", ".join(f"{k}={_as_written(answers, k)}" for k in present) or None
    if not present:
        return _Read(None, "missing", "no answer", None, None)
    values: dict[str, Fraction] = {}
    problems = []
    for key in present:
        answer = answers.answers[key]
        try:
            values[key] = read_number(answer.raw, answer.texts.get(()))
        except ValueError as error:
            problems.append(f"{key}: {error}")
    if problems:
        return _Read(None, "invalid", "; ".join(problems), given, line)
    absent = [k for k in keys if k not in values]
    if absent:
        return _Read(None, "missing", f"no value for {rows_text(absent)}", given, line)
    return _Read(tuple(values[k] for k in keys), None, "", given, line)


def _as_written(answers: Answers, key: str) -> str:
    """The answer as the student wrote it, short, for the result's `given`."""
    answer = answers.answers[key]
    text = answer.texts.get(())
    if text is None:
        text = answer.raw if isinstance(answer.raw, str) else kind_of(answer.raw) \
            if isinstance(answer.raw, list | dict) else str(answer.raw)
    return short(str(text), 20)


def _unanswered(name: str, part: AskPart, read: _Read, expected: str) -> StepResult:
    return StepResult(name, read.verdict or "missing", read.given, expected, 0.0, part.weight,
                      message=read.message, hint=part.hint, line=read.line)


def check_perceptron(ex: PerceptronExercise, answers: Answers) -> FileResult:
    """Every asked part: the weights and the network by behaviour, a trace update by update."""
    result = FileResult(ex.id, answers.file, answers.student)
    used: set[str] = set()
    for part in ex.ask:
        if part.what == "weights":
            result.steps.append(_check_weights(ex, part, answers, used))
        elif part.what == "network":
            result.steps.append(_check_network(ex, part, answers, used))
        else:
            result.steps.extend(_check_trace(ex, part, answers, used))
    result.notes.extend(_unasked(answers, used))
    return finish(result)


def _check_weights(ex: PerceptronExercise, part: AskPart, answers: Answers,
                   used: set[str]) -> StepResult:
    keys = weight_keys(ex.n)
    used.update(keys)
    expected = f"computes {target_name(ex)}"
    read = _read_group(answers, keys)
    if read.values is None:
        return _unanswered("weights", part, read, expected)
    weights = read.values
    outs = outputs(weights, ex.rows, ex.at_zero)
    wrong = _wrong_rows(outs, ex.targets)
    result = StepResult("weights", "correct", read.given, expected, part.weight, part.weight,
                        line=read.line)
    if not wrong:
        result.message = f"gives the target on all {len(ex.rows)} rows"
        return result
    code, explanation = _diagnose(ex, weights, outs, wrong)
    result.verdict, result.score, result.diagnosis, result.hint = "wrong", 0.0, code, part.hint
    result.message = _wrong_rows_message(ex, wrong) + (f"; {explanation}" if explanation else "")
    result.details = [_row_story(ex, weights, outs, i) for i in wrong]
    return result


def _wrong_rows(outs: Sequence[int], targets: Sequence[int]) -> list[int]:
    """The rows (indices) where the output is not the target."""
    return [i for i, (o, t) in enumerate(zip(outs, targets, strict=True)) if o != t]


def _row_story(ex: PerceptronExercise, weights: Weights, outs: list[int], i: int) -> str:
    """'(x1, x2) = (0, 1): z = 1*0 + 1*1 - 1 = 0 -> output 1, target 0'."""
    return (f"{_inputs_text(ex)} = {row_text(ex.rows[i])}: z = {z_text(weights, ex.rows[i])}"
            f" -> output {outs[i]}, target {ex.targets[i]}")


def _inputs_text(ex: PerceptronExercise) -> str:
    return "(" + ", ".join(ex.inputs) + ")"


def _wrong_rows_message(ex: PerceptronExercise, wrong: list[int]) -> str:
    shown = [row_text(ex.rows[i]) for i in wrong[:8]]
    more = f" and {len(wrong) - 8} more" if len(wrong) > 8 else ""
    return (f"wrong on {len(wrong)} of {len(ex.rows)} rows: {_inputs_text(ex)} = "
            f"{rows_text(shown)}{more}")


def _diagnose(ex: PerceptronExercise, weights: Weights, outs: list[int],
              wrong: list[int]) -> tuple[str | None, str]:
    """A stable code and a sentence, only when the weights' behaviour shows the mistake."""
    code: str | None = None
    sentences = []
    named = name_function(ex.rows, outs, ex.inputs)
    if named is not None:
        code = named.code
        target = name_function(ex.rows, ex.targets, ex.inputs)
        sentences.append(f"these weights compute {named.name}" +
                         (f", not {target.name}" if target else ""))
    flipped = tuple(-w for w in weights)
    if outputs(flipped, ex.rows, ex.at_zero) == ex.targets:
        code = code or "sign-flipped"
        sentences.append("with every sign flipped they would be right")
    if all(net_input(weights, ex.rows[i]) == 0 for i in wrong):
        code = code or "at-zero-convention"
        sentences.append(f"every wrong row has z = 0 exactly, and here g(0) = {ex.at_zero} "
                         f"({g_text(ex.at_zero)}): move the boundary off those rows, e.g. by "
                         f"changing b a little")
    return code, "; ".join(sentences)


def _check_network(ex: PerceptronExercise, part: AskPart, answers: Answers,
                   used: set[str]) -> StepResult:
    keys = network_keys(ex.n, ex.hidden)
    used.update(keys)
    expected = f"computes {target_name(ex)}"
    read = _read_group(answers, keys)
    if read.verdict == "missing" and read.given is None:
        single = _read_group(answers, weight_keys(ex.n))
        if single.values is not None:
            used.update(weight_keys(ex.n))
            return _single_for_network(ex, part, single, expected)
    if read.values is None:
        return _unanswered("network", part, read, expected)
    width = ex.n + 1
    net = Network(tuple(read.values[j * width:(j + 1) * width] for j in range(ex.hidden)),
                  read.values[ex.hidden * width:])
    runs = [net.run(x, ex.at_zero) for x in ex.rows]
    outs = [out for _, _, out in runs]
    wrong = _wrong_rows(outs, ex.targets)
    result = StepResult("network", "correct", read.given, expected, part.weight, part.weight,
                        line=read.line, details=_hidden_names(ex, net))
    if not wrong:
        result.message = f"gives the target on all {len(ex.rows)} rows"
        return result
    named = name_function(ex.rows, outs, ex.inputs)
    result.verdict, result.score, result.hint = "wrong", 0.0, part.hint
    result.diagnosis = named.code if named else None
    result.message = _wrong_rows_message(ex, wrong) + \
        (f"; the network computes {named.name}" if named else "")
    if any(_has_zero(net, ex.rows[i], ex.at_zero) for i in wrong):
        result.diagnosis = result.diagnosis or "at-zero-convention"
        result.message += (f"; on a wrong row some unit has z = 0 exactly, and here g(0) = "
                           f"{ex.at_zero} ({g_text(ex.at_zero)})")
    result.details = [_network_row(ex, net, i, runs[i]) for i in wrong] + result.details
    return result


def _has_zero(net: Network, x: Row, at_zero: int) -> bool:
    return any(net_input(w, x) == 0 for w in net.hidden) or net.run(x, at_zero)[1] == 0


def _network_row(ex: PerceptronExercise, net: Network, i: int,
                 run: tuple[tuple[int, ...], Fraction, int]) -> str:
    hidden, z, out = run
    units = ", ".join(f"h{j + 1} = g({num(net_input(w, ex.rows[i]))}) = {h}"
                      for j, (w, h) in enumerate(zip(net.hidden, hidden, strict=True)))
    return (f"{_inputs_text(ex)} = {row_text(ex.rows[i])}: {units}; out: z = {num(z)} -> "
            f"output {out}, target {ex.targets[i]}")


def _hidden_names(ex: PerceptronExercise, net: Network) -> list[str]:
    lines = []
    for j, w in enumerate(net.hidden):
        named = computed_by(w, ex.rows, ex.at_zero, ex.inputs)
        if named is not None:
            lines.append(f"h{j + 1} computes {named.name}")
    return lines


def _single_for_network(ex: PerceptronExercise, part: AskPart, single: _Read,
                        expected: str) -> StepResult:
    """One perceptron's weights where a network is asked: checked, and why it cannot do."""
    weights = single.values or ()
    outs = outputs(weights, ex.rows, ex.at_zero)
    wrong = _wrong_rows(outs, ex.targets)
    named = name_function(ex.rows, outs, ex.inputs)
    keys = ", ".join(network_keys(ex.n, ex.hidden)[:ex.n + 1]) + ", ..."
    if ex.separable:
        return StepResult("network", "invalid", single.given, expected, 0.0, part.weight,
                          message=f"this step asks for a two-layer network ({keys}), not one "
                          "perceptron's weights", hint=part.hint, line=single.line)
    message = (f"{target_name(ex)} is not linearly separable: no single perceptron computes "
               f"it, whatever its weights; a hidden layer is needed ({keys})")
    if wrong:
        message += "; " + _wrong_rows_message(ex, wrong) + \
            (f", since these weights compute {named.name}" if named else "")
    return StepResult("network", "wrong", single.given, expected, 0.0, part.weight,
                      diagnosis="needs-hidden-layer", message=message, hint=part.hint,
                      line=single.line,
                      details=[_row_story(ex, weights, outs, i) for i in wrong])


def _check_trace(ex: PerceptronExercise, part: AskPart, answers: Answers,
                 used: set[str]) -> list[StepResult]:
    """Each update against the true trace, and against the student's own previous weights."""
    count = ex.trace_length()
    truth = first_updates(ex.rows, ex.targets, ex.at_zero, ex.rule, count)
    results = []
    carried = ex.rule.initial  # the weights the student's own earlier answers lead to
    carried_true = True
    # error is carried forward from a named slip only: weights from nowhere (one solution
    # written at every update) never change again and would earn every later update
    named_slip = True
    for item in truth:
        keys = trace_keys(ex.n, item.index)
        used.update(keys)
        x, t = ex.rows[item.row], item.target
        own_z = net_input(carried, x)
        own = apply_rule(carried, x, t, step(own_z, ex.at_zero), ex.rule.rate)
        read = _read_group(answers, keys)
        name = f"update {item.index}"
        expected = weights_text(item.weights)
        if read.values is None:
            results.append(_unanswered(name, part, read, expected))
            carried, carried_true = own, own == item.weights
            continue
        given = read.values
        result = StepResult(name, "correct", read.given, expected, part.weight, part.weight,
                            line=read.line)
        if _same(given, item.weights, ex.tolerance):
            result.message = _update_story(ex, item.row, _previous(truth, item, ex),
                                           item.weights)
        elif not carried_true and named_slip and _same(given, own, ex.tolerance):
            result.verdict = "follow-through"
            result.score = part.weight * ex.follow_through
            result.advice = "right from your own previous weights (error carried forward)"
            result.message = f"{result.advice}: " + _update_story(ex, item.row, carried, own)
        else:
            result.verdict, result.score, result.hint = "wrong", 0.0, part.hint
            code, why = _trace_mistake(ex, carried, item.row, given)
            result.diagnosis = code
            named_slip = code is not None
            result.advice = why or ""
            result.message = (f"expected {weights_text(own)} from "
                              f"{'the' if carried_true else 'your own'} previous weights"
                              + (f"; {why}" if why else ""))
            result.details = [_update_story(ex, item.row, carried, own)]
        results.append(result)
        carried = given
        carried_true = _same(given, item.weights, ex.tolerance)
    return results


def _previous(truth: list[TraceStep], item: TraceStep, ex: PerceptronExercise) -> Weights:
    return truth[item.index - 2].weights if item.index > 1 else ex.rule.initial


def _same(given: Weights, expected: Weights, tol: Tolerance) -> bool:
    return all(close(g, e, tol) for g, e in zip(given, expected, strict=True))


def _update_story(ex: PerceptronExercise, row: int, before: Weights, after: Weights) -> str:
    x, t = ex.rows[row], ex.targets[row]
    z = net_input(before, x)
    out = step(z, ex.at_zero)
    head = f"row {row_text(x)}: z = {z_text(before, x)} -> output {out}, target {t}"
    if out == t:
        return head + ": right, so the weights stay"
    delta = ex.rule.rate * (t - out)
    sign = "-" if delta < 0 else "+"
    return (f"{head}: w <- w {sign} {num(abs(delta))}*x, b <- b {sign} {num(abs(delta))}: "
            f"{weights_text(after)}")


def _trace_mistake(ex: PerceptronExercise, before: Weights, row: int,
                   given: Weights) -> tuple[str | None, str]:
    """Recompute the update with each known slip; name the one that gives the student's."""
    x, t, rate = ex.rows[row], ex.targets[row], ex.rule.rate
    z = net_input(before, x)
    out = step(z, ex.at_zero)
    right = apply_rule(before, x, t, out, rate)
    flipped_out = apply_rule(before, x, t, 1 - out, rate)
    candidates = [
        ("at-zero-convention", flipped_out, z == 0,
         f"z = 0 here and g(0) = {ex.at_zero} ({g_text(ex.at_zero)})"),
        ("no-update", before, out != t,
         f"the output {out} was wrong (target {t}), so the weights must change"),
        ("updated-when-correct", flipped_out, out == t,
         f"the output {out} was right, so the weights stay"),
        ("sign-flipped", apply_rule(before, x, 1 - t, t, rate), out != t,
         "the update is rate*(target - output)*x: its sign is flipped"),
        ("bias-not-updated", (*right[:-1], before[-1]), out != t,
         "the bias b is updated too: b <- b + rate*(target - output)"),
        ("learning-rate-ignored", apply_rule(before, x, t, out, Fraction(1)),
         out != t and rate != 1, f"the change is multiplied by the learning rate {num(rate)}"),
        ("used-z-not-output", apply_rule(before, x, t, z, rate), True,
         "the perceptron rule uses the output g(z), not z itself"),
    ]
    for code, would_give, possible, why in candidates:
        if possible and would_give != right and _same(given, would_give, ex.tolerance):
            return code, why
    for other in range(len(ex.rows)):
        if other != row:
            moved = apply_rule(before, ex.rows[other], ex.targets[other],
                               step(net_input(before, ex.rows[other]), ex.at_zero), rate)
            if moved != right and _same(given, moved, ex.tolerance):
                return "wrong-row", (f"this is the update for row {row_text(ex.rows[other])}; "
                                     f"update presents row {row_text(x)}")
    return None, ""


_BIAS_NAMES = re.compile(r"(.*?)(?:bias|w0|theta|threshold)(@\d+)?", re.IGNORECASE)


def _unasked(answers: Answers, used: set[str]) -> list[str]:
    """Notes on the keys that are not asked, with a did-you-mean (bias -> b, ...)."""
    extra = [key for key in answers.answers if key not in used]
    notes = []
    for key in extra[:10]:
        close_match = difflib.get_close_matches(key, sorted(used), n=1)
        alias = _BIAS_NAMES.fullmatch(key)
        if alias and f"{alias.group(1)}b{alias.group(2) or ''}" in used:
            close_match = [f"{alias.group(1)}b{alias.group(2) or ''}"]
        hint = f" (did you mean '{close_match[0]}'?)" if close_match else ""
        notes.append(f"'{short(key)}' is not asked{hint}: it was not checked")
    if len(extra) > 10:
        notes.append(f"{len(extra) - 10} more keys that are not asked were not checked")
    return notes
