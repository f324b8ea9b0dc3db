"""Output safety (issue 12, item 6): every untrusted string is neutralised for the format
it is written into.

The samples are in tests/hostile/output/: exercise files whose title, description and
hints, and answers files whose student name, keys and answers, carry one class of hostile
text each (terminal escapes, bidi overrides, invisible characters, spreadsheet formulas,
line breaks that would inject YAML or forge a report line, TeX commands, raw HTML, text
that tries to end a dot string). Each runs through every command and every format of the
real command line, and each output must show:

- no raw control, bidi or invisible character (on stdout and stderr);
- no line that a sample's line break started (the marker INJECTED never starts a line);
- CSV: no cell a spreadsheet would run as a formula;
- YAML: only the keys an answers file has, for the exercise it names;
- LaTeX: no TeX command a sample wrote, outside verbatim (where it is text);
- Markdown: no raw HTML tag and no script link, outside code (where it is text);
- dot: every string closed where it should be.

The unit tests at the end pin each format's function on its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from test_hostile import SIGMOID, Run, assert_sane, run_cli, stage

from gradtutor.base.safetext import (
    csv_cell,
    one_line,
    visible,
    visible_lines,
    yaml_comment,
    yaml_quoted,
    yaml_text,
)
from gradtutor.render.dot import quoted, record
from gradtutor.render.latex import author_math, text_escape
from gradtutor.render.markdown import author_markdown, escape

OUTPUT_SAMPLES = Path(__file__).resolve().parent / "hostile" / "output"
EXERCISE_FILES = sorted(p.name for p in OUTPUT_SAMPLES.glob("*_exercise.yaml"))
ANSWERS_FILES = sorted(p.name for p in OUTPUT_SAMPLES.glob("*_answers.yaml"))
WIDE = {"COLUMNS": "200"}

# Every character that does not show as itself; a line break is allowed (outputs have lines).
HIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
                    "\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                    "\ufeff\uffa0\ufff0-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
DECORATION = " \t│|╭╮╰╯─┃┏┓┗┛━#>*-"  # what may stand before a line's text (boxes, comments)
TEX_COMMANDS = re.compile(r"\\(input|include|write|openin|openout|read|catcode|def|edef|gdef"
                          r"|xdef|let|csname|endcsname|immediate|newread|newwrite|special"
                          r"|documentclass|usepackage|end\{document\}|scantokens"
                          r"|expandafter)(?![A-Za-z])")
VERBATIM = re.compile(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", re.DOTALL)
HTML_TAG = re.compile(r"<[A-Za-z/!?]")
SCRIPT_LINK = re.compile(r"(?<!\\)\]\(\s*<?\s*(javascript|vbscript|data):", re.IGNORECASE)
FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.DOTALL | re.MULTILINE)
CODE_SPAN = re.compile(r"(`+)[^`].*?\1")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
ANSWERS_KEYS = {"exercise", "student", "answers"}


# -- what every output must show -----------------------------------------------------------


def assert_no_hidden(text: str, where: str) -> None:
    found = HIDDEN.search(text)
    assert found is None, f"{where}: a raw {found.group()!r} at {found.start()}: " \
        f"{text[max(0, found.start() - 80):found.start() + 80]!r}"


def assert_no_injected_line(text: str, where: str) -> None:
    forged = [line for line in text.splitlines() if line.lstrip(DECORATION).startswith(
        ("INJECTED", "error: a fake"))]
    assert not forged, f"{where}: lines a sample's line break started: {forged[:3]}"


def assert_csv_safe(text: str) -> None:
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA):
                float(cell)  # a number (-0.5344) is no formula; anything else fails here


def assert_yaml_safe(text: str, exercise_id: str) -> None:
    data = yaml.safe_load(text)
    assert isinstance(data, dict) and set(data) <= ANSWERS_KEYS, sorted(data)
    assert data["exercise"] == exercise_id
    assert not any("INJECTED" in str(key) for key in data.get("answers") or {})


def assert_latex_safe(text: str) -> None:
    body = text.split(r"\begin{document}", 1)[1]
    assert body.rstrip().endswith(r"\end{document}"), body[-200:]
    body = VERBATIM.sub("", body.rstrip()[: -len(r"\end{document}")])  # verbatim is text
    command = TEX_COMMANDS.search(body)
    assert command is None, f"a TeX command: {body[max(0, command.start() - 80):][:200]!r}"
    assert "^^" not in body, "TeX's ^^ notation"


def assert_markdown_safe(text: str) -> None:
    prose = CODE_SPAN.sub("", FENCED.sub("", text))  # code is shown as it is: text
    tag = HTML_TAG.search(prose)
    assert tag is None, f"raw HTML: {prose[max(0, tag.start() - 80):][:200]!r}"
    assert SCRIPT_LINK.search(prose) is None, "a script link"


def assert_dot_safe(text: str) -> None:
    lines = text.splitlines()
    assert lines[0].startswith('digraph "') and lines[-1] == "}", text[:300]
    for line in lines:
        unescaped = re.sub(r"\\.", "", line)
        assert unescaped.count('"') % 2 == 0, f"a string left open: {line!r}"
    assert sum(line == "}" for line in lines) == 1, "the graph was closed early"


def assert_html_safe(text: str) -> None:
    """An HTML page that runs nothing and fetches nothing: no script, no event handler, no
    script link, no resource from elsewhere; its text escaped."""
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<script" not in text.lower(), "a script"
    handler = re.search(r"<[^>]*\son[a-z]+\s*=", text, re.IGNORECASE)
    assert handler is None, f"an event handler: {text[handler.start():][:200]!r}"
    link = re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|vbscript|data|https?):""", text,
                     re.IGNORECASE)
    assert link is None, f"a link or fetch: {text[link.start():][:200]!r}"


