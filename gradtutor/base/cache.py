"""A small cache on disk of what is slow to work out and never changes for the same input:
which draw of a student's stream passed a variant's guards.

Entries are JSON lines appended to one file per key, in `GRADTUTOR_CACHE_DIR`, else
`$XDG_CACHE_HOME/gradtutor`, else `~/.cache/gradtutor`; `GRADTUTOR_CACHE_DIR=off` turns
the cache off. An append of one short line is whole on a local file system, so worker
processes may write at once; a line that does not read back is ignored. Nothing read from
the cache is trusted beyond what its reader checks again cheaply.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

MAX_LINE = 2000  # longer entries are not written (a student name of a kilobyte is not kept)
MAX_BYTES = 20_000_000  # a cache file larger than this is not read, nor written to


def cache_dir() -> Path | None:
    """Where the cache is; None when it is off."""
    chosen = os.environ.get("GRADTUTOR_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gradtutor"


def read_entries(section: str, key: str) -> list[dict[str, Any]]:
    """Every entry written under the key (none when the cache is off or unreadable)."""
    path = _path(section, key)
    if path is None:
        return []
    try:
        if path.stat().st_size > MAX_BYTES:
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    entries = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def append_entry(section: str, key: str, entry: dict[str, Any]) -> bool:
    """Add an entry; False when it is not written (too long, or the cache is off or cannot
    be written: that is no error, only slower)."""
    path = _path(section, key)
    line = json.dumps(entry, ensure_ascii=True) + "\n"
    if path is None or len(line) > MAX_LINE:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            return False
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(line)
    except OSError:
        return False
    return True


def _path(section: str, key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / section / f"{key}.jsonl"
