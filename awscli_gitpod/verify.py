"""Checking a workspace token the way AWS will: discovery, JWKS, signature, lifetime, audience.

Each check is reported separately, so `token --verify` (and later `doctor`) can say which one fails.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.claims import MalformedToken, audiences, decode_unverified

CLOCK_SKEW = 300  # STS allows five minutes


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
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)):
        checks.append(Check("expiry", False, "the token has no numeric exp claim"))
    elif exp + CLOCK_SKEW < now:
        checks.append(Check("expiry", False, f"expired {int(now - exp)} s ago; mint a new token"))
    else:
        checks.append(Check("expiry", True, f"expires in {int(exp - now)} s"))
    if not isinstance(iat, (int, float)):
        checks.append(Check("issued-at", False, "the token has no numeric iat claim"))
    elif iat - CLOCK_SKEW > now:
        checks.append(Check("issued-at", False, f"issued {int(iat - now)} s in the future: clock skew"))
    else:
        checks.append(Check("issued-at", True, f"issued {int(now - iat)} s ago"))

    token_audiences = audiences(claims)
    checks.append(
        Check(
            "audience",
            audience in token_audiences,
            f"aud={token_audiences} {'includes' if audience in token_audiences else 'lacks'} {audience}",
        )
    )
    checks.extend(_signature_checks(token, header, claims, timeout))
    return checks


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
