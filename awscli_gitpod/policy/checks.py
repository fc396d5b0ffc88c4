"""The checks of one trust-policy statement; each yields `Hit`s for a rule of `rules.RULES`.

Every Allow statement that lets someone assume the role (sts:AssumeRole, ...WithWebIdentity, ...WithSAML,
by name, wildcard or NotAction) is judged for who it admits (`principal_checks`); those that admit web
identity tokens also for their actions (`action_checks`) and for how far their conditions pin the token
(here). A Deny only narrows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from awscli_gitpod.policy import action_checks, principal_checks
from awscli_gitpod.policy.document import (
    ASSUME_ACTION,
    ASSUME_ACTIONS,
    DEFAULT_AUDIENCE,
    PROVIDER_CLAIMS,
    action_matches,
    as_list,
    federated,
    is_wildcard,
    provider_path,
)
from awscli_gitpod.policy.principal_checks import Facts
from awscli_gitpod.policy.rules import Condition, Hit, conditions
from awscli_gitpod.policy.subjects import MULTI_TENANT, is_legacy_issuer, kind_of, scope_of

ANY_WORKSPACE = "https://github.com/attacker/attacker-repo"
ANY_ONA_ENVIRONMENT = "org:attacker-org/env:1"


def granted(statement: dict[str, Any], actions: tuple[str, ...]) -> set[str]:
    """Which of `actions` the statement's Action (or NotAction) grants."""
    if "Action" in statement:
        patterns = [str(item) for item in as_list(statement["Action"])]
        return {action for action in actions if any(action_matches(p, action) for p in patterns)}
    if "NotAction" in statement:
        patterns = [str(item) for item in as_list(statement["NotAction"])]
        return {action for action in actions if not any(action_matches(p, action) for p in patterns)}
    return set()


