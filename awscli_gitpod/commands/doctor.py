"""Check every step from the workspace token to AWS credentials, and say what to fix.

One line per check, in the order a token travels: a token source, a token, its claims, the issuer's
discovery document and keys, the signature, the audience, expiry and clock; then the IAM OIDC provider
and the role's trust policy (read with your own AWS credentials, skipped when there are none), the STS
call itself (uncached), the cache, and anything in the AWS credential chain that outranks the profile.
Exit 0 when nothing fails (skips do not fail), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from awscli_gitpod import errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import exchange_options, token_options
from awscli_gitpod.profiles import add_source_options
from awscli_gitpod.tokens import TokenOptions

MARKS = {"ok": "ok  ", "fail": "FAIL", "skip": "skip"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_options(parser)
    parser.add_argument(
        "--iam-profile",
        metavar="P",
        help="AWS profile to read IAM with, for the provider and trust-policy checks (default: AWS chain)",
    )
    parser.add_argument("--json", action="store_true", help="print a list of {check, status, detail, fix}")


def _creds_profile(profile: str) -> tuple[ExchangeOptions, list[str]] | None:
    """The options of a profile whose credential_process is `aws-gitpod creds ...`, else None."""
    from awscli_gitpod.profiles import credential_process_of, creds_arguments, creds_options

    arguments = creds_arguments(credential_process_of(profile))
    return None if arguments is None else (creds_options(arguments), arguments)


def _profile_for_role(role_arn: str) -> tuple[str, list[str]] | None:
    """The one profile whose creds line assumes `role_arn`, and its creds arguments (for the cache check)."""
    from awscli_gitpod import awsconfig
    from awscli_gitpod.profiles import creds_role

    config = awsconfig.profiles(awsconfig.config_path(), kind="config")
    names = [
        name for name, values in config.items() if creds_role(values.get("credential_process")) == role_arn
    ]
    found = _creds_profile(names[0]) if len(names) == 1 else None
    return (names[0], found[1]) if found else None


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    from awscli_gitpod.commands.creds import canonical_arguments
    from awscli_gitpod.exchange import validate

    if args.role and args.profile:
        raise errors.UsageError("pass --role or --profile, not both")
    exchange: ExchangeOptions | None = None
    creds_args: list[str] | None = None
    profile = args.profile
    role = args.role or (os.environ.get("IDP_AWS_ROLE_ARN") if not profile else None)
    if profile:
        found = _creds_profile(profile)
        if found is None:
            raise errors.UsageError(
                f"profile {profile!r} does not use `aws-gitpod creds`; pass --role ARN instead"
            )
        exchange, creds_args = found
    elif role:
        exchange = exchange_options(args) if args.role else ExchangeOptions(role, token=token_options(args))
        validate(exchange)
        creds_args = canonical_arguments(exchange)
        named = _profile_for_role(role)
        if named is not None:
            creds_args = named[1]
    else:
        # As the AWS CLI would: AWS_PROFILE, else the default profile, when it is ours.
        implied = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"
        found = _creds_profile(implied)
        if found is not None:
            profile, (exchange, creds_args) = implied, found
    token = exchange.token if exchange is not None else token_options(args)
    return doctor(exchange, creds_args, profile, token, args.iam_profile, args.timeout, args.json)


def doctor(
    exchange: ExchangeOptions | None,
    creds_args: list[str] | None,
    profile: str | None,
    token: TokenOptions,
    iam_profile: str | None,
    timeout: float,
    as_json: bool,
) -> int:
    from awscli_gitpod.diagnosis import FAIL, Context, run_checks

    if timeout <= 0:
        raise errors.UsageError("--timeout must be positive")
    context = Context(
        token_options=token,
        deadline=time.monotonic() + timeout,
        exchange=exchange,
        creds_args=creds_args,
        profile=profile,
        iam_profile=iam_profile,
    )
    results = run_checks(context)
    if as_json:
        print(json.dumps([result.to_dict() for result in results], indent=2))
    else:
        subject = f"profile {profile}" if profile else (exchange.role_arn if exchange else "no role")
        print(f"aws-gitpod doctor: {subject}")
        for result in results:
            fix = f" -> fix: {result.fix}" if result.fix and result.status == FAIL else ""
            print(f"{MARKS[result.status]} {result.check}: {result.detail}{fix}")
    return errors.CHECK_FAILED if any(result.status == FAIL for result in results) else errors.OK
