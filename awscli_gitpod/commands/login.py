"""Point an AWS profile at the workspace's role for good, then prove it works (drop-in for gp idp login aws).

The flags are those of `gp idp login aws` (`--role-arn`, repeatable `--audience`, `-p`, `-d`, `--scope`) and
of Ona's `idp login aws` (`--role-session-name`); `aws-gitpod login --scope S aws --role-arn ...` reads as
`gp idp login --scope S aws --role-arn ...` does. The work is `awscli_gitpod.login.login`; this module reads
the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import os

from awscli_gitpod import errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import add_token_options, check_region_of, token_options
from awscli_gitpod.regions import resolve_region


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "provider",
        nargs="?",
        choices=("aws",),
        metavar="aws",
        help="optional, as in `gp idp login aws`: AWS is the only provider",
    )
    parser.add_argument(
        "--role-arn",
        default=os.environ.get("IDP_AWS_ROLE_ARN"),
        metavar="ARN",
        help="IAM role to assume (default: $IDP_AWS_ROLE_ARN)",
    )
    parser.add_argument("-p", "--profile", default="default", help="profile to write (default: default)")
    parser.add_argument("-d", "--duration-seconds", type=int, metavar="N", help="900 to 43200")
    parser.add_argument(
        "--role-session-name",
        metavar="NAME",
        help="session name, as Ona's `idp login aws` takes it (default: <workspace id>-<unix time>)",
    )
    parser.add_argument("--region", help="STS region, also written to the profile")
    parser.add_argument(
        "--static", action="store_true", help="write keys to the credentials file, as gp does"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="remove static keys that shadow the profile (the credentials file is backed up first)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors and warnings (for task logs)"
    )
    add_token_options(parser)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    if not args.role_arn:
        raise errors.UsageError("--role-arn is required (or set IDP_AWS_ROLE_ARN)")
    options = ExchangeOptions(
        role_arn=args.role_arn,
        region=args.region,
        token=token_options(args),
        duration_seconds=args.duration_seconds,
        session_name=args.role_session_name,
        timeout=args.timeout,
    )
    check_region_of(options)  # before the exchange, and before a typo lands in the profile
    # The creds line names the region it was set up for: the AWS CLI does not hand its own to the process.
    options = dataclasses.replace(options, region=resolve_region(args.region))
    from awscli_gitpod.login import login

    return login(
        options,
        args.profile,
        write_region=args.region,
        static=args.static,
        force=args.force,
        quiet=args.quiet,
    )
