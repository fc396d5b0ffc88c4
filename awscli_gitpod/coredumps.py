"""Keeping secrets out of core dumps: a process that holds a token, credentials or secret values must not
leave them in a core file (or in a crash reporter's copy of one).

On Linux the process marks itself not dumpable (`prctl(PR_SET_DUMPABLE, 0)`), which also keeps other
processes of the same user from reading its memory through /proc. The mark is reset by `execve`, so the
programs `exec` runs are not affected. Elsewhere, the core-size limit is set to zero (which children
inherit, as they would under `ulimit -c 0`).
"""

from __future__ import annotations

import contextlib
import sys

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def disable() -> None:
    """Best effort: a platform that allows neither leaves the process as it was."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                return
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))


def dumpable() -> bool | None:
    """Whether this process would dump core (Linux), else None: for `doctor` and the tests."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    return bool(ctypes.CDLL(None).prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
