"""Reading a JWT's header and claims without verifying it (verification lives in `verify.py`).

Used to name the token in error messages and to pick defaults (session name, issuer); nothing here trusts
the claims for a security decision: AWS verifies the token.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


class MalformedToken(ValueError):
    pass


def _segment(part: str) -> dict[str, Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError) as error:
        raise MalformedToken("a JWT segment is not base64url-encoded JSON") from error
    if not isinstance(decoded, dict):
        raise MalformedToken("a JWT segment is not a JSON object")
    return decoded


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims of a compact JWS, signature unchecked."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise MalformedToken("not a JWT (expected three dot-separated parts)")
    return _segment(parts[0]), _segment(parts[1])


def audiences(claims: dict[str, Any]) -> list[str]:
    """`aud` as a list: Gitpod always sends an array, other issuers may send a string."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [str(item) for item in aud]
    return []


def describe(claims: dict[str, Any]) -> str:
    """`iss=... aud=... sub=...` for error messages: who the token says it is, never the token."""
    return (
        f"iss={claims.get('iss', '?')} aud={','.join(audiences(claims)) or '?'} sub={claims.get('sub', '?')}"
    )


def workspace_id(claims: dict[str, Any]) -> str | None:
    """The Classic workspace id, or the Ona environment id."""
    for name in ("workspace_id", "environment_id"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    subject = claims.get("sub")
    if isinstance(subject, str):  # Ona V2 subjects carry the environment as `env:<id>`
        for part in subject.split("/"):
            if part.startswith("env:"):
                return part[len("env:") :]
    return None
