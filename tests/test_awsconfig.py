"""The AWS config/credentials editor: byte-exact edits on a corpus of real-world files, checked by botocore.

Every edit is checked two ways: the lines that changed are exactly the ones the edit should change (all
other bytes equal), and botocore's own parser reads the expected value for every key of every section.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.configloader import build_profile_map, raw_config_parse
from botocore.exceptions import ConfigParseError

from awscli_gitpod import awsconfig
from awscli_gitpod.awsconfig import AwsConfigError, ConfigFile, Kind, Value

DATA = Path(__file__).parent / "data" / "awsconfig"
CORPUS = sorted(DATA.iterdir())

# --- helpers (also used by test_awsconfig_properties) -------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


def newline_of(text: str) -> str:
    found = re.search(r"\r\n|\r|\n", text)
    return found.group() if found else "\n"


def lines(text: str) -> list[str]:
    """The text's lines with their endings; an unterminated last line gets the file's, to compare alike."""
    found = _LINE.findall(text)
    rest = text[sum(map(len, found)) :]
    return [*found, rest + newline_of(text)] if rest else found


def window(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines that differ: what `before` had and `after` has between their common first and last lines."""
    old, new = lines(before), lines(after)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]


def ends_like(before: str, after: str) -> bool:
    """A file without a final newline still has none, and one with one still has it."""
    if not before.strip() or not after or not lines(after)[-1].strip("\r\n"):
        return True  # an empty last line is nothing but its newline, so it keeps it
    return before.endswith(("\n", "\r")) == after.endswith(("\n", "\r"))


def botocore_reads(text: str, directory: Path) -> dict[str, dict[str, Value]]:
    path = directory / "botocore-probe"
    path.write_bytes(text.encode("utf-8"))
    parsed: dict[str, dict[str, Value]] = raw_config_parse(str(path))
    return parsed


def with_setting(
    parsed: dict[str, dict[str, Value]], section: str, key: str, value: str | None
) -> dict[str, dict[str, Value]]:
    """What botocore should read after one edit: `parsed` with one key set, or removed if `value` is None."""
    expected = copy.deepcopy(parsed)
    if value is None:
        del expected[section][key.lower()]
    else:
        expected.setdefault(section, {})[key.lower()] = value
    return expected


# --- the corpus, as written and in CRLF and without a final newline -------------------------------------


def variants() -> list[tuple[str, str]]:
    cases = []
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        cases.append((path.name, text))
        cases.append((path.name + "+crlf", text.replace("\n", "\r\n")))
        if text.endswith("\n"):
            cases.append((path.name + "+no-final-newline", text.rstrip("\n")))
    return cases


VARIANTS = variants()
IDS = [name for name, _ in VARIANTS]


def kind_of(name: str) -> Kind:
    return "credentials" if name.startswith("credentials") else "config"


def key_span(text: str, section: str, key: str) -> tuple[int, int]:
    """The lines botocore attributes to `key` (its line and continuation lines), found independently."""
    all_lines = lines(text)
    header = next(i for i, line in enumerate(all_lines) if line.strip().startswith(f"[{section}]"))
    start = next(
        i
        for i in range(header + 1, len(all_lines))
        if re.match(rf"\s*{re.escape(key)}\s*[=:]", all_lines[i], re.IGNORECASE)
    )
    indent = len(all_lines[start]) - len(all_lines[start].lstrip())
    stop = start + 1
    for i in range(start + 1, len(all_lines)):
        stripped = all_lines[i].strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if len(all_lines[i]) - len(all_lines[i].lstrip()) <= indent:
            break
        stop = i + 1
    return start, stop


