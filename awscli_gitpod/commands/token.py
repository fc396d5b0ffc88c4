"""Print the workspace OIDC token for pipes, decode it, or verify it as AWS will (one line per check)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from awscli_gitpod import errors
from awscli_gitpod.claims import decode_unverified
from awscli_gitpod.exchange import fetch_token
from awscli_gitpod.options import add_token_options, token_options
from awscli_gitpod.tokens import TokenOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decode", action="store_true", help="print header and claims as JSON")
    parser.add_argument(
        "--verify", action="store_true", help="check discovery, signature, expiry and audience"
    )
    add_token_options(parser)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    return token(token_options(args), decode=args.decode, verify=args.verify, timeout=args.timeout)


def token(options: TokenOptions, decode: bool, verify: bool, timeout: float) -> int:
    from awscli_gitpod.verify import verify_token

    deadline = time.monotonic() + timeout
    source, jwt = fetch_token(options, deadline)
    if not decode and not verify:
        print(jwt)
        return errors.OK
    if decode:
        header, claims = decode_unverified(jwt)  # the same shape as `gp idp token --decode`
        print(json.dumps({"Header": header, "Payload": claims}, indent=2))
    if not verify:
        return errors.OK
    checks = verify_token(jwt, options.audience, timeout=max(1.0, deadline - time.monotonic()))
    out = sys.stdout if not decode else sys.stderr
    print(f"token from {source}", file=out)
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}", file=out)
    return errors.OK if all(check.ok for check in checks) else errors.CHECK_FAILED
