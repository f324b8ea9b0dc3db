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
    (r"W = \begin{bmatrix} 0.1 & 0.5 \\ -0.3 & 0.8 \end{bmatrix}",
     "W = [[0.1, 0.5], [-0.3, 0.8]]"),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "[a b; c d]"),
    (r"g(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}",
     "g(z) = (1 if z ≥ 0, 0 if z < 0)"),
    (r"X \in \mathbb{R}^{m \times n_0}", "X ∈ ℝ^(m × n₀)"),
    (r"\nabla_x f = 2 W^\top q", "∇ₓ f = 2 Wᵀ q"),
])
def test_tex_to_unicode(tex: str, shown: str) -> None:
    from gradtutor.render.texmath import tex_to_unicode

    assert tex_to_unicode(tex) == shown


# -- matrices as grids, gradients as ∂, Markdown without its markup ----------------------

SMALL_MATRIX = re.compile(r"\[\[[^\[\]]*\](?:, \[[^\[\]]*\]){1,5}\](?!\])")  # 2 to 6 rows
BACKWARD = "3) Forward pass"


@pytest.mark.parametrize("format", ["plain", "rich"])
@pytest.mark.parametrize("ex", IDS)
def test_a_formula_draws_its_small_matrices_as_grids(ex: str, format: str) -> None:
    # (the tree of section 1 and the description may show a value inline, as a label)
    for columns in WIDTHS:
        shown = _run(f"explain-{ex}", columns, format)
        worked = shown[shown.find(BACKWARD):] if BACKWARD in shown else ""
        assert not SMALL_MATRIX.search(worked), f"{ex} at {columns}: {worked[:300]}"
        solved = _run(f"solve-{ex}", columns, format)
        assert not SMALL_MATRIX.search(solved), f"solve {ex} at {columns}"


def _grid_rows(shown: str, rows: list[str]) -> bool:
    """The rows stand one under the other, their brackets in one column."""
    lines = shown.splitlines()
    for number, line in enumerate(lines[:len(lines) - len(rows) + 1]):
        column = line.find(rows[0])
        if column >= 0 and all(lines[number + k][column:column + len(row)] == row
                               for k, row in enumerate(rows)):
            return True
    return False


@pytest.mark.parametrize("columns", WIDTHS)
def test_the_linear_layer_grids_line_up_on_the_decimal_point(columns: int) -> None:
    plain = _run("explain-linear-layer", columns, "plain")
    rich = _run("explain-linear-layer", columns, "rich")
    assert _grid_rows(plain, ["[ 1  2  ]", "[-1  0.5]", "[ 0  3  ]"]), plain
    assert _grid_rows(rich, ["⎡ 1  2  ⎤", "⎢-1  0.5⎥", "⎣ 0  3  ⎦"]), rich
    assert _grid_rows(rich, ["⎡-0.2   -0.1 ⎤", "⎣ 0.95  -0.45⎦"]), rich  # dL/dW
    solved = _run("solve-linear-layer", columns, "plain")
    assert _grid_rows(solved, ["[0.52   -0.99 ]", "[1.405   0.245]"]), solved


def test_a_pipe_keeps_a_table_row_on_one_line() -> None:
    result = CliRunner().invoke(app, ["solve", "linear-layer", "--format", "plain"])
    assert "dL/dW         [[-0.2, -0.1], [0.95, -0.45]]             2" in result.stdout


def test_rich_writes_gradients_with_partials_and_steps_as_typed() -> None:
    rich = _run("explain-sigmoid-neuron", 120, "rich")
    assert "∂f8/∂f7 = (-1/f7**2) * ∂f8/∂f8 = -0.534447 * 1 = -0.534447" in rich
    assert "df8/df7 = (-1/f7**2)" in _run("explain-sigmoid-neuron", 120, "plain")
    steps = _run("solve-sigmoid-neuron", 120, "rich")
    assert "df8/df7" in steps and "∂" not in steps
    args = ["explain", "sigmoid-neuron", "--step", "12", "--format", "rich"]
    revealed = CliRunner().invoke(app, args, env={"COLUMNS": "120"}).stdout
    assert "Step 12 of 16: df8/dw0" in revealed and "Answer: ∂f8/∂w0 = -0.196612" in revealed


@pytest.mark.parametrize("ex", IDS)
def test_plain_descriptions_drop_the_markdown_markup(ex: str) -> None:
    from gradtutor.render.plain import description

    markdown = yaml.safe_load((ROOT / EXERCISES / f"{ex}.yaml").read_text())["description"]
    shown = "\n".join(description(markdown))
    assert "`" not in shown and not re.search(r"(?<![\w)*])\*{1,2}[A-Za-z]", shown), shown


@pytest.mark.parametrize(("markdown", "shown"), [
    ("Name **f1 = x · y** and `q = W @ x`.", "Name f1 = x · y and q = W @ x."),
    ("an *upstream* gradient, [the notes](notes.md)", "an upstream gradient, the notes (notes.md)"),
    ("a literal a\\*b and $x_1 * y_2$", "a literal a*b and x₁ * y₂"),
])
def test_plain_markdown_inline(markdown: str, shown: str) -> None:
    from gradtutor.render.plain import description

    assert description(markdown) == ["", shown]


def test_a_grid_stacks_at_its_equals_signs_and_keeps_vectors_whole() -> None:
    from gradtutor.render.grids import ASCII, UNICODE, layout

    text = "new W = W - lr * dL/dW = [[0.5, -1], [1.5, 0.2]] - 0.1 * [0.6, -0.3] = " \
        "[[0.52, -0.99], [1.405, 0.245]]"
    assert layout(text, 120, UNICODE) == [
        "new W = W - lr * dL/dW = ⎡0.5  -1  ⎤ - 0.1 * [0.6, -0.3] = ⎡0.52   -0.99 ⎤",
        "                         ⎣1.5   0.2⎦                       ⎣1.405   0.245⎦"]
    assert layout(text, 40, ASCII, stack=True) == [
        "new W = W - lr * dL/dW",
        "  = [0.5  -1  ] - 0.1 * [0.6, -0.3]",
        "    [1.5   0.2]",
        "  = [0.52   -0.99 ]",
        "    [1.405   0.245]"]
    assert layout("dL/dW = [0.6, -0.3]", 40, UNICODE) is None  # no matrix: the text as it is
    assert layout(text, 14, UNICODE) is None  # a grid wider than the page: the text


def test_a_transpose_is_raised_beside_the_grid() -> None:
    from gradtutor.render.grids import ASCII, UNICODE, layout

    text = "X.T = [[1, 2], [3, 4]].T"
    assert layout(text, 80, UNICODE) == ["X.T = ⎡1  2⎤ᵀ", "      ⎣3  4⎦"]
    assert layout(text, 80, ASCII) == ["X.T = [1  2].T", "      [3  4]"]


@pytest.mark.parametrize("format", ["plain", "rich"])
def test_every_revealed_step_draws_its_matrices_as_grids(format: str) -> None:
    for step in range(1, 8):  # linear-layer's seven steps, the two updates among them
        args = ["explain", "linear-layer", "--step", str(step), "--format", format]
        shown = CliRunner().invoke(app, args, env={"COLUMNS": "60", "NO_COLOR": "1"}).stdout
        worked = shown[shown.index("Worked out:"):]
        assert not SMALL_MATRIX.search(worked), worked
        assert max(len(line) for line in shown.splitlines()) <= 60, shown
