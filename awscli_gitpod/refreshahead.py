"""Refresh ahead: a call that finds its credentials due soon answers from the cache at once and leaves the
refresh to one detached background process, so that no caller waits for STS before the refresh margin.

On the cache-hit path (this module imports only `os`, `sys` and `time`), a claim file beside the entry
(`<entry>.refreshing`) decides who starts the refresh: its modification time is when the next attempt may
start, set ahead by whoever claims it. A refresh in progress, or one that failed a moment ago, keeps
everyone else from starting another; a claim whose time has passed (its refresher died, or the retry
pause is over) is taken over. The background process takes the entry's lock without waiting (a second one
that slips through does nothing) and, when it fails, records the failure and pushes the next attempt
`RETRY_SECONDS` out. No caller ever sees that failure while the credentials are still valid; once the
refresh margin is reached, callers wait for a refresh as they always did.
"""

from __future__ import annotations

import os
import sys
import time

BACKGROUND_FLAG = "--background-refresh"
CLAIM_SECONDS = 120  # longer than a refresh may take (--timeout is 45 s by default)
RETRY_SECONDS = 60  # how long a failed background refresh keeps the next one from starting


def claim_path(entry_path: str) -> str:
    return entry_path + ".refreshing"


def _set_next_attempt(claim: str, when: float) -> None:
    try:  # noqa: SIM105 - contextlib would cost the hit path an import
        os.utime(claim, (when, when), follow_symlinks=False)
    except OSError:
        pass


def claim(entry_path: str, now: float) -> bool:
    """Whether this caller should start the refresh: no refresh runs or waits to retry."""
    claim = claim_path(entry_path)
    try:
        os.close(os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
    except FileExistsError:
        try:
            if os.lstat(claim).st_mtime > now:
                return False
        except OSError:
            return False
    except OSError:
        return False  # a cache directory we cannot write to: the refresh waits for the margin
    _set_next_attempt(claim, now + CLAIM_SECONDS)
    return True


def start(entry_path: str, creds_args: list[str]) -> None:
    """Claim the refresh and, if this caller won it, start `aws-gitpod creds ARGS --background-refresh`
    detached: in its own session, with no stdin, stdout or stderr of ours, so that the caller (and the SDK
    reading its output) never waits for it."""
    if not sys.executable or not claim(entry_path, time.time()):
        return
    argv = [sys.executable, "-m", "awscli_gitpod", "creds", *creds_args, BACKGROUND_FLAG]
    try:
        child = os.fork()
    except OSError:
        return
    if child == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter and arguments
        finally:
            os._exit(0)
    try:  # noqa: SIM105 - as above
        os.waitpid(child, 0)
    except OSError:
        pass


def finished(entry_path: str, succeeded: bool) -> None:
    """The background refresh is over: let the next one start at once, or after the retry pause."""
    if succeeded:
        try:  # noqa: SIM105 - as above
            os.unlink(claim_path(entry_path))
        except OSError:
            pass
    else:
        _set_next_attempt(claim_path(entry_path), time.time() + RETRY_SECONDS)
