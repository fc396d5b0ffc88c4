"""Writing the files: under a lock, atomically, keeping mode and symlinks; and backups."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from awscli_gitpod import errors
from awscli_gitpod.awsconfig.configfile import ConfigFile
from awscli_gitpod.awsconfig.lines import AwsConfigError, Kind
from awscli_gitpod.awsconfig.paths import _expand, _read_text
from awscli_gitpod.cache import CacheUnavailable, cache_dir, ensure_private_dir
from awscli_gitpod.flock import lock_until
from awscli_gitpod.privatefile import replace_file

CONFIG_MODE = 0o600  # as `aws configure` creates it: the file may hold keys or secrets in commands
CREDENTIALS_MODE = 0o600
LOCK_TIMEOUT_SECONDS = 10.0


@contextlib.contextmanager
def _locked(target: Path, timeout: float) -> Iterator[None]:
    """An exclusive flock shared by every writer of `target` (a resolved path), kept out of ~/.aws."""
    directory = os.path.join(cache_dir(), "locks")
    try:
        ensure_private_dir(cache_dir())
        ensure_private_dir(directory)
        lock = os.path.join(directory, hashlib.sha256(os.fsencode(target)).hexdigest() + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except CacheUnavailable as error:
        raise AwsConfigError(f"cannot lock {target}: {error}") from None
    except OSError as error:
        raise AwsConfigError(f"cannot lock {target}: {error.strerror}") from None
    try:
        if not lock_until(fd, time.monotonic() + timeout, pause=(0.005, 0.03)):
            raise AwsConfigError(
                f"timed out waiting for another aws-gitpod process writing {target}; retry",
                errors.AWS_UNAVAILABLE,
            )
        yield
    finally:
        os.close(fd)  # releases the flock


def _replace(target: Path, data: bytes, mode: int, owner: tuple[int, int] | None) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    replace_file(target, data, mode, owner)


def edit(
    path: str | os.PathLike[str],
    mutate: Callable[[ConfigFile], object],
    *,
    kind: Kind,
    create_mode: int = 0o600,
    timeout: float = LOCK_TIMEOUT_SECONDS,
    private: bool = False,
) -> bool:
    """Apply `mutate` to the file at `path` under an exclusive lock; True if the file changed.

    The file is read after the lock is taken, so concurrent editors lose no edit, and written only when
    the text changed: atomically, with its mode (new files get `create_mode`), and through a symlink to
    its target. A file that does not exist is created only if `mutate` leaves text in it. `private`: the
    edit writes secrets, so a file others could read becomes 0600 (with one line saying so).
    """
    target = Path(os.path.realpath(_expand(path)))
    with _locked(target, timeout):
        text = _read_text(target)
        config = ConfigFile(text or "", kind=kind, source=str(_expand(path)))
        mutate(config)
        rendered = config.render()
        if rendered == (text or ""):
            return False
        mode, owner = create_mode, None
        if text is not None:
            status = os.stat(target)
            mode, owner = stat.S_IMODE(status.st_mode), (status.st_uid, status.st_gid)
            if private and mode & 0o077:
                errors.note(f"made {target} private (0600, was {mode:04o}): it holds secret keys now")
                mode = 0o600
        try:
            _replace(target, rendered.encode("utf-8"), mode, owner)
        except OSError as error:
            raise AwsConfigError(f"cannot write {target}: {error.strerror}") from None
        return True


def backup(path: str | os.PathLike[str]) -> Path:
    """Copy the file to `<path>.aws-gitpod-backup-<UTC time>` beside `path` (0600), and return that path.

    The copy sits beside the name the user knows (`~/.aws/credentials`), not beside a symlink's target,
    which may be a dotfiles repository where a copy of keys must not land.
    """
    source = _expand(path)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise AwsConfigError(f"cannot back up {source}: {error.strerror}") from None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for attempt in range(1000):
        suffix = f"-{attempt}" if attempt else ""
        candidate = source.with_name(f"{source.name}.aws-gitpod-backup-{stamp}{suffix}")
        try:
            fd = os.open(
                candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        except FileExistsError:
            continue
        except OSError as error:
            raise AwsConfigError(f"cannot back up {source}: {error.strerror}") from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask: the copy may hold keys
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return candidate
    raise AwsConfigError(f"cannot back up {source}: too many backups named {source.name}.*{stamp}*")
