"""The cache file format, its safety rules and the import-free hit path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awscli_gitpod import cache, privatefile
from awscli_gitpod.__main__ import answer_from_cache

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
    assert (entry.body, entry.issued, entry.expires, entry.key) == (BODY, 1000, 4600, "k")
    assert "redacted" in repr(entry) and "ASIA" not in repr(entry)


def test_an_entry_answers_only_for_its_own_key(cache_dir: Path) -> None:
    # With a writable cache directory, swapping two files must not serve role A's credentials for role B.
    role_a, role_b = cache.entry_path("a" * 64), cache.entry_path("b" * 64)
    cache.store_entry(role_a, BODY, 1000, 4600)
    cache.store_entry(role_b, BODY.replace(b"ASIAEXAMPLE", b"ASIAOTHER"), 1000, 4600)
    os.rename(role_a, role_a + ".moved")
    os.rename(role_b, role_a)
    assert cache.read_entry(role_a) is None
    os.rename(role_a, role_b)
    assert cache.read_entry(role_b) is not None  # the entry itself is intact: it answers under its own key


def test_a_fifo_at_the_entry_path_is_skipped_without_blocking(cache_dir: Path) -> None:
    cache.ensure_private_dir(str(cache_dir))
    path = cache.entry_path("k")
    os.mkfifo(path, 0o600)
    assert cache.read_entry(path) is None  # opening a FIFO for reading would block until a writer came


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


def test_an_existing_directory_is_never_remoded(cache_dir: Path) -> None:
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o755)  # noqa: S103 - the point of the test: readable, not writable, by others
    cache.store_entry(cache.entry_path("k"), BODY, 1, 2)
    assert os.stat(cache_dir).st_mode & 0o777 == 0o755
    assert os.stat(cache.entry_path("k")).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o775])
def test_a_shared_directory_gets_a_private_subdirectory(cache_dir: Path, mode: int) -> None:
    cache_dir.mkdir()
    os.chmod(cache_dir, mode)
    cache.store_entry(cache.entry_path("k"), BODY, 1, 2)
    assert os.stat(cache_dir).st_mode & 0o7777 == mode, "the shared directory keeps its mode, sticky bit too"
    private = cache_dir / f"awscli-gitpod-{os.geteuid()}"
    assert cache.cache_dir() == str(private)
    assert os.stat(private).st_mode & 0o777 == 0o700
    assert (private / "k.json").exists()


def test_a_default_directory_others_can_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_GITPOD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "awscli-gitpod").mkdir()
    os.chmod(tmp_path / "awscli-gitpod", 0o777)  # noqa: S103 - the point of the test
    with pytest.raises(cache.CacheUnavailable, match="writable by others; set AWS_GITPOD_CACHE_DIR"):
        cache.store_entry(cache.entry_path("k"), BODY, 1, 2)
    assert os.stat(tmp_path / "awscli-gitpod").st_mode & 0o777 == 0o777


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"awscli-gitpod-cache 3 k 10 20 5\n{}\n",  # length mismatch: truncated
        b"awscli-gitpod-cache 3 k 10 20\n" + BODY,  # missing field
        b"awscli-gitpod-cache 4 k 10 20 %d\n" % len(BODY) + BODY,  # a future format
        b"awscli-gitpod-cache 2 10 20 %d\n" % len(BODY) + BODY,  # the previous format
        b"awscli-gitpod-cache 3 other-key 10 20 %d\n" % len(BODY) + BODY,  # another key's entry
        b"other-tool 1 k 10 20 %d\n" % len(BODY) + BODY,
        b"awscli-gitpod-cache 3 k ten 20 %d\n" % len(BODY) + BODY,
        b"awscli-gitpod-cache 3 k 10 20 %d\n" % (len(BODY) - 3) + BODY[:-3],
        b"awscli-gitpod-cache 3 k 10 20 4\nnull",
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
    with pytest.raises(cache.CacheUnavailable, match="is not a directory"):
        cache.ensure_private_dir(str(link))
    with pytest.raises(cache.CacheUnavailable, match="Not a directory"):
        cache.ensure_private_dir("/dev/null/cache")


def test_key_covers_arguments_and_relevant_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no AWS config file and no policy files but the test's
    base = cache.cache_key(["--role", "a"], {})
    assert cache.cache_key(["--role", "b"], {}) != base
    assert cache.cache_key(["--role", "a"], {"GITPOD_WORKSPACE_ID": "w"}) != base
    assert cache.cache_key(["--role", "a"], {"AWS_GITPOD_TOKEN_COMMAND": "x"}) != base
    assert cache.cache_key(["--role", "a"], {"AWS_ENDPOINT_URL_STS": "x"}) != base
    assert cache.cache_key(["--role", "a"], {"TERM": "xterm"}) == base
    assert cache.cache_key(["--role", "a"], {"AWS_GITPOD_CACHE_DIR": "/x"}) == base
    # joining must not let arguments run together
    assert cache.cache_key(["ab", "c"], {}) != cache.cache_key(["a", "bc"], {})
    assert cache.cache_key(["--policy", "{}"], {}) == cache.cache_key(["--policy={}"], {})


def test_a_policy_file_counts_by_its_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broad, narrow = tmp_path / "broad", tmp_path / "narrow"
    for directory, action in ((broad, "s3:*"), (narrow, "s3:GetObject")):
        directory.mkdir()
        (directory / "p.json").write_text(json.dumps({"Statement": [{"Action": action}]}))
    args = ["--role", "r", "--policy", "file://p.json"]
    monkeypatch.chdir(broad)
    in_broad = cache.cache_key(args, {})
    monkeypatch.chdir(narrow)
    assert cache.cache_key(args, {}) != in_broad, "the same line elsewhere names another policy"
    assert cache.cache_key(["--role", "r", "--policy=file://p.json"], {}) == cache.cache_key(args, {})
    (narrow / "p.json").write_text('{"Statement": [{"Action": "s3:*"}]}')
    assert cache.cache_key(args, {}) == in_broad, "same text, same credentials"
    (narrow / "p.json").unlink()
    assert cache.cache_key(args, {}) is None  # the full command says why the file cannot be read


def test_role_rules_and_their_policy_files_are_in_the_key(tmp_path: Path) -> None:
    rules = tmp_path / "roles.ini"
    rules.write_text("[rule pr]\npr = *\nrole = arn:aws:iam::123456789012:role/r\npolicy_file = pr.json\n")
    (tmp_path / "pr.json").write_text('{"Statement": []}')
    environ = {"AWS_GITPOD_ROLE_RULES": str(rules)}
    os.environ["AWS_GITPOD_ROLE_RULES"] = str(rules)
    try:
        before = cache.cache_key(["--role", "auto"], environ)
        assert cache.cache_key(["--role", "r"], environ) != before
        (tmp_path / "pr.json").write_text('{"Statement": [{"Effect": "Allow"}]}')
        assert cache.cache_key(["--role", "auto"], environ) != before, "an edited policy_file is new input"
    finally:
        del os.environ["AWS_GITPOD_ROLE_RULES"]


def test_the_profiles_sts_endpoint_settings_are_in_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config"
    environ = {"AWS_CONFIG_FILE": str(config)}
    config.write_text("[default]\nregion = eu-west-1\n")
    base = cache.cache_key(["--role", "r"], environ)
    config.write_text("[default]\nregion = eu-west-1\n\n[profile gitpod]\ncredential_process = x\n")
    assert cache.cache_key(["--role", "r"], environ) == base, "what login writes changes nothing"
    config.write_text("[default]\nregion = eu-west-1\nendpoint_url = https://proxy.example\n")
    pointed = cache.cache_key(["--role", "r"], environ)
    assert pointed != base
    assert cache.cache_key(["--role", "r"], {**environ, "AWS_PROFILE": "other"}) == base
    config.write_text("[default]\nservices = mine\n[services mine]\nsts =\n  endpoint_url = https://x\n")
    assert cache.cache_key(["--role", "r"], environ) not in (base, pointed)


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


def fresh_hit() -> list[str]:
    """A `creds` command line with a fresh cache entry waiting for it."""
    args = ["creds", "--role", "arn:aws:iam::123456789012:role/r"]
    key = cache.cache_key(args[1:], os.environ)
    assert key is not None
    now = int(time.time())
    cache.store_entry(cache.entry_path(key), BODY, now, now + 3600)
    return args


def test_a_hit_prints_the_body_and_imports_nothing_heavy(cache_dir: Path) -> None:
    args = fresh_hit()
    result = subprocess.run([sys.executable, "-c", HIT_PROBE, *args], capture_output=True, check=True)
    assert result.stdout == BODY
    assert result.stderr.decode() == repr((0, []))


def test_no_cache_and_help_skip_the_hit_path(cache_dir: Path) -> None:
    args = ["--role", "arn:aws:iam::123456789012:role/r"]
    now = int(time.time())
    key = cache.cache_key(args, os.environ)
    assert key is not None
    cache.store_entry(cache.entry_path(key), BODY, now, now + 3600)
    assert answer_from_cache([*args, "--no-cache"]) is None
    assert answer_from_cache(["--help"]) is None


def test_a_hit_that_cannot_be_written_is_one_line_and_exit_74(cache_dir: Path) -> None:
    args = fresh_hit()
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "awscli_gitpod", *args], stdout=full, stderr=subprocess.PIPE, check=False
        )
    assert result.returncode == 74
    assert result.stderr.decode() == "aws-gitpod: error: cannot write the output: No space left on device\n"


def test_a_hit_whose_reader_went_away_is_one_line_and_exit_74(cache_dir: Path) -> None:
    args = fresh_hit()
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read
    result = subprocess.run(
        [sys.executable, "-m", "awscli_gitpod", *args], stdout=write_end, stderr=subprocess.PIPE, check=False
    )
    os.close(write_end)
    assert result.returncode == 74
    assert result.stderr.decode() == "aws-gitpod: error: cannot write the output: Broken pipe\n"
