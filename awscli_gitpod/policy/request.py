"""What IAM knows about one AssumeRoleWithWebIdentity call: the token's provider, the condition keys it
derives from the claims (`<provider>:aud`, `:sub`, `:amr`, `:azp`, nothing else), and the actions it asks
the trust policy for (`sts:TagSession` too when the token carries session tags...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awscli_gitpod.policy.document import (
    ASSUME_ACTION,
    MULTIVALUED_CLAIMS,
    PROVIDER_CLAIMS,
    SOURCE_IDENTITY_ACTION,
    SOURCE_IDENTITY_CLAIM,
    TAG_ACTION,
    TAGS_CLAIM,
    issuer_path,
    provider_path,
)


class Request:
    """What IAM knows about one AssumeRoleWithWebIdentity call: the provider and the condition keys."""

    def __init__(self, claims: Mapping[str, Any], provider_arn: str | None = None) -> None:
        issuer = claims.get("iss")
        self.issuer = issuer if isinstance(issuer, str) else ""
        self.provider_arn = provider_arn
        self.provider = (provider_path(provider_arn) if provider_arn else None) or issuer_path(self.issuer)
        self.keys: dict[str, tuple[str, ...]] = {}
        for claim in PROVIDER_CLAIMS:
            values = claim_values(claims.get(claim), claim in MULTIVALUED_CLAIMS)
            if values is not None:
                self.keys[f"{self.provider}:{claim}".lower()] = values
        self.actions = tuple(
            action
            for action, needed in (
                (ASSUME_ACTION, True),
                (TAG_ACTION, TAGS_CLAIM in claims),
                (SOURCE_IDENTITY_ACTION, SOURCE_IDENTITY_CLAIM in claims),
            )
            if needed
        )

    def values(self, key: str) -> tuple[str, ...] | None:
        return self.keys.get(key.lower())  # condition key names are case-insensitive

    def is_provider(self, arn: str) -> bool:
        if self.provider_arn is not None:
            return arn == self.provider_arn
        return bool(self.provider) and provider_path(arn) == self.provider


def claim_values(raw: Any, multivalued: bool) -> tuple[str, ...] | None:
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    values = tuple(item if isinstance(item, str) else str(item) for item in items if item is not None)
    if not multivalued and len(values) != 1:
        return None  # a single-valued claim that is not one value never becomes a key
    return values
