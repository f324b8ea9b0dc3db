"""Files written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import GradtutorError


def write_atomically(target: Path, text: str | bytes) -> None:
    """Write `text` (or a picture's bytes) to `target` through a temporary file in its folder
    and a rename, so a reader never sees half a file; the file keeps its mode (a new one gets
    the umask's)."""
    import tempfile  # here: the command line's start-up does not pay for it

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.chmod(temporary, target.stat().st_mode & 0o7777 if target.exists() else
                 0o666 & ~_umask())  # as if written in place, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_file(target: Path, text: str | bytes, *, field: str) -> None:
    """`write_atomically`, with a place it cannot write to as one GradtutorError naming
    `field` (the argument the place came from)."""
    try:
        write_atomically(target, text)
    except OSError as error:
        raise GradtutorError(f"cannot write {target}: {error.strerror or error}",
                             field=field) from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
