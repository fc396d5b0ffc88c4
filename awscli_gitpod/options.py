"""Command-line options that several commands share: how to get the token, which role to assume, or which
profile `aws-gitpod login` wrote; and the parser class every command line (and a profile's creds line) uses.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, NoReturn

from awscli_gitpod import errors
from awscli_gitpod.cache import DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT
from awscli_gitpod.exchange import AUTO_ROLE, ExchangeOptions
from awscli_gitpod.regions import check_role_region, resolve_region
from awscli_gitpod.tokens import TokenOptions

# Where the options that were given on the command line are noted (see `_Noted`).
GIVEN = "_given_options"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage first; one line that names the fix is easier to act on.
        raise errors.UsageError(f"{message} (see `{self.prog} --help`)")


class _Noted(argparse.Action):
    """Stores the value as argparse's own `store` does (`append`: as `append` does) and notes that the
    option was given: `--profile` refuses the options it would ignore, even those given their default."""

    def __init__(self, option_strings: Sequence[str], dest: str, append: bool = False, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.append = append

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if self.append:
            values = [*(getattr(namespace, self.dest, None) or []), values]
        setattr(namespace, self.dest, values)
        setattr(namespace, GIVEN, {*getattr(namespace, GIVEN, set()), self.option_strings[0]})


def given_options(args: argparse.Namespace) -> list[str]:
    """The shared role and token options given on the command line, in a stable order."""
    return sorted(getattr(args, GIVEN, set()))


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
        "--audience",
        action=_Noted,
        append=True,
        metavar="AUDIENCE",
        help=f"token audience, repeatable as with gp (default: {TokenOptions.audience})",
    )
    group.add_argument("--scope", action=_Noted, help="token scope (Gitpod Classic `gp idp token --scope`)")
    group.add_argument(
        "--token-source",
        action=_Noted,
        metavar="NAME",
        help="use only this token source (gp, ona, gitpod, ...)",
    )
    group.add_argument(
        "--token-file",
        action=_Noted,
        metavar="PATH",
        help="read the token from this file (re-read on refresh)",
    )
    group.add_argument(
        "--token-command", action=_Noted, metavar="CMD", help="run this shell command to print a token"
    )
    group.add_argument(
        "--timeout",
        action=_Noted,
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="give up after this long (default: %(default)g)",
    )


def token_options(args: argparse.Namespace) -> TokenOptions:
    audiences = list(args.audience or [TokenOptions.audience])
    return TokenOptions(
        audience=audiences[0],
        extra_audiences=tuple(audiences[1:]),
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
        "--region",
        action=_Noted,
        help="STS region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)",
    )
    group.add_argument("--duration-seconds", action=_Noted, type=int, metavar="N", help="900 to 43200")
    group.add_argument(
        "--session-name", action=_Noted, metavar="NAME", help="default: <workspace id>-<unix time>"
    )
    group.add_argument(
        "--policy", action=_Noted, type=_policy, metavar="JSON", help="session policy or file://path"
    )
    group.add_argument(
        "--policy-arn",
        action=_Noted,
        append=True,
        default=[],
        metavar="ARN",
        help="managed session policy (repeatable)",
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
    """The options of `--role` and the role options, the region checked before any network call."""
    options = ExchangeOptions(
        role_arn=args.role,
        region=args.region,
        token=token_options(args),
        duration_seconds=args.duration_seconds,
        session_name=args.session_name,
        policy=args.policy,
        policy_arns=tuple(args.policy_arn),
        timeout=args.timeout,
    )
    check_region_of(options)
    return options


def check_region_of(options: ExchangeOptions) -> None:
    """A usage error unless the region the role will be assumed in is a region, of the role's partition."""
    if options.role_arn == AUTO_ROLE:
        resolve_region(options.region)
    else:
        check_role_region(options.role_arn, options.region)


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
        refuse_ignored_with_profile(args)
        return None, str(args.profile)
    if required:
        raise errors.UsageError("pass --role ARN, or --profile P for a profile `aws-gitpod login` wrote")
    return None, None


def refuse_ignored_with_profile(args: argparse.Namespace) -> None:
    """A usage error when role or token options come with `--profile`, whose creds line decides them all."""
    ignored = given_options(args)
    if ignored:
        raise errors.UsageError(
            f"--profile {args.profile} takes its role and token options from its credential_process line, "
            f"so {', '.join(ignored)} would be ignored: drop {'them' if len(ignored) > 1 else 'it'}, or "
            "pass --role ARN with them instead of --profile"
        )
