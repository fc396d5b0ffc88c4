"""Where `export` and `exec` take credentials from: `--role`, or a profile that `aws-gitpod login` wrote.

Such a profile's `credential_process` is an `aws-gitpod creds ...` command line; parsing it with our own
parser gives exactly the options `creds` will use, so `exec --profile P` shares its cache entry.
"""

from __future__ import annotations

import argparse
import os
import shlex

from awscli_gitpod import awsconfig, errors
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import add_role_options, exchange_options, refresh_margin

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
    """What `creds` makes of these arguments: our own parser, so nothing is read differently."""
    from awscli_gitpod.cli import build_parser

    return exchange_options(build_parser().parse_args(["creds", *arguments]))


def creds_role(command: object) -> str | None:
    """The `--role` of an `aws-gitpod creds` command line, else None."""
    arguments = creds_arguments(command)
    if arguments is None:
        return None
    try:
        return creds_options(arguments).role_arn
    except errors.Failure:
        return None


def exchange_options_for_profile(profile: str) -> tuple[ExchangeOptions, list[str]]:
    """The options, and the `creds` arguments as written, of a profile using `aws-gitpod creds`."""
    arguments = creds_arguments(credential_process_of(profile))
    if arguments is None:
        raise errors.UsageError(
            f"profile {profile!r} in {awsconfig.config_path()} does not use `aws-gitpod creds`; "
            f"run `aws-gitpod login --profile {profile} --role-arn ARN`, or pass --role"
        )
    return creds_options(arguments), arguments


def static_keys_of(profile: str) -> list[str]:
    """The static keys the credentials file holds for `profile` (inherited from [DEFAULT] included)."""
    values = awsconfig.profiles(awsconfig.credentials_path(), kind="credentials").get(profile, {})
    return [key for key in STATIC_KEYS if key in values]


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """`--role ARN` (with the role options) or `--profile P` of a profile `aws-gitpod login` wrote."""
    parser.add_argument("--profile", help="a profile whose credential_process is `aws-gitpod creds ...`")
    add_role_options(parser, role_required=False)


def credentials_for(args: argparse.Namespace) -> tuple[Credentials, ExchangeOptions]:
    """The credentials `--role` or `--profile` names, through the same cache entry `creds` uses."""
    from awscli_gitpod.commands.creds import cached_credentials, role_credentials

    if args.role and args.profile:
        raise errors.UsageError("pass --role or --profile, not both")
    if args.role:
        options = exchange_options(args)
        return role_credentials(options, refresh_margin(args), use_cache=not args.no_cache), options
    if args.profile:
        options, creds_args = exchange_options_for_profile(args.profile)
        document = cached_credentials(options, creds_args, refresh_margin(args), use_cache=not args.no_cache)
        return Credentials.from_process_output(document), options
    raise errors.UsageError("pass --role ARN, or --profile P for a profile `aws-gitpod login` wrote")


def environment_of(credentials: Credentials, region: str | None) -> list[tuple[str, str]]:
    """The variables every AWS SDK reads, with the expiry as the AWS CLI's `export-credentials` names it."""
    variables = [
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id),
        ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key),
        ("AWS_SESSION_TOKEN", credentials.session_token),
        ("AWS_CREDENTIAL_EXPIRATION", credentials.expiration),
    ]
    if region:
        variables += [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
    return variables
