"""The local progress file of practice: the diagnoses each session met, and `--review`.

One JSON file per user, in the user's data directory: $XDG_DATA_HOME/gradtutor/progress.json,
else ~/.local/share/gradtutor/progress.json. It holds {"version": 1, "sessions": [...]}, one
entry per session (its exercise, when it ended, its score and the diagnoses it met), the last
MAX_SESSIONS kept; it is rewritten whole through a rename, so it is never half written.
`review_exercise` picks the generated exercise whose steps can show the mistakes met most.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..base.errors import GradtutorError
from ..base.files import write_atomically
from ..marking.diagnosis import CODES
from ..marking.distinguish import exercised
from .generate import LEVELS, Generated, generate, random_seed
from .practice import PracticeReport

VERSION = 1
MAX_SESSIONS = 1000  # the oldest are dropped: the file stays small
MAX_FILE_BYTES = 5_000_000


@dataclass
class Progress:
    """What the progress file holds: one entry per session, oldest first."""

    path: Path
    sessions: list[dict[str, Any]] = field(default_factory=list)

    def met(self) -> dict[str, int]:
        """Every diagnosis met over all sessions, with how often; the most met first."""
        counts: dict[str, int] = {}
        for session in self.sessions:
            for code, count in session.get("diagnoses", {}).items():
                counts[code] = counts.get(code, 0) + count
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "sessions": len(self.sessions), "met": self.met()}

    def lines(self) -> list[str]:
        """What `practice --progress` prints."""
        found = [f"progress: {self.path} ({len(self.sessions)} session"
                 f"{'' if len(self.sessions) == 1 else 's'})"]
        met = self.met()
        found += [f"  {code}: met {count} time{'' if count == 1 else 's'}"
                  for code, count in met.items()] or ["  no diagnoses met yet"]
        return found


def progress_path() -> Path:
    """$XDG_DATA_HOME/gradtutor/progress.json, else ~/.local/share/gradtutor/progress.json."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "gradtutor" / "progress.json"


def load_progress(path: Path | None = None) -> Progress:
    """The progress file (empty when there is none yet)."""
    path = path or progress_path()
    if not path.exists():
        return Progress(path)
    problem = f"the progress file is not one gradtutor wrote; remove it, or clear " \
              f"the progress from practice ({path})"
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise GradtutorError(problem)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise GradtutorError(problem) from None
    sessions = data.get("sessions") if isinstance(data, dict) else None
    if not isinstance(sessions, list) or not all(_is_session(s) for s in sessions):
        raise GradtutorError(problem)
    return Progress(path, sessions)


def _is_session(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("diagnoses", {}), dict):
        return False
    return all(isinstance(code, str) and isinstance(count, int) and count >= 0
               for code, count in entry.get("diagnoses", {}).items())


def record_session(report: PracticeReport, exercise_id: str,
                   path: Path | None = None) -> Progress:
    """Add one session's entry to the progress file (created with its folder if need be)."""
    progress = load_progress(path)
    progress.sessions.append({
        "exercise": exercise_id,
        "ended": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "score": report.score, "max_score": report.max_score,
        "diagnoses": report.met})
    progress.sessions = progress.sessions[-MAX_SESSIONS:]
    progress.path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(progress.path, json.dumps({"version": VERSION,
                                                "sessions": progress.sessions}, indent=1))
    return progress


def clear_progress(path: Path | None = None) -> Path:
    """Remove the progress file (nothing to do when there is none); its path."""
    path = path or progress_path()
    path.unlink(missing_ok=True)
    return path


def review_exercise(progress: Progress, seed: int | None = None) -> Generated:
    """A generated exercise whose steps can show the mistakes met most often: one draw per
    level with this seed, the one whose steps exercise the most met mistakes (each weighed by
    how often it was met); a tie goes to the lower level."""
    met = {code: count for code, count in progress.met().items() if code in CODES}
    if not met:
        raise GradtutorError("no diagnoses recorded yet: practise first, e.g. "
                             "`gradtutor practice add-mul-gate`; a review then picks exercises "
                             "for the mistakes met most", field="review")
    seed = random_seed() if seed is None else seed
    drawn = [generate(level, seed) for level in LEVELS]
    return max(drawn, key=lambda g: (_weight(g, met), -g.level))


def _weight(generated: Generated, met: dict[str, int]) -> int:
    """How much of what was met the exercise's steps can show."""
    steps = exercised(generated.exercise)
    return sum(count * min(steps.get(code, 0), 3) for code, count in met.items())