CHECKS = {"csv": assert_csv_safe, "latex": assert_latex_safe,
          "markdown": assert_markdown_safe, "dot": assert_dot_safe, "html": assert_html_safe}


def assert_neutral(run: Run, chosen: str, where: str, exercise_id: str | None = None) -> None:
    """The output of one command in one format shows nothing a sample could act with."""
    for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        assert_no_hidden(text, f"{where} {name}")
        if not (name == "stdout" and chosen == "yaml"):  # YAML: comment lines; keys below
            assert_no_injected_line(text, f"{where} {name}")
    if chosen in ("json", "gradescope", "prairielearn") and run.stdout.strip():
        data = json.loads(run.stdout)
        if chosen != "json":  # what a platform shows a student is text, not escapes
            assert_no_hidden(json.dumps(data, ensure_ascii=False), f"{where} (decoded)")
    if chosen == "yaml" and exercise_id is not None and run.status != 2:
        assert_yaml_safe(run.stdout, exercise_id)
    if chosen in CHECKS and run.stdout.strip():
        CHECKS[chosen](run.stdout)


def exercise_id(path: Path) -> str:
    return yaml.safe_load(path.read_text())["id"]


# -- exercise files: every command, every format ------------------------------------------

EXERCISE_RUNS = [
    *((("validate", "--format", f), f) for f in ("plain", "json")),
    *((("solve", "--format", f), f) for f in ("rich", "plain", "json", "yaml")),
    *((("explain", "--format", f), f) for f in ("rich", "plain", "json", "markdown", "latex",
                                                 "dot", "html")),
    *((("explain", "--step", "1", "--hint", "--format", f), f)
      for f in ("rich", "plain", "markdown", "latex")),
    (("template",), "yaml"),
]


@pytest.mark.parametrize("name", EXERCISE_FILES)
@pytest.mark.parametrize(("args", "chosen"), EXERCISE_RUNS,
                         ids=["-".join(a) for a, _ in EXERCISE_RUNS])
