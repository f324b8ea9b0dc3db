"""Work driven by untrusted text, in a reused worker process under hard limits.

Sympy's simplification and evaluation, and big-number arithmetic, can run for hours in C
without returning to the interpreter, where no SIGALRM is heard. Such work runs here: in
one worker process, forked on first use (a numeric check never starts it) and reused for
every later call, with its own CPU-time and address-space limits (rlimits) and a wall-clock
deadline after which it is killed and replaced. This is how PrairieLearn protects its
graders; the in-process SIGALRM (timebox.py) stays as a first, cheap bound inside it.

Without fork (not POSIX) the work runs in this process, bounded by the SIGALRM alone.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from . import limits
from .errors import GradtutorError

try:
    import resource
except ImportError:  # not POSIX
    resource = None  # type: ignore[assignment]

T = TypeVar("T")


class TooExpensive(GradtutorError):
    """Work that ran out of the worker's time or memory: the worker was replaced."""

    def __init__(self, message: str, **where: Any) -> None:
        super().__init__(f"too expensive to check: {message}", **where)


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, self.connection),
                                       daemon=not multiprocessing.current_process().daemon)
        self.process.start()
        child_end.close()

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(1)


_workers: list[_Worker] = []  # at most one: the worker of this process
_owner: list[int] = []  # the pid that started it (a forked child must start its own)
_lock = threading.Lock()


def available() -> bool:
    return resource is not None and "fork" in multiprocessing.get_all_start_methods()


def run(function: Callable[..., T], *args: Any, what: str,
        seconds: float = limits.WORKER_SECONDS) -> T:
    """`function(*args)` in the worker; TooExpensive when it runs out of time or memory.

    `function` must be a module-level function and `args` and the result picklable; an
    exception it raises is raised here.
    """
    if not available():
        return function(*args)
    with _lock:  # one task at a time on the one connection, whichever thread asks
        return _run_in_worker(function, args, what, seconds)


def _run_in_worker(function: Callable[..., T], args: tuple, what: str, seconds: float) -> T:
    worker = _worker()
    try:
        worker.connection.send((function, args))
        if not worker.connection.poll(max(seconds, 0.01)):
            _replace()
            raise TooExpensive(f"{what} took longer than {seconds:.3g} s")
        status, payload = worker.connection.recv()
    except (EOFError, OSError) as error:
        _replace()
        raise TooExpensive(f"{what} needed more memory or CPU time than allowed") from error
    except BaseException:  # Ctrl-C while waiting: the worker's reply would come too late
        _replace()
        raise
    if status == "error":
        raise payload
    return payload


def _worker() -> _Worker:
    if _workers and _owner == [os.getpid()] and _workers[0].process.is_alive():
        return _workers[0]
    _replace()
    _workers.append(_Worker())
    _owner[:] = [os.getpid()]
    return _workers[0]


def _replace() -> None:
    """Kill the worker (if this process started it); the next call starts a fresh one."""
    if _workers and _owner == [os.getpid()]:
        _workers[0].stop()
    _workers.clear()


atexit.register(_replace)


# -- in the worker -------------------------------------------------------------------------


def _serve(connection: Connection, parent_end: Connection) -> None:
    parent_end.close()  # so that the worker sees EOF when the parent dies
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it kills us
    _limit_memory()
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        _limit_cpu(limits.WORKER_CPU_SECONDS)
        try:
            reply: tuple[str, object] = ("ok", function(*args))
        except MemoryError:
            return  # the parent sees the end and reports it; a new process starts clean
        except BaseException as error:  # noqa: BLE001 (raised again in the parent)
            reply = ("error", error)
        try:
            _reply(connection, reply)
        except OSError:
            return  # the parent is gone (killed, or interrupted)


def _reply(connection: Connection, reply: tuple[str, object]) -> None:
    try:
        connection.send(reply)
    except OSError:
        raise
    except Exception as error:  # noqa: BLE001 (an unpicklable result or exception)
        connection.send(("error", GradtutorError(f"internal: {type(error).__name__}")))


def _die_with_parent() -> None:
    """On Linux, the kernel kills the worker when the process that started it dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _limit_memory() -> None:
    """Address space: what the worker has at its start, plus limits.WORKER_MEMORY_MB."""
    assert resource is not None
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would dump core
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return  # no /proc: the CPU and wall-clock limits still hold
    wanted = current + (limits.WORKER_MEMORY_MB << 20)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _limit_cpu(seconds: float) -> None:
    """The worker dies of SIGXCPU once this task has used `seconds` of CPU time."""
    assert resource is not None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
