"""Generated practice exercises (`practice --random LEVEL [--seed N]`) and `--review`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gradtutor as gt
from gradtutor.base.errors import GradtutorError
from gradtutor.grading.catalog import validate
from gradtutor.grading.generate import LEVELS, exercise_id, generate
from gradtutor.grading.progress import load_progress, progress_path, review_exercise
from gradtutor.kinds.guards import guard_failure, mistake_warnings

SEEDS = (1, 2, 3)
OPS_OF_LEVEL = {1: ("+", "*"), 2: ("max(", "relu("), 3: ("exp(", "sigmoid(", "tanh(", "/"),
                4: ("@",), 5: ()}


@pytest.fixture(autouse=True)
def own_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_every_level_validates_passes_the_guards_and_differs_by_seed(level: int,
                                                                     tmp_path: Path) -> None:
    texts = []
    for seed in SEEDS:
        drawn = generate(level, seed)
        path = tmp_path / f"{drawn.exercise.id}.yaml"
        path.write_text(drawn.text)
        checked = validate(str(path))
        assert (checked.problems, checked.exercise) == ([], exercise_id(level, seed))
        assert checked.failed_tests == []
        assert guard_failure(drawn.exercise, drawn.structural) == ""
        assert drawn.structural <= mistake_warnings(drawn.exercise)
        if level >= 3:  # every catalogue mistake tells itself apart
            assert checked.warnings == [] and drawn.structural == frozenset()
        assert generate(level, seed).text == drawn.text  # the same seed, the same exercise
        texts.append(drawn.text)
    assert len(set(texts)) == len(SEEDS)
    graphs = " ".join(texts)
    assert any(op in graphs for op in OPS_OF_LEVEL[level]) or level == 5
    if level == 5:
        assert "network:" in graphs and "loss:" in graphs


def test_levels_add_what_they_promise() -> None:
    level2 = [generate(2, seed).exercise for seed in SEEDS]
    for ex in level2:  # a value read by two gates: a fan-out whose gradients add up
        users = ex.graph.consumers()
        assert any(len(users[ex.graph.names[name]]) > 1 for name in ex.given)
    level4 = generate(4, 1).exercise
    assert level4.given["W"].ndim == 2


def test_a_generated_exercise_checks_like_a_file(tmp_path: Path) -> None:
    drawn = generate(1, 4)
    path = tmp_path / "ex.yaml"
    path.write_text(drawn.text)
    key = gt.solve(str(path)).to_dict()
    answers = {row["step"]: row["expected"] for row in key["steps"]}
    assert gt.check(str(path), answers).result.all_correct


def test_unknown_level_and_bad_seed_are_refused() -> None:
    with pytest.raises(GradtutorError, match="levels are 1 to 5"):
        generate(6, 1)
    with pytest.raises(GradtutorError, match="seed"):
        generate(1, -1)


def test_the_api_practises_a_generated_exercise() -> None:
    session = gt.practice(random=2, seed=9)
    assert session.generated.seed == 9 and session.exercise.id == "random-level2-seed9"
    assert session.generated.text == generate(2, 9).text
    with pytest.raises(GradtutorError, match="practise one thing"):
        gt.practice("add-mul-gate", random=1)
    assert gt.practice(random=1).generated.seed > 0  # a seed chosen, and told


def test_progress_records_met_diagnoses_and_review_picks_for_them() -> None:
    assert load_progress().sessions == []
    with pytest.raises(GradtutorError, match="no diagnoses recorded yet"):
        gt.practice(review=True)
    session = gt.practice("fan-out", attempts=1)
    while session.current is not None:  # every step off by its sign
        step = session.current
        value = gt.solve("fan-out").to_dict()
        true = next(row["expected"] for row in value["steps"] if row["step"] == step)
        session.answer(json.dumps(-true if true else 1))
    gt.record_practice(session)
    met = gt.progress().met()
    assert met and max(met.values()) >= 1
    saved = json.loads(progress_path().read_text())
    assert saved["version"] == 1 and len(saved["sessions"]) == 1
    picked = review_exercise(load_progress(), seed=3)
    assert picked.seed == 3
    assert gt.practice(review=True, seed=3).exercise.id == picked.exercise.id
    gt.clear_progress()
    assert not progress_path().exists()


def test_a_damaged_progress_file_is_one_clear_error() -> None:
    path = progress_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(GradtutorError, match="clear the progress"):
        gt.progress()
