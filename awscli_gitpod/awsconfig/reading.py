"""Reading through botocore itself: what the AWS CLI and SDKs will see."""

from __future__ import annotations

import os

from awscli_gitpod.awsconfig.lines import AwsConfigError, Kind, Value
from awscli_gitpod.awsconfig.paths import _expand, config_path, credentials_path

# --- reading through botocore --------------------------------------------------------------------------


def _exists_readable(path: str | os.PathLike[str]) -> bool:
    """False where botocore finds no file (nothing there, or not a regular file, such as /dev/null); an
    `AwsConfigError` naming the reason when there is a file that cannot be read."""
    expanded = _expand(path)
    if not os.path.isfile(expanded):
        return False
    try:
        with open(expanded, "rb"):
            return True
    except OSError as error:
        raise AwsConfigError(f"cannot read {expanded}: {error.strerror}") from None


def sections(path: str | os.PathLike[str]) -> dict[str, dict[str, Value]]:
    """botocore's `raw_config_parse` of the file: section -> key -> value; empty when it does not exist.

    A file that exists but cannot be read is an error: botocore (configparser) would read it as empty, and
    every message would then blame the profile instead of the file's permissions.
    """
    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    if not _exists_readable(path):
        return {}

    try:
        parsed: dict[str, dict[str, Value]] = raw_config_parse(os.fspath(path))
    except ConfigNotFound:
        return {}
    except ConfigParseError as error:
        raise AwsConfigError(str(error)) from None
    return parsed


def profiles(path: str | os.PathLike[str], *, kind: Kind) -> dict[str, dict[str, Value]]:
    """profile -> key -> value, as botocore maps the sections of a config or credentials file."""
    parsed = sections(path)
    if kind == "credentials":
        return parsed
    from botocore.configloader import build_profile_map

    mapped: dict[str, dict[str, Value]] = build_profile_map(parsed)["profiles"]
    return mapped


def get(path: str | os.PathLike[str], profile: str, key: str, *, kind: Kind) -> Value | None:
    """The value botocore reads for `key` of `profile` in the file, or None."""
    return profiles(path, kind=kind).get(profile, {}).get(key.lower())


def check_readable() -> None:
    """An `AwsConfigError` ("cannot read PATH: Permission denied") when the config or credentials file exists
    but cannot be read, which botocore silently takes for an empty file."""
    for path in (config_path(), credentials_path()):
        _exists_readable(path)
