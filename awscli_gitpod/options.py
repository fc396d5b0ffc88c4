"""Command-line options that several commands share: how to get the token, which role to assume, or which
profile `aws-gitpod login` wrote; and the parser class every command line (and a profile's creds line) uses.
"""

from __future__ import annotations

import argparse
import json
from typing import NoReturn

from awscli_gitpod import errors
from awscli_gitpod.cache import DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.tokens import TokenOptions


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage first; one line that names the fix is easier to act on.
        raise errors.UsageError(f"{message} (see `{self.prog} --help`)")


def _policy(value: str) -> str:
    text = value
    if value.startswith("file://"):
        try:
            with open(value[len("file://") :], encoding="utf-8") as file:
                text = file.read()
        except OSError as error:
            raise argparse.ArgumentTypeError(f"cannot read {value}: {error.strerror}") from None
    try:
        json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError("the session policy is not valid JSON") from None
    return text


def add_token_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("token")
    group.add_argument(
        "--audience", default=TokenOptions.audience, help="token audience (default: %(default)s)"
    )
    group.add_argument("--scope", help="token scope (Gitpod Classic `gp idp token --scope`)")
    group.add_argument(
        "--token-source", metavar="NAME", help="use only this token source (gp, ona, gitpod, ...)"
    )
    group.add_argument(
        "--token-file", metavar="PATH", help="read the token from this file (re-read on refresh)"
    )
    group.add_argument("--token-command", metavar="CMD", help="run this shell command to print a token")
    group.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="give up after this long (default: %(default)g)",
    )


def token_options(args: argparse.Namespace) -> TokenOptions:
    return TokenOptions(
        audience=args.audience,
        scope=args.scope,
        source=args.token_source,
        file=args.token_file,
        command=args.token_command,
    )


def add_role_options(parser: argparse.ArgumentParser, role_required: bool = True) -> None:
    """The role to assume and how; `role_required=False` where a command can do without one."""
    group = parser.add_argument_group("role")
    group.add_argument("--role", required=role_required, metavar="ARN", help="IAM role to assume")
    group.add_argument(
        "--region", help="STS region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)"
    )
    group.add_argument("--duration-seconds", type=int, metavar="N", help="900 to 43200")
    group.add_argument("--session-name", metavar="NAME", help="default: <workspace id>-<unix time>")
    group.add_argument("--policy", type=_policy, metavar="JSON", help="session policy or file://path")
    group.add_argument(
        "--policy-arn", action="append", default=[], metavar="ARN", help="managed session policy"
    )
    group.add_argument(
        "--refresh-margin",
        type=int,
        metavar="SECONDS",
        help=f"refresh when fewer seconds than this remain (default: {DEFAULT_REFRESH_MARGIN})",
    )
    group.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    add_token_options(parser)


def exchange_options(args: argparse.Namespace) -> ExchangeOptions:
    return ExchangeOptions(
        role_arn=args.role,
        region=args.region,
        token=token_options(args),
        duration_seconds=args.duration_seconds,
        session_name=args.session_name,
        policy=args.policy,
        policy_arns=tuple(args.policy_arn),
        timeout=args.timeout,
    )


def refresh_margin(args: argparse.Namespace) -> int:
    return DEFAULT_REFRESH_MARGIN if args.refresh_margin is None else int(args.refresh_margin)


def add_creds_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `aws-gitpod creds`, which a profile's `credential_process` line carries."""
    add_role_options(parser)
    # How a cache hit starts a refresh ahead of time (`refreshahead`); not for people to type.
    parser.add_argument("--background-refresh", action="store_true", help=argparse.SUPPRESS)


def parse_creds_arguments(arguments: list[str]) -> argparse.Namespace:
    """`arguments` (after `creds`) as `aws-gitpod creds` reads them: the same parser, so nothing differs."""
    parser = Parser(prog=f"{errors.PROG} creds", allow_abbrev=False)
    add_creds_arguments(parser)
    return parser.parse_args(arguments)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """`--role ARN` (with the role options) or `--profile P` of a profile `aws-gitpod login` wrote."""
    parser.add_argument("--profile", help="a profile whose credential_process is `aws-gitpod creds ...`")
    add_role_options(parser, role_required=False)


def role_or_profile(
    args: argparse.Namespace, required: bool = True
) -> tuple[ExchangeOptions | None, str | None]:
    """(the role's options, None) for `--role`, (None, the profile) for `--profile`; never both."""
    if args.role and args.profile:
        raise errors.UsageError("pass --role or --profile, not both")
    if args.role:
        return exchange_options(args), None
    if args.profile:
        return None, str(args.profile)
    if required:
        raise errors.UsageError("pass --role ARN, or --profile P for a profile `aws-gitpod login` wrote")
    return None, None
