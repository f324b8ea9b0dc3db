"""HTML pages: one self-contained file (no fetch, no script), math as MathML, the graph as
inline SVG; laid out by a real browser (headless Chromium, where it is installed): the
math has a size and nothing runs over a 1,000 px page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gradtutor.grading.batch import check_file
from gradtutor.grading.feedback import redact
from gradtutor.grading.picture import verdict_picture
from gradtutor.kinds import explain, load_exercise
from gradtutor.render import draw, graphviz, html

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next((path for path in ("/usr/bin/chromium", shutil.which("chromium") or "",
                                   shutil.which("chromium-browser") or "") if path and
                 Path(path).exists()), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                    "(apt install chromium; .ci/run installs it)")
WIDTH = 1000

# Run in the page by the test only (the page itself has no script): sizes into the DOM.
MEASURE = """<script>
const maths = [...document.querySelectorAll("math")];
const sized = maths.filter(m => { const r = m.getBoundingClientRect();
                                  return r.width > 0 && r.height > 0; });
const svg = document.querySelector(".graph svg");
document.getElementById("gt-measure").textContent = JSON.stringify({
  mathml: typeof MathMLElement !== "undefined" && maths.every(m => m instanceof MathMLElement),
  maths: maths.length, sized: sized.length,
  fractions: [...document.querySelectorAll("mfrac")].filter(
    f => f.getBoundingClientRect().height > 0).length,
  split: [...document.querySelectorAll("td code")].filter(
    c => c.getClientRects().length > 1).map(c => c.textContent),
  scroll: document.documentElement.scrollWidth, viewport: window.innerWidth,
  svg: svg ? svg.getBoundingClientRect().width : 0});
</script>"""


def laid_out(page: str, tmp_path: Path) -> dict:
    """What Chromium measured of the page at 1,000 px wide."""
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", page)  # our script
    page = page.replace("</body>", f'<pre id="gt-measure"></pre>{MEASURE}</body>')
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--window-size={WIDTH},800", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="gt-measure">(.*?)</pre>', done.stdout, re.S)
    assert found is not None and found.group(1), done.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


def sample_check_page() -> str:
    ex = load_exercise("sigmoid-neuron")
    result = redact(check_file(ex, ROOT / "exercises" / "answers" / "sigmoid-neuron.yaml"),
                    "diagnosis")
    return draw.render(verdict_picture(ex, result), "html")


PAGES = {
    "explain sigmoid-neuron": lambda: draw.render(explain("sigmoid-neuron"), "html"),
    "explain mlp-mse": lambda: draw.render(explain("mlp-mse"), "html"),
    "explain xor-perceptron": lambda: draw.render(explain("xor-perceptron"), "html"),
    "check sigmoid-neuron": sample_check_page,
}


@needs_chromium
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_browser_lays_out_the_math_and_nothing_overflows(name: str, tmp_path: Path) -> None:
    page = PAGES[name]()
    measured = laid_out(page, tmp_path)
    assert measured["mathml"], "the math is not MathML to the browser"
    assert measured["sized"] == measured["maths"], measured
    if name.startswith("explain sigmoid"):
        assert measured["maths"] > 50 and measured["fractions"] > 5, measured
    assert measured["scroll"] <= measured["viewport"] == WIDTH, measured
    assert measured["split"] == [], "a step name or number split across lines"
    if graphviz.available() and not name.startswith("explain xor"):
        assert 0 < measured["svg"] <= WIDTH, measured


def test_a_page_fetches_nothing_and_runs_nothing() -> None:
    page = draw.render(explain("sigmoid-neuron"), "html")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page), "a fetch"
    assert "default-src 'none'" in page
    if graphviz.available():
        assert page.count("<svg") == 1


def test_the_page_says_why_the_graph_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtutor.base import programs

    monkeypatch.setattr(programs.shutil, "which", lambda name: None)
    page = draw.render(explain("max-gate"), "html")
    assert "The graph is not drawn here: Graphviz's `dot` is not installed" in \
        page.replace("&#x27;", "'")
    assert "<math" in page and "<svg" not in page


def test_math_is_rebuilt_from_known_mathml_only() -> None:
    assert "<script" not in html.mathml(r"\text{<script>alert(1)</script>}")
    assert html.mathml(r"\frac{a}{b}").startswith("<math display=\"inline\"><mrow><mfrac>")
    shown = html.markdown_html("<b>x</b> ![i](http://e/i.png) [l](javascript:x) $a<b$")
    assert "<b>" not in shown and "<img" not in shown and 'href="javascript' not in shown
    assert "<math" in shown
