"""Where a command's report goes: standard output (rich on a terminal, plain in a pipe)
or a file written atomically (`write_atomically`, from base.files)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..base.files import write_atomically

if TYPE_CHECKING:
    from rich.console import Console


def chosen_format(chosen: Enum | None) -> str:
    """The format asked for, else rich on a terminal and plain in a pipe."""
    if chosen is not None:
        return chosen.value
    return "rich" if sys.stdout.isatty() else "plain"


def show(text_or_renderable: object) -> None:
    """A text as it is, a rich renderable through the console."""
    if isinstance(text_or_renderable, str):
        sys.stdout.write(text_or_renderable if text_or_renderable.endswith("\n")
                         else text_or_renderable + "\n")
    else:
        from ..render.rich import console

        console().print(text_or_renderable)


def emit(report: object, output: Path | None, inputs: tuple[Path, ...] = ()) -> None:
    """Print the report, or write it to `output`: a regular file atomically (a temporary
    file renamed into place, through a symlink to its target), a device or pipe directly.
    The files being checked are only ever read: `output` may not be one of them."""
    if output is None:
        show(report)
        return
    import os
    import stat

    from ..base.errors import GradtutorError

    text = report if isinstance(report, str) else as_text(report)
    text = text if text.endswith("\n") else text + "\n"
    target = Path(os.path.realpath(output))
    if any(same_file(output, p) for p in inputs):
        raise GradtutorError(f"{output} is one of the files being read; write the report "
                             "somewhere else", field="--output")
    try:
        mode = output.stat().st_mode if output.exists() else stat.S_IFREG
        if stat.S_ISDIR(mode):
            raise GradtutorError(f"cannot write {output}: it is a directory", field="--output")
        stream_of = standard_stream(output)
        if stream_of is not None:  # /dev/stdout, even when it is a log opened with >>
            stream_of.write(text)
            stream_of.flush()
            return
        if not stat.S_ISREG(mode):
            with open(output, "a", encoding="utf-8") as stream:  # a pipe or a device
                stream.write(text)
            return
        write_atomically(target, text)
    except OSError as error:
        raise GradtutorError(f"cannot write {output}: {error.strerror or error}",
                             field="--output") from None


def same_file(one: Path, other: Path) -> bool:
    import os

    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return False


def standard_stream(output: Path) -> TextIO | None:
    """sys.stdout or sys.stderr when `output` is the file they write (never truncate it)."""
    import os

    try:
        info = output.stat()
    except (OSError, ValueError):
        return None
    for stream in (sys.stdout, sys.stderr):
        try:
            own = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
        if (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino):
            return stream
    return None


def as_text(renderable: object) -> str:
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None).print(renderable)
    return buffer.getvalue()


def stderr_console() -> Console:
    from ..render.rich import console

    return console(stderr=True)
