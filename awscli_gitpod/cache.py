"""The credential cache: one file per cache key, readable with nothing but `os`.

A cache file is one header line and then the exact document `creds` prints:

    awscli-gitpod-cache 2 <issued> <expires> <body-bytes>
    {"Version": 1, "AccessKeyId": ...}

so a hit reads the file, compares integers and copies the body to stdout, with no json, no re and no
typing (each costs more than half a bare interpreter start). The key hashes the `creds` arguments as
given, less those that do not change the credentials, plus every environment variable that can change
them; spelling the same options differently only costs a second cache entry.
"""

from __future__ import annotations

import os
import sys
import time

MAGIC = b"awscli-gitpod-cache"
FORMAT = b"2"
MAX_FILE_BYTES = 64 * 1024
# botocore refreshes process credentials once fewer than 15 minutes remain; one more minute means the
# credentials we hand over are not already inside that window by the time the SDK looks at them.
DEFAULT_REFRESH_MARGIN = 16 * 60
# Options of `creds` that change how it runs, not which credentials it returns.
NOT_IDENTITY_OPTIONS = ("--timeout", "--refresh-margin")

# What besides the arguments decides the credentials: where the token comes from and whose it is,
# which STS answers, and our own settings.
KEY_ENVIRONMENT = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "GITPOD_WORKSPACE_ID",
    "GITPOD_INSTANCE_ID",
    "GITPOD_WORKSPACE_CONTEXT_URL",
    "GITPOD_ENVIRONMENT_ID",
    "GITPOD_HOST",
)
KEY_ENVIRONMENT_PREFIX = "AWS_GITPOD_"
NOT_IN_KEY = ("AWS_GITPOD_CACHE_DIR",)


def _sha256_hex(data: bytes) -> str:
    # hashlib loads the OpenSSL bindings (about a quarter of a bare start); the builtin module is enough.
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:
            from hashlib import sha256  # type: ignore[assignment,unused-ignore]
    return str(sha256(data).hexdigest())


def role_rules_path() -> str:
    """Where `--role auto` finds its rules: `AWS_GITPOD_ROLE_RULES`, else the user's config directory."""
    configured = os.environ.get("AWS_GITPOD_ROLE_RULES")
    if configured:
        return os.path.expanduser(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "awscli-gitpod", "roles.ini")


def _rules_stamp(args: list[str]) -> str:
    # With `--role auto` the rules file chooses the role: an edited file must not be answered from the cache.
    if "--role=auto" not in args and not any(
        first == "--role" and second == "auto" for first, second in zip(args, args[1:])
    ):
        return ""
    path = role_rules_path()
    try:
        status = os.stat(path)
    except OSError:
        return f"{path}:absent"
    return f"{path}:{status.st_mtime_ns}:{status.st_size}"


def cache_key(args: list[str], environ: dict[str, str] | os._Environ[str]) -> str:
    names = sorted(
        name
        for name in environ
        if (name in KEY_ENVIRONMENT or name.startswith(KEY_ENVIRONMENT_PREFIX)) and name not in NOT_IN_KEY
    )
    parts = [FORMAT.decode(), *args, "\0env", *(f"{name}={environ[name]}" for name in names)]
    parts += ["\0rules", _rules_stamp(args)]
    return _sha256_hex("\0".join(parts).encode("utf-8", "surrogateescape"))


class CacheArguments:
    __slots__ = ("identity", "refresh_margin", "use_cache")

    def __init__(self, identity: list[str], refresh_margin: int | None, use_cache: bool) -> None:
        self.identity = identity
        self.refresh_margin = refresh_margin  # None when the value is not a whole number
        self.use_cache = use_cache


