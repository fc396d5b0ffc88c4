"""One refresh at a time per cache key, across processes.

The lock is `flock` on a file next to the cache entry: the kernel drops it when its holder exits, however it
exits (SIGKILL included), so no lock is ever stale and lock files are never removed (removing them would
let two processes lock two different files). Processes that waited for a holder re-read the cache; if
the holder failed they report its failure, recorded beside the entry, instead of repeating it one by one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from types import TracebackType
from typing import Callable

from awscli_gitpod import errors
from awscli_gitpod.cache import CacheUnavailable, ensure_private_dir, read_small
from awscli_gitpod.flock import lock_until
from awscli_gitpod.privatefile import replace_file


class LockTimeout(errors.Failure):
    """The holder did not finish before our deadline."""


class RefreshLock:
    def __init__(self, entry_path: str, deadline: float, on_wait: Callable[[], object] | None = None) -> None:
        """`on_wait` is called once, when the lock turns out to be held by another process."""
        self.path = entry_path + ".lock"
        self.failure_path = entry_path + ".failed"
        self.deadline = deadline
        self.waited_since: float | None = None
        self._on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> RefreshLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        """Wait for the lock until the deadline: LockTimeout then; CacheUnavailable if the cache directory
        or the lock file is unusable (the caller goes on without the cache)."""
        ensure_private_dir(os.path.dirname(self.path))
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as error:
            raise CacheUnavailable(f"cannot open {self.path}: {error.strerror}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CacheUnavailable(f"{self.path} is not a regular file")
            locked = lock_until(fd, self.deadline, on_wait=self._started_waiting)
        except BaseException:  # the deadline's alarm included: never leak the descriptor
            os.close(fd)
            raise
        if not locked:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockTimeout(
                f"timed out waiting for another aws-gitpod process{holder} to refresh the "
                "same credentials; retry, or pass --no-cache",
                errors.AWS_UNAVAILABLE,
            )
        # Whose lock it is only serves messages: a full disk must not cost the lock itself.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def adopt(self, fd: int, waited_since: float | None) -> None:
        """Take over a descriptor of our lock file that this process already locked (`waiting`)."""
        self.waited_since = waited_since
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def _started_waiting(self) -> None:
        self.waited_since = time.time()
        if self._on_wait is not None:
            self._on_wait()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def record_failure(self, failure: errors.Failure) -> None:
        """Leave the failure for the processes queued behind this one (no secrets are in messages)."""
        text = f"{time.time()}\n{failure.exit_code}\n{failure.message}"
        with contextlib.suppress(OSError):
            replace_file(self.failure_path, text.encode())

    def failure_while_waiting(self) -> errors.Failure | None:
        """The failure a holder recorded after this process started waiting for it, if any."""
        if self.waited_since is None:
            return None
        recorded = read_small(self.failure_path)
        try:
            when, code, message = (recorded or b"").decode("utf-8").split("\n", 2)
            if float(when) >= self.waited_since:
                return errors.Failure(message, int(code))
        except ValueError:
            pass
        return None


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
