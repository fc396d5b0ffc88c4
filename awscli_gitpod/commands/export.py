"""Print the credentials as environment variables, for tools that cannot run a credential process.

    eval "$(aws-gitpod export --role arn:aws:iam::123456789012:role/app)"

The formats are those of `aws configure export-credentials` (`process`, `env`, `env-no-export`,
`powershell`, `windows-cmd`) and ours (`dotenv`, `fish`, `json`), as `secrets export` names them. They
expire with the session (AWS_CREDENTIAL_EXPIRATION says when); a profile with credential_process
(`aws-gitpod login`) never does.
"""

from __future__ import annotations

import argparse

from awscli_gitpod import envformat, errors
from awscli_gitpod.options import add_source_options, refresh_margin, role_or_profile
from awscli_gitpod.output import write_text

PROCESS = "process"  # the credential_process document itself, as `aws configure export-credentials` prints it
FORMATS = (PROCESS, *envformat.FORMATS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="env",
        help="env (POSIX shells, the default), env-no-export, process, powershell, windows-cmd, dotenv, "
        "fish or json",
    )
    add_source_options(parser)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    from awscli_gitpod.provider import credentials_for

    role, profile = role_or_profile(args)
    credentials, options = credentials_for(role, profile, refresh_margin(args), use_cache=not args.no_cache)
    if args.format == PROCESS:
        write_text(credentials.process_output().decode())
    else:
        write_text(envformat.render(credentials.environment(options.region), args.format))
    return errors.OK