def section_end(text: str, section: str, keys: list[str]) -> int:
    """One past the section's last key line or continuation line; one past its header without keys."""
    if keys:
        return max(key_span(text, section, key)[1] for key in keys)
    return next(i for i, line in enumerate(lines(text)) if line.strip().startswith(f"[{section}]")) + 1


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=IDS)
def test_the_model_reads_what_botocore_reads(name: str, text: str, tmp_path: Path) -> None:
    assert ConfigFile(text, kind=kind_of(name)).as_dict() == botocore_reads(text, tmp_path)
    assert ConfigFile(text, kind=kind_of(name)).render() == text


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=IDS)
def test_updating_each_key_changes_only_its_value(name: str, text: str, tmp_path: Path) -> None:
    parsed = botocore_reads(text, tmp_path)
    for section, values in parsed.items():
        for key in values:
            config = ConfigFile(text, kind=kind_of(name))
            assert config.set(section, key, "new-value") is True
            after = config.render()
            removed, added = window(text, after)
            start, stop = key_span(text, section, key)
            old_lines = lines(text)[start:stop]
            assert removed == old_lines
            # The key keeps its spelling, indentation, separator and spacing; the line its ending.
            match = re.match(r"(\s*[^=:]*?\s*[=:]\s*)", old_lines[0])
            assert match is not None
            assert len(added) == 1
            assert added[0].startswith(match.group(1).rstrip("\r\n"))
            assert added[0].rstrip().endswith("new-value")
            assert added[0].endswith(newline_of(text))
            assert ends_like(text, after)
            assert botocore_reads(after, tmp_path) == with_setting(parsed, section, key, "new-value")


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=IDS)
def test_a_new_key_is_one_new_line_at_the_end_of_its_section(name: str, text: str, tmp_path: Path) -> None:
    parsed = botocore_reads(text, tmp_path)
    for section in parsed:
        config = ConfigFile(text, kind=kind_of(name))
        assert config.set(section, "aws_gitpod_test", "a b = c # not a comment")
        after = config.render()
        removed, added = window(text, after)
        assert removed == []
        assert [line.strip() for line in added] == ["aws_gitpod_test = a b = c # not a comment"]
        assert added[0].endswith(newline_of(text))
        assert ends_like(text, after)
        expected = with_setting(parsed, section, "aws_gitpod_test", "a b = c # not a comment")
        assert botocore_reads(after, tmp_path) == expected
        # The new line follows the section's last key line (or its header), whatever follows those.
        end = section_end(text, section, list(parsed[section]))
        assert lines(after) == [*lines(text)[:end], *added, *lines(text)[end:]]
        # Removing it again gives back the original bytes.
        assert config.delete(section, "AWS_GITPOD_TEST")
        assert config.render() == text


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=IDS)
def test_deleting_a_key_removes_exactly_its_lines(name: str, text: str, tmp_path: Path) -> None:
    parsed = botocore_reads(text, tmp_path)
    for section, values in parsed.items():
        for key in values:
            config = ConfigFile(text, kind=kind_of(name))
            start, stop = key_span(text, section, key)
            assert config.delete(section, key.upper())
            after = config.render()
            assert lines(after) == lines(text)[:start] + lines(text)[stop:]
            assert ends_like(text, after)
            assert botocore_reads(after, tmp_path) == with_setting(parsed, section, key, None)


@pytest.mark.parametrize(("name", "text"), VARIANTS, ids=IDS)
def test_a_new_profile_is_appended_after_one_blank_line(name: str, text: str, tmp_path: Path) -> None:
    kind = kind_of(name)
    parsed = botocore_reads(text, tmp_path)
    config = ConfigFile(text, kind=kind)
    section = config.section_name_for("gitpod-new")
    assert section == ("gitpod-new" if kind == "credentials" else "profile gitpod-new")
    config.set(section, "credential_process", "/opt/bin/aws-gitpod creds --role arn:aws:iam::1:role/r")
    config.set(section, "region", "eu-west-1")
    after = config.render()
    removed, added = window(text, after)
    newline = newline_of(text)
    blank = [newline] if text and text.strip("\r\n") and lines(text)[-1].strip() != "" else []
    assert removed == []
    assert added == [
        *blank,
        f"[{section}]{newline}",
        f"credential_process = /opt/bin/aws-gitpod creds --role arn:aws:iam::1:role/r{newline}",
        f"region = eu-west-1{newline}",
    ]
    assert ends_like(text, after)
    expected = with_setting(
        parsed, section, "credential_process", "/opt/bin/aws-gitpod creds --role arn:aws:iam::1:role/r"
    )
    assert botocore_reads(after, tmp_path) == with_setting(expected, section, "region", "eu-west-1")
    if text.strip() and lines(text)[-1].strip():
        # The inverse edit gives back the original bytes.
        assert config.delete_section(section)
        assert config.render() == text


# --- details of the format ------------------------------------------------------------------------------


def edited(text: str, section: str, key: str, value: str | None, kind: Kind = "config") -> str:
    config = ConfigFile(text, kind=kind)
    if value is None:
        config.delete(section, key)
    else:
        config.set(section, key, value)
    return config.render()


