"""What the credential cache holds, for `aws-gitpod cache list` and `cache clear`: never a secret.

An entry (`<key>.json`, see `cache`) holds the credentials and when they expire, but not what they are for:
its key is a digest. So each refresh also leaves `<key>.json.about` beside it, a small 0600 JSON file
naming the role, the region and the session name. Beside an entry there may also be its refresh lock
(`.lock`, whose content is the holder's pid) and the last refresh failure (`.failed`). Entries are read only
through `cache.read_entry`, which refuses files that are not safely ours.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.cache import DEFAULT_REFRESH_MARGIN, cache_dir, read_entry, read_small
from awscli_gitpod.clock import rfc3339
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.exchange import AUTO_ROLE, ExchangeOptions
from awscli_gitpod.privatefile import replace_file
from awscli_gitpod.regions import resolve_region

ENTRY_SUFFIX = ".json"
ABOUT, LOCK, FAILED = ".about", ".lock", ".failed"


def record(entry_path: str, options: ExchangeOptions, credentials: Credentials) -> None:
    """Leave beside the entry what it is for; a cache that cannot take it loses only the description."""
    role_arn = options.role_arn
    parts = credentials.assumed_role_arn.split(":")  # arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION
    names = parts[-1].split("/") if len(parts) == 6 else []
    if role_arn == AUTO_ROLE and len(names) == 3:
        role_arn = f"arn:{parts[1]}:iam::{parts[4]}:role/{names[1]}"  # the role the rules chose
    about = {
        "role_arn": role_arn,
        "region": resolve_region(options.region),
        "session_name": names[2] if len(names) == 3 else None,
        "account": credentials.account_id or None,
    }
    with contextlib.suppress(OSError):
        replace_file(entry_path + ABOUT, json.dumps(about).encode())


def _held(lock_path: str) -> bool:
    """Whether a refresh holds this lock now (trying it costs the holder nothing: a waiter polls anyway)."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # and with it our lock, if we took it
    return False


def _about(entry_path: str) -> dict[str, Any]:
    try:
        found = json.loads(read_small(entry_path + ABOUT) or b"{}")
    except ValueError:
        return {}
    return (
        {key: value for key, value in found.items() if isinstance(value, str)}
        if isinstance(found, dict)
        else {}
    )


def _failure(entry_path: str, issued: int) -> str | None:
    """The last refresh failure, if it came after the entry was issued."""
    try:
        when, _, message = (read_small(entry_path + FAILED) or b"").decode("utf-8").split("\n", 2)
        return f"{rfc3339(float(when))}: {message}" if float(when) >= issued else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Cached:
    """One cache entry as `cache list` shows it."""

    path: str
    key: str
    role_arn: str | None
    region: str | None
    session_name: str | None
    account: str | None
    issued: int
    expires: int
    refreshing: bool
    last_failure: str | None

    def state(self, now: float) -> str:
        if now >= self.expires:
            return "expired"
        refresh = self.expires - min(DEFAULT_REFRESH_MARGIN, (self.expires - self.issued) // 2)
        return "fresh" if now < refresh else "due for refresh"

    def to_dict(self, now: float) -> dict[str, Any]:
        return {
            "role_arn": self.role_arn,
            "region": self.region,
            "session_name": self.session_name,
            "account": self.account,
            "issued": rfc3339(self.issued),
            "expires": rfc3339(self.expires),
            "state": self.state(now),
            "refreshing": self.refreshing,
            "last_failure": self.last_failure,
            "key": self.key,
        }


def _entry_paths() -> list[str]:
    try:
        names = os.listdir(cache_dir())
    except OSError:
        return []
    return sorted(os.path.join(cache_dir(), name) for name in names if name.endswith(ENTRY_SUFFIX))


def entries() -> list[Cached]:
    found = []
    for path in _entry_paths():
        entry = read_entry(path)
        if entry is None:
            continue
        about = _about(path)
        found.append(
            Cached(
                path=path,
                key=entry.key,
                role_arn=about.get("role_arn"),
                region=about.get("region"),
                session_name=about.get("session_name"),
                account=about.get("account"),
                issued=entry.issued,
                expires=entry.expires,
                refreshing=_held(path + LOCK),
                last_failure=_failure(path, entry.issued),
            )
        )
    return found


def leftovers() -> list[str]:
    """Locks, failure records and descriptions whose entry is gone (earlier keys: other arguments, another
    environment); each refresh of a new key leaves one more."""
    try:
        names = os.listdir(cache_dir())
    except OSError:
        return []
    suffixes = (LOCK, FAILED, ABOUT)
    return sorted(
        os.path.join(cache_dir(), name)
        for name in names
        if name.endswith(suffixes) and not os.path.exists(os.path.join(cache_dir(), name.rsplit(".", 1)[0]))
    )


def _remove_lock(lock_path: str) -> bool:
    """Remove a lock file nobody holds: under the lock itself, so a refresh running now keeps its own."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(lock_path)
    except OSError:  # held (BlockingIOError) or not ours to remove
        return False
    finally:
        os.close(fd)
    return True


def remove(entry_path: str) -> bool:
    """Remove an entry and everything beside it; False if a refresh holds its lock (the lock is kept)."""
    for suffix in ("", ABOUT, FAILED):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry_path + suffix)
    return _remove_lock(entry_path + LOCK)


def remove_leftover(path: str) -> bool:
    if path.endswith(LOCK):
        return _remove_lock(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    return True
