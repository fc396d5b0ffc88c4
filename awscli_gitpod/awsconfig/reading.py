"""Reading through botocore itself: what the AWS CLI and SDKs will see."""

from __future__ import annotations

import os

from awscli_gitpod.awsconfig.lines import AwsConfigError, Kind, Value

# --- reading through botocore --------------------------------------------------------------------------


def sections(path: str | os.PathLike[str]) -> dict[str, dict[str, Value]]:
    """botocore's `raw_config_parse` of the file: section -> key -> value; empty when it does not exist."""
    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

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