def test_the_spelling_separator_and_spacing_of_a_key_are_kept() -> None:
    text = "[default]\n\tRegion\t:  us-east-1  \nOUTPUT=json\ncli_pager =\nempty =   \n"
    result = edited(text, "default", "region", "eu-west-1")
    assert result == "[default]\n\tRegion\t:  eu-west-1  \nOUTPUT=json\ncli_pager =\nempty =   \n"
    assert edited(text, "default", "output", "text").splitlines()[2] == "OUTPUT=text"
    assert edited(text, "default", "cli_pager", "less").splitlines()[3] == "cli_pager = less"
    assert edited(text, "default", "empty", "x").splitlines()[4] == "empty = x"
    assert edited(text, "default", "region", "us-east-1") == text  # same value: not one byte changes


def test_a_value_with_what_looks_like_an_inline_comment_is_replaced_whole(tmp_path: Path) -> None:
    # botocore has no inline comments in values: `x # y` is the value. Keeping `# y` would change it.
    text = "[default]\nregion = us-east-1 # prod\n"
    result = edited(text, "default", "region", "eu-west-1")
    assert result == "[default]\nregion = eu-west-1\n"
    assert botocore_reads(result, tmp_path)["default"]["region"] == "eu-west-1"


def test_comments_after_a_header_are_kept_and_new_keys_go_before_trailing_comments() -> None:
    text = "[profile a] # dev account\nregion = x\n# about b\n\n[profile b]\n"
    assert edited(text, "profile a", "output", "json") == (
        "[profile a] # dev account\nregion = x\noutput = json\n# about b\n\n[profile b]\n"
    )
    assert edited(text, "profile b", "output", "json") == text + "output = json\n"


def test_a_nested_block_is_replaced_by_a_plain_value_and_deleted_whole(tmp_path: Path) -> None:
    text = "[profile p]\ns3 =\n  addressing_style = path\n  # note\n\n  max_concurrent_requests = 4\n"
    text += "region = x\n"
    assert botocore_reads(text, tmp_path)["profile p"]["s3"] == {
        "addressing_style": "path",
        "max_concurrent_requests": "4",
    }
    assert edited(text, "profile p", "s3", "off") == "[profile p]\ns3 = off\nregion = x\n"
    assert edited(text, "profile p", "s3", None) == "[profile p]\nregion = x\n"
    assert edited(text, "profile p", "region", None) == text.replace("region = x\n", "")


def test_a_new_key_never_turns_the_next_header_into_a_continuation(tmp_path: Path) -> None:
    # An indented header after a more deeply indented key is still a header, and must stay one.
    for text in ("[a]\n    x = 1\n  [b]\ny = 2\n", "[a]\n  [b]\ny = 2\n", "  [a]\n\n    [b]\n  y = 2\n"):
        result = edited(text, "a", "new", "v")
        assert botocore_reads(result, tmp_path) == with_setting(
            botocore_reads(text, tmp_path), "a", "new", "v"
        )


def test_the_default_profile_is_the_section_botocore_reads(tmp_path: Path) -> None:
    def default_region(text: str) -> Value:
        path = tmp_path / "config"
        path.write_text(text)
        region: Value = build_profile_map(raw_config_parse(str(path)))["profiles"]["default"]["region"]
        return region

    # botocore maps both to profile `default`, and the later one in the file wins.
    for text in (
        "[default]\nregion = a\n\n[profile default]\nregion = b\n",
        "[profile default]\nregion = b\n\n[default]\nregion = a\n",
        "[profile default]\nregion = b\n",
        "[profile  'default']\nregion = b\n",
        "[default]\nregion = a\n",
        "",
    ):
        config = ConfigFile(text, kind="config")
        config.set(config.section_name_for("default"), "region", "chosen")
        assert default_region(config.render()) == "chosen", text
    assert ConfigFile("", kind="config").section_name_for("default") == "default"
    assert ConfigFile("", kind="credentials").section_name_for("default") == "default"
    assert ConfigFile("[profile default]\n", kind="credentials").section_name_for("default") == "default"


