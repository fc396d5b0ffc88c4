"""Checking a workspace token the way AWS will: discovery, JWKS, signature, lifetime, audience.

Each check is reported separately, so `token --verify` and `doctor` can say which one fails; `doctor` uses
the expiry, issued-at and audience checks here as they are, adding only its fixes.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.claims import MalformedToken, audiences, decode_unverified
from awscli_gitpod.clock import CLOCK_SKEW, rfc3339


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _get_json(url: str, timeout: float) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        document = json.load(response)
    if not isinstance(document, dict):
        raise ValueError("the response is not a JSON object")
    return document


def verify_token(token: str, audience: str, timeout: float = 10.0) -> list[Check]:
    checks: list[Check] = []
    try:
        header, claims = decode_unverified(token)
    except MalformedToken as error:
        return [Check("format", False, str(error))]
    checks.append(Check("format", True, f"alg={header.get('alg')} kid={header.get('kid')}"))

    now = time.time()
    checks += [check_expiry(claims, now), check_issued_at(claims, now), check_audience(claims, audience)]
    checks.extend(_signature_checks(token, header, claims, timeout))
    return checks


def when(seconds: object) -> str:
    """A claim's time as RFC 3339, or `?` when the claim is not a number."""
    return rfc3339(seconds) if isinstance(seconds, (int, float)) else "?"


def check_expiry(claims: dict[str, Any], now: float) -> Check:
    """Unexpired, allowing the clock skew STS allows."""
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)):
        return Check("expiry", False, "the token has no numeric exp claim")
    if exp + CLOCK_SKEW < now:
        return Check("expiry", False, f"expired at {when(exp)}, {int(now - exp)} s ago")
    return Check("expiry", True, f"valid until {when(exp)} ({int(exp - now) // 60} min left)")


def check_issued_at(claims: dict[str, Any], now: float, just_minted: bool = False) -> Check:
    """Not issued in the future; with `just_minted`, not issued long ago either (then a clock is off)."""
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)):
        return Check("issued-at", False, "the token has no numeric iat claim")
    offset = int(now - iat)
    if offset < -CLOCK_SKEW:
        return Check("issued-at", False, f"the token was issued {-offset} s in the future by this clock")
    if just_minted and offset > CLOCK_SKEW:
        detail = f"the token minted just now says it was issued {offset} s ago: this clock is ahead"
        return Check("issued-at", False, detail)
    return Check(
        "issued-at", True, f"iat is {abs(offset)} s {'ago' if offset >= 0 else 'ahead'} by this clock"
    )


def check_audience(claims: dict[str, Any], audience: str) -> Check:
    present = audiences(claims)
    listed = ", ".join(present) or "(none)"
    verb = "includes" if audience in present else "lacks"
    return Check("audience", audience in present, f"aud [{listed}] {verb} {audience}")


def _signature_checks(
    token: str, header: dict[str, Any], claims: dict[str, Any], timeout: float
) -> list[Check]:
    import jwt

    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        return [Check("issuer", False, "the token has no iss claim")]
    discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        discovery = _get_json(discovery_url, timeout)
    except (OSError, ValueError) as error:
        return [Check("discovery", False, f"{discovery_url}: {error}")]
    if discovery.get("issuer") != issuer:
        return [Check("discovery", False, f"{discovery_url} names issuer {discovery.get('issuer')!r}")]
    checks = [Check("discovery", True, discovery_url)]
    jwks_uri = str(discovery.get("jwks_uri", ""))
    try:
        keys = _get_json(jwks_uri, timeout).get("keys", [])
    except (OSError, ValueError) as error:
        return [*checks, Check("jwks", False, f"{jwks_uri or 'no jwks_uri'}: {error}")]
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
