"""Point an AWS profile at the workspace's role for good, then prove it works (drop-in for gp idp login aws).

The work is `awscli_gitpod.login.login`; this module reads the command line.
"""

from __future__ import annotations

import argparse
import os

from awscli_gitpod import errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import add_token_options, token_options
from awscli_gitpod.regions import resolve_region


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role-arn",
        default=os.environ.get("IDP_AWS_ROLE_ARN"),
        metavar="ARN",
        help="IAM role to assume (default: $IDP_AWS_ROLE_ARN)",
    )
    parser.add_argument("-p", "--profile", default="default", help="profile to write (default: default)")
    parser.add_argument("-d", "--duration-seconds", type=int, metavar="N", help="900 to 43200")
    parser.add_argument("--region", help="STS region, also written to the profile")
    parser.add_argument(
        "--static", action="store_true", help="write keys to the credentials file, as gp does"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="remove static keys that shadow the profile (the credentials file is backed up first)",
    )
    add_token_options(parser)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    if not args.role_arn:
        raise errors.UsageError("--role-arn is required (or set IDP_AWS_ROLE_ARN)")
    options = ExchangeOptions(
        role_arn=args.role_arn,
        region=resolve_region(args.region),
        token=token_options(args),
        duration_seconds=args.duration_seconds,
        timeout=args.timeout,
    )
    from awscli_gitpod.login import login

    return login(options, args.profile, write_region=args.region, static=args.static, force=args.force)
