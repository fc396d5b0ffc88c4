"""The refresh lock across real processes: exclusion, bounded waiting, SIGKILL, shared failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from awscli_gitpod import errors
from awscli_gitpod.singleflight import RefreshLock

# Holds the lock until its stdin closes: the test decides when, with no timing guesses.
HOLDER = """
import sys, time
from awscli_gitpod.singleflight import RefreshLock
with RefreshLock(sys.argv[1], deadline=time.monotonic() + 60):
    print("locked", flush=True)
    sys.stdin.read()
"""


def hold_lock(entry: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(entry)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0


def test_a_waiter_gets_the_lock_after_the_holder_finishes(tmp_path: Path) -> None:
    entry = tmp_path / "k.json"
    holder = hold_lock(entry)
    started_waiting = threading.Event()
    waiter = RefreshLock(str(entry), deadline=time.monotonic() + 30, on_wait=started_waiting.set)
    acquiring = threading.Thread(target=waiter.acquire)
    acquiring.start()
    assert started_waiting.wait(timeout=20), "the waiter never found the lock held"
    assert acquiring.is_alive(), "the waiter must wait while the holder holds the lock"
    release(holder)
    acquiring.join(timeout=20)
    assert not acquiring.is_alive()
    waiter.release()


def test_waiting_is_bounded_and_names_the_holder(tmp_path: Path) -> None:
    entry = tmp_path / "k.json"
    holder = hold_lock(entry)
    try:
        with pytest.raises(errors.Failure) as caught:
            RefreshLock(str(entry), deadline=time.monotonic() + 0.3).__enter__()
        assert caught.value.exit_code == errors.AWS_UNAVAILABLE
        assert f"pid {holder.pid}" in caught.value.message
    finally:
        release(holder)


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    entry = tmp_path / "k.json"
    holder = hold_lock(entry)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    with RefreshLock(str(entry), deadline=time.monotonic() + 5) as lock:
        assert lock.waited_since is None
    assert time.monotonic() - started < 1


def test_a_failure_recorded_while_waiting_is_shared(tmp_path: Path) -> None:
    entry = str(tmp_path / "k.json")
    lock = RefreshLock(entry, deadline=time.monotonic() + 5)
    with lock:
        assert lock.failure_while_waiting() is None  # did not wait: must try itself
        lock.record_failure(errors.Failure("denied", errors.AWS_DENIED))
    waiter = RefreshLock(entry, deadline=time.monotonic() + 5)
    waiter.waited_since = time.time() - 10
    shared = waiter.failure_while_waiting()
    assert shared is not None
    assert (shared.message, shared.exit_code) == ("denied", errors.AWS_DENIED)
    waiter.waited_since = time.time() + 10  # began waiting after the failure: not its concern
    assert waiter.failure_while_waiting() is None
