"""`doctor`'s token checks, in the order a token travels: a source, minting, the claims and whose they are,
the issuer's discovery document and keys, the signature, the audience, expiry, and this machine's clock.

The expiry, issued-at and audience checks are `token --verify`'s own (`awscli_gitpod.verify`); these add
the fix.
"""

from __future__ import annotations

import time

from awscli_gitpod import errors, verify
from awscli_gitpod.diagnosis.result import FAIL, OK, SKIP, Context, Result
from awscli_gitpod.tokens import TokenRequest
from awscli_gitpod.verify import Check

MINT_FIX = (
    "each source's reason is above; run inside a Gitpod or Ona workspace (`gp`, `ona` or `gitpod` on PATH), "
    "or pass --token-file/--token-command"
)
PRINCIPALS = {
    "workspace": "a Gitpod Classic workspace token ({id})",
    "environment": "an Ona environment token ({id})",
    "user": "an Ona user token ({id})",
    "runner": "an Ona runner token ({id})",
    "": "an Ona token",
}


def _sources(context: Context) -> tuple[list[str], list[str]]:
    from awscli_gitpod.plugins import call_hook
    from awscli_gitpod.tokens import choose_sources

    options = context.token_options
    request = TokenRequest(
        audiences=(options.audience,),
        scope=options.scope,
        token_file=options.file,
        token_command=options.command,
    )
    offered = [source for found in call_hook("token_sources") for source in found]
    available, reasons = [], []
    for source in choose_sources(offered, request, options.source):
        reason = source.unavailable_reason(request)
        if reason is None:
            available.append(source.name)
        else:
            reasons.append(f"{source.name}: {reason}")
    return available, reasons


def check_token_source(context: Context) -> Result:
    available, reasons = _sources(context)
    if not available:
        return Result("token-source", FAIL, "no token source here (" + "; ".join(reasons) + ")", MINT_FIX)
    others = f" (then {', '.join(available[1:])})" if len(available) > 1 else ""
    return Result("token-source", OK, f"{available[0]}{others}")


def check_token(context: Context) -> Result:
    from awscli_gitpod.exchange import fetch_token

    try:
        context.source, context.token = fetch_token(context.token_options, context.deadline)
    except errors.Failure as failure:
        return Result("token", FAIL, failure.message, MINT_FIX)
    return Result("token", OK, f"minted by {context.source} for audience {context.token_options.audience}")


def check_claims(context: Context) -> Result:
    from awscli_gitpod.claims import MalformedToken, decode_unverified, describe

    if context.token is None:
        return Result("claims", SKIP, "no token")
    try:
        context.claims = decode_unverified(context.token)[1]
    except MalformedToken as error:
        return Result("claims", FAIL, str(error), f"{context.source} printed something that is not a JWT")
    return Result("claims", OK, f"{describe(context.claims)} exp={verify.when(context.claims.get('exp'))}")


def check_identity(context: Context) -> Result:
    """The token is the workspace's own: not a user's or a runner's in an Ona environment, nor another
    workspace's (`awscli_gitpod.principal`)."""
    from awscli_gitpod.principal import mismatch, principal_of

    if context.claims is None:
        return Result("identity", SKIP, "no claims")
    found = mismatch(context.claims)
    if found is not None:
        return Result("identity", FAIL, found.what, found.fix)
    who = principal_of(context.claims)
    if who is None:
        return Result("identity", OK, "not a Gitpod or Ona workspace token")
    return Result("identity", OK, PRINCIPALS[who.kind].format(id=who.id))


def _verify(context: Context) -> None:
    if context.token is not None and not context.verified:
        checks = verify.verify_token(
            context.token, context.token_options.audience, timeout=context.remaining()
        )
        context.verified = {check.name: check for check in checks}


def check_issuer(context: Context) -> Result:
    if context.claims is None:
        return Result("issuer", SKIP, "no claims")
    _verify(context)
    issuer = context.claims.get("iss")
    fix = (
        f"{issuer} must serve /.well-known/openid-configuration and its jwks_uri to the internet: STS "
        "fetches them (else IDPCommunicationError); check the issuer's status, or the token's iss"
    )
    for name in ("issuer", "discovery", "jwks"):
        check = context.verified.get(name)
        if check is not None and not check.ok:
            return Result("issuer", FAIL, check.detail, fix)
    if "jwks" not in context.verified:
        return Result("issuer", SKIP, "the token could not be decoded for verification")
    return Result("issuer", OK, f"{context.verified['discovery'].detail}; {context.verified['jwks'].detail}")


def check_signature(context: Context) -> Result:
    check = context.verified.get("signature")
    if check is None:
        return Result("signature", SKIP, "not verified: the issuer's keys could not be fetched")
    if not check.ok:
        fix = (
            f"the token was not signed by a key {context.claims and context.claims.get('iss')} publishes: "
            "use a token the workspace mints (a stale --token-file, or a token of another issuer?)"
        )
        return Result("signature", FAIL, check.detail, fix)
    return Result("signature", OK, check.detail)


def _from_verify(context: Context, name: str, check: Check, fix: str) -> Result:
    return Result(name, OK if check.ok else FAIL, check.detail, None if check.ok else fix)


def check_audience(context: Context) -> Result:
    if context.claims is None:
        return Result("audience", SKIP, "no claims")
    wanted = context.token_options.audience
    fix = (
        f"mint the token for {wanted} (`--audience {wanted}`; `gp idp token --audience {wanted}`); STS "
        "accepts only an aud listed as a client ID of the IAM OIDC provider"
    )
    return _from_verify(context, "audience", verify.check_audience(context.claims, wanted), fix)


def check_expiry(context: Context) -> Result:
    if context.claims is None:
        return Result("expiry", SKIP, "no claims")
    fix = "mint a fresh token: workspace tokens live one hour (rewrite the --token-file; creds re-reads it)"
    if verify.numeric_date(context.claims.get("exp")) is None:
        fix = "use a workspace token"
    return _from_verify(context, "expiry", verify.check_expiry(context.claims, time.time()), fix)


def check_clock(context: Context) -> Result:
    """A token minted just now carries the issuer's time in iat: far from ours, our clock is off."""
    if context.claims is None:
        return Result("clock", SKIP, "no claims")
    if verify.numeric_date(context.claims.get("iat")) is None:
        return Result("clock", SKIP, "the token has no NumericDate iat claim")
    just_minted = context.source not in ("token-file", "token-command")
    check = verify.check_issued_at(context.claims, time.time(), just_minted)
    fix = "sync this machine's clock (NTP); cached credentials are timed by it"
    return _from_verify(context, "clock", check, fix)


TOKEN_CHECKS = (
    check_token_source,
    check_token,
    check_claims,
    check_identity,
    check_issuer,
    check_signature,
    check_audience,
    check_expiry,
    check_clock,
)
