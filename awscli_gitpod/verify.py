"""Checking a workspace token the way AWS will: discovery, JWKS, signature, lifetime, audience.

Each check is reported separately, so `token --verify` and `doctor` can say which one fails; `doctor` uses
the expiry, issued-at and audience checks here as they are, adding only its fixes. The issuer's documents
are fetched within the caller's deadline and size limits (`httpfetch`), and an issuer that is not https
fails: IAM accepts only https provider URLs (a loopback issuer, which AWS can never reach anyway, is only
noted, so that a local test bed can be verified).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from awscli_gitpod.claims import MalformedToken, audiences, decode_unverified
from awscli_gitpod.clock import CLOCK_SKEW, rfc3339
from awscli_gitpod.deadline import DeadlineExceeded, ceiling
from awscli_gitpod.httpfetch import FetchFailed, get_json

# JWT NumericDates AWS can mean: from the epoch to the end of year 9999.
LATEST_TIME = 253402300799
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def verify_token(token: str, audience: str, timeout: float = 10.0) -> list[Check]:
    """Every check, in order; the issuer's documents are fetched within `timeout` seconds in all."""
    checks: list[Check] = []
    try:
        header, claims = decode_unverified(token)
    except MalformedToken as error:
        return [Check("format", False, str(error))]
    checks.append(Check("format", True, f"alg={header.get('alg')} kid={header.get('kid')}"))

    now = time.time()
    checks += [check_expiry(claims, now), check_issued_at(claims, now), check_audience(claims, audience)]
    deadline = time.monotonic() + timeout
    try:
        with ceiling(deadline):
            checks.extend(_signature_checks(token, header, claims, deadline))
    except DeadlineExceeded:
        checks.append(Check("issuer", False, f"the issuer did not answer within {timeout:g} s"))
    return checks


def numeric_date(value: object) -> float | None:
    """A JWT NumericDate claim as seconds, or None when it is not one (a string, a bool, out of range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= LATEST_TIME else None


def when(seconds: object) -> str:
    """A claim's time as RFC 3339, or `?` when the claim is not a NumericDate."""
    value = numeric_date(seconds)
    return "?" if value is None else rfc3339(value)


def check_expiry(claims: dict[str, Any], now: float) -> Check:
    """Unexpired, allowing the clock skew STS allows."""
    exp = numeric_date(claims.get("exp"))
    if exp is None:
        return Check("expiry", False, _not_a_date(claims, "exp"))
    if exp + CLOCK_SKEW < now:
        return Check("expiry", False, f"expired at {when(exp)}, {int(now - exp)} s ago")
    return Check("expiry", True, f"valid until {when(exp)} ({int(exp - now) // 60} min left)")


def check_issued_at(claims: dict[str, Any], now: float, just_minted: bool = False) -> Check:
    """Not issued in the future; with `just_minted`, not issued long ago either (then a clock is off)."""
    iat = numeric_date(claims.get("iat"))
    if iat is None:
        return Check("issued-at", False, _not_a_date(claims, "iat"))
    offset = int(now - iat)
    if offset < -CLOCK_SKEW:
        return Check("issued-at", False, f"the token was issued {-offset} s in the future by this clock")
    if just_minted and offset > CLOCK_SKEW:
        detail = f"the token minted just now says it was issued {offset} s ago: this clock is ahead"
        return Check("issued-at", False, detail)
    return Check(
        "issued-at", True, f"iat is {abs(offset)} s {'ago' if offset >= 0 else 'ahead'} by this clock"
    )


def _not_a_date(claims: dict[str, Any], name: str) -> str:
    if name not in claims:
        return f"the token has no {name} claim"
    return f"the token's {name} is not a NumericDate (seconds since 1970, as a JSON number)"


def check_issuer_scheme(issuer: str) -> Check:
    """IAM OIDC provider URLs must be https; STS fetches discovery and keys from the issuer over https."""
    parts = urlsplit(issuer)
    if parts.scheme == "https":
        return Check("issuer", True, issuer)
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return Check(
            "issuer", True, f"{issuer} (http on loopback: a local test issuer, which AWS cannot use)"
        )
    return Check("issuer", False, f"{issuer} is not an https URL: AWS accepts only https issuers")


def check_audience(claims: dict[str, Any], audience: str) -> Check:
    present = audiences(claims)
    listed = ", ".join(present) or "(none)"
    verb = "includes" if audience in present else "lacks"
    return Check("audience", audience in present, f"aud [{listed}] {verb} {audience}")


def _signature_checks(
    token: str, header: dict[str, Any], claims: dict[str, Any], deadline: float
) -> list[Check]:
    import jwt

    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        return [Check("issuer", False, "the token has no iss claim")]
    scheme = check_issuer_scheme(issuer)
    checks = [scheme]
    if not scheme.ok:
        return checks
    discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        discovery = get_json(discovery_url, deadline)
    except FetchFailed as error:
        return [*checks, Check("discovery", False, f"{discovery_url}: {error}")]
    if discovery.get("issuer") != issuer:
        return [
            *checks,
            Check("discovery", False, f"{discovery_url} names issuer {discovery.get('issuer')!r}"),
        ]
    checks.append(Check("discovery", True, discovery_url))
    jwks_uri = str(discovery.get("jwks_uri", ""))
    try:
        keys = get_json(jwks_uri, deadline).get("keys", [])
    except FetchFailed as error:
        return [*checks, Check("jwks", False, f"{jwks_uri or 'no jwks_uri'}: {error}")]
    if not isinstance(keys, list):
        return [*checks, Check("jwks", False, f"{jwks_uri}: `keys` is not a list")]
    matching = [key for key in keys if isinstance(key, dict) and key.get("kid") == header.get("kid")]
    if not matching:
        detail = f"no key with kid {header.get('kid')!r} among {len(keys)} at {jwks_uri}"
        return [*checks, Check("jwks", False, detail)]
    checks.append(Check("jwks", True, f"{jwks_uri} has kid {header.get('kid')}"))
    try:
        key = jwt.PyJWK(matching[0]).key
        jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        return [*checks, Check("signature", False, f"does not verify: {error}")]
    return [*checks, Check("signature", True, f"{header.get('alg')} verified")]
