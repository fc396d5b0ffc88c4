"""Least-privilege trust policies for workspace tokens: the issuer's provider, the STS audience, and the
narrowest `sub` scope that still admits the workspaces meant (a repository and its branch and review URLs,
some branches, or an Ona organization or project)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from awscli_gitpod.policy.document import ASSUME_ACTION, DEFAULT_AUDIENCE, is_wildcard, provider_arn
from awscli_gitpod.policy.subjects import (
    MULTI_TENANT,
    normalize_repo,
    ona_patterns,
    repo_patterns,
    scm_of,
)

_ACCOUNT = re.compile(r"[0-9]{12}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Request:
    """What to trust: which account's provider, which issuer, and which workspaces."""

    account: str
    issuer: str
    repo: str | None = None
    branches: list[str] = field(default_factory=list)
    scm: str | None = None  # github, gitlab, bitbucket; else from the repository host
    ona_org: str | None = None
    project: str | None = None
    audience: str = DEFAULT_AUDIENCE
    partition: str = "aws"


def provider_of(issuer: str) -> str:
    """`services.gitpod.io/idp` for `https://services.gitpod.io/idp`; ValueError for anything else."""
    if not re.fullmatch(r"https://[^/\s*?]+(/[^\s*?]*)?", issuer.strip()):
        raise ValueError(
            f"not an issuer URL: {issuer!r} (expected https://host[/path], as in the token's iss)"
        )
    return issuer.strip().split("://", 1)[1].rstrip("/")


def subjects(request: Request) -> list[str]:
    """The `sub` values (StringLike patterns where needed) that admit the workspaces requested."""
    if request.ona_org:
        for name, value in (("organization", request.ona_org), ("project", request.project)):
            if value is not None and not _ID.fullmatch(value):
                raise ValueError(f"not an Ona {name} ID: {value!r}")
        return ona_patterns(request.ona_org, request.project)
    if request.project:
        raise ValueError("--project needs --ona-org")
    if not request.repo:
        raise ValueError("name the workspaces to trust: --repo URL, or --ona-org ORG")
    repo = normalize_repo(request.repo)
    scm = request.scm or scm_of(repo) or "github"
    for branch in request.branches:
        # git refuses these characters in branch names, so they can only be a mistake (or a pattern).
        if not branch or re.search(r"[\s*?~^:\\\[]|\.\.|^/|/$", branch):
            raise ValueError(f"not a branch name: {branch!r}")
    return repo_patterns(repo, scm, request.branches)


def trust_policy(request: Request) -> dict[str, Any]:
    """The trust policy document."""
    if not _ACCOUNT.fullmatch(request.account):
        raise ValueError(f"not an AWS account ID: {request.account!r} (12 digits)")
    provider = provider_of(request.issuer)
    if request.repo and MULTI_TENANT.get(provider) == "ona":
        raise ValueError(f"{request.issuer} is Ona's issuer, whose sub names no repository: use --ona-org")
    values = subjects(request)
    # All sub values under ONE operator: values are OR-ed, but two operators would have to hold together.
    operator = "StringLike" if any(is_wildcard(value) for value in values) else "StringEquals"
    conditions: dict[str, Any] = {"StringEquals": {f"{provider}:aud": request.audience}}
    sub_values: Any = values[0] if len(values) == 1 else values
    conditions.setdefault(operator, {})[f"{provider}:sub"] = sub_values
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitpodWorkspaces",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn(request.account, provider, request.partition)},
                "Action": ASSUME_ACTION,
                "Condition": conditions,
            }
        ],
    }
