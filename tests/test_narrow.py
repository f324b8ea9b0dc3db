"""Narrow terminals: every command at 60, 80 and 120 columns, in rich and in plain, keeps
each number, step name and exercise id whole, writes no line wider than the page and cuts
no word short with an ellipsis; and descriptions read as Unicode math, never as raw TeX."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = Path("exercises")  # relative to ROOT, as a student types them
ANSWERS = EXERCISES / "answers"
IDS = sorted(path.stem for path in (ROOT / EXERCISES).glob("*.yaml"))
WIDTHS = (60, 80, 120)
# a number, a step's name (df8/df7, w1@3, h1.w2), an exercise id (and-perceptron)
TOKEN = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|d\w+/d[\w.@]+|\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
RAW_TEX = re.compile(r"\$\$|\\(?:frac|big|text|qquad|partial|mathbb|begin)|\\[a-zA-Z]+\{")


def _commands(ex: str) -> dict[str, list[str]]:
    return {
        "solve": ["solve", ex],
        "check": ["check", ex, str(ANSWERS / f"{ex}.yaml")],
        "explain": ["explain", ex],
        "explain-step": ["explain", ex, "--step", "1", "--hint"],
        "template": ["template", ex],
        "validate": ["validate", str(EXERCISES / f"{ex}.yaml")],
    }


CASES = {
    **{f"{name}-{ex}": args for ex in IDS for name, args in _commands(ex).items()},
    "check-class": ["check", "sigmoid-neuron", str(ANSWERS)],
    "list": ["list"],
    "solve-expression": ["solve", "max(x, y) * z", "--at", "x=1", "--at", "y=2", "--at",
                         "z=0.367879441"],
    "practice": ["practice", "add-mul-gate", "--save", "/dev/null"],
}
INPUTS = {"practice": "3\n12\nreveal\nquit\n"}


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(case: str, columns: int, format: str) -> str:
    args = CASES[case]
    if format == "rich" and args[0] not in ("template", "validate", "practice"):
        args = [*args, "--format", "rich"]
    result = CliRunner().invoke(app, args, input=INPUTS.get(case),
                                env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert "Traceback" not in result.output, result.output
    return result.stdout


def _tokens(text: str) -> set[str]:
    return set(TOKEN.findall(text))


@pytest.mark.parametrize("format", ["plain", "rich"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_no_token_split_and_no_line_too_wide(case: str, format: str) -> None:
    wide = _run(case, 120, format)
    assert wide.strip(), case
    for columns in WIDTHS:
        narrow = _run(case, columns, format) if columns != 120 else wide
        # (template writes a file: its comments keep the author's lines)
        too_wide = [line for line in narrow.splitlines()
                    if len(line) > columns and not case.startswith("template")]
        assert not too_wide, f"{case} at {columns}: {too_wide[:3]}"
        missing = _tokens(wide) - _tokens(narrow)
        assert not missing, f"{case} at {columns} splits {sorted(missing)[:10]}"
        assert "…" not in narrow, f"{case} at {columns} cuts a word short"


@pytest.mark.parametrize("format", ["plain", "rich"])
@pytest.mark.parametrize("ex", IDS)
def test_no_raw_tex_on_a_terminal(ex: str, format: str) -> None:
    for columns in (60, 120):
        for case in (f"explain-{ex}", f"explain-step-{ex}"):
            shown = _run(case, columns, format)
            assert not RAW_TEX.search(shown), f"{case}: {RAW_TEX.search(shown)}"
            assert not re.search(r"(?<![\w)\]])[{}]|\\", shown.replace("\\n", "")), case


def _math(ex: str) -> list[str]:
    description = yaml.safe_load((ROOT / EXERCISES / f"{ex}.yaml").read_text())["description"]
    return [m.group(1) or m.group(2) for m in re.finditer(r"\$\$(.+?)\$\$|\$(.+?)\$",
                                                           description, re.DOTALL)]


@pytest.mark.parametrize("ex", IDS)
def test_every_bundled_formula_reads_as_unicode(ex: str) -> None:
    from gradtutor.render.texmath import tex_to_unicode

    for tex in _math(ex):
        shown = tex_to_unicode(tex)
        assert shown and not re.search(r"[\\{}$]", shown), shown
        assert "\n" not in shown


@pytest.mark.parametrize(("tex", "shown"), [
    (r"\frac{1}{1 + e^{-(w_0 x_0)}}", "1/(1 + e^(-(w₀ x₀)))"),
    (r"2\,\big(x y + \max(z, w)\big) \qquad \text{at } x = 3", "2 (x y + max(z, w))   at  x = 3"),
    (r"\frac{\partial L}{\partial z} = a - y", "∂L/∂z = a - y"),
    (r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))", "σ'(z) = σ(z) (1 - σ(z))"),
    (r"W = \begin{bmatrix} 0.1 & 0.5 \\ -0.3 & 0.8 \end{bmatrix}", "W = [0.1 0.5; -0.3 0.8]"),
    (r"g(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}",
     "g(z) = (1 if z ≥ 0, 0 if z < 0)"),
    (r"X \in \mathbb{R}^{m \times n_0}", "X ∈ ℝ^(m × n₀)"),
    (r"\nabla_x f = 2 W^\top q", "∇ₓ f = 2 Wᵀ q"),
])
def test_tex_to_unicode(tex: str, shown: str) -> None:
    from gradtutor.render.texmath import tex_to_unicode

    assert tex_to_unicode(tex) == shown
