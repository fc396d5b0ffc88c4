"""Run a command with the credentials in its environment (never on its command line).

    aws-gitpod exec --profile gitpod -- terraform plan

The command's exit code, and the signal that ended it, become ours. What outranks environment credentials
in some SDK (`AWS_PROFILE`...) is removed, and nesting is refused (`credentialenv`). Keys in the
environment expire with the session; `--server` gives the command a credentials endpoint on 127.0.0.1
instead (`credserver`), from which its SDK refreshes by itself for as long as the command runs.
"""

from __future__ import annotations

import argparse
import os

from awscli_gitpod import errors
from awscli_gitpod.childprocess import exit_like, run_child_status
from awscli_gitpod.credentialenv import credential_environment, refuse_nesting, server_environment
from awscli_gitpod.options import add_source_options, refresh_margin, role_or_profile


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_options(parser)
    parser.add_argument(
        "--server",
        action="store_true",
        help="give the command a credentials endpoint on 127.0.0.1 that refreshes, instead of keys",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the command and its arguments")


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    from awscli_gitpod.provider import credentials_for

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise errors.UsageError("no command to run: aws-gitpod exec [options] -- command [args]")
    refuse_nesting()
    role, profile = role_or_profile(args)
    margin, use_cache = refresh_margin(args), not args.no_cache
    credentials, options = credentials_for(role, profile, margin, use_cache)  # fails before the child starts
    if not args.server:
        environment = credential_environment(os.environ, credentials, options.region, options.role_arn)
        return exit_like(run_child_status(command, environment))
    from awscli_gitpod.credserver import CredentialServer

    server = CredentialServer(lambda: credentials_for(role, profile, margin, use_cache)[0]).start()
    try:
        endpoint = server_environment(os.environ, server.environment(), options.region, options.role_arn)
        status = run_child_status(command, endpoint)
    finally:
        server.stop()  # the endpoint lives exactly as long as the command
    return exit_like(status)
