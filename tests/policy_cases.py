"""Policies and claims shared by the trust-policy tests."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
PROVIDER = "services.gitpod.io/idp"
ISSUER = f"https://{PROVIDER}"
ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{PROVIDER}"
REPO = "https://github.com/gitpod-io/my-application"
ASSUME = "sts:AssumeRoleWithWebIdentity"


def key(claim: str) -> str:
    return f"{PROVIDER}:{claim}"


def statement(
    condition: dict[str, Any] | None = None,
    effect: str = "Allow",
    principal: Any = None,
    action: Any = ASSUME,
    **extra: Any,
) -> dict[str, Any]:
    result: dict[str, Any] = {"Effect": effect}
    if "NotPrincipal" not in extra:
        result["Principal"] = {"Federated": ARN} if principal is None else principal
    if "NotAction" not in extra:
        result["Action"] = action
    if condition is not None:
        result["Condition"] = condition
    result.update(extra)
    return result


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def claims(
    sub: str | None = REPO, aud: Any = ("sts.amazonaws.com",), iss: str = ISSUER, **more: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {"iss": iss, "aud": list(aud) if isinstance(aud, tuple) else aud, **more}
    if sub is not None:
        result["sub"] = sub
    return result


def pinned(sub: Any = REPO, operator: str = "StringEquals") -> dict[str, Any]:
    """The vendor guide's policy shape: aud pinned, sub under `operator`."""
    if operator == "StringEquals":
        return policy(statement({"StringEquals": {key("aud"): "sts.amazonaws.com", key("sub"): sub}}))
    return policy(statement({"StringEquals": {key("aud"): "sts.amazonaws.com"}, operator: {key("sub"): sub}}))
