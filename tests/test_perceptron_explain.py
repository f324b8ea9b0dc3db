"""`gradtutor explain` of a perceptron exercise: every bundled one in every format, through
the command line; the plain walkthrough of and-perceptron pinned; XOR's certificate and
two-layer construction; LaTeX compiled (when pdflatex is installed); dot parsed as a
digraph; and every number checked against `solve --format json`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.kinds import explain, load_exercise
from gradtutor.walkthrough.perceptron import PerceptronWalkthrough, explain_perceptron

from dot_parse import parse_dot, record_fields  # tests/ is on sys.path

runner = CliRunner()
IDS = ("and-perceptron", "or-perceptron", "xor-perceptron", "nand-perceptron")
FORMATS = ("plain", "markdown", "latex", "dot", "rich")
PDFLATEX = shutil.which("pdflatex")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def explained(target: str, *args: str) -> str:
    code, out, err = run("explain", target, *args)
    assert (code, err) == (0, ""), err
    return out


def solved(target: str) -> dict:
    code, out, _ = run("solve", target, "--format", "json")
    assert code == 0
    return json.loads(out)


AND_PERCEPTRON_PLAIN = r'''AND with a single perceptron
============================

The single-layer perceptron of the lecture (notes 002, "Perception -> Single layer NN"):

   z = w₁ x₁ + w₂ x₂ + b,   g(z) = (1 if z ≥ 0, 0 if z < 0)

Find weights w1, w2 and a bias b for which the output g(z) is the AND of the two inputs
on every row of the truth table below. Any weights that do this are right.

Work every row out by hand, z first, then g(z). Mind the convention at z = 0: here
g(0) = 1, so a row that lands exactly on z = 0 outputs 1.

1) The unit
   z = w1*x1 + w2*x2 + b
   output = g(z), g(z) = 1 if z >= 0 else 0
   at z = 0 exactly, g(0) = 1: a row that lands on the boundary outputs 1

2) The weights, by the perceptron learning rule
   linearly separable: the perceptron learning rule finds weights for AND (epoch 6 is
     the first without a mistake)
   learning rule from w1=0, w2=0, b=0 with rate 1: present the rows in table order,
     epoch after epoch; z = w.x + b, output g(z); when the output is wrong, w <- w +
     rate*(target - output)*x and b <- b + rate*(target - output)
   24 updates in 6 epochs, 11 of them changed the weights; nothing changed in epoch 6,
     so the rule stops there
   The updates that changed the weights (the others left them as they were):
   update  epoch  x1  x2  z                   output  target  change  w1  w2  b
   1       1      0   0   0*0 + 0*0 + 0 = 0   1       0       -1      0   0   -1
   4       1      1   1   0*1 + 0*1 - 1 = -1  0       1       +1      1   1   0
   5       2      0   0   1*0 + 1*0 + 0 = 0   1       0       -1      1   1   -1
   6       2      0   1   1*0 + 1*1 - 1 = 0   1       0       -1      1   0   -2
   8       2      1   1   1*1 + 0*1 - 2 = -1  0       1       +1      2   1   -1
   10      3      0   1   2*0 + 1*1 - 1 = 0   1       0       -1      2   0   -2
   11      3      1   0   2*1 + 0*0 - 2 = 0   1       0       -1      1   0   -3
   12      3      1   1   1*1 + 0*1 - 3 = -2  0       1       +1      2   1   -2
   15      4      1   0   2*1 + 1*0 - 2 = 0   1       0       -1      1   1   -3
   16      4      1   1   1*1 + 1*1 - 3 = -1  0       1       +1      2   2   -2
   18      5      0   1   2*0 + 2*1 - 2 = 0   1       0       -1      2   1   -3
   weights (learning rule): w1 = 2, w2 = 1, b = -3

3) The truth table row by row
   unit = g(2*x1 + x2 - 3): w1 = 2, w2 = 1, b = -3
   x1  x2  z                   g(z)  target
   0   0   2*0 + 1*0 - 3 = -3  0     0       ok
   0   1   2*0 + 1*1 - 3 = -2  0     0       ok
   1   0   2*1 + 1*0 - 3 = -1  0     0       ok
   1   1   2*1 + 1*1 - 3 = 0   1     1       ok
   g(z) is the target on all 4 rows: these weights compute AND
'''


def test_the_plain_walkthrough_of_and_perceptron_is_pinned() -> None:
    assert explained("and-perceptron", "--format", "plain") == AND_PERCEPTRON_PLAIN


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("ex_id", IDS)
def test_every_bundled_perceptron_in_every_format(ex_id: str, form: str) -> None:
    out = explained(ex_id, "--format", form)
    title = load_exercise(ex_id).title
    start = {"plain": title + "\n", "markdown": f"# {title}\n", "latex": "\\documentclass",
             "dot": f'digraph "{ex_id}_network" {{\n', "rich": f"╭─ {title}"}[form]
    assert out.startswith(start)
    if form != "dot":
        for word in ("1) The unit", "3) The truth table row by row"):
            assert word in out


def test_plain_is_the_default_in_a_pipe() -> None:
    assert explained("and-perceptron") == AND_PERCEPTRON_PLAIN


# -- XOR: no single unit, and the two-layer construction ---------------------------------


def test_xor_is_not_separable_with_the_certificate_and_the_construction() -> None:
    out = explained("xor-perceptron", "--format", "plain")
    assert "2) No weights: not linearly separable\n   not linearly separable: no single " \
        "perceptron (w1, w2, b) computes XOR\n" in out
    reason = solved("xor-perceptron")["certificate"]["reason"]
    why = out.split("   Why:\n", 1)[1].split("\n\n3)")[0]
    assert " ".join(why.split()) == " ".join(reason.split())
    assert "     0.5*(0, 1) + 0.5*(1, 0) = (0.5, 0.5) = 0.5*(0, 0) + 0.5*(1, 1)\n" in out
    assert "4) The two-layer construction\n" \
        "   h1  = g(x1 + x2 - 1)     computes OR\n" \
        "   h2  = g(-x1 - x2 + 1)    computes NAND\n" \
        "   out = g(h1 + h2 - 2)\n" \
        "   out is the AND of h1 and h2\n" in out
    assert """\
   h2 = g(-x1 - x2 + 1): h2.w1 = -1, h2.w2 = -1, h2.b = 1
   x1  x2  z                    h2
   0   0   -1*0 - 1*0 + 1 = 1   1
   0   1   -1*0 - 1*1 + 1 = 0   1
   1   0   -1*1 - 1*0 + 1 = 0   1
   1   1   -1*1 - 1*1 + 1 = -1  0
   h2 computes NAND
