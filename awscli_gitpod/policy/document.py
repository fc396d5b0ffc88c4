"""The parts of a trust policy IAM reads for AssumeRoleWithWebIdentity, and the names it matches them by.

IAM accepts a single value wherever a list is allowed, so every element goes through `as_list`. A custom
OIDC provider's ARN is `arn:<partition>:iam::<account>:oidc-provider/<issuer without https://>`, and the
same `<issuer without https://>` prefixes its condition keys.
"""

from __future__ import annotations

import functools
import re
from typing import Any

ASSUME_ACTION = "sts:AssumeRoleWithWebIdentity"
# Every action that makes someone the role: what the linter judges a statement by.
ASSUME_ACTIONS = ("sts:AssumeRole", ASSUME_ACTION, "sts:AssumeRoleWithSAML")
TAG_ACTION = "sts:TagSession"
SOURCE_IDENTITY_ACTION = "sts:SetSourceIdentity"
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
# The only token claims IAM turns into condition keys for a custom OIDC provider.
PROVIDER_CLAIMS = ("aud", "sub", "amr", "azp")
MULTIVALUED_CLAIMS = frozenset({"aud", "amr"})
DEFAULT_AUDIENCE = "sts.amazonaws.com"
# Lenient on partition and account, which templates write as `${AWS::Partition}`, `${AWS::AccountId}`.
_PROVIDER_ARN = re.compile(r"arn:(?:[\w-]+|\$\{[^}]*\}):iam::(?:[^:]*|\$\{[^}]*\}):oidc-provider/(.+)")


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(policy: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, statement) for each statement that is an object; IAM rejects any other shape."""
    if not isinstance(policy, dict):
        return []
    found = policy.get("Statement")
    items = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def issuer_path(issuer: str) -> str:
    """What IAM keeps of an issuer URL: all but the scheme (`services.gitpod.io/idp`).

    A trailing slash stays: an issuer `https://host/` has the provider `oidc-provider/host/` and the keys
    `host/:aud`, `host/:sub` (the provider's URL is the token's `iss`, and keys are named after it).
    """
    return issuer.split("://", 1)[-1]


def provider_path(arn: str) -> str | None:
    """`services.gitpod.io/idp` for an OIDC provider ARN, else None."""
    match = _PROVIDER_ARN.fullmatch(arn)
    return match.group(1) if match else None


def provider_arn(account: str, path: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:oidc-provider/{path}"


def federated(statement: dict[str, Any], element: str = "Principal") -> list[str]:
    """The `Federated` principals of a statement's Principal (or NotPrincipal)."""
    principal = statement.get(element)
    if not isinstance(principal, dict):
        return []
    return [str(item) for item in as_list(principal.get("Federated"))]


def split_key(key: str) -> tuple[str, str]:
    """(prefix, claim) of a condition key: `services.gitpod.io/idp:sub` -> (`services.gitpod.io/idp`, `sub`).

    The provider part may itself hold a colon (a port), so the claim is what follows the last one.
    """
    prefix, _, claim = key.rpartition(":")
    return prefix, claim.lower()


def is_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def like(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: `*` any run (slashes included), `?` one character, the whole value."""
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Whether an `Action` value names `action` (IAM User Guide, "Action": a service prefix, a colon and an
    action name that may hold wildcards; both parts case-insensitive). The prefix is literal: `s?s:*`
    names no service (and IAM refuses to store it, see `validate`); only `*` alone means every action."""
    if pattern == "*":
        return True
    prefix, colon, name = pattern.partition(":")
    service, _, wanted = action.partition(":")
    return bool(colon) and prefix.lower() == service.lower() and like(name, wanted, ignore_case=True)
