"""What a `doctor` check returns (`Result`: ok, fail with its fix, or skip), and what the checks share
(`Context`: what they are about, and what earlier checks found for later ones)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from awscli_gitpod.exchange import ExchangeOptions
from awscli_gitpod.tokens import TokenOptions

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass(frozen=True)
class Result:
    check: str
    status: str  # OK, FAIL or SKIP
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    """What the checks are about, and what earlier checks found for later ones."""

    token_options: TokenOptions
    deadline: float  # time.monotonic() by which network steps give up
    exchange: ExchangeOptions | None = None  # None: no role to check
    creds_args: list[str] | None = None  # the `creds` arguments whose cache entry to look at
    profile: str | None = None  # the profile under diagnosis, when there is one
    iam_profile: str | None = None  # whose credentials read IAM (None: the usual AWS chain)
    source: str | None = None
    token: str | None = None
    claims: dict[str, Any] | None = None
    verified: dict[str, Any] = field(default_factory=dict)  # verify.Check by name
    iam: Any = None  # the IAM client, once made
    iam_unreadable: str | None = None  # why IAM cannot be read with these credentials, once known
    provider_arn: str | None = None  # the IAM OIDC provider found for the token's iss
    failed: list[str] = field(default_factory=list)  # names of the checks that failed so far

    def remaining(self, minimum: float = 0.5) -> float:
        return max(minimum, self.deadline - time.monotonic())
