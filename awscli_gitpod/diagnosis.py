"""`doctor`'s checks, in the order a token travels: source, minting, claims, issuer, signature, audience,
expiry, clock; then IAM and STS (`diagnosis_aws`), then the cache and the credential chain
(`diagnosis_local`).

Each check returns a `Result`: ok, fail (with the fix), or skip (it could not be checked, and why: a skip
is never a failure). A check that needs what an earlier one failed to produce skips.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.tokens import TokenOptions, TokenRequest

OK, FAIL, SKIP = "ok", "fail", "skip"
CLOCK_SKEW = 300  # what STS tolerates, and what a just-minted token's iat may differ from our clock
MINT_FIX = (
    "run inside a Gitpod or Ona workspace (`gp` or `gitpod` on PATH), or pass --token-file/--token-command"
)


@dataclass(frozen=True)
class Result:
    check: str
    status: str  # OK, FAIL or SKIP
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    """What the checks are about, and what earlier checks found for later ones."""

    token_options: TokenOptions
    deadline: float  # time.monotonic() by which network steps give up
    exchange: ExchangeOptions | None = None  # None: no role to check
    creds_args: list[str] | None = None  # the `creds` arguments whose cache entry to look at
    profile: str | None = None  # the profile under diagnosis, when there is one
    iam_profile: str | None = None  # whose credentials read IAM (None: the usual AWS chain)
    source: str | None = None
    token: str | None = None
    claims: dict[str, Any] | None = None
    verified: dict[str, Any] = field(default_factory=dict)  # verify.Check by name
    iam: Any = None  # the IAM client, once made
    iam_unreadable: str | None = None  # why IAM cannot be read with these credentials, once known
    provider_arn: str | None = None  # the IAM OIDC provider found for the token's iss
    failed: list[str] = field(default_factory=list)  # names of the checks that failed so far

    def remaining(self, minimum: float = 3.0) -> float:
        return max(minimum, self.deadline - time.monotonic())


def _sources(context: Context) -> tuple[list[str], list[str]]:
    from awscli_gitpod.plugins import plugin_manager
    from awscli_gitpod.tokens import choose_sources

    options = context.token_options
    request = TokenRequest(
        audiences=(options.audience,),
        scope=options.scope,
        token_file=options.file,
        token_command=options.command,
    )
    offered = [source for found in plugin_manager().hook.token_sources() for source in found]
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


def _when(seconds: object) -> str:
    if not isinstance(seconds, (int, float)):
        return "?"
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def check_claims(context: Context) -> Result:
    from awscli_gitpod.claims import MalformedToken, decode_unverified, describe

    if context.token is None:
        return Result("claims", SKIP, "no token")
    try:
        context.claims = decode_unverified(context.token)[1]
    except MalformedToken as error:
        return Result("claims", FAIL, str(error), f"{context.source} printed something that is not a JWT")
    return Result("claims", OK, f"{describe(context.claims)} exp={_when(context.claims.get('exp'))}")


def _verify(context: Context) -> None:
    from awscli_gitpod.verify import verify_token

    if context.token is not None and not context.verified:
        checks = verify_token(context.token, context.token_options.audience, timeout=context.remaining())
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


def check_audience(context: Context) -> Result:
    from awscli_gitpod.claims import audiences

    if context.claims is None:
        return Result("audience", SKIP, "no claims")
    wanted = context.token_options.audience
    present = audiences(context.claims)
    listed = ", ".join(present) or "(none)"
    if wanted in present:
        return Result("audience", OK, f"aud [{listed}] includes {wanted}")
    fix = (
        f"mint the token for {wanted} (`--audience {wanted}`; `gp idp token --audience {wanted}`); STS "
        "accepts only an aud listed as a client ID of the IAM OIDC provider"
    )
    return Result("audience", FAIL, f"aud [{listed}] lacks {wanted}", fix)


def check_expiry(context: Context) -> Result:
    if context.claims is None:
        return Result("expiry", SKIP, "no claims")
    exp, now = context.claims.get("exp"), time.time()
    if not isinstance(exp, (int, float)):
        return Result("expiry", FAIL, "the token has no numeric exp claim", "use a workspace token")
    if exp + CLOCK_SKEW < now:
        fix = (
            "mint a fresh token: workspace tokens live one hour (rewrite the --token-file; creds re-reads it)"
        )
        return Result("expiry", FAIL, f"expired at {_when(exp)}, {int(now - exp)} s ago", fix)
    return Result("expiry", OK, f"valid until {_when(exp)} ({int(exp - now) // 60} min left)")


def check_clock(context: Context) -> Result:
    """A token minted just now carries the issuer's time in iat: far from ours, our clock is off."""
    if context.claims is None:
        return Result("clock", SKIP, "no claims")
    iat = context.claims.get("iat")
    if not isinstance(iat, (int, float)):
        return Result("clock", SKIP, "the token has no numeric iat claim")
    offset = int(time.time() - iat)
    fix = "sync this machine's clock (NTP); cached credentials are timed by it"
    if offset < -CLOCK_SKEW:
        return Result("clock", FAIL, f"the token was issued {-offset} s in the future by this clock", fix)
    if offset > CLOCK_SKEW and context.source not in ("token-file", "token-command"):
        detail = f"the token minted just now says it was issued {offset} s ago: this clock is ahead"
        return Result("clock", FAIL, detail, fix)
    return Result("clock", OK, f"iat is {abs(offset)} s {'ago' if offset >= 0 else 'ahead'} by this clock")


TOKEN_CHECKS = (
    check_token_source,
    check_token,
    check_claims,
    check_issuer,
    check_signature,
    check_audience,
    check_expiry,
    check_clock,
)


def _crashed(name: str, error: Exception) -> Result:
    from awscli_gitpod.process import redact

    if isinstance(error, errors.Failure):
        return Result(name, FAIL, error.message)
    detail = f"internal error: {type(error).__name__}: {redact(str(error))}"
    return Result(
        name, FAIL, detail, "please report it (AWS_GITPOD_DEBUG=1 aws-gitpod creds ... shows a traceback)"
    )


def run_checks(context: Context) -> list[Result]:
    from awscli_gitpod.diagnosis_aws import AWS_CHECKS
    from awscli_gitpod.diagnosis_local import LOCAL_CHECKS

    results = []
    for check in (*TOKEN_CHECKS, *AWS_CHECKS, *LOCAL_CHECKS):
        try:
            result = check(context)
        except Exception as error:  # one broken step (a plugin, a config file) must not hide the others
            result = _crashed(check.__name__[len("check_") :].replace("_", "-"), error)
        if result.status == FAIL:
            context.failed.append(result.check)
        results.append(result)
    return results
