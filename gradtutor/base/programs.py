"""External programs (Graphviz's `dot`), run with a wall-clock timeout and bounded CPU time
and memory (rlimits, as the worker of sandbox.py has), never through a shell."""

from __future__ import annotations

import shutil
import subprocess

from . import limits
from .errors import GradtutorError

try:
    import resource
except ImportError:  # not POSIX: the timeout alone bounds the program
    resource = None  # type: ignore[assignment]


class MissingProgram(GradtutorError):
    """A program that is not installed; the message names the package to install."""


def installed(program: str) -> bool:
    return shutil.which(program) is not None


def run_program(argv: list[str], data: bytes, *, what: str, missing: str,
                seconds: float = limits.PROGRAM_SECONDS) -> bytes:
    """The program's standard output for `data` on its standard input; MissingProgram
    (`missing` says what to install) when it is not installed, GradtutorError when it fails
    or runs out of time or memory."""
    path = shutil.which(argv[0])
    if path is None:
        raise MissingProgram(missing)
    try:
        done = subprocess.run([path, *argv[1:]], input=data, capture_output=True,
                              timeout=seconds, preexec_fn=_bounded, check=False)
    except subprocess.TimeoutExpired as error:
        raise GradtutorError(f"{what} took longer than {seconds:g} s: stopped") from error
    except OSError as error:
        raise GradtutorError(f"{what} could not be started: {error.strerror}") from error
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GradtutorError(f"{what} failed (exit status {done.returncode})"
                             + (f": {said[0][:300]}" if said else ""))
    return done.stdout


def _bounded() -> None:
    """In the child, before the program starts: its CPU time and memory bounded."""
    if resource is None:
        return
    cpu = int(limits.PROGRAM_SECONDS) + 1
    memory = limits.PROGRAM_MEMORY_MB << 20
    for kind, wanted in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_AS, memory)):
        _, hard = resource.getrlimit(kind)
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(kind, (soft, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
