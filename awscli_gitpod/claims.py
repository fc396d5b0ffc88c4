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


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range for a JSON number")
    return value


def _segment(part: str) -> dict[str, Any]:
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as error:
        raise MalformedToken("a JWT segment is not base64url-encoded") from error
    try:
        # Python's json reads NaN, Infinity and 1e999 (as inf); RFC 8259, and so every issuer, does not.
        decoded = json.loads(data, parse_constant=_not_json, parse_float=_finite)
    except ValueError as error:
        raise MalformedToken(f"a JWT segment is not valid JSON ({str(error).split(':')[0]})") from None
    if not isinstance(decoded, dict):
        raise MalformedToken("a JWT segment is not a JSON object")
    return decoded


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims of a compact JWS, signature unchecked."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise MalformedToken("not a JWT (expected three dot-separated parts)")
    return _segment(parts[0]), _segment(parts[1])


def claims_of_document(document: object) -> dict[str, Any] | None:
    """The claims in a decoded token as the CLIs print one, or in a bare claims object; None if it holds none.

    `gp idp token --decode` (and `aws-gitpod token --decode`) print `{"Header": {...}, "Payload": {...}}`;
    `ona idp token --decode` prints go-jose's `{"Claims": {...}, "Header": [{"KeyID": ...}]}`.
    """
    if not isinstance(document, dict):
        return None
    wrapped = [key for key in ("Payload", "Claims") if key in document]
    if wrapped and set(document) <= {wrapped[0], "Header"}:
        inner = document[wrapped[0]]
        return inner if isinstance(inner, dict) else None
    return document


def audiences(claims: dict[str, Any]) -> list[str]:
    """`aud` as a list: Gitpod Classic and Ona V3 send an array, Ona V2 a plain string."""
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
    """The Classic workspace id, or the Ona environment id (a V3 claim, or the `env:` of a V2 `sub`); None
    for a user's or a runner's token."""
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
