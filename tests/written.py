"""A bundled exercise as written: its drawn given values at their defaults, no `variants:`.

For tests about something else than per-student numbers (hostile answers, class analytics)
whose answers files name students: with the bundled file, each would be graded against
that student's own variant.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from gradtutor.exercises.exercise import bundled_dir


def written_copy(exercise_id: str, folder: Path) -> str:
    """The path of a copy of the bundled exercise with the notes' numbers for everyone."""
    data = yaml.safe_load((bundled_dir() / f"{exercise_id}.yaml").read_text(encoding="utf-8"))
    data.pop("variants", None)
    data["given"] = {name: value["default"] if isinstance(value, dict) else value
                     for name, value in (data.get("given") or {}).items()}
    rule = data.get("learning_rule") or {}
    for name, value in (rule.get("initial") or {}).items():
        rule["initial"][name] = value["default"] if isinstance(value, dict) else value
    if isinstance(rule.get("rate"), dict):
        rule["rate"] = rule["rate"]["default"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{exercise_id}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return str(path)