def test_profile_names_are_quoted_when_botocore_would_split_them(tmp_path: Path) -> None:
    assert awsconfig.profile_section("config", "dev") == "profile dev"
    assert awsconfig.profile_section("config", "my team") == "profile 'my team'"
    assert awsconfig.profile_section("credentials", "my team") == "my team"
    config = ConfigFile("", kind="config")
    config.set(config.section_name_for("my team"), "region", "x")
    path = tmp_path / "config"
    path.write_text(config.render())
    assert awsconfig.get(path, "my team", "region", kind="config") == "x"
    for bad in ("", "a\nb", "x\r"):
        with pytest.raises(AwsConfigError):
            awsconfig.profile_section("config", bad)
    with pytest.raises(AwsConfigError):
        awsconfig.profile_section("credentials", "DEFAULT")  # configparser's defaults, never a profile


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("", "Sekr1tValue"),
        ("a=b", "Sekr1tValue"),
        ("a:b", "Sekr1tValue"),
        (" a", "Sekr1tValue"),
        ("#a", "Sekr1tValue"),
        ("[a]", "Sekr1tValue"),
        ("a", " Sekr1tValue"),
        ("a", "Sekr1t\nValue"),
    ],
)
def test_settings_botocore_would_not_read_back_are_refused(key: str, value: str) -> None:
    with pytest.raises(AwsConfigError) as refused:
        ConfigFile("[default]\n", kind="config").set("default", key, value)
    assert "Sekr1t" not in refused.value.message  # the value may be a secret access key


@pytest.mark.parametrize(
    "text",
    [
        "region = x\n",  # before any section
        "[a]\nx = 1\n[a]\ny = 2\n",  # a section twice
        "[a]\nx = 1\nX = 2\n",  # a key twice (keys are case-insensitive)
        "[a]\njust words\n",  # not key = value
        "[a]\ns3 =\n  no equals sign\n",  # a nested line without `=`
        "\ufeff[a]\n",  # a byte-order mark: botocore reads it as text
    ],
)
def test_files_botocore_cannot_read_are_refused_with_the_line(text: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigParseError):
        botocore_reads(text, tmp_path)
    with pytest.raises(AwsConfigError, match=r"<text>:\d+: "):
        ConfigFile(text, kind="config")


def test_default_section_values_are_inherited_as_botocore_does(tmp_path: Path) -> None:
    text = "[DEFAULT]\naws_access_key_id = AKIAEXAMPLE\n\n[gitpod]\nregion = x\n"
    config = ConfigFile(text, kind="credentials")
    assert config.as_dict() == botocore_reads(text, tmp_path)
    assert config.sections() == ["gitpod"]
    assert config.get("gitpod", "AWS_ACCESS_KEY_ID") == "AKIAEXAMPLE"
    assert config.delete("gitpod", "aws_access_key_id") is False  # inherited, not the section's own


def test_an_emptied_section_stays_unless_asked(tmp_path: Path) -> None:
    text = "[a]\nx = 1\n\n[gitpod]\naws_access_key_id = A\n\n[b]\ny = 2\n"
    config = ConfigFile(text, kind="credentials")
    config.delete("gitpod", "aws_access_key_id")
    assert config.render() == "[a]\nx = 1\n\n[gitpod]\n\n[b]\ny = 2\n"
    config = ConfigFile(text, kind="credentials")
    config.delete("gitpod", "aws_access_key_id", drop_empty_section=True)
    assert config.render() == "[a]\nx = 1\n\n[b]\ny = 2\n"
    config = ConfigFile("[a]\nx = 1\n\n[gitpod]\nk = v", kind="credentials")
    config.delete("gitpod", "k", drop_empty_section=True)
    assert config.render() == "[a]\nx = 1"


def test_old_mac_line_endings_are_lines_too(tmp_path: Path) -> None:
    text = "[a]\rx = 1\r"
    assert ConfigFile(text, kind="config").as_dict() == botocore_reads(text, tmp_path)
    assert edited(text, "a", "y", "2") == "[a]\rx = 1\ry = 2\r"


# --- files ----------------------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_GITPOD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AWS_CONFIG_FILE", raising=False)
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE", raising=False)
    return tmp_path / "home"


def set_key(section: str, key: str, value: str) -> Callable[[ConfigFile], None]:
    def mutate(config: ConfigFile) -> None:
        config.set(section, key, value)

    return mutate


