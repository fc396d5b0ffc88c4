"""Check every step from the workspace token to AWS credentials, and say what to fix.

One line per check, in the order a token travels: a token source, a token, its claims, the issuer's
discovery document and keys, the signature, the audience, expiry and clock; then the IAM OIDC provider
and the role's trust policy (read with your own AWS credentials, skipped when there are none), the STS
call itself (uncached), the cache, and anything in the AWS credential chain that outranks the profile.
Exit 0 when nothing fails (skips do not fail), 1 otherwise. The checks are `awscli_gitpod.diagnosis`.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from awscli_gitpod import errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.options import add_source_options, exchange_options, token_options
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


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    from awscli_gitpod.exchange import validate
    from awscli_gitpod.profiles import creds_profile, profiles_for_role
    from awscli_gitpod.provider import canonical_arguments

    if args.role and args.profile:
        raise errors.UsageError("pass --role or --profile, not both")
    exchange: ExchangeOptions | None = None
    creds_args: list[str] | None = None
    profile = args.profile
    role = args.role or (os.environ.get("IDP_AWS_ROLE_ARN") if not profile else None)
    if profile:
        found = creds_profile(profile)
        if found is None:
            raise errors.UsageError(
                f"profile {profile!r} does not use `aws-gitpod creds`; pass --role ARN instead"
            )
        exchange, creds_args = found
    elif role:
        exchange = exchange_options(args) if args.role else ExchangeOptions(role, token=token_options(args))
        validate(exchange)
        creds_args = canonical_arguments(exchange)
        # The cache entry to look at is the one of the profile's own creds line, when one profile has it.
        named = profiles_for_role(role)
        found = creds_profile(named[0]) if len(named) == 1 else None
        if found is not None:
            creds_args = found[1]
    else:
        # As the AWS CLI would: AWS_PROFILE, else the default profile, when it is ours.
        implied = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"
        found = creds_profile(implied)
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
    from awscli_gitpod.diagnosis import Context, failed, run_checks

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
            fix = f" -> fix: {result.fix}" if result.fix and result.status == "fail" else ""
            print(f"{MARKS[result.status]} {result.check}: {result.detail}{fix}")
    return errors.CHECK_FAILED if failed(results) else errors.OK
