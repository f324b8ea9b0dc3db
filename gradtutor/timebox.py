"""A bound on the wall time of a block of pure-Python work (symbolic simplification).

Uses SIGALRM, so it bounds work only in the main thread of a process on a POSIX system;
elsewhere the block runs unbounded and the size limits on expressions are the only guard.
Blocks nest: an inner block never outlives the block around it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import TimeLimitError


class _Expired(BaseException):
    """Raised from the alarm handler. A BaseException, so sympy's `except Exception` cannot
    swallow it."""


_deadlines: list[float] = []


def _on_alarm(signum: int, frame: object) -> None:
    raise _Expired


def _arm(deadline: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 1e-4))


def can_bound() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise TimeLimitError when the block takes longer than `seconds`."""
    if not can_bound():
        yield
        return
    deadline = time.monotonic() + seconds
    if _deadlines:
        deadline = min(deadline, _deadlines[-1])
    outermost = not _deadlines
    previous = signal.signal(signal.SIGALRM, _on_alarm) if outermost else None
    _deadlines.append(deadline)
    expired = False
    try:
        try:
            _arm(deadline)
            yield
        finally:
            # disarm inside the try, so that an alarm landing right here is still caught
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        expired = True
    finally:
        _deadlines.pop()
        if _deadlines:
            _arm(_deadlines[-1])
        else:
            signal.signal(signal.SIGALRM, previous or signal.SIG_DFL)
    if expired:
        raise TimeLimitError(f"{what} did not finish within {seconds:.3g} s")
