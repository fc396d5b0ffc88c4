"""Writing files that may hold secrets: created 0600, never through a planted symlink, replaced atomically.

`replace_file` is the one way this project replaces a file (the credential cache, refresh-failure records,
`~/.aws/config` and `credentials`, `secrets get --output-file --force`): a temporary file created 0600 beside
the target, written, given the target's mode, synced and renamed over it, so readers see the old or the new
content and never a part. A writer killed before the rename leaves a temporary that a later write sweeps.
`write_private_file` also creates a new file, refusing to follow or truncate whatever is at the path.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from pathlib import Path

from awscli_gitpod import errors

STALE_TEMP_SECONDS = 600


def _temporary_name(target: Path) -> str:
    return f".{target.name}.aws-gitpod-{os.getpid()}-{random.getrandbits(32):08x}.tmp"


def replace_file(
    path: str | os.PathLike[str], data: bytes, mode: int = 0o600, owner: tuple[int, int] | None = None
) -> None:
    """Replace `path` atomically with `data`, a file of `mode` (and `owner`, if root); OSError on failure."""
    target = Path(path)
    temporary = target.parent / _temporary_name(target)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                # Only root can give a file back to its owner; anyone else writes their own file.
                with contextlib.suppress(OSError):
                    os.fchown(fd, *owner)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(target.parent)
    _sweep_stale_temporaries(target)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; some file systems refuse to open or fsync directories.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sweep_stale_temporaries(target: Path) -> None:
    # A writer killed between create and rename leaves its temporary behind; remove only our own.
    prefix = f".{target.name}.aws-gitpod-"
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for candidate in target.parent.iterdir():
            if candidate.name.startswith(prefix) and candidate.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if candidate.lstat().st_mtime < cutoff:
                        candidate.unlink()


def write_private_file(path: str, data: bytes, replace: bool = False) -> None:
    """Write `data` to `path` as a 0600 file; `errors.Failure` (exit 2) when it exists and not `replace`."""
    if replace:
        try:
            replace_file(os.path.abspath(path), data)
        except OSError as error:
            raise errors.Failure(f"cannot write {path}: {error.strerror}", errors.USAGE) from None
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
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


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
