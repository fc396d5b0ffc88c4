"""Waiting for an exclusive `flock` until a deadline, with jittered polls.

A blocking `flock` cannot be given a timeout, and a signal-based alarm would fight the caller's own
handlers; polling a non-blocking attempt every few tens of milliseconds keeps the wait bounded.
"""

from __future__ import annotations

import fcntl
import random
import time
from typing import Callable


def lock_until(
    fd: int,
    deadline: float,
    pause: tuple[float, float] = (0.02, 0.1),
    on_wait: Callable[[], object] | None = None,
) -> bool:
    """Take an exclusive flock on `fd` before the monotonic `deadline`; False if it could not be had.

    True at once when nobody holds it; `on_wait` is called once, when another process holds it.
    `pause` bounds the jittered wait between attempts.
    """
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if not waiting and on_wait is not None:
                on_wait()
            waiting = True
            if time.monotonic() >= deadline:
                return False
            time.sleep(random.uniform(*pause))  # noqa: S311 - jitter, not a secret