def test_paths_follow_the_environment_as_botocore_does(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert awsconfig.config_path() == home / ".aws" / "config"
    assert awsconfig.credentials_path() == home / ".aws" / "credentials"
    monkeypatch.setenv("WHERE", "elsewhere")
    monkeypatch.setenv("AWS_CONFIG_FILE", "~/$WHERE/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/srv/creds")
    assert awsconfig.config_path() == home / "elsewhere" / "config"
    assert awsconfig.credentials_path() == Path("/srv/creds")
    monkeypatch.setenv("AWS_CONFIG_FILE", "")
    with pytest.raises(AwsConfigError, match="AWS_CONFIG_FILE"):
        awsconfig.config_path()


def test_edit_writes_where_aws_config_file_points(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", "~/custom/config")
    assert awsconfig.edit(awsconfig.config_path(), set_key("profile x", "region", "r"), kind="config")
    assert (home / "custom" / "config").read_text() == "[profile x]\nregion = r\n"
    assert awsconfig.get("~/custom/config", "x", "region", kind="config") == "r"
    assert not (home / ".aws").exists()


def test_new_files_are_private_and_existing_modes_are_kept(home: Path) -> None:
    credentials = home / ".aws" / "credentials"
    assert awsconfig.edit(credentials, set_key("gitpod", "aws_access_key_id", "A"), kind="credentials")
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials.parent.stat().st_mode) == 0o700
    config = home / ".aws" / "config"
    assert awsconfig.edit(config, set_key("default", "region", "r"), kind="config", create_mode=0o644)
    assert stat.S_IMODE(config.stat().st_mode) == 0o644
    config.chmod(0o640)
    assert awsconfig.edit(config, set_key("default", "region", "s"), kind="config")
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert config.read_text() == "[default]\nregion = s\n"


def test_an_edit_that_changes_nothing_writes_nothing(home: Path) -> None:
    config = home / ".aws" / "config"
    assert awsconfig.edit(config, lambda c: None, kind="config") is False
    assert awsconfig.edit(config, lambda c: c.delete("default", "region"), kind="config") is False
    assert not config.exists()
    config.parent.mkdir(parents=True)
    config.write_text("[default]\nregion = r\n")
    before = config.stat()
    assert awsconfig.edit(config, set_key("default", "region", "r"), kind="config") is False
    assert config.stat().st_ino == before.st_ino


def test_a_symlinked_file_stays_a_symlink(home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "aws-config").write_text("[default]\nregion = a\n")
    (dotfiles / "aws-config").chmod(0o644)
    link = home / ".aws" / "config"
    link.parent.mkdir(parents=True)
    link.symlink_to(dotfiles / "aws-config")
    assert awsconfig.edit(link, set_key("default", "region", "b"), kind="config")
    assert link.is_symlink()
    assert (dotfiles / "aws-config").read_text() == "[default]\nregion = b\n"
    assert stat.S_IMODE((dotfiles / "aws-config").stat().st_mode) == 0o644
    assert sorted(p.name for p in dotfiles.iterdir()) == ["aws-config"]


def test_no_lock_or_temporary_file_is_left_beside_the_users_file(home: Path, tmp_path: Path) -> None:
    config = home / ".aws" / "config"
    config.parent.mkdir(parents=True)
    stale = config.parent / ".config.aws-gitpod-1-0.tmp"
    stale.write_text("left by a killed writer")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    foreign = config.parent / "something.tmp"
    foreign.write_text("not ours")
    os.utime(foreign, (time.time() - 3600, time.time() - 3600))
    assert awsconfig.edit(config, set_key("default", "region", "r"), kind="config")
    assert sorted(p.name for p in config.parent.iterdir()) == ["config", "something.tmp"]
    locks = list((tmp_path / "cache" / "locks").iterdir())
    assert len(locks) == 1
    assert locks[0].name.endswith(".lock")


WRITER = """
import sys, time
from awscli_gitpod import awsconfig
path, key, pause = sys.argv[1], sys.argv[2], sys.argv[3]

def mutate(config):
    if pause == "stdin":  # hold the lock until the test closes our stdin
        print("locked", flush=True)
        sys.stdin.read()
    else:
        time.sleep(float(pause))  # widens the window between reading and writing that the lock must close
    config.set(config.section_name_for("gitpod"), key, key + "-value")

awsconfig.edit(path, mutate, kind="config")
"""


def run_writers(path: Path, keys: list[str], pause: float) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), key, str(pause)], stderr=subprocess.PIPE)
        for key in keys
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=60)
        assert writer.returncode == 0, stderr.decode()


