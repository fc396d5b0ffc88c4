"""Running a helper program (a token CLI, a token command) with a time limit and without leaking output.

The child gets its own process group so that a timeout kills it and anything it started; a `gp` stuck on
an unreachable supervisor must not hang every `aws` call.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

from awscli_gitpod.redaction import last_line


class ProcessFailed(Exception):
    pass


def run_bounded(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    """The program's stdout; ProcessFailed with a one-line, redacted reason otherwise."""
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
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        raise ProcessFailed(f"{argv[0]} did not finish within {timeout:g} s") from None
    if child.returncode != 0:
        reason = last_line(stderr.decode(errors="replace")) or "no message"
        status = (
            f"killed by signal {-child.returncode}" if child.returncode < 0 else f"exit {child.returncode}"
        )
        raise ProcessFailed(f"{argv[0]} failed ({status}): {reason}")
    return stdout.decode(errors="replace")


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.communicate()
