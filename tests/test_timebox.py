"""The wall-time bound on symbolic work: it fires, it nests, and nothing can swallow it."""

import signal
import time

import pytest

from gradtutor.base.errors import TimeLimitError
from gradtutor.base.timebox import can_bound, time_limit

pytestmark = pytest.mark.skipif(not can_bound(), reason="needs SIGALRM in the main thread")

GIVE_UP = 5.0  # a loop that the bound failed to stop ends here, and the test fails


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_block_past_its_bound_is_stopped() -> None:
    start = time.monotonic()
    with pytest.raises(TimeLimitError, match="simplifying did not finish within 0.1 s"), \
            time_limit(0.1, "simplifying"):
        spin(GIVE_UP)
    assert time.monotonic() - start < GIVE_UP


def test_a_block_within_its_bound_leaves_no_alarm_behind() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5.0, "simplifying"):
        total = sum(range(1000))
    assert total == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_an_inner_bound_ends_inside_the_outer_one() -> None:
    with time_limit(GIVE_UP, "the file"):
        with pytest.raises(TimeLimitError, match="one step"), time_limit(0.1, "one step"):
            spin(GIVE_UP)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # the outer bound is armed again
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_outer_bound_holds_over_a_longer_inner_one() -> None:
    with pytest.raises(TimeLimitError, match="the file"), time_limit(0.1, "the file"), \
            time_limit(GIVE_UP, "one step"):
        spin(GIVE_UP)


class SlowToCollect:
    def __del__(self) -> None:
        spin(0.3)  # the alarm lands in here, where Python prints the exception and drops it


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_alarm_swallowed_by_a_finalizer_fires_again() -> None:
    start = time.monotonic()
    with pytest.raises(TimeLimitError), time_limit(0.1, "simplifying"):
        doomed = SlowToCollect()
        del doomed  # its __del__ runs now and swallows the first alarm
        spin(GIVE_UP)
    assert time.monotonic() - start < GIVE_UP
