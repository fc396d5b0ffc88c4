"""`aws-gitpod token`: the workspace token for pipes, its decoded claims, or a verification report."""

from __future__ import annotations

import json
import sys
import time

from awscli_gitpod import errors
from awscli_gitpod.claims import decode_unverified
from awscli_gitpod.exchange import fetch_token
from awscli_gitpod.tokens import TokenOptions


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
