"""Checks of who an Allow statement lets assume the role, whatever its action: anyone, any identity provider,
anyone with an account at a public identity provider, or another AWS account without a condition that
scopes it (IAM User Guide, "IAM JSON policy elements: Principal": a `*` principal "allow[s] other principals
to become a principal in your account"; "How to use an external ID when granting access to your AWS
resources to a third party").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.policy.document import ASSUME_ACTION, as_list
from awscli_gitpod.policy.rules import Condition, Hit, conditions

# Global keys whose positive test pins which AWS principals (or which organization's) may assume.
SCOPING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
    )
)
# For a named foreign account, the external ID is the documented guard (against the confused deputy).
ACCOUNT_SCOPING_KEYS = SCOPING_KEYS | {"sts:externalid"}
# Identity providers anyone can get a token from; the key that names *your* application there.
PUBLIC_IDPS = {
    "accounts.google.com": ("aud", "oaud"),
    "cognito-identity.amazonaws.com": ("aud",),
    "graph.facebook.com": ("app_id",),
    "www.amazon.com": ("app_id",),
}
_WHOLE_ACCOUNT = re.compile(r"(?:arn:[\w-]+:iam::)?([0-9]{12})(?::root)?")
_PROVIDER_ACCOUNT = re.compile(r"arn:(?:[\w-]+|\$\{[^}]*\}):iam::([0-9]{12}|\$\{[^}]*\}):oidc-provider/.+")
OWN_ACCOUNT_PLACEHOLDER = "${AWS::AccountId}"


@dataclass(frozen=True)
class Facts:
    """What the whole document tells about one statement's context."""

    own_account: str | None  # the role's account, when the policy shows it (its OIDC provider's account)


def own_account(statements: list[dict[str, Any]]) -> str | None:
    """The account of the IAM OIDC providers the policy trusts: a provider lives in the role's account."""
    accounts = set()
    for statement in statements:
        principal = statement.get("Principal")
        names = as_list(principal.get("Federated")) if isinstance(principal, dict) else []
        for name in (str(item) for item in names):
            match = _PROVIDER_ACCOUNT.fullmatch(name)
            if match:
                accounts.add(match.group(1))
    return accounts.pop() if len(accounts) == 1 else None


def _scoped(statement: dict[str, Any], keys: frozenset[str]) -> bool:
    """A positive condition on one of `keys` with a value that is more than wildcards."""

    def pins(condition: Condition) -> bool:
        if condition.operator is None or condition.loose or condition.key.lower() not in keys:
            return False
        return any(value.strip("*?") for value in condition.values or [])

    return any(pins(condition) for condition in conditions(statement))


def _principal(statement: dict[str, Any]) -> dict[str, list[str]]:
    principal = statement.get("Principal")
    if principal == "*":
        return {"AWS": ["*"]}
    if not isinstance(principal, dict):
        return {}
    return {str(kind): [str(name) for name in as_list(names)] for kind, names in principal.items()}


def check(statement: dict[str, Any], actions: set[str], facts: Facts) -> Iterator[Hit]:
    """`actions`: the assume actions (sts:AssumeRole...) the Allow statement grants."""
    names = _principal(statement)
    aws = names.get("AWS", [])
    if "*" in aws:
        web_identity_only = actions == {ASSUME_ACTION}
        if web_identity_only or not _scoped(statement, SCOPING_KEYS):
            advice = "" if web_identity_only else ": pin aws:PrincipalOrgID or aws:PrincipalArn, or name them"
            granted = ", ".join(sorted(actions))
            message = f"Principal * lets any principal of any account assume the role ({granted}){advice}"
            yield Hit("GP012", ("Principal",), message)
    if "*" in names.get("Federated", []):
        yield Hit("GP012", ("Principal",), "Federated * trusts every identity provider")
    if ASSUME_ACTION in actions:
        for idp in names.get("Federated", []):
            claims = PUBLIC_IDPS.get(idp)
            if claims and not _scoped(statement, frozenset(f"{idp}:{claim}" for claim in claims)):
                message = (
                    f"anyone with an account at {idp} can get a token for it: pin {idp}:{claims[0]} to your "
                    "application with StringEquals"
                )
                yield Hit("GP019", ("Principal",), message)
    if "sts:AssumeRole" in actions and facts.own_account and facts.own_account != OWN_ACCOUNT_PLACEHOLDER:
        for name in aws:
            match = _WHOLE_ACCOUNT.fullmatch(name)
            if (
                match is None
                or match.group(1) == facts.own_account
                or _scoped(statement, ACCOUNT_SCOPING_KEYS)
            ):
                continue
            message = (
                f"{name} lets every principal that account {match.group(1)} allows assume the role: pin "
                "sts:ExternalId (for a third party), aws:PrincipalArn or aws:PrincipalOrgID"
            )
            yield Hit("GP018", ("Principal",), message)