def test_concurrent_writers_lose_no_edit(home: Path) -> None:
    config = home / ".aws" / "config"
    config.parent.mkdir(parents=True)
    config.write_text("# mine\n[default]\nregion = r\n")
    keys = [f"key{i}" for i in range(10)]
    run_writers(config, keys, 0.02)
    values = awsconfig.profiles(config, kind="config")
    assert values["gitpod"] == {key: key + "-value" for key in keys}
    assert values["default"] == {"region": "r"}
    assert config.read_text().startswith("# mine\n[default]\nregion = r\n\n[profile gitpod]\n")


def test_a_writer_waits_for_the_lock_within_its_timeout(home: Path) -> None:
    config = home / ".aws" / "config"
    holder = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(config), "slow", "stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(AwsConfigError, match="timed out"):
            awsconfig.edit(config, set_key("default", "region", "r"), kind="config", timeout=0.2)
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    assert awsconfig.edit(config, set_key("default", "region", "r"), kind="config", timeout=5)
    assert awsconfig.profiles(config, kind="config") == {
        "gitpod": {"slow": "slow-value"},
        "default": {"region": "r"},
    }


READER = """
import sys
path, count = sys.argv[1], int(sys.argv[2])
seen = 0
while seen < count:
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        continue
    if not (data.startswith(b"# start") and data.endswith(b"# end\\n")):
        sys.exit("torn read: %d bytes" % len(data))
    seen += 1
"""


def test_readers_never_see_a_partly_written_file(home: Path) -> None:
    config = home / ".aws" / "config"
    config.parent.mkdir(parents=True)
    padding = "".join(f"key{i} = {'x' * 200}\n" for i in range(500))
    config.write_text(f"# start\n[default]\n{padding}# end\n")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(config), "300"], stderr=subprocess.PIPE)
    for i in range(40):
        awsconfig.edit(config, set_key("default", "region", f"r{i}"), kind="config")
    _, stderr = reader.communicate(timeout=60)
    assert reader.returncode == 0, stderr.decode()


def test_backup_copies_the_file_privately_beside_the_name_the_user_knows(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "credentials"
    target.parent.mkdir()
    target.write_bytes(b"[gitpod]\r\naws_access_key_id = A\r\n")
    target.chmod(0o644)
    link = home / ".aws" / "credentials"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    first = awsconfig.backup(link)
    second = awsconfig.backup(link)
    for copy_ in (first, second):
        assert copy_.parent == link.parent
        assert copy_.name.startswith("credentials.aws-gitpod-backup-")
        assert copy_.read_bytes() == target.read_bytes()
        assert stat.S_IMODE(copy_.stat().st_mode) == 0o600
    assert first != second
    with pytest.raises(AwsConfigError):
        awsconfig.backup(home / "missing")


def test_read_api_is_botocores_reading(home: Path) -> None:
    config = home / "config"
    config.parent.mkdir(parents=True)
    config.write_text(
        "[default]\nregion = a\n[profile x]\nRegion = b\ns3 =\n  k = v\n[sso-session s]\nsso_region = c\n"
    )
    assert awsconfig.get(config, "default", "region", kind="config") == "a"
    assert awsconfig.get(config, "x", "REGION", kind="config") == "b"
    assert awsconfig.get(config, "x", "s3", kind="config") == {"k": "v"}
    assert awsconfig.get(config, "s", "sso_region", kind="config") is None
    assert awsconfig.get(config, "profile x", "region", kind="credentials") == "b"
    assert list(awsconfig.sections(config)) == ["default", "profile x", "sso-session s"]
    assert awsconfig.sections(home / "missing") == {}
    assert ConfigFile.load(config, kind="config").as_dict() == awsconfig.sections(config)
    (home / "broken").write_text("oops\n")
    with pytest.raises(AwsConfigError):
        awsconfig.sections(home / "broken")
    with pytest.raises(AwsConfigError):
        ConfigFile.load(home / "broken", kind="config")


def test_files_that_are_not_utf8_or_not_files_are_refused(home: Path) -> None:
    (home / "latin1").parent.mkdir(parents=True)
    (home / "latin1").write_bytes(b"# caf\xe9\n[default]\n")
    with pytest.raises(AwsConfigError, match="UTF-8"):
        awsconfig.edit(home / "latin1", set_key("default", "region", "r"), kind="config")
    (home / "dir").mkdir()
    with pytest.raises(AwsConfigError):
        awsconfig.edit(home / "dir", set_key("default", "region", "r"), kind="config")
