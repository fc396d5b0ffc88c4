"""The checks STS makes before it reads a trust policy: a provider for `iss`, the audience, expiry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from awscli_gitpod.policy import decision as d
from awscli_gitpod.policy.context import claim_values
from awscli_gitpod.policy.document import issuer_path, provider_path
from awscli_gitpod.policy.request import Request

CLOCK_SKEW = 300  # STS accepts a token up to 5 minutes past `exp`


def sts_checks(
    claims: Mapping[str, Any],
    request: Request,
    known_providers: Mapping[str, Sequence[str]] | None,
    now: float | None,
) -> tuple[d.Check, ...]:
    """The checks STS makes before it reads the policy, those the caller gave us the facts for."""
    checks = []
    audiences = claim_values(claims.get("aud"), True) or ()
    if not request.issuer:
        checks.append(d.Check("issuer", False, "the token has no `iss` claim"))
    if known_providers is not None:
        clients = _known_clients(known_providers, request.provider)
        if clients is None:
            detail = f"No OpenIDConnect provider found in your account for {request.issuer}"
            checks.append(d.Check("provider", False, detail))
        else:
            checks.append(d.Check("provider", True, f"an IAM OIDC provider exists for {request.provider}"))
            if clients:
                ok = any(audience in clients for audience in audiences)
                detail = f"aud {', '.join(audiences) or '(none)'} against the provider's client IDs {clients}"
                checks.append(d.Check("audience", ok, ("" if ok else "Incorrect token audience: ") + detail))
    if not audiences:
        checks.append(d.Check("audience", False, "Missing a required claim: aud"))
    if now is not None:
        expires = claims.get("exp")
        ok = isinstance(expires, (int, float)) and now <= expires + CLOCK_SKEW
        detail = f"exp {expires}, now {int(now)} (5 minutes of clock skew allowed)"
        checks.append(d.Check("expiry", ok, detail if ok else f"Token expired: {detail}"))
    return tuple(checks)


def _known_clients(known: Mapping[str, Sequence[str]], provider: str) -> list[str] | None:
    for name, clients in known.items():
        path = provider_path(name) or issuer_path(name)
        # Whether STS matches an issuer to a provider URL that differs only by a trailing slash is not
        # documented; the user's spelling of --known-provider is taken either way.
        if path.rstrip("/") == provider.rstrip("/"):
            return list(clients)
    return None