def test_author_text_is_neutralised(name: str, args: tuple[str, ...], chosen: str,
                                    tmp_path: Path) -> None:
    exercise = stage(OUTPUT_SAMPLES / name, tmp_path)
    command, *options = args
    run = run_cli(command, str(exercise), *options, env=WIDE)
    assert_sane(run, tmp_path)
    assert run.status in (0, 1), run.describe()
    assert run.stdout.strip(), run.describe()
    assert_neutral(run, chosen, f"{name} {' '.join(args)}", exercise_id(exercise))


CHECK_FORMATS = ("rich", "plain", "json", "csv", "gradescope", "prairielearn", "dot", "html")


@pytest.mark.parametrize("name", EXERCISE_FILES)
@pytest.mark.parametrize("chosen", CHECK_FORMATS)
def test_hints_in_a_check_are_neutralised(name: str, chosen: str, tmp_path: Path) -> None:
    """`check` against a hostile exercise: its title and hints reach every report."""
    exercise = stage(OUTPUT_SAMPLES / name, tmp_path)
    key = run_cli("solve", str(exercise), "--format", "yaml")
    wrong = yaml.safe_load(key.stdout)
    wrong["student"] = "=cmd|\x1b[2J\u202emallory\nINJECTED: 1"
    wrong["answers"] = {step: "=1+1\x1b[31m" for step in wrong["answers"]}
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(wrong))
    run = run_cli("check", str(exercise), str(answers), "--format", chosen, env=WIDE)
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    assert_neutral(run, chosen, f"check {name} --format {chosen}")


# -- answers files and file names ----------------------------------------------------------


@pytest.mark.parametrize("name", ANSWERS_FILES)
@pytest.mark.parametrize("chosen", CHECK_FORMATS)
def test_student_text_is_neutralised(name: str, chosen: str, tmp_path: Path) -> None:
    answers = stage(OUTPUT_SAMPLES / name, tmp_path)
    run = run_cli("check", SIGMOID, str(answers), "--format", chosen, env=WIDE)
    assert_sane(run, tmp_path)
    assert run.status == 1, run.describe()
    assert_neutral(run, chosen, f"check {name} --format {chosen}")


HOSTILE_FILE_NAME = "=cmd\x1b[2J\u202e\u200bgnp\nINJECTED.yaml"


@pytest.mark.parametrize("chosen", CHECK_FORMATS)
def test_a_hostile_file_name_is_neutralised(chosen: str, tmp_path: Path) -> None:
    """A submission's file name is the student's too: in every report, and on stderr when
    the file cannot be read."""
    good = tmp_path / HOSTILE_FILE_NAME
    good.write_text((OUTPUT_SAMPLES / "ansi_answers.yaml").read_text())
    broken = tmp_path / ("broken" + HOSTILE_FILE_NAME)
    broken.write_text("exercise: [\n")
    run = run_cli("check", SIGMOID, str(good), str(broken), "--format", chosen, env=WIDE)
    assert_sane(run, tmp_path)
    assert run.status == 2 and run.stderr, run.describe()
    assert_neutral(run, chosen, f"check with hostile file names --format {chosen}")


def test_a_hostile_exercise_file_name_is_neutralised(tmp_path: Path) -> None:
    """An exercise's file name: on stdout when it loads, on stderr when it does not."""
    broken = tmp_path / ("broken" + HOSTILE_FILE_NAME)
    broken.write_text("id: [\n")
    for args in (("validate", str(broken)), ("explain", str(broken)),
                 ("template", str(broken)), ("check", str(broken), str(broken))):
        run = run_cli(*args)
        assert_sane(run, tmp_path)
        assert run.status == 2 and "\\x1b" in run.stderr, run.describe()
        assert_neutral(run, "plain", " ".join(args[:1]))
    good = tmp_path / HOSTILE_FILE_NAME
    good.write_text((OUTPUT_SAMPLES / "ansi_exercise.yaml").read_text())
    for args in (("validate", str(good)), ("explain", str(good), "--format", "plain"),
                 ("solve", str(good), "--format", "plain"), ("template", str(good))):
        run = run_cli(*args)
        assert_sane(run, tmp_path)
        assert run.status == 0, run.describe()
        assert_neutral(run, "plain", " ".join(args[:1]))


