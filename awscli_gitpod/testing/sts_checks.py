"""What real STS checks before AssumeRoleWithWebIdentity hands out credentials, for the test bed.

moto's AssumeRoleWithWebIdentity hands out credentials for any token. Real STS first checks the token
against an IAM OIDC provider and the issuer's published keys; `check_web_identity` does the same, in the
same order, and raises `StsError` with the code and message real STS uses.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.error import URLError
from urllib.request import ProxyHandler, Request, build_opener

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ACCOUNT_ID = "123456789012"  # moto's default account
CLOCK_SKEW = 300  # STS accepts a token up to 5 minutes past `exp`
JWKS_TIMEOUT = 5.0
_SESSION_NAME = re.compile(r"[\w+=,.@-]*")

# (trust policy document, token claims, provider ARN) -> allow, deny, or None for "not evaluated".
TrustPolicyHook = Callable[[dict[str, Any], dict[str, Any], str], Optional[bool]]


def trust_policy_allows(
    policy_document: dict[str, Any], claims: dict[str, Any], provider_arn: str
) -> bool | None:
    """Whether the role's trust policy admits this token, decided as IAM does (`awscli_gitpod.policy`).

    Another evaluator can be plugged in with `AwsServer(trust_policy=...)`.
    """
    from awscli_gitpod.policy.engine import evaluate

    return evaluate(policy_document, claims, provider_arn=provider_arn).allowed


class StsError(Exception):
    """An AWS error response: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class WebIdentity:
    """A token STS accepted, and what it was matched to."""

    claims: dict[str, Any]
    provider_arn: str
    audience: str
    role_arn: str


# --- the STS checks -----------------------------------------------------------------------------


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def parse_token(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, claims, signing input, signature) of a compact JWS; InvalidIdentityToken if it is not one."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise ValueError("not JSON objects")
    except (ValueError, binascii.Error):
        raise StsError(
            "InvalidIdentityToken",
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        ) from None
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _validate_parameters(params: Mapping[str, str]) -> int:
    """API-level constraints, checked before the token; returns DurationSeconds."""
    errors: list[str] = []

    def fail(value: object, member: str, constraint: str) -> None:
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: Member must {constraint}")

    role_arn = params.get("RoleArn", "")
    if not 20 <= len(role_arn) <= 2048:
        fail(role_arn, "roleArn", "have length between 20 and 2048")
    session = params.get("RoleSessionName", "")
    if len(session) < 2:
        fail(session, "roleSessionName", "have length greater than or equal to 2")
    elif len(session) > 64:
        fail(session, "roleSessionName", "have length less than or equal to 64")
    if not _SESSION_NAME.fullmatch(session):
        fail(session, "roleSessionName", r"satisfy regular expression pattern: [\w+=,.@-]*")
    token = params.get("WebIdentityToken", "")
    if not 4 <= len(token) <= 20000:
        fail("***", "webIdentityToken", "have length between 4 and 20000")
    raw_duration = params.get("DurationSeconds", "3600")
    try:
        duration = int(raw_duration)
    except ValueError:
        duration = 0
    if duration < 900:
        fail(raw_duration, "durationSeconds", "have value greater than or equal to 900")
    elif duration > 43200:
        fail(raw_duration, "durationSeconds", "have value less than or equal to 43200")
    if errors:
        plural = "s" if len(errors) > 1 else ""
        message = f"{len(errors)} validation error{plural} detected: " + "; ".join(errors)
        raise StsError("ValidationError", message)
    return duration


def _iam_backend(role_arn: str) -> Any:
    from moto.iam.models import iam_backends

    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise StsError("ValidationError", f"{role_arn} is invalid")
    return iam_backends[parts[4]][parts[1]]


def _find_provider(backend: Any, issuer: str) -> Any:
    # IAM stores the provider URL without its scheme; STS matches `iss` the same way.
    wanted = issuer.split("://", 1)[-1].rstrip("/")
    for provider in list(backend.open_id_providers.values()):
        if str(provider.url).rstrip("/") == wanted:
            return provider
    raise StsError("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}")


def fetch_json(url: str) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url}")
    # A proxy-free opener: a proxy from the environment must not see (or break) local traffic.
    opener = build_opener(ProxyHandler({}))
    request = Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked above)
    with opener.open(request, timeout=JWKS_TIMEOUT) as reply:
        document = json.loads(reply.read())
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not return a JSON object")
    return document


def fetch_jwks(issuer: str) -> dict[str, Any]:
    """Discovery, then its `jwks_uri`; IDPCommunicationError when either fails."""
    try:
        discovery = fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        return fetch_json(str(discovery["jwks_uri"]))
    except (OSError, URLError, ValueError, KeyError):
        raise StsError(
            "IDPCommunicationError",
            "Couldn't retrieve verification key from your identity provider,  please reference "
            "AssumeRoleWithWebIdentity documentation for requirements",
        ) from None


def _verify_signature(
    header: dict[str, Any], jwks: dict[str, Any], signing_input: bytes, signature: bytes
) -> None:
    if header.get("alg") != "RS256":
        raise StsError("InvalidIdentityToken", f"Unsupported token algorithm {header.get('alg')}")
    kid = header.get("kid")
    keys = [key for key in jwks.get("keys", []) if isinstance(key, dict) and key.get("kid") == kid]
    if not keys:
        raise StsError("InvalidIdentityToken", f"No key found in the JWKS for kid {kid}")
    try:
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(_b64url_decode(str(keys[0]["e"])), "big"),
            int.from_bytes(_b64url_decode(str(keys[0]["n"])), "big"),
        )
        numbers.public_key().verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, KeyError, ValueError, binascii.Error):
        raise StsError("InvalidIdentityToken", "The token signature is invalid") from None


def _check_expiry(claims: dict[str, Any], now: float) -> None:
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or now > expires + CLOCK_SKEW:
        raise StsError(
            "ExpiredTokenException",
            f"Token expired: current date/time {int(now)} must be before the expiration date/time {expires}",
        )


def _find_role(backend: Any, role_arn: str) -> Any:
    for role in list(backend.roles.values()):
        if role.arn == role_arn:
            return role
    raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)


def _policy_document(role: Any) -> dict[str, Any]:
    try:
        document = json.loads(role.assume_role_policy_document)
    except (TypeError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def check_web_identity(
    params: Mapping[str, str],
    trust_policy: TrustPolicyHook | None = None,
    now: float | None = None,
) -> WebIdentity:
    """Everything real STS checks before it hands out web identity credentials; raises StsError."""
    duration = _validate_parameters(params)
    role_arn = params["RoleArn"]
    header, claims, signing_input, signature = parse_token(params["WebIdentityToken"])
    backend = _iam_backend(role_arn)
    issuer = str(claims.get("iss", ""))
    provider = _find_provider(backend, issuer)
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else [str(a) for a in aud or []]
    matched = [a for a in audiences if a in provider.client_id_list]
    if not matched:
        raise StsError("InvalidIdentityToken", "Incorrect token audience")
    _verify_signature(header, fetch_jwks(issuer), signing_input, signature)
    _check_expiry(claims, time.time() if now is None else now)
    role = _find_role(backend, role_arn)
    if duration > int(role.max_session_duration or 3600):
        raise StsError(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
    hook = trust_policy or trust_policy_allows
    if hook(_policy_document(role), claims, provider.arn) is False:
        raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    return WebIdentity(claims=claims, provider_arn=provider.arn, audience=matched[0], role_arn=role_arn)
