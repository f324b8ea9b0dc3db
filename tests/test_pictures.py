"""Pictures of the graph: every bundled exercise's `explain --format dot`, drawn by Graphviz
(when it is installed), fits in about 1,600 px on its long side; Graphviz runs bounded, and
its absence is one clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradtutor.base import programs
from gradtutor.base.errors import GradtutorError
from gradtutor.kinds import explain
from gradtutor.render import draw, graphviz

ROOT = Path(__file__).resolve().parent.parent
IDS = sorted(path.stem for path in (ROOT / "exercises").glob("*.yaml"))
LONG_SIDE_PX = 1600
needs_graphviz = pytest.mark.skipif(not graphviz.available(),
                                    reason="Graphviz's dot is not installed (apt install graphviz)")


def size_px(svg: str) -> tuple[float, float]:
    """An SVG's width and height in CSS pixels (Graphviz writes points: 96 px per 72 pt)."""
    found = re.search(r'<svg width="([0-9.]+)(pt|px)?" height="([0-9.]+)(pt|px)?"', svg)
    assert found is not None, svg[:300]
    scale = 96 / 72 if (found.group(2) or "pt") == "pt" else 1.0
    return float(found.group(1)) * scale, float(found.group(3)) * scale


@needs_graphviz
@pytest.mark.parametrize("ex_id", IDS)
def test_every_bundled_picture_fits_on_a_screen(ex_id: str) -> None:
    width, height = size_px(draw.render(explain(ex_id), "svg"))
    assert max(width, height) <= LONG_SIDE_PX, f"{ex_id}: {width:.0f} x {height:.0f} px"


@needs_graphviz
def test_png_is_a_png() -> None:
    assert draw.render(explain("max-gate"), "png").startswith(b"\x89PNG\r\n")


def test_a_missing_graphviz_is_one_message_naming_the_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programs.shutil, "which", lambda name: None)
    with pytest.raises(programs.MissingProgram, match="apt install graphviz"):
        draw.render(explain("max-gate"), "svg")


def test_a_program_that_fails_or_hangs_is_a_clear_error() -> None:
    with pytest.raises(GradtutorError, match=r"failed \(exit status 3\)"):
        programs.run_program(["sh", "-c", "exit 3"], b"", what="sh", missing="no sh")
    with pytest.raises(GradtutorError, match="took longer than 0.5 s"):
        programs.run_program(["sleep", "5"], b"", what="sleep", missing="no sleep", seconds=0.5)
