"""The credential cache: one file per cache key, readable with nothing but `os`.

A cache file is one header line and then the exact document `creds` prints:

    awscli-gitpod-cache 3 <key> <issued> <expires> <body-bytes>
    {"Version": 1, "AccessKeyId": ...}

so a hit reads the file, compares its key and two integers and copies the body to stdout, with no json, no
re and no typing (each costs more than half a bare interpreter start). An entry is served only for the key
it records: a file copied or renamed onto another key's path is not an answer.

The key is the digest of everything that decides the credentials, by value:
- the `creds` arguments as given, less those that only change how it runs (`--timeout`...); a session
  policy given as `--policy file://PATH` counts by the file's content (PATH relative to the working
  directory), so editing the file, or running the line elsewhere, asks for new credentials;
- every environment variable that can change them (region, endpoints, the workspace, our own settings);
- the settings of the AWS config file that choose the STS endpoint (the selected profile's `endpoint_url`,
  `sts_regional_endpoints`, FIPS and dual-stack switches, CA bundle, and its `services` section);
- with `--role auto`, the role rules file and every `policy_file` it names, by size and modification time.
Spelling the same options differently only costs a second cache entry.
"""

from __future__ import annotations

import os

MAGIC = b"awscli-gitpod-cache"
FORMAT = b"3"
MAX_FILE_BYTES = 64 * 1024
# botocore refreshes process credentials once fewer than 15 minutes remain; one more minute means the
# credentials we hand over are not already inside that window by the time the SDK looks at them.
BOTOCORE_REFRESH_WINDOW = 15 * 60
DEFAULT_REFRESH_MARGIN = BOTOCORE_REFRESH_WINDOW + 60
# Options of `creds` that change how it runs, not which credentials it returns.
NOT_IDENTITY_OPTIONS = ("--timeout", "--refresh-margin")
NOT_IDENTITY_FLAGS = ("--no-cache", "--background-refresh")
DEFAULT_TIMEOUT = 45.0  # the Go SDK abandons a credential process after 60 s
# Refresh ahead: from PREFETCH_LEAD to PREFETCH_LEAD + PREFETCH_JITTER seconds before an entry is due, a call
# still answers from the cache at once and starts one background refresh. The point within that span is
# drawn per entry (from its key and issue time), so that workspaces that started together spread out.
PREFETCH_LEAD = 5 * 60
PREFETCH_JITTER = 10 * 60
FILE_PREFIX = "file://"

# What besides the arguments decides the credentials: where the token comes from and whose it is,
# which STS answers and how it is reached, and our own settings.
KEY_ENVIRONMENT = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CA_BUNDLE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "GITPOD_WORKSPACE_ID",
    "GITPOD_INSTANCE_ID",
    "GITPOD_WORKSPACE_CONTEXT_URL",
    "GITPOD_ENVIRONMENT_ID",
    "GITPOD_HOST",
)
KEY_ENVIRONMENT_PREFIX = "AWS_GITPOD_"
# Settings that change where the cache is or who runs us, not which credentials: AWS_GITPOD_EXEC marks a
# child of `exec`, whose credential_process calls must share the entry of the same line outside it.
NOT_IN_KEY = ("AWS_GITPOD_CACHE_DIR", "AWS_GITPOD_EXEC")
# Settings of a profile that change which STS endpoint botocore calls, or how it trusts it.
ENDPOINT_SETTINGS = (
    b"endpoint_url",
    b"sts_regional_endpoints",
    b"use_fips_endpoint",
    b"use_dualstack_endpoint",
    b"ignore_configured_endpoint_urls",
    b"ca_bundle",
    b"services",
)


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