# -- LaTeX under pdflatex, when it is installed --------------------------------------------


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_the_latex_of_hostile_text_compiles_and_reads_no_file(tmp_path: Path) -> None:
    """pdflatex in its default (restricted) mode compiles every hostile walkthrough, and
    never opens /etc/hostname (TeX logs every file it opens as '(PATH')."""
    for name in EXERCISE_FILES:
        exercise = stage(OUTPUT_SAMPLES / name, tmp_path)
        source = tmp_path / (Path(name).stem + ".tex")
        source.write_text(run_cli("explain", str(exercise), "--format", "latex").stdout)
        compiled = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
             source.name], cwd=tmp_path, capture_output=True, text=True, timeout=120,
            check=False)
        log = source.with_suffix(".log").read_text(errors="replace")
        assert compiled.returncode == 0, f"{name} does not compile:\n{log[-3000:]}"
        assert "(/etc/hostname" not in log and "(/etc/passwd" not in log, name
        assert not (tmp_path / "PWNED").exists()


# -- each format's function ------------------------------------------------------------------

NASTY = "a\x1b[2Jb\u202ec\u200bd\ufeffe\x85f\u2028g\rh\ti\x00j\U000e0041"


def test_visible_escapes_every_hidden_character_on_one_line() -> None:
    shown = visible(NASTY, 1000)
    assert shown == ("a\\x1b[2Jb\\u202ec\\u200bd\\ufeffe\\x85f\\u2028g\\rh\\ti\\x00j"
                     "\\U000e0041")
    assert one_line("x\ny") == "x\\ny"
    assert visible("\u202e" * 50, 20) == "\\u202e\\u202e..."  # never half an escape


def test_visible_lines_keeps_line_breaks_only() -> None:
    assert visible_lines("a\nb\r\nc\rd\u2028e\x1b") == "a\nb\nc\\rd\\u2028e\\x1b"


@pytest.mark.parametrize(("text", "cell"), [
    ("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"),
    ("@SUM(1)", "'@SUM(1)"), ("\t=1", "\\t=1"), ("\r=1", "\\r=1"), ("-0.5344", "-0.5344"),
    ("+1e-5", "+1e-5"), ("mallory", "mallory"), ("a\x1b[2J", "a\\x1b[2J"),
])
def test_csv_cell(text: str, cell: str) -> None:
    assert csv_cell(text) == cell


def test_yaml_quoted_reads_back_and_shows_nothing_hidden() -> None:
    quoted_text = yaml_quoted(NASTY + '"\\')
    assert HIDDEN.search(quoted_text) is None and "\n" not in quoted_text
    assert yaml.safe_load(f"k: {quoted_text}") == {"k": NASTY + '"\\'}
    assert yaml_text("df8/dw0") == "df8/dw0" and yaml_text("w1@3") == "w1@3"
    assert yaml_text("no") == '"no"' and yaml_text("a: b") == '"a: b"'


def test_yaml_comment_cannot_become_a_key() -> None:
    text = "t\nkey: 1\rk2: 2\x85k3: 3\u2028k4: 4\u2029k5: 5\x0bk6\x0ck7\x1ck8"
    comment = "\n".join(yaml_comment(text))
    assert yaml.safe_load(comment + "\nexercise: x\n") == {"exercise": "x"}
    assert all(line.startswith("#") for line in comment.split("\n"))


