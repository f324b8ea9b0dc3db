"""A bound on the wall time of a block of pure-Python work (symbolic simplification).

Uses SIGALRM, so it bounds work only in the main thread of a process on a POSIX system;
elsewhere the block runs unbounded and the size limits on expressions are the only guard.
Blocks nest: an inner block never outlives the block around it. An alarm that lands where
Python drops exceptions (a __del__, a weakref or a gc callback) repeats until it is heard.
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
# An exception raised inside a __del__, a weakref or a gc callback is printed and dropped by
# the interpreter, so the alarm repeats this often until its block has really ended.
_RETRY_SECONDS = 0.05


def _on_alarm(signum: int, frame: object) -> None:
    if not _deadlines:
        return  # a stale alarm, after the last block ended
    if time.monotonic() < _deadlines[-1]:
        _arm(_deadlines[-1])  # early: wait for the deadline itself
        return
    signal.setitimer(signal.ITIMER_REAL, _RETRY_SECONDS)
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
    own_deadline = time.monotonic() + seconds
    deadline = min(own_deadline, _deadlines[-1]) if _deadlines else own_deadline
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
    if expired and deadline < own_deadline:
        raise _Expired  # the bound of a block around this one ran out: that block reports
    if expired:
        raise TimeLimitError(f"{what} did not finish within {seconds:.3g} s")
