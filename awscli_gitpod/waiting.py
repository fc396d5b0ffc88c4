"""A cache miss waits for whoever refreshes before it imports anything heavy.

When twenty processes (Terraform's providers) find the same entry due, one refreshes and nineteen wait. Each
of them used to import the whole command line (argparse, botocore, pluggy) before reaching the lock, and
paid for it in the same second on the same cores. Now a miss takes the entry's lock here, with `os`,
`time` and `fcntl` only, and while it waits it keeps looking at the entry: as soon as the holder has stored
fresh credentials, a waiter prints them and exits, never having loaded the rest.

A process that gets the lock keeps it and hands it over (`take`) to the full command, which refreshes
under it (`provider`), so no second process can slip in between. One whose wait reaches `--timeout` hands
over that too: the full command then decides between still-valid cached credentials and an error.
"""

from __future__ import annotations

import fcntl
import os
import time

from awscli_gitpod.cache import CacheUnavailable, ensure_private_dir, read_entry, read_small, write_stdout


class Handoff:
    """The lock (or the lack of it) that the full command inherits from the wait."""

    __slots__ = ("deadline", "fd", "path", "waited_since")

    def __init__(self, path: str, fd: int | None, waited_since: float | None, deadline: float) -> None:
        self.path = path  # the entry's path
        self.fd = fd  # the locked descriptor of `<path>.lock`, or None: the wait reached the deadline
        self.waited_since = waited_since  # time.time() when another process turned out to hold the lock
        self.deadline = deadline  # the monotonic deadline of the whole command


_handoffs: dict[str, Handoff] = {}  # by entry path; at most one, from this process's own wait


def take(path: str) -> Handoff | None:
    """The handoff for the entry at `path`, once (the full command takes it over)."""
    return _handoffs.pop(path, None)


NOTICE_AFTER_SECONDS = 3.0  # as `waitnotice.AFTER_SECONDS`, which this path does not import (threading)


def notice_text(role_arn: str) -> str:
    """The line a long wait prints on a terminal (here, and in `provider` through `waitnotice`)."""
    return f"waiting for another aws-gitpod process to refresh {role_arn} (--timeout ends it)"


def _role_of(path: str) -> str:
    """The role whose entry this is, as `cacheinfo` records it beside the entry (only after a long wait:
    json is not worth importing sooner)."""
    import json

    try:
        role = json.loads(read_small(path + ".about") or b"{}").get("role_arn")
    except (ValueError, AttributeError):
        role = None
    return role if isinstance(role, str) and role else "the same credentials"


def _pause(attempt: int) -> float:
    # 10 to 50 ms, varied by process and attempt without importing random: waiters must not poll in step.
    return 0.01 + ((os.getpid() * 7919 + attempt * 104729) % 41) / 1000


def wait_for_refresh(path: str, margin: int, timeout: float) -> int | None:
    """Print the entry once it is fresh (an exit code), or take its lock and hand it over (None)."""
    deadline = time.monotonic() + timeout
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    if not os.path.isdir(os.path.dirname(path)):
        return None  # nobody has cached anything here (or may not: a prebuild): nothing to wait for
    try:
        ensure_private_dir(os.path.dirname(path))
        fd = os.open(path + ".lock", flags, 0o600)
    except (CacheUnavailable, OSError):  # the full command says why, or goes without the cache
        return None
    if os.fstat(fd).st_mode & 0o170000 != 0o100000:
        os.close(fd)
        return None
    waited_since: float | None = None
    started = time.monotonic()
    noticed = False
    attempt = 0
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            pass
        if waited_since is None:
            waited_since = time.time()
        entry = read_entry(path)
        if entry is not None and entry.fresh(time.time(), margin):
            os.close(fd)
            return write_stdout(entry.body)
        if time.monotonic() >= deadline:
            os.close(fd)
            _handoffs[path] = Handoff(path, None, waited_since, deadline)
            return None
        if not noticed and time.monotonic() - started >= NOTICE_AFTER_SECONDS and os.isatty(2):
            noticed = True
            os.write(2, f"aws-gitpod: {notice_text(_role_of(path))}\n".encode())
        attempt += 1
        time.sleep(_pause(attempt))
    entry = read_entry(path)  # the holder we waited for may have stored it just now
    if entry is not None and entry.fresh(time.time(), margin):
        os.close(fd)
        return write_stdout(entry.body)
    _handoffs[path] = Handoff(path, fd, waited_since, deadline)
    return None
