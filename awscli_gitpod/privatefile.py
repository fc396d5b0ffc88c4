"""Write data that must stay private to a file only its owner can read, never through a planted symlink.

A new file is created with mode 0600 and `O_EXCL`, so an existing file or symlink at the path is refused
rather than followed or truncated. Replacing (`replace=True`) writes a fresh 0600 file next to it and renames
it over the old one: readers see the old or the new content, never a part, and a symlink at the path is
replaced, not written through.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from awscli_gitpod import errors


def write_private_file(path: str, data: bytes, replace: bool = False) -> None:
    """Write `data` to `path` as a 0600 file; `errors.Failure` (exit 2) when it exists and not `replace`."""
    if replace:
        _replace(path, data)
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise errors.UsageError(f"{path} exists; add --force to replace it") from None
    except OSError as error:
        raise errors.Failure(f"cannot create {path}: {error.strerror}", errors.USAGE) from None
    try:
        _write_all(fd, data)
    except OSError as error:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise errors.Failure(f"cannot write {path}: {error.strerror}", errors.USAGE) from None
    os.close(fd)


def _replace(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".aws-gitpod-")  # mkstemp makes it 0600
    except OSError as error:
        raise errors.Failure(f"cannot write in {directory}: {error.strerror}", errors.USAGE) from None
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise errors.Failure(f"cannot write {path}: {error.strerror}", errors.USAGE) from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
