"""The smallest change that would turn a denial into an allow, in one line a user can act on.

AWS says only "Not authorized to perform sts:AssumeRoleWithWebIdentity"; this names the statement that
came closest and, for each thing that failed in it, what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from awscli_gitpod.policy import decision as d
from awscli_gitpod.policy.conditions import parse_operator
from awscli_gitpod.policy.document import (
    PROVIDER_CLAIMS,
    federated,
    is_wildcard,
    like,
    provider_path,
    split_key,
    statements,
)
from awscli_gitpod.policy.request import Request
from awscli_gitpod.policy.subjects import child_of, is_legacy_issuer

if TYPE_CHECKING:
    from awscli_gitpod.policy.validate import Problem

# What to do about the refusals people meet most, by the element at fault.
_REFUSAL_FIXES = {
    "NotPrincipal": 'replace NotPrincipal with a Principal that names the provider: {{"Federated": "{arn}"}}',
    "Principal": 'name the provider as Principal: {{"Federated": "{arn}"}}',
    "Action": 'name STS actions, wildcards only after the colon: "Action": "sts:AssumeRoleWithWebIdentity"',
    "Effect": "write Effect exactly Allow or Deny",
}


def smallest_fix(
    decision: d.Decision, policy: Any, request: Request, refused: Sequence[Problem] = ()
) -> str | None:
    if refused:
        return _refusal_fix(refused[0], policy, request)
    failed = [check for check in decision.checks if not check.ok]
    if failed:
        return _check_fix(failed[0], request)
    if decision.outcome == d.EXPLICIT_DENY:
        deny = next(s for s in decision.statements if s.effect == "Deny" and s.conditions_matched)
        return f"{deny.label} is a Deny that matches this token: narrow its conditions or remove it"
    if decision.outcome == d.UNCERTAIN:
        return _uncertain_fix(decision)
    raw = dict(statements(policy))
    allows = [s for s in decision.statements if s.effect == "Allow"]
    if not allows:
        return (
            f"add an Allow statement for Principal.Federated {_provider_arn(policy, request)} and Action "
            f"{decision.actions[0]} (`aws-gitpod policy generate` writes one)"
        )
    closest = min(allows, key=lambda s: _distance(s, decision.actions))
    fixes = []
    if not closest.principal_matched:
        fixes.append(_principal_fix(raw.get(closest.index, {}), policy, request))
    missing = [action for action in decision.actions if action not in closest.actions]
    if missing:
        fixes.append(f"add {', '.join(missing)} to the Action of {closest.label}")
    fixes += [_condition_fix(c, request) for c in closest.conditions if not c.matched and c.certain]
    fixes += [_doubt_fix(c) for c in closest.conditions if not c.certain]
    return f"in {closest.label}: " + "; ".join(fixes)


def _refusal_fix(problem: Problem, policy: Any, request: Request) -> str:
    element = next((str(part) for part in reversed(problem.path) if part in _REFUSAL_FIXES), None)
    if element is None and problem.message.startswith("Missing required field Principal"):
        element = "Principal"
    named = problem.path[-1] if problem.path else None
    if element is None or (element == "Principal" and named not in ("Principal", "Federated")):
        return f"make IAM accept the policy: {problem.text}"  # e.g. an AWS principal with a wildcard inside
    return _REFUSAL_FIXES[element].format(arn=_provider_arn(policy, request))


def _doubt_fix(condition: d.ConditionResult) -> str:
    if condition.unknown:
        return (
            f"{condition.key} has a value only the caller knows: give it (Python API: "
            f"evaluate(..., context={{{condition.key!r}: ...}})), or drop the condition"
        )
    return (
        f"{condition.operator} {condition.key} is not settled by the IAM docs: use an operator and value "
        "they define for the key (a String operator for web-identity keys)"
    )


def _uncertain_fix(decision: d.Decision) -> str:
    for statement in decision.statements:
        doubtful = [c for c in statement.conditions if not c.certain]
        if doubtful and any(statement.applies3(action) is None for action in decision.actions):
            return f"in {statement.label}: " + "; ".join(_doubt_fix(c) for c in doubtful)
    return "rewrite the conditions the IAM docs do not settle"


def _distance(statement: d.StatementResult, actions: tuple[str, ...]) -> int:
    missing = len([action for action in actions if action not in statement.actions])
    failing = len([condition for condition in statement.conditions if not condition.matched])
    return (0 if statement.principal_matched else 1) + missing + failing


def _check_fix(check: d.Check, request: Request) -> str:
    if check.name == "provider":
        return (
            f"create an IAM OIDC provider for {request.issuer} with client ID sts.amazonaws.com (aws iam "
            f"create-open-id-connect-provider --url {request.issuer} --client-id-list sts.amazonaws.com)"
        )
    if check.name == "audience":
        return (
            "mint the token for an audience the provider lists (`--audience sts.amazonaws.com`), or "
            "add the token's audience to the provider (aws iam add-client-id-to-open-id-connect-provider)"
        )
    if check.name == "expiry":
        return "mint a fresh token: workspace tokens live one hour"
    return "use a workspace token: this one has no `iss`"


def _provider_arn(policy: Any, request: Request) -> str:
    if request.provider_arn:
        return request.provider_arn
    for _, statement in statements(policy):
        for arn in federated(statement):
            if provider_path(arn) is not None:
                return arn.split(":oidc-provider/", 1)[0] + f":oidc-provider/{request.provider}"
    return f"arn:aws:iam::<account>:oidc-provider/{request.provider}"


def _principal_fix(statement: dict[str, Any], policy: Any, request: Request) -> str:
    wanted = _provider_arn(policy, request)
    trusted = [path for path in (provider_path(arn) for arn in federated(statement)) if path]
    legacy = [path for path in trusted if is_legacy_issuer(path)]
    if legacy and request.provider == "services." + legacy[0][len("api.") :]:
        return (
            f"the policy trusts the issuer Gitpod used before September 2023 ({legacy[0]}); tokens now "
            f"come from {request.provider}: set Principal.Federated to {wanted} and rename the condition keys"
        )
    return f"set Principal.Federated to {wanted} (the token's iss is {request.issuer})"


def _condition_fix(condition: d.ConditionResult, request: Request) -> str:
    prefix, claim = split_key(condition.key)
    operator = parse_operator(condition.operator)
    if operator is None:
        return f"{condition.operator} is not an IAM condition operator: {condition.reason}"
    if condition.request is None:
        if prefix.split(":")[0].lower() in ("aws", "sts"):
            return (
                f"drop the condition on {condition.key}: IAM sets no such key in this request (it is for "
                "signed calls, or the token carries no session tags or source identity)"
            )
        if prefix.lower() != request.provider.lower():
            return f"rename the condition key {condition.key} to {request.provider}:{claim}"
        if claim not in PROVIDER_CLAIMS:
            return (
                f"drop the condition on {condition.key}: IAM never passes `{claim}` from the token "
                "(only aud, sub, amr and azp)"
            )
        return f"the token has no `{claim}` claim, which {condition.operator} requires"
    values = "[" + ", ".join(condition.values) + "]"
    present = ", ".join(condition.request)
    if operator.negated:
        return f"{condition.key} is {present}, which {condition.operator} {values} excludes"
    if operator.set_operator == "ForAllValues":
        return f"ForAllValues needs every {claim} value to match {values}; the token has {present}"
    if claim == "sub":
        return _sub_fix(condition.request[0], list(condition.values), operator.positive, condition.operator)
    if claim == "aud":
        wanted = next((value for value in condition.values if not is_wildcard(value)), "sts.amazonaws.com")
        return f"the token's aud is {present}, the policy wants {values}: mint it with --audience {wanted}"
    return f"{condition.key} is {present}, which {condition.operator} {values} does not match"


def _sub_fix(sub: str, values: list[str], positive: str, written: str) -> str:
    if positive != "StringEqualsIgnoreCase" and any(value.casefold() == sub.casefold() for value in values):
        return f"sub {sub} differs from the policy's value only in letter case, and {written} compares case"
    if positive == "StringEquals":
        literal = [value for value in values if is_wildcard(value) and like(value, sub)]
        if literal:
            return (
                f"{literal[0]} holds a wildcard, which {written} compares literally: move it under StringLike"
            )
    child = child_of(sub)
    if child is not None and any(like(value, child.repo) for value in values):
        move = (
            "" if positive == "StringLike" else " (move the sub values there: two operators must both hold)"
        )
        return (
            f"sub is a {child.kind} URL {sub} while the policy pins {child.repo}: add {child.pattern} "
            f"with StringLike{move}"
        )
    listed = ", ".join(values)
    return f"sub is {sub}, which none of [{listed}] matches under {written}: add it, or a pattern no wider"
