"""The AWS profiles `aws-gitpod login` writes: reading their `credential_process = aws-gitpod creds ...` line,
and the static keys in the credentials file that would outrank it.

Parsing such a line with the `creds` parser itself gives exactly the options `creds` will use, so
`exec --profile P` and `doctor --profile P` share its cache entry.
"""

from __future__ import annotations

import os
import shlex

from awscli_gitpod import awsconfig, errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import exchange_options, parse_creds_arguments

# What `gp idp login aws` writes; in the credentials file they outrank a profile's credential_process.
STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def credential_process_of(profile: str) -> str | None:
    value = awsconfig.get(awsconfig.config_path(), profile, "credential_process", kind="config")
    return value if isinstance(value, str) else None


def creds_arguments(command: object) -> list[str] | None:
    """The arguments after `creds` of an `aws-gitpod creds ...` command line, else None."""
    if not isinstance(command, str):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) < 2 or os.path.basename(words[0]) != "aws-gitpod" or words[1] != "creds":
        return None
    return words[2:]


def creds_options(arguments: list[str]) -> ExchangeOptions:
    """What `creds` makes of these arguments."""
    return exchange_options(parse_creds_arguments(arguments))


def creds_role(command: object) -> str | None:
    """The `--role` of an `aws-gitpod creds` command line, else None."""
    arguments = creds_arguments(command)
    if arguments is None:
        return None
    try:
        return creds_options(arguments).role_arn
    except errors.Failure:
        return None


def creds_profile(profile: str) -> tuple[ExchangeOptions, list[str]] | None:
    """The options and the `creds` arguments of a profile whose credential_process is `aws-gitpod creds`,
    else None."""
    arguments = creds_arguments(credential_process_of(profile))
    return None if arguments is None else (creds_options(arguments), arguments)


def exchange_options_for_profile(profile: str) -> tuple[ExchangeOptions, list[str]]:
    """`creds_profile`, or a usage error saying how to make the profile one."""
    found = creds_profile(profile)
    if found is None:
        raise errors.UsageError(
            f"profile {profile!r} in {awsconfig.config_path()} does not use `aws-gitpod creds`; "
            f"run `aws-gitpod login --profile {profile} --role-arn ARN`, or pass --role"
        )
    return found


def profiles_for_role(role_arn: str) -> list[str]:
    """The profiles whose creds line assumes `role_arn`."""
    config = awsconfig.profiles(awsconfig.config_path(), kind="config")
    return [
        name for name, values in config.items() if creds_role(values.get("credential_process")) == role_arn
    ]


def static_keys_of(profile: str) -> list[str]:
    """The static keys the credentials file holds for `profile` (inherited from [DEFAULT] included)."""
    values = awsconfig.profiles(awsconfig.credentials_path(), kind="credentials").get(profile, {})
    return [key for key in STATIC_KEYS if key in values]
