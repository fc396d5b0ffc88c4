"""`--timeout` as a hard ceiling: whatever blocks (a socket that drips one byte a second, a stalled reply,
a lock), the work inside `ceiling(deadline)` stops at the deadline.

Per-operation timeouts (sockets, child processes) end most waits cleanly with a precise message; this is
the backstop for the waits they cannot bound, such as a read that keeps receiving a byte just before each
timeout. A real-time interval timer raises `DeadlineExceeded` in the main thread at the deadline. It derives
from BaseException so that no `except Exception` on the way (botocore's, a plugin's) swallows it; callers
turn it into a `Failure` where they know what was being waited for. Nested ceilings keep the earliest
deadline. Outside the main thread (where signals cannot be delivered) the ceiling is a no-op.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType


class DeadlineExceeded(BaseException):
    """The `--timeout` budget ran out."""


_active: list[float] = []  # the deadlines of the ceilings in force, innermost last


def _expire(signum: int, frame: FrameType | None) -> None:
    raise DeadlineExceeded


def _arm() -> None:
    if not _active:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    remaining = min(_active) - time.monotonic()
    # setitimer(0) would disarm: an expired deadline fires as soon as possible instead.
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))


@contextlib.contextmanager
def ceiling(deadline: float) -> Iterator[None]:
    """Raise `DeadlineExceeded` inside the block once `time.monotonic()` passes `deadline`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGALRM) if not _active else None
    if not _active:
        signal.signal(signal.SIGALRM, _expire)
    _active.append(deadline)
    try:
        _arm()
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)  # first: the block is over, whatever the clock says
        _active.pop()
        _arm()
        if not _active:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
