"""Run a command as `exec`-style wrappers must: exact environment, signals forwarded, exit status passed on.

- The child gets exactly the environment it is given, and the program is looked up on that environment's
  `PATH`, as `env NAME=... cmd` would.
- SIGINT, SIGTERM and SIGHUP sent to us are passed to the child, which decides what they mean; we wait for
  it. A SIGINT is not passed on when we are in the terminal's foreground process group: the terminal
  delivered Ctrl-C to the child as well, and a second SIGINT makes many programs skip their graceful
  shutdown. A signal that was ignored when we started stays ignored, so the child inherits that too.
- Inheritable file descriptors stay open (a `make` jobserver keeps working), and without masking the child
  shares our stdin, stdout and stderr, so it keeps the terminal.
- With `mask` (the byte strings `maskforms` derives), the child's stdout and stderr go through pipes and
  `maskfilter` replaces every masked string on the way, including strings split across reads, holding back
  only what could still become one, so prompts without a newline still appear. Output is relayed until every
  writer of the pipes has gone (a background grandchild keeps them open, as with `cmd | cat`).
- Pipes behave as if we were not in between: when the reader of our stdout or stderr goes away (`| head -1`),
  our end of the child's pipe is closed, so the child's next write to it fails with SIGPIPE or EPIPE, as it
  would have written to the closed pipe itself, and its status becomes ours.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import IO, Callable, Optional, Union

from awscli_gitpod import errors
from awscli_gitpod.maskfilter import MaskFilter, Masks

FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Signals whose default action dumps core: a wrapper that re-raised them would leave a core of its own.
CORE_SIGNALS = frozenset(
    int(getattr(signal, name))
    for name in ("SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGSEGV", "SIGSYS")
    if hasattr(signal, name)
) | frozenset(int(getattr(signal, name)) for name in ("SIGXCPU", "SIGXFSZ") if hasattr(signal, name))
_READ_SIZE = 65536

_Handler = Union[Callable[[int, Optional[FrameType]], object], int, signal.Handlers, None]


@dataclass(frozen=True)
class ChildExit:
    """How the child ended: `code` is its exit code, or 128 + the signal that killed it (as shells report)."""

    code: int
    signal: int | None = None


def run_child(argv: list[str], env: dict[str, str], mask: Collection[bytes] | None = None) -> int:
    """Run `argv` with exactly `env`; its exit code, or 128 + the number of the signal that killed it.

    Raises `errors.Failure` with `COMMAND_NOT_FOUND` (127) or `COMMAND_NOT_EXECUTABLE` (126), as shells do.
    """
    return run_child_status(argv, env, mask).code


def run_child_status(
    argv: list[str], env: dict[str, str], mask: Collection[bytes] | None = None
) -> ChildExit:
    """`run_child`, telling a child killed by a signal apart from one that exited with 128 + N."""
    if not argv:
        raise errors.UsageError("no command to run")
    masked = Masks(mask) if mask and any(mask) else None
    child: list[subprocess.Popen[bytes]] = []
    pending: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and _terminal_delivered_it():
            return
        if child:
            with contextlib.suppress(ProcessLookupError):
                child[0].send_signal(signum)
        else:
            pending.append(signum)  # arrived before the child existed: deliver it once it does

    with _forwarding(forward):
        try:
            process = subprocess.Popen(
                argv,
                env=env,
                close_fds=False,  # only inheritable descriptors pass, as when run directly
                stdout=subprocess.PIPE if masked else None,
                stderr=subprocess.PIPE if masked else None,
            )
        except FileNotFoundError:
            raise errors.Failure(f"{argv[0]}: command not found", errors.COMMAND_NOT_FOUND) from None
        except PermissionError:
            raise errors.Failure(
                f"{argv[0]}: permission denied (not executable)", errors.COMMAND_NOT_EXECUTABLE
            ) from None
        except OSError as error:
            if error.errno == errno.ENOEXEC:
                raise errors.Failure(
                    f"{argv[0]}: cannot execute: {error.strerror}", errors.COMMAND_NOT_EXECUTABLE
                ) from None
            raise errors.Failure(
                f"{argv[0]}: cannot run: {error.strerror}", errors.COMMAND_NOT_EXECUTABLE
            ) from None
        child.append(process)
        for signum in pending:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)
        relays = _start_relays(process, masked) if masked else []
        returncode = process.wait()
        for relay in relays:
            relay.join()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    if returncode < 0:
        return ChildExit(128 - returncode, -returncode)
    return ChildExit(returncode)


def exit_like(status: ChildExit) -> int:
    """End this process as the child ended: re-raise a terminating signal on ourselves, so a parent shell
    or supervisor sees "killed by SIGTERM" (bash stops a script whose child died of SIGINT; it does not
    for exit 130). Core-dumping signals, and signals we cannot die of, become 128 + N instead."""
    if status.signal is None or status.signal in CORE_SIGNALS:
        return status.code
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    with contextlib.suppress(OSError, ValueError):
        signal.signal(status.signal, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {status.signal})
        os.kill(os.getpid(), status.signal)
    return status.code  # still here: the signal cannot end us (e.g. SIGKILL refused); exit like a shell


def _terminal_delivered_it() -> bool:
    """Whether we are in the foreground process group of our controlling terminal, where the terminal's
    Ctrl-C reaches the child (same group) directly."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def _forwarding(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    previous: dict[int, _Handler] = {}
    try:
        for signum in FORWARDED_SIGNALS:
            current = signal.getsignal(signum)
            if current == signal.SIG_IGN:
                continue  # ignored when we started: the child inherits that, as if run directly
            previous[signum] = current
            signal.signal(signum, handler)
        yield
    finally:
        for number, old in previous.items():
            # None: a handler installed outside Python, which cannot be put back; the default is closest.
            signal.signal(number, signal.SIG_DFL if old is None else old)


def _start_relays(process: subprocess.Popen[bytes], masks: Masks) -> list[threading.Thread]:
    relays = []
    for pipe, target in ((process.stdout, 1), (process.stderr, 2)):
        if pipe is None:
            continue
        relay = threading.Thread(
            target=_relay, args=(pipe, target, MaskFilter(masks)), name=f"mask-{target}", daemon=True
        )
        relay.start()
        relays.append(relay)
    return relays


def _relay(pipe: IO[bytes], target: int, mask_filter: MaskFilter) -> None:
    source = pipe.fileno()
    while True:
        try:
            chunk = os.read(source, _READ_SIZE)
        except InterruptedError:
            continue
        output = mask_filter.feed(chunk) if chunk else mask_filter.finish()
        if output and not _write_all(target, output):
            # Our reader has gone: the child's next write to this pipe now fails (SIGPIPE, EPIPE) as its
            # write to the reader's closed pipe would have, instead of going on for nobody.
            pipe.close()
            return
        if not chunk:
            return


def _write_all(fd: int, data: bytes) -> bool:
    """Write everything; False once the reader has gone (EPIPE) or the stream cannot take it."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except InterruptedError:
            continue
        except OSError:
            return False
        view = view[written:]
    return True