@pytest.mark.parametrize(("math", "shown"), [
    (r"\frac{\partial f}{\partial x}", r"\frac{\partial f}{\partial x}"),
    (r"\sigma(x) \cdot \big(y\big)", r"\sigma(x) \cdot \big(y\big)"),
    (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
     r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"),
    (r"\input{/etc/hostname}", r"\backslash{}\mathrm{input}{/etc/hostname}"),
    (r"\text{\input{x}}", r"\text{\ensuremath{\backslash}input\{x\}}"),
    (r"x^^5cinput", r"x^{}{}^5cinput"),
    (r"a & b % c # d", r"a \& b \% c \# d"),
    (r"\begin{verbatim}", r"\backslash{}\mathrm{begin}{verbatim}"),
])
def test_author_math_keeps_only_math_commands(math: str, shown: str) -> None:
    assert author_math(math) == shown


def test_author_math_that_cannot_be_math_is_none() -> None:
    assert author_math(r"\frac{a}{b") is None
    assert author_math("}{") is None
    assert author_math("x\x1by") is None


def test_latex_text_is_never_a_command() -> None:
    escaped = text_escape(r"\input{/etc/hostname} ^^5c %" + "\x1b\n")
    assert TEX_COMMANDS.search(escaped) is None and "^^" not in escaped
    assert "\x1b" not in escaped and "\n" not in escaped


def test_markdown_escapes_html_outside_code() -> None:
    assert escape("<script>x</script>") == "&lt;script\\>x&lt;/script\\>"
    shown = author_markdown("<b>x</b> `<i>` $a<b$ [l](javascript:x)\n```\n<s>\n```")
    assert shown == "&lt;b>x&lt;/b> `<i>` $a\\lt b$ [l](#javascript:x)\n```\n<s>\n```"


def test_dot_strings_stay_closed() -> None:
    assert quoted('a"]; b\nc\x1b') == '"a\\"]; b\\nc\\\\x1b"'
    assert record(["{a|b}", "<p>", 'q"']) == '"{ \\{a\\|b\\} | \\<p\\> | q\\" }"'


# -- weights: finite, and small enough that no total overflows -------------------------------


@pytest.mark.parametrize(("exercise", "line"), [
    ("id: big\ntitle: t\ngiven: {x: 2}\ngraph: {f: x*x}\nask:\n  - {step: f, weight: 1e308}\n"
     "  - {step: df/dx, weight: 1000000}\n", 6),
    ("id: big\nkind: perceptron\ntitle: t\ninputs: [x1]\ntable: [[0, 1], [1, 0]]\n"
     "ask:\n  - {step: weights, weight: 1.0e+7}\n", 7),
])
def test_a_weight_above_the_bound_is_refused_at_load(exercise: str, line: int,
                                                     tmp_path: Path) -> None:
    """Weights of 1e308 gave PrairieLearn "score": NaN and Gradescope inf."""
    path = tmp_path / "big.yaml"
    path.write_text(exercise)
    run = run_cli("validate", str(path))
    assert_sane(run, tmp_path)
    assert run.status == 2, run.describe()
    assert run.stderr.splitlines() == [
        f"error: {path}:{line}: ask[0].weight: weight must be a positive number of at most "
        f"1,000,000, not {'1e+308' if 'e308' in exercise else '10000000.0'}"], run.describe()


def test_input_in_a_description_never_reaches_latex(tmp_path: Path) -> None:
    """The red-team case: `\\input{/etc/hostname}` in a description, in prose and in math."""
    exercise = tmp_path / "ex.yaml"
    exercise.write_text("id: ex\ntitle: t\ndescription: 'Read \\input{/etc/hostname} and "
                        "$\\input{/etc/hostname}$ and $$\\input{/etc/hostname}$$'\n"
                        "given: {x: 2}\ngraph: {f: x*x}\n")
    run = run_cli("explain", str(exercise), "--format", "latex")
    assert run.status == 0, run.describe()
    assert "/etc/hostname" in run.stdout and r"\input{" not in run.stdout
    assert_latex_safe(run.stdout)
