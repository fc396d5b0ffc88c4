"""A command's data on stdout: written whole, or one line and exit 74 (`errors.OUTPUT_FAILED`) when the
reader has gone (`| head -c 4`) or the disk is full, never a traceback.

The cache-hit path has its own copy of the write loop (`cache.write_stdout`): it must not import this.
"""

from __future__ import annotations

import os
import sys

from awscli_gitpod import errors


def _failure(error: OSError) -> errors.Failure:
    errors.silence_stdout()
    return errors.Failure(f"cannot write the output: {error.strerror}", errors.OUTPUT_FAILED)


def write_stdout(data: bytes) -> None:
    """Write `data` to stdout, after anything already printed."""
    flush_stdout()
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(1, view) :]
    except OSError as error:
        raise _failure(error) from None


def write_text(text: str) -> None:
    write_stdout(text.encode("utf-8", "surrogateescape"))


def flush_stdout() -> None:
    """Flush what `print` buffered, so that a failure to write it is reported like any other."""
    try:
        sys.stdout.flush()
    except OSError as error:
        raise _failure(error) from None