def split_arguments(args: list[str]) -> CacheArguments:
    """Separate the arguments that choose the credentials (the key) from the refresh settings.

    Both the hit path and the full parser use this, so they always agree on the key. The parser
    rejects abbreviated options, so the spellings here are the only ones that take effect.
    """
    identity: list[str] = []
    margin: int | None = DEFAULT_REFRESH_MARGIN
    use_cache = True
    index = 0
    while index < len(args):
        argument = args[index]
        name, has_value, value = argument.partition("=")
        if argument == "--no-cache":
            use_cache = False
        elif name in NOT_IDENTITY_OPTIONS:
            if not has_value:
                index += 1
                value = args[index] if index < len(args) else ""
            if name == "--refresh-margin":
                margin = int(value) if value.isdigit() else None
        else:
            identity.append(argument)
        index += 1
    return CacheArguments(identity, margin, use_cache)


def cache_dir() -> str:
    configured = os.environ.get("AWS_GITPOD_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awscli-gitpod")


def entry_path(key: str) -> str:
    return os.path.join(cache_dir(), key + ".json")


class Entry:
    """A parsed cache file. `body` holds secrets: never print an Entry."""

    __slots__ = ("body", "expires", "issued")

    def __init__(self, issued: int, expires: int, body: bytes) -> None:
        self.issued = issued
        self.expires = expires
        self.body = body

    def __repr__(self) -> str:
        return f"Entry(issued={self.issued}, expires={self.expires}, body=<redacted>)"

    def refresh_after(self, margin: int) -> int:
        """Short sessions (under twice the margin) are still reused for half their lifetime."""
        return self.expires - min(margin, (self.expires - self.issued) // 2)

    def fresh(self, now: float, margin: int = DEFAULT_REFRESH_MARGIN) -> bool:
        return now < self.refresh_after(margin)

    def usable(self, now: float, minimum_seconds: int = 60) -> bool:
        """Still valid for a while, though due for refresh: served when a refresh fails transiently."""
        return now + minimum_seconds < self.expires


def parse_entry(data: bytes) -> Entry | None:
    header, _, body = data.partition(b"\n")
    fields = header.split(b" ")
    if len(fields) != 5 or fields[0] != MAGIC or fields[1] != FORMAT:
        return None
    try:
        issued, expires, length = int(fields[2]), int(fields[3]), int(fields[4])
    except ValueError:
        return None
    # A short body is a truncated write; an entry that does not end the document is not ours.
    if len(body) != length or not body.startswith(b"{") or not body.endswith(b"}\n"):
        return None
    return Entry(issued, expires, body)


def read_entry(path: str) -> Entry | None:
    """The entry at `path`, or None when it is missing, corrupt, or not safely ours."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        # Someone else's file, or one others could have written, may hold credentials of their choosing.
        if status.st_uid != os.geteuid() or status.st_mode & 0o077:
            return None
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return parse_entry(data) if len(data) <= MAX_FILE_BYTES else None


def serve_cached_credentials(args: list[str]) -> bool:
    """The hot path: print a fresh cached document for these `creds` arguments, if there is one."""
    if "-h" in args or "--help" in args:
        return False
    split = split_arguments(args)
    if not split.use_cache or split.refresh_margin is None:
        return False
    entry = read_entry(entry_path(cache_key(split.identity, os.environ)))
    if entry is None or not entry.fresh(time.time(), split.refresh_margin):
        return False
    sys.stdout.buffer.write(entry.body)
    sys.stdout.buffer.flush()
    return True


class CacheUnavailable(Exception):
    """The cache directory cannot be used safely; credentials are then fetched without the cache."""


def ensure_private_dir(path: str) -> None:
    """Create the cache directory 0700, or tighten ours; refuse one that belongs to someone else."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        status = os.lstat(path)
        if status.st_uid != os.geteuid() or not os.path.isdir(path) or os.path.islink(path):
            raise CacheUnavailable(f"cache directory {path} is not a directory owned by this user")
        if status.st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError as error:
        raise CacheUnavailable(f"cannot use cache directory {path}: {error.strerror}") from None


def store_entry(path: str, body: bytes, issued: int, expires: int) -> None:
    from awscli_gitpod.privatefile import replace_file  # only on a refresh: the hit path imports nothing

    ensure_private_dir(os.path.dirname(path))
    header = b" ".join([MAGIC, FORMAT, str(issued).encode(), str(expires).encode(), str(len(body)).encode()])
    replace_file(path, header + b"\n" + body)