def _is_web_identity(statement: dict[str, Any]) -> bool:
    """Whether the principal lets in web identity tokens: an OIDC provider, any provider, or anyone."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    names = [str(name) for name in as_list(principal.get("Federated"))]
    return "*" in as_list(principal.get("AWS")) or any(
        name == "*" or provider_path(name) is not None or "${" in name for name in names
    )


def check_statement(statement: dict[str, Any], facts: Facts | None = None) -> Iterator[Hit]:
    """Every finding for one statement of a trust policy (IAM's refusals are `validate`'s: GP016)."""
    assumes = granted(statement, ASSUME_ACTIONS)
    if statement.get("Effect") != "Allow" or not assumes:
        return
    yield from principal_checks.check(statement, assumes, facts or Facts(None))
    if not _is_web_identity(statement):
        return
    yield from action_checks.check(statement)
    if ASSUME_ACTION not in assumes:
        return
    providers = [path for path in (provider_path(arn) for arn in federated(statement)) if path]
    known = bool(providers) and all("${" not in path for path in providers)
    for provider in providers:
        if is_legacy_issuer(provider):
            current = "services." + provider[len("api.") :]
            message = f"{provider} is Gitpod's issuer before September 2023; tokens now come from {current}"
            yield Hit("GP014", ("Principal",), message)
    usable = [c for c in conditions(statement) if c.operator is not None and c.values is not None]
    for condition in usable:
        yield from _key(condition, providers if known else None)
        yield from _operator(condition)
    if len(usable) == len(list(conditions(statement))):  # else IAM rejects the policy: GP016 says it
        yield from _coverage(statement, usable, providers)


def _key(condition: Condition, providers: list[str] | None) -> Iterator[Hit]:
    verdict = "true (no protection)" if condition.loose else "false (nobody can assume the role)"
    ours = providers is not None and condition.prefix.lower() in [p.lower() for p in providers]
    unresolved = "${" in condition.prefix
    global_key = condition.prefix.split(":")[0].lower() in ("aws", "sts")
    if providers is not None and not ours and not unresolved and not global_key:
        message = (
            f"{condition.key} names none of the trusted providers ({', '.join(providers)}): always {verdict}"
        )
        yield Hit("GP009", condition.path, message)
    elif condition.claim not in PROVIDER_CLAIMS and (ours or unresolved):
        message = f"IAM never passes `{condition.claim}` (only aud, sub, amr, azp): always {verdict}"
        yield Hit("GP017", condition.path, message)


def _operator(condition: Condition) -> Iterator[Hit]:
    operator, values, claim = condition.operator, condition.values or [], condition.claim
    if operator is None:
        return
    if operator.negated:
        attacker = ANY_WORKSPACE if claim == "sub" else None
        message = (
            f"{condition.written} in an Allow holds for every value not listed, and when the key is absent"
        )
        yield Hit("GP008", condition.path, message + ": use a positive operator", attacker)
    if claim in ("sub", "aud") and (operator.set_operator == "ForAllValues" or operator.if_exists):
        message = f"{condition.written} on {claim} holds when the token has no {claim}: use {operator.base}"
        yield Hit("GP007", condition.path, message)
    if operator.positive in ("StringEquals", "StringEqualsIgnoreCase"):
        for index, value in enumerate(values):
            if is_wildcard(value):
                message = (
                    f"{condition.written} compares {value} literally: use StringLike if a pattern was meant"
                )
                yield Hit("GP010", condition.value_path(index), message)
    if operator.negated or not operator.is_string:
        return
    if claim == "sub" and operator.positive == "StringLike":
        yield from _sub_patterns(condition)
    if claim == "aud":
        yield from _audience(condition, operator.positive == "StringLike")


def _sub_patterns(condition: Condition) -> Iterator[Hit]:
    # Values are OR-ed: the loosest decides, so every value is checked, not only the first.
    for index, value in enumerate(condition.values or []):
        path, scope = condition.value_path(index), scope_of(value)
        first = min((i for i in (value.find("*"), value.find("?")) if i >= 0), default=-1)
        if not scope.pins_tenant:
            message = f"sub pattern {value} does not pin one owner or organization"
            yield Hit("GP004", path, message, scope.attacker)
        elif scope.name_prefix and value[first] == "*":
            message = f"sub pattern {value} also matches every name that starts the same way"
            yield Hit("GP005", path, message, scope.attacker)
        elif "?" in value:
            attacker = scope.attacker or value.replace("?", "x").replace("*", "x")
            yield Hit("GP006", path, f"`?` in sub pattern {value} matches any one character", attacker)


def _audience(condition: Condition, like: bool) -> Iterator[Hit]:
    values = condition.values or []
    if any(value == "*" or (like and is_wildcard(value)) for value in values):
        yield Hit("GP003", condition.path, "a wildcard aud admits tokens minted for any audience")
    elif DEFAULT_AUDIENCE not in values:
        message = (
            f"aud {', '.join(values)} lacks {DEFAULT_AUDIENCE}, the audience of workspace tokens for AWS"
        )
        yield Hit("GP003", condition.path, message)


def _coverage(statement: dict[str, Any], usable: list[Condition], providers: list[str]) -> Iterator[Hit]:
    claims = {condition.claim for condition in usable}
    where = ("Condition",) if "Condition" in statement else ()
    if "sub" not in claims:
        ona = any(MULTI_TENANT.get(p) == "ona" for p in providers)
        message = "no condition on sub: any workspace of this issuer, anyone's, may assume the role"
        yield Hit("GP001", where, message, ANY_ONA_ENVIRONMENT if ona else ANY_WORKSPACE)
    if "aud" not in claims:
        yield Hit("GP002", where, f"no condition on aud: pin it to {DEFAULT_AUDIENCE} with StringEquals")
    if any(MULTI_TENANT.get(p) == "classic" for p in providers):
        subs = [c for c in usable if c.claim == "sub" and not c.loose]
        values = [value for c in subs for value in c.values or []]
        if values and all(kind_of(value) == "url" and scope_of(value).pins_tenant for value in values):
            example = next((v for v in values if not is_wildcard(v)), None) or re.sub(
                r"[*?]", "any-public-repo", values[0]
            )
            message = (
                "anyone can open a workspace on a public repository of this installation, and its sub is "
                f"then {example}: if the repository is public, pin the organization (org_id sub format); "
                "if it is private, accept this finding"
            )
            yield Hit("GP013", subs[0].path, message, example)
