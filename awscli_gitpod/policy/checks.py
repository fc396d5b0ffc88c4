"""The checks of one trust-policy statement; each yields `Hit`s for a rule of `rules.RULES`.

Only Allow statements that let a federated (or any) principal call AssumeRoleWithWebIdentity are judged:
a Deny only narrows, and statements for services or accounts are another tool's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from awscli_gitpod.policy.document import (
    ASSUME_ACTION,
    DEFAULT_AUDIENCE,
    PROVIDER_CLAIMS,
    SOURCE_IDENTITY_ACTION,
    TAG_ACTION,
    action_matches,
    as_list,
    federated,
    is_wildcard,
    provider_path,
)
from awscli_gitpod.policy.rules import Condition, Hit, conditions
from awscli_gitpod.policy.subjects import MULTI_TENANT, is_legacy_issuer, kind_of, scope_of

ANY_WORKSPACE = "https://github.com/attacker/attacker-repo"
ANY_ONA_ENVIRONMENT = "org:attacker-org/env:1"


def _is_web_identity(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    if "NotPrincipal" in statement or principal == "*":
        opened = True
    elif isinstance(principal, dict):
        names = [str(name) for name in as_list(principal.get("Federated"))]
        opened = "*" in as_list(principal.get("AWS")) or any(
            name == "*" or provider_path(name) is not None or "${" in name for name in names
        )
    else:
        opened = False
    if "Action" in statement:
        return opened and any(action_matches(str(p), ASSUME_ACTION) for p in as_list(statement["Action"]))
    return opened and "NotAction" in statement


def _shape(statement: dict[str, Any]) -> Iterator[Hit]:
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        yield Hit("GP016", ("Effect",), f"Effect must be Allow or Deny, not {effect!r}")
    if "Condition" in statement and not isinstance(statement["Condition"], dict):
        yield Hit("GP016", ("Condition",), "Condition must be an object of operators")
    unknown = set()
    for condition in conditions(statement):
        if condition.operator is None:
            if condition.written not in unknown:
                unknown.add(condition.written)
                yield Hit(
                    "GP016", condition.path[:2], f"{condition.written} is not an IAM condition operator"
                )
        elif condition.values is None:
            yield Hit("GP016", condition.path, f"the values of {condition.key} are not strings")


def check_statement(statement: dict[str, Any]) -> Iterator[Hit]:
    """Every finding for one statement of a trust policy."""
    yield from _shape(statement)
    if statement.get("Effect") != "Allow" or not _is_web_identity(statement):
        return
    providers = [path for path in (provider_path(arn) for arn in federated(statement)) if path]
    known = bool(providers) and all("${" not in path for path in providers)
    yield from _principal(statement)
    yield from _action(statement)
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


def _principal(statement: dict[str, Any]) -> Iterator[Hit]:
    principal = statement.get("Principal")
    if "NotPrincipal" in statement:
        yield Hit("GP012", ("NotPrincipal",), "NotPrincipal in an Allow trusts everyone it does not list")
    elif principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))):
        yield Hit("GP012", ("Principal",), "Principal * lets any principal assume the role")
    elif "*" in federated(statement):
        yield Hit("GP012", ("Principal",), "Federated * trusts every identity provider")


def _action(statement: dict[str, Any]) -> Iterator[Hit]:
    if "NotAction" in statement:
        yield Hit("GP011", ("NotAction",), "NotAction in an Allow allows every action it does not list")
    for pattern in (str(item) for item in as_list(statement.get("Action"))):
        if is_wildcard(pattern) and any(
            action_matches(pattern, a) for a in ("sts:AssumeRole", "iam:PassRole")
        ):
            yield Hit("GP011", ("Action",), f"{pattern} allows more than {ASSUME_ACTION}: name the actions")
    actions = [str(item) for item in as_list(statement.get("Action"))]
    if actions and not any(
        action_matches(a, b) for a in actions for b in (TAG_ACTION, SOURCE_IDENTITY_ACTION)
    ):
        message = (
            f"a token with session tags or a source identity also needs {TAG_ACTION}/{SOURCE_IDENTITY_ACTION}"
        )
        yield Hit("GP015", ("Action",), message)


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
