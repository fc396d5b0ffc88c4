"""The cache file format, its safety rules and the import-free hit path."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awscli_gitpod import cache, privatefile

BODY = b'{"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s", "SessionToken": "t"}\n'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("AWS_GITPOD_CACHE_DIR", str(directory))
    return directory


def test_store_then_read_round_trips(cache_dir: Path) -> None:
    path = cache.entry_path("k")
    cache.store_entry(path, BODY, issued=1000, expires=4600)
    entry = cache.read_entry(path)
    assert entry is not None
    assert (entry.body, entry.issued, entry.expires) == (BODY, 1000, 4600)
    assert "redacted" in repr(entry) and "ASIA" not in repr(entry)


@pytest.mark.parametrize(
    ("issued", "expires", "margin", "refresh_after"),
    [
        (0, 3600, 960, 2640),  # an hour: refreshed 16 minutes before expiry
        (0, 43200, 960, 42240),
        (0, 900, 960, 450),  # shorter than twice the margin: reused for half its life
        (0, 1800, 960, 900),
        (0, 3600, 0, 3600),
    ],
)
def test_when_an_entry_is_due(issued: int, expires: int, margin: int, refresh_after: int) -> None:
    entry = cache.Entry(issued, expires, BODY)
    assert entry.refresh_after(margin) == refresh_after
    assert entry.fresh(refresh_after - 1, margin) and not entry.fresh(refresh_after, margin)


@pytest.mark.parametrize(
    ("args", "identity", "margin", "use_cache"),
    [
        (["--role", "r"], ["--role", "r"], 960, True),
        (["--role", "r", "--timeout", "5", "--no-cache"], ["--role", "r"], 960, False),
        (["--timeout=5", "--role", "r", "--refresh-margin", "60"], ["--role", "r"], 60, True),
        (["--refresh-margin=120", "--region", "eu-west-1"], ["--region", "eu-west-1"], 120, True),
        (["--refresh-margin", "-5"], [], None, True),
        (["--refresh-margin"], [], None, True),
    ],
)
def test_split_arguments(args: list[str], identity: list[str], margin: int | None, use_cache: bool) -> None:
    split = cache.split_arguments(args)
    assert (split.identity, split.refresh_margin, split.use_cache) == (identity, margin, use_cache)


def test_files_are_private(cache_dir: Path) -> None:
    path = cache.entry_path("k")
    cache.store_entry(path, BODY, 1, 2)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(cache_dir).st_mode & 0o777 == 0o700
    assert [name for name in os.listdir(cache_dir) if name.endswith(".tmp")] == []


def test_a_loose_directory_of_ours_is_tightened(cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o755)
    os.chmod(cache_dir, 0o755)  # noqa: S103 - the point of the test
    cache.store_entry(cache.entry_path("k"), BODY, 1, 2)
    assert os.stat(cache_dir).st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"awscli-gitpod-cache 2 10 20 5\n{}\n",  # length mismatch: truncated
        b"awscli-gitpod-cache 2 10 20\n" + BODY,  # missing field
        b"awscli-gitpod-cache 3 10 20 %d\n" % len(BODY) + BODY,  # a future format
        b"other-tool 1 10 20 %d\n" % len(BODY) + BODY,
        b"awscli-gitpod-cache 2 ten 20 %d\n" % len(BODY) + BODY,
        b"awscli-gitpod-cache 2 10 20 %d\n" % (len(BODY) - 3) + BODY[:-3],
        b"awscli-gitpod-cache 2 10 20 4\nnull",
    ],
)
def test_corrupt_entries_are_ignored(cache_dir: Path, data: bytes) -> None:
    path = cache.entry_path("k")
    cache.ensure_private_dir(str(cache_dir))
    privatefile.replace_file(path, data)
    assert cache.read_entry(path) is None


def test_entries_others_could_write_are_ignored(cache_dir: Path) -> None:
    path = cache.entry_path("k")
    cache.store_entry(path, BODY, 10, 20)
    os.chmod(path, 0o644)
    assert cache.read_entry(path) is None


def test_symlinked_entries_are_ignored(cache_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "planted"
    cache.store_entry(str(target), BODY, 10, 20)
    cache.ensure_private_dir(str(cache_dir))
    os.symlink(target, cache.entry_path("k"))
    assert cache.read_entry(cache.entry_path("k")) is None


def test_a_foreign_directory_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(cache.CacheUnavailable, match="not a directory owned by this user"):
        cache.ensure_private_dir(str(link))
    with pytest.raises(cache.CacheUnavailable, match="Not a directory"):
        cache.ensure_private_dir("/dev/null/cache")


def test_key_covers_arguments_and_relevant_environment() -> None:
    base = cache.cache_key(["--role", "a"], {})
    assert cache.cache_key(["--role", "b"], {}) != base
    assert cache.cache_key(["--role", "a"], {"GITPOD_WORKSPACE_ID": "w"}) != base
    assert cache.cache_key(["--role", "a"], {"AWS_GITPOD_TOKEN_COMMAND": "x"}) != base
    assert cache.cache_key(["--role", "a"], {"AWS_ENDPOINT_URL_STS": "x"}) != base
    assert cache.cache_key(["--role", "a"], {"TERM": "xterm"}) == base
    assert cache.cache_key(["--role", "a"], {"AWS_GITPOD_CACHE_DIR": "/x"}) == base
    # joining must not let arguments run together
    assert cache.cache_key(["ab", "c"], {}) != cache.cache_key(["a", "bc"], {})


def test_stale_temporaries_are_swept(cache_dir: Path) -> None:
    cache.ensure_private_dir(str(cache_dir))
    leftover = cache_dir / ".k.json.aws-gitpod-999-0.tmp"
    leftover.write_bytes(b"half")
    os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    cache.store_entry(cache.entry_path("k"), BODY, 1, 2)
    assert not leftover.exists()


# Modules a bare interpreter start already has (site may load some) cost nothing more; count the rest.
HIT_PROBE = """
import sys
before = set(sys.modules)
from awscli_gitpod.__main__ import main
code = main(sys.argv[1:])
added = set(sys.modules) - before
heavy = sorted(m for m in ("botocore", "jwt", "cryptography", "pluggy", "json", "re", "typing", "argparse",
                           "hashlib", "subprocess") if m in added)
sys.stderr.write(repr((code, heavy)))
"""


def test_a_hit_prints_the_body_and_imports_nothing_heavy(cache_dir: Path) -> None:
    args = ["creds", "--role", "arn:aws:iam::123456789012:role/r"]
    key = cache.cache_key(args[1:], os.environ)
    now = int(time.time())
    cache.store_entry(cache.entry_path(key), BODY, now, now + 3600)
    result = subprocess.run([sys.executable, "-c", HIT_PROBE, *args], capture_output=True, check=True)
    assert result.stdout == BODY
    assert result.stderr.decode() == repr((0, []))


def test_no_cache_and_help_skip_the_hit_path(cache_dir: Path) -> None:
    args = ["--role", "arn:aws:iam::123456789012:role/r"]
    now = int(time.time())
    cache.store_entry(cache.entry_path(cache.cache_key(args, os.environ)), BODY, now, now + 3600)
    assert cache.serve_cached_credentials([*args, "--no-cache"]) is False
    assert cache.serve_cached_credentials(["--help"]) is False