""" in out
    assert """\
   out = g(h1 + h2 - 2), reading h1, h2: out.w1 = 1, out.w2 = 1, out.b = -2
   x1  x2  h1  h2  z                   out  target
   0   0   0   1   1*0 + 1*1 - 2 = -1  0    0       ok
   0   1   1   1   1*1 + 1*1 - 2 = 0   1    1       ok
   1   0   1   1   1*1 + 1*1 - 2 = 0   1    1       ok
   1   1   1   0   1*1 + 1*0 - 2 = -1  0    0       ok
   out is the AND of h1 and h2

   The network's output is the target on all 4 rows: it computes XOR.
""" in out
    assert "h1 computes OR" in out and "update" not in out


@pytest.mark.parametrize("form", ["markdown", "latex", "rich"])
def test_xor_in_the_other_formats(form: str) -> None:
    out = explained("xor-perceptron", "--format", form)
    for text in ("not linearly separable", "computes OR", "computes NAND", "0.5*(0, 1)",
                 "it computes XOR", "out is the AND of h1 and h2"):
        assert text in out, text


# -- the numbers are those of `solve --format json` --------------------------------------


def _updates(walk: PerceptronWalkthrough) -> list:
    learning = walk.learning
    return [] if learning is None else [*learning.asked, *learning.changes]


@pytest.mark.parametrize("ex_id", IDS)
def test_the_numbers_agree_with_solve_json(ex_id: str) -> None:
    data = solved(ex_id)
    walk = explain(ex_id)
    assert isinstance(walk, PerceptronWalkthrough)
    assert walk.separable is data["separable"]
    trace = {item["update"]: item for item in data["learning_rule"]["trace"]}
    shown = _updates(walk)
    assert [u.index for u in shown if u.change != "-"] == \
        [k for k, item in trace.items() if item["output"] != item["target"]]
    for update in shown:
        item = trace[update.index]
        assert update.z.rsplit(" = ", 1)[1] == str(item["z"])
        assert (update.output, update.target, update.epoch) == \
            (item["output"], item["target"], item["epoch"])
        assert update.weights == [str(v) for v in item["weights"].values()]
    if data["weights"] is not None:
        pairs = [(k, str(v)) for k, v in data["weights"].items()]
        assert walk.learning is not None and walk.learning.weights == pairs
        assert walk.single is not None and walk.single.weights == pairs
    if data["network"] is not None:
        assert walk.network is not None
        for unit, weights in zip(walk.network.hidden, data["network"]["hidden"], strict=True):
            assert [v for _, v in unit.weights] == [str(v) for v in weights.values()]
        assert [v for _, v in walk.network.out.weights] == \
            [str(v) for v in data["network"]["out"].values()]
    plain = explained(ex_id, "--format", "plain")
    for key, value in data["answers"].items():
        if "@" not in key:
            assert f"{key} = {value}" in plain, key


def test_the_asked_trace_update_by_update() -> None:
    out = explained("nand-perceptron", "--format", "plain")
    assert """\
   The 8 asked updates, one by one (z from the weights before the update):
   update  epoch  x1  x2  z                    output  target  change  w1  w2  b
   1       1      0   0   0*0 + 0*0 + 0 = 0    1       1       -       0   0   0
   2       1      0   1   0*0 + 0*1 + 0 = 0    1       1       -       0   0   0
   3       1      1   0   0*1 + 0*0 + 0 = 0    1       1       -       0   0   0
   4       1      1   1   0*1 + 0*1 + 0 = 0    1       0       -1      -1  -1  -1
   5       2      0   0   -1*0 - 1*0 - 1 = -1  0       1       +1      -1  -1  0
   6       2      0   1   -1*0 - 1*1 + 0 = -1  0       1       +1      -1  0   1
   7       2      1   0   -1*1 + 0*0 + 1 = 0   1       1       -       -1  0   1
   8       2      1   1   -1*1 + 0*1 + 1 = 0   1       0       -1      -2  -1  0
   After update 8, the updates that changed the weights:
