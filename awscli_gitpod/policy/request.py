"""What IAM knows about one AssumeRoleWithWebIdentity call: the token's provider, the request context
(`context.build`: the provider's keys from the claims and the global keys), and the actions the call asks
the trust policy for (`sts:TagSession` too when the token carries session tags...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awscli_gitpod.policy import context as request_context
from awscli_gitpod.policy.context import ContextValue, Override
from awscli_gitpod.policy.document import (
    ASSUME_ACTION,
    SOURCE_IDENTITY_ACTION,
    SOURCE_IDENTITY_CLAIM,
    TAG_ACTION,
    TAGS_CLAIM,
    issuer_path,
    provider_path,
)


class Request:
    """What IAM knows about one AssumeRoleWithWebIdentity call: the provider and the request context."""

    def __init__(
        self,
        claims: Mapping[str, Any],
        provider_arn: str | None = None,
        now: float | None = None,
        context: Mapping[str, Override] | None = None,
    ) -> None:
        issuer = claims.get("iss")
        self.issuer = issuer if isinstance(issuer, str) else ""
        self.provider_arn = provider_arn
        self.provider = (provider_path(provider_arn) if provider_arn else None) or issuer_path(self.issuer)
        self.context = request_context.build(claims, self.provider, now, context)
        self.actions = tuple(
            action
            for action, needed in (
                (ASSUME_ACTION, True),
                (TAG_ACTION, TAGS_CLAIM in claims),
                (SOURCE_IDENTITY_ACTION, SOURCE_IDENTITY_CLAIM in claims),
            )
            if needed
        )

    def lookup(self, key: str) -> ContextValue | None:
        """The key's entry in the request context; None when IAM does not set it."""
        return self.context.get(key.lower())  # condition key names are case-insensitive

    def values(self, key: str) -> tuple[str, ...] | None:
        """The key's values when they are known, else None."""
        found = self.lookup(key)
        return found.values if found is not None and found.known else None

    def is_provider(self, arn: str) -> bool:
        if self.provider_arn is not None:
            return arn == self.provider_arn
        return bool(self.provider) and provider_path(arn) == self.provider
