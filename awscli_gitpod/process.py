"""Running a helper program (a token CLI, a token command) with a time limit and without leaking output.

The child gets its own process group so that a timeout kills it and anything it started; a `gp` stuck on
an unreachable supervisor must not hang every `aws` call. Its output is read until the deadline and no
longer, whoever holds the pipes: a background grandchild (in its own session, so beyond the group kill)
that keeps them open cannot keep us waiting. Once the child itself has exited, a short grace lets the
last of its output drain.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time

from awscli_gitpod.redaction import last_line

MAX_OUTPUT_BYTES = 1024 * 1024  # a token is a few KiB; anything near this is not one
EXIT_GRACE_SECONDS = 0.2  # how long output may still arrive after the child has exited


class ProcessFailed(Exception):
    pass


def run_bounded(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    """The program's stdout; ProcessFailed with a one-line, redacted reason otherwise."""
    deadline = time.monotonic() + timeout
    try:
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as error:
        raise ProcessFailed(f"cannot run {argv[0]}: {error.strerror}") from None
    try:
        stdout, stderr, finished = _collect(child, deadline)
    except BaseException:  # DeadlineExceeded, Ctrl-C: the helper must not outlive us
        _kill_group(child)
        raise
    finally:
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
    if not finished:
        _kill_group(child)
        if len(stdout) > MAX_OUTPUT_BYTES:
            raise ProcessFailed(f"{argv[0]} printed more than {MAX_OUTPUT_BYTES // 1024} KiB: not a token")
        raise ProcessFailed(f"{argv[0]} did not finish within {timeout:g} s")
    if child.returncode != 0:
        reason = last_line(stderr.decode(errors="replace")) or "no message"
        status = (
            f"killed by signal {-child.returncode}" if child.returncode < 0 else f"exit {child.returncode}"
        )
        raise ProcessFailed(f"{argv[0]} failed ({status}): {reason}")
    return stdout.decode(errors="replace")


def _collect(child: subprocess.Popen[bytes], deadline: float) -> tuple[bytes, bytes, bool]:
    """(stdout, stderr, whether the child exited in time and its output fits)."""
    if child.stdout is None or child.stderr is None:
        raise ProcessFailed("internal: the child has no pipes")
    out, err = child.stdout.fileno(), child.stderr.fileno()
    buffers = {out: bytearray(), err: bytearray()}
    with selectors.DefaultSelector() as selector:
        for fd in buffers:
            selector.register(fd, selectors.EVENT_READ)
        exited_at: float | None = None
        while selector.get_map():
            if exited_at is None and child.poll() is not None:
                exited_at = time.monotonic()
            limit = deadline if exited_at is None else min(deadline, exited_at + EXIT_GRACE_SECONDS)
            left = limit - time.monotonic()
            if left <= 0:
                break
            # Wake up now and then to notice the child's exit while a grandchild keeps the pipes open.
            for key, _ in selector.select(min(left, 0.05)):
                chunk = os.read(int(key.fd), 65536)
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                buffers[int(key.fd)] += chunk
                if len(buffers[out]) > MAX_OUTPUT_BYTES:
                    return bytes(buffers[out]), b"", False
    if child.poll() is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
    finished = child.returncode is not None
    return bytes(buffers[out]), bytes(buffers[err]), finished


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's process group and reap the child, without waiting on any pipe."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=1)
