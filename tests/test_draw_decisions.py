"""The variant guards decide every draw as they did when tests/fixtures/draw_decisions.json
was recorded (tests/draw_decisions.py): making them faster must not change which draws
pass, which variant a student gets, nor what `validate` counts of its sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from draw_decisions import decisions, exercise_paths, sample  # tests/ is on sys.path

RECORDED = Path(__file__).parent / "fixtures" / "draw_decisions.json"
PATHS = {path.name: path for path in exercise_paths()}


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUTOR_CACHE_DIR", "off")  # every draw decided afresh


def recorded(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(RECORDED.read_text())[name]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHS))
def test_each_students_draws_are_decided_as_recorded(name: str) -> None:
    assert decisions(PATHS[name]) == recorded(name)["students"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHS))
def test_validates_sample_is_rejected_as_recorded(name: str) -> None:
    assert sample(PATHS[name]) == recorded(name)["sample"]


def test_every_exercise_with_variants_is_recorded() -> None:
    assert sorted(PATHS) == sorted(json.loads(RECORDED.read_text()))