def read_small(path: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """A regular file's first `limit` bytes (through symlinks: config files often are), or None; never
    blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not _is_regular(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def _is_regular(mode: int) -> bool:
    return mode & 0o170000 == 0o100000  # S_ISREG, without importing stat


def _stamp(path: str) -> str:
    try:
        status = os.stat(path)
    except OSError:
        return f"{path}:absent"
    return f"{path}:{status.st_mtime_ns}:{status.st_size}"


# --- what the key covers -----------------------------------------------------------------------------


def role_rules_path() -> str:
    """Where `--role auto` finds its rules: `AWS_GITPOD_ROLE_RULES`, else the user's config directory."""
    configured = os.environ.get("AWS_GITPOD_ROLE_RULES")
    if configured:
        return os.path.expanduser(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "awscli-gitpod", "roles.ini")


def _rules_stamp(args: list[str]) -> str:
    """With `--role auto`, the rules file and the session-policy files it names choose the credentials."""
    if "--role=auto" not in args and not any(
        first == "--role" and second == "auto" for first, second in zip(args, args[1:])
    ):
        return ""
    path = role_rules_path()
    stamps = [_stamp(path)]
    for line in (read_small(path) or b"").splitlines():
        name, separator, value = line.replace(b":", b"=", 1).partition(b"=")
        if separator and name.strip() == b"policy_file":
            stamps.append(_stamp(os.path.join(os.path.dirname(path), os.fsdecode(value.strip()))))
    return "\0".join(stamps)


def _config_path(environ: dict[str, str] | os._Environ[str]) -> str:
    return os.path.expanduser(os.path.expandvars(environ.get("AWS_CONFIG_FILE") or "~/.aws/config"))


def endpoint_settings(environ: dict[str, str] | os._Environ[str]) -> bytes:
    """The lines of the AWS config file that choose the STS endpoint for the selected profile.

    A line-level reading (no configparser on the hit path): the selected profile's endpoint settings and
    every line of `[services ...]` sections, each with its section header. Over-approximating is safe: it
    only costs a cache miss.
    """
    profile = (environ.get("AWS_PROFILE") or environ.get("AWS_DEFAULT_PROFILE") or "default").encode()
    headers = {b"[profile " + profile + b"]", b"[" + profile + b"]"}
    picked: list[bytes] = []
    section = b""
    for raw in (read_small(_config_path(environ), 4 * MAX_FILE_BYTES) or b"").splitlines():
        line = raw.strip()
        if line.startswith(b"["):
            section = b" ".join(line.split())
            continue
        if not line or line[:1] in (b"#", b";"):
            continue
        relevant = section.startswith(b"[services ") or (
            section in headers and line.partition(b"=")[0].strip().lower() in ENDPOINT_SETTINGS
        )
        if relevant:
            picked += [section, line]
    return b"\n".join(picked)


def _identity_arguments(args: list[str]) -> list[str] | None:
    """The arguments with a `--policy file://PATH` replaced by the file's digest; None if unreadable."""
    identity: list[str] = []
    index = 0
    while index < len(args):
        argument = args[index]
        name, has_value, value = argument.partition("=")
        if name == "--policy" and not has_value and index + 1 < len(args):
            index += 1
            value, has_value = args[index], "="
        if name == "--policy" and has_value and value.startswith(FILE_PREFIX):
            content = read_small(os.path.abspath(value[len(FILE_PREFIX) :]))
            if content is None:
                return None
            argument = "--policy=sha256:" + _sha256_hex(content)
        elif name == "--policy" and has_value:
            argument = "--policy=" + value
        identity.append(argument)
        index += 1
    return identity


def cache_key(args: list[str], environ: dict[str, str] | os._Environ[str]) -> str | None:
    """The key of the credentials these `creds` identity arguments ask for here; None when a file the
    arguments name cannot be read (the full command then says why)."""
    identity = _identity_arguments(args)
    if identity is None:
        return None
    names = sorted(
        name
        for name in environ
        if (name in KEY_ENVIRONMENT or name.startswith(KEY_ENVIRONMENT_PREFIX)) and name not in NOT_IN_KEY
    )
    parts = [FORMAT.decode(), *identity, "\0env", *(f"{name}={environ[name]}" for name in names)]
    parts += ["\0rules", _rules_stamp(identity)]
    text = "\0".join(parts).encode("utf-8", "surrogateescape")
    return _sha256_hex(text + b"\0config\0" + endpoint_settings(environ))


class CacheArguments:
    __slots__ = ("background", "identity", "refresh_margin", "timeout", "use_cache")

    def __init__(
        self,
        identity: list[str],
        refresh_margin: int | None,
        use_cache: bool,
        timeout: float = DEFAULT_TIMEOUT,
        background: bool = False,
    ) -> None:
        self.identity = identity
        self.refresh_margin = refresh_margin  # None when the value is not a whole number
        self.use_cache = use_cache
        self.timeout = timeout  # DEFAULT_TIMEOUT when the value is not a positive number
        self.background = background  # this is a background refresh started by a cache hit


def split_arguments(args: list[str]) -> CacheArguments:
    """Separate the arguments that choose the credentials (the key) from the refresh settings.

    Both the hit path and the full parser use this, so they always agree on the key. The parser
    rejects abbreviated options, so the spellings here are the only ones that take effect.
    """
    identity: list[str] = []
    margin: int | None = DEFAULT_REFRESH_MARGIN
    timeout = DEFAULT_TIMEOUT
    index = 0
    while index < len(args):
        argument = args[index]
        name, has_value, value = argument.partition("=")
        if argument in NOT_IDENTITY_FLAGS:
            pass
        elif name in NOT_IDENTITY_OPTIONS:
            if not has_value:
                index += 1
                value = args[index] if index < len(args) else ""
            if name == "--refresh-margin":
                margin = int(value) if value.isdigit() else None
            elif name == "--timeout":
                timeout = _positive(value, DEFAULT_TIMEOUT)
        else:
            identity.append(argument)
        index += 1
    return CacheArguments(identity, margin, "--no-cache" not in args, timeout, "--background-refresh" in args)


def _positive(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default


# --- where entries live -------------------------------------------------------------------------------


def _shared(status: os.stat_result) -> bool:
    """Someone else's directory, or one others may write to (a sticky /tmp included)."""
    return status.st_uid != os.geteuid() or bool(status.st_mode & 0o022)


def cache_dir() -> str:
    """`$AWS_GITPOD_CACHE_DIR`, else `$XDG_CACHE_HOME/awscli-gitpod`, else `~/.cache/awscli-gitpod`.

    A configured directory that is shared (someone else's, or writable by others) is never changed: the
    cache lives in a private subdirectory of it, `awscli-gitpod-<uid>`.
    """
    configured = os.environ.get("AWS_GITPOD_CACHE_DIR")
    if configured:
        try:
            status = os.stat(configured)
        except OSError:
            return configured  # created 0700 on first write
        if _shared(status):
            return os.path.join(configured, f"awscli-gitpod-{os.geteuid()}")
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awscli-gitpod")


def entry_path(key: str) -> str:
    return os.path.join(cache_dir(), key + ".json")


# --- entries ------------------------------------------------------------------------------------------


class Entry:
    """A parsed cache file. `body` holds secrets: never print an Entry."""

    __slots__ = ("body", "expires", "issued", "key")

    def __init__(self, issued: int, expires: int, body: bytes, key: str = "") -> None:
        self.issued = issued
        self.expires = expires
        self.body = body
        self.key = key

    def __repr__(self) -> str:
        return f"Entry(issued={self.issued}, expires={self.expires}, body=<redacted>)"

    def refresh_after(self, margin: int) -> int:
        """Short sessions (under twice the margin) are still reused for half their lifetime."""
        return self.expires - min(margin, (self.expires - self.issued) // 2)

    def fresh(self, now: float, margin: int = DEFAULT_REFRESH_MARGIN) -> bool:
        return now < self.refresh_after(margin)

    def prefetch_after(self, margin: int = DEFAULT_REFRESH_MARGIN) -> int:
        """From when a call answers from this entry and also starts a background refresh: 5 to 15 minutes
        before `refresh_after`, the same moment for every caller of this entry, another for the next one;
        never in the first half of its fresh life (short sessions)."""
        refresh = self.refresh_after(margin)
        lead = PREFETCH_LEAD + (int.from_bytes(self.key.encode()[:8], "big") + self.issued) % PREFETCH_JITTER
        return max(self.issued + (refresh - self.issued) // 2, refresh - lead)

    def usable(self, now: float) -> bool:
        """Not expired yet, though maybe due for refresh: what is served when a refresh cannot be had."""
        return now < self.expires


def parse_entry(data: bytes, key: str) -> Entry | None:
    """The entry in `data` if it is well-formed and was stored for `key`, else None."""
    header, _, body = data.partition(b"\n")
    fields = header.split(b" ")
    if len(fields) != 6 or fields[0] != MAGIC or fields[1] != FORMAT or fields[2] != key.encode():
        return None
    try:
        issued, expires, length = int(fields[3]), int(fields[4]), int(fields[5])
    except ValueError:
        return None
    # A short body is a truncated write; an entry that does not end the document is not ours.
    if len(body) != length or not body.startswith(b"{") or not body.endswith(b"}\n"):
        return None
    return Entry(issued, expires, body, key)


def key_of(path: str) -> str:
    """The key an entry file is named after (`<key>.json`)."""
    name = os.path.basename(path)
    return name[: -len(".json")] if name.endswith(".json") else name


def read_entry(path: str) -> Entry | None:
    """The entry at `path`, or None when it is missing, corrupt, stored for another key than the one the
    file is named after, or not safely ours. Never blocks: a FIFO planted at the path is skipped."""
    key = key_of(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        # Someone else's file, or one others could have written, may hold credentials of their choosing.
        if not _is_regular(status.st_mode) or status.st_uid != os.geteuid() or status.st_mode & 0o077:
            return None
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return parse_entry(data, key) if len(data) <= MAX_FILE_BYTES else None


def write_stdout(data: bytes) -> int:
    """Write all of `data` to fd 1: 0, or 74 with one line on stderr when the reader has gone or the disk
    is full (never a traceback)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(1, view) :]
    except OSError as error:
        try:  # noqa: SIM105 - contextlib would cost the hit path an import
            os.write(2, f"aws-gitpod: error: cannot write the output: {error.strerror}\n".encode())
        except OSError:
            pass
        return 74
    return 0


# --- writing ------------------------------------------------------------------------------------------


class CacheUnavailable(Exception):
    """The cache directory cannot be used safely; credentials are then fetched without the cache."""


def ensure_private_dir(path: str) -> None:
    """Create the cache directory 0700; accept an existing one only if it is ours and others cannot write
    to it. An existing directory is never re-moded."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        status = os.lstat(path)
    except OSError as error:
        raise CacheUnavailable(f"cannot use cache directory {path}: {error.strerror}") from None
    if status.st_mode & 0o170000 != 0o040000:
        raise CacheUnavailable(f"cache directory {path} is not a directory (a symlink?)")
    if _shared(status):
        owner = "someone else's" if status.st_uid != os.geteuid() else "writable by others"
        raise CacheUnavailable(
            f"cache directory {path} is {owner}; set AWS_GITPOD_CACHE_DIR to a directory of your own"
        )


def store_entry(path: str, body: bytes, issued: int, expires: int) -> None:
    """Write the entry at `path`, bound to the key the file is named after; CacheUnavailable or OSError
    when it cannot be written."""
    from awscli_gitpod.privatefile import replace_file  # only on a refresh: the hit path imports nothing

    key = key_of(path)
    ensure_private_dir(os.path.dirname(path))
    fields = [
        MAGIC,
        FORMAT,
        key.encode(),
        str(issued).encode(),
        str(expires).encode(),
        str(len(body)).encode(),
    ]
    replace_file(path, b" ".join(fields) + b"\n" + body)


class Slot:
    """Where the credentials for one `creds` argument list live: its key and its file."""

    __slots__ = ("key", "path")

    def __init__(self, key: str) -> None:
        self.key = key
        self.path = entry_path(key)

    @classmethod
    def for_arguments(cls, creds_args: list[str]) -> Slot | None:
        """The slot of these `creds` arguments here; None when the key cannot be computed."""
        key = cache_key(split_arguments(creds_args).identity, os.environ)
        return None if key is None else cls(key)

    def read(self) -> Entry | None:
        return read_entry(self.path)

    def store(self, body: bytes, issued: int, expires: int) -> None:
        store_entry(self.path, body, issued, expires)