""" in out
    assert "   weights (learning rule): w1 = -2, w2 = -1, b = 2\n" in out


# -- --step, --hint, --at ----------------------------------------------------------------


def test_step_reveals_an_asked_part_hint_first() -> None:
    out = explained("nand-perceptron", "--step", "1", "--format", "plain")
    assert "Step 1 of 2: trace\n\nHint: z = 0 gives output 1 here: only a wrong output " \
        "changes the weights.\n" in out
    key = solved("nand-perceptron")["answers"]
    assert out.endswith("Answer:\n" + "".join(
        f"   w1@{k} = {key[f'w1@{k}']}, w2@{k} = {key[f'w2@{k}']}, b@{k} = {key[f'b@{k}']}\n"
        for k in range(1, 9)))
    assert "After update 8" not in out  # the next part's answer stays hidden
    weights = explained("nand-perceptron", "--step", "2", "--format", "plain")
    assert "Step 2 of 2: weights (2 points)\n\nHint: Pick w1, w2 and b," in weights
    assert weights.endswith("Answer:\n   w1 = -2, w2 = -1, b = 2\n")
    hint = explained("nand-perceptron", "--step", "2", "--hint", "--format", "plain")
    assert "Answer" not in hint and "w1 = -2" not in hint
    assert hint.endswith("Try it, then run again without --hint to see the step worked out.\n")


@pytest.mark.parametrize("form", ["markdown", "latex", "rich"])
def test_step_in_the_other_formats(form: str) -> None:
    out = explained("xor-perceptron", "--step", "1", "--format", form)
    assert "Step 1 of 1: network" in out and "computes NAND" in out
    assert "h2.b = 1" in out


@pytest.mark.parametrize(("args", "message"), [
    (["xor-perceptron", "--step", "2"], "error: --step: xor-perceptron asks 1 part (network): "
                                        "step takes 1 to 1, not 2\n"),
    (["and-perceptron", "--at", "x1=1"], "error: --at: an exercise has its own given values"),
    (["and-perceptron", "--hint"], "error: --hint: --hint goes with --step N\n"),
    (["and-perceptron", "--step", "1", "-f", "dot"], "--step shows one step in words"),
])
def test_bad_options_exit_2_with_one_message(args: list[str], message: str) -> None:
    code, out, err = run("explain", *args)
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


# -- latex -------------------------------------------------------------------------------


def _compile(source: str, tmp_path: Path) -> None:
    path = tmp_path / "walkthrough.tex"
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", path.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "walkthrough.pdf").stat().st_size > 1000


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("ex_id", IDS)
def test_latex_compiles_with_pdflatex(ex_id: str, tmp_path: Path) -> None:
    _compile(explained(ex_id, "--format", "latex"), tmp_path)


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("args", [["nand-perceptron", "--step", "1"],
                                  ["xor-perceptron", "--step", "1", "--hint"]])
def test_latex_of_a_revealed_part_compiles(args: list[str], tmp_path: Path) -> None:
    _compile(explained(*args, "--format", "latex"), tmp_path)


# -- dot ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ex_id", IDS)
def test_dot_is_the_network_as_a_digraph(ex_id: str) -> None:
    graph = parse_dot(explained(ex_id, "--format", "dot"))
    walk = explain(ex_id)
    assert isinstance(walk, PerceptronWalkthrough)
    units = [*walk.network.hidden, walk.network.out] if walk.network else [walk.single]
    for name in walk.inputs:
        assert graph["nodes"]["input " + name] == {"shape": "ellipse", "label": name}
    for unit in units:
        key, bias = unit.weights[-1]
        fields = record_fields(graph["nodes"][unit.name]["label"])
        assert fields == [unit.name, f"{key} = {bias}", f"computes {unit.computes}"]
    assert len(graph["edges"]) == sum(len(unit.weights) - 1 for unit in units)


def test_dot_of_xor_draws_inputs_hidden_units_and_output() -> None:
    graph = parse_dot(explained("xor-perceptron", "--format", "dot"))
    assert record_fields(graph["nodes"]["h1"]["label"]) == ["h1", "h1.b = -1", "computes OR"]
    assert record_fields(graph["nodes"]["h2"]["label"]) == ["h2", "h2.b = 1", "computes NAND"]
    assert record_fields(graph["nodes"]["out"]["label"]) == ["out", "out.b = -2",
                                                             "computes XOR"]
    assert graph["edges"] == [
        ("input x1", "h1", {"label": "h1.w1 = 1"}), ("input x2", "h1", {"label": "h1.w2 = 1"}),
        ("input x1", "h2", {"label": "h2.w1 = -1"}), ("input x2", "h2", {"label": "h2.w2 = -1"}),
        ("h1", "out", {"label": "out.w1 = 1"}), ("h2", "out", {"label": "out.w2 = 1"})]


# -- other tables ------------------------------------------------------------------------


def _exercise(tmp_path: Path, text: str) -> str:
    path = tmp_path / "ex.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_inputs_named_like_units_and_g0_equal_0(tmp_path: Path) -> None:
    target = _exercise(tmp_path, "id: or-net\nkind: perceptron\ntitle: OR as a network\n"
                       "inputs: [h1, out]\nactivation: {step: {at_zero: 0}}\nask: network\n"
                       "hidden: 2\ntable:\n  - [0, 0, 0]\n  - [0, 1, 1]\n  - [1, 0, 1]\n"
                       "  - [1, 1, 1]\n")
    out = explained(target, "--format", "plain")
    assert "   output = g(z), g(z) = 1 if z > 0 else 0\n   at z = 0 exactly, g(0) = 0: a row " \
        "must reach z > 0 to output 1\n" in out
    assert "The network's output is the target on all 4 rows: it computes OR." in out
    graph = parse_dot(explained(target, "--format", "dot"))
    assert ("input h1", "h1", {"label": "h1.w1 = 1"}) in graph["edges"]
    assert ("h1", "out", {"label": "out.w1 = 1"}) in graph["edges"]


def test_a_slow_rule_shows_its_first_and_last_changes(tmp_path: Path) -> None:
    target = _exercise(tmp_path, "id: slow\nkind: perceptron\ntitle: A slow rule\n"
                       "table:\n  - [0, 0]\n  - ['1/100', 1]\n")
    walk = explain(target)
    assert isinstance(walk, PerceptronWalkthrough) and walk.learning is not None
    assert len(walk.learning.changes) == 30 and walk.learning.gap is not None
    out = explained(target, "--format", "plain")
    skipped = walk.learning.gap[1]
    assert f"   ...     ({skipped} more)\n" in out
    assert "   ...     (1970 more)\n   1991    996   " in out
    assert "the rule had not\n     settled: the weights come from linear programming" in out
    assert "   weights (linear programming): w1 = 200, b = -1\n" in out


def test_the_library_builds_the_same_walkthrough() -> None:
    ex = load_exercise("and-perceptron")
    assert explain_perceptron(ex) == explain("and-perceptron")
