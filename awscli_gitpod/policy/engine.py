"""Decide, as IAM does, whether a trust policy lets a web identity token assume the role.

`evaluate(policy, claims)` reproduces AssumeRoleWithWebIdentity: first whether IAM would store the policy at
all (`validate`), then the checks STS makes before reading it (a provider for `iss`, the audience, expiry:
each only when the caller supplies what it needs), then every statement: `Principal.Federated` against the
token's provider, `Action` against the requested actions, every condition against the request context
(`context`: the provider's keys from the token and the global keys), with policy variables substituted under
`"Version": "2012-10-17"`. An explicit Deny beats an Allow, which beats the implicit deny. Where the IAM docs
leave a condition open, the answer says so (`Uncertain`) instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from awscli_gitpod.policy import decision as d
from awscli_gitpod.policy.conditions import KeyResult, evaluate_key, parse_operator, policy_values
from awscli_gitpod.policy.context import ContextValue, Override
from awscli_gitpod.policy.document import PROVIDER_CLAIMS, action_matches, as_list, statements
from awscli_gitpod.policy.fixes import smallest_fix
from awscli_gitpod.policy.prechecks import sts_checks
from awscli_gitpod.policy.request import Request
from awscli_gitpod.policy.truth import any3
from awscli_gitpod.policy.validate import problems
from awscli_gitpod.policy.variables import VARIABLES_VERSION, literal, resolve

__all__ = ["Request", "evaluate", "evaluate_statement"]

# --- statements --------------------------------------------------------------------------------------


def _principal(statement: dict[str, Any], request: Request) -> tuple[bool, str]:
    expected = request.provider_arn or f"arn:aws:iam::<account>:oidc-provider/{request.provider}"
    for element, inverted in (("Principal", False), ("NotPrincipal", True)):
        if element not in statement:
            continue
        named = _names_token(statement[element], request)
        if inverted:
            text = "excludes" if named else "does not exclude"
            return not named, f"NotPrincipal {text} the token's provider {expected}"
        if named:
            return True, f"Principal admits the token's provider {expected}"
        return False, f"Principal {_short(statement[element])} is not the token's provider {expected}"
    return False, "the statement has no Principal (IAM rejects such a trust policy)"


def _names_token(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if "*" in as_list(principal.get("AWS")):
        return True  # IAM treats {"AWS": "*"} like "*": everyone, federated users included
    return any(item == "*" or request.is_provider(str(item)) for item in as_list(principal.get("Federated")))


def _actions(statement: dict[str, Any], request: Request) -> tuple[tuple[str, ...], str]:
    for element, inverted in (("Action", False), ("NotAction", True)):
        if element not in statement:
            continue
        patterns = [str(item) for item in as_list(statement[element])]
        covered = tuple(
            action
            for action in request.actions
            if any(action_matches(pattern, action) for pattern in patterns) != inverted
        )
        verb = "leaves" if inverted else "covers"
        return covered, f"{element} {_short(patterns)} {verb} {', '.join(covered) or 'none of the requested'}"
    return (), "the statement has no Action"


def _conditions(
    statement: dict[str, Any], request: Request, variables: bool
) -> tuple[d.ConditionResult, ...]:
    block = statement.get("Condition", {})
    if not isinstance(block, dict):
        return (d.ConditionResult("?", "?", (), None, False, "Condition is not an object (malformed)"),)
    resolver = partial(resolve, lookup=request.lookup) if variables else literal
    results = []
    for written, keys in block.items():
        operator = parse_operator(str(written))
        if operator is None or not isinstance(keys, dict):
            why = "unknown condition operator" if operator is None else "its keys are not an object"
            results.append(d.ConditionResult(str(written), "?", (), None, False, f"{why}: IAM rejects this"))
            continue
        for key, raw in keys.items():
            values = policy_values(raw)
            found = request.lookup(str(key))
            present = found.values if found is not None and found.known else None
            if values is None:
                why = "the values are not strings (IAM rejects this)"
                results.append(d.ConditionResult(written, key, (), present, False, why))
                continue
            result = evaluate_key(operator, values, found, resolver)
            reason = _explain(operator.written, str(key), values, found, result, request)
            results.append(
                d.ConditionResult(
                    written,
                    key,
                    tuple(values),
                    present,
                    result.truth is True,
                    reason,
                    result.truth is not None,
                    result.unknown,
                )
            )
    return tuple(results)


def _absent(key: str, request: Request) -> str:
    prefix, _, claim = key.rpartition(":")
    if prefix.lower() == request.provider.lower():
        if claim.lower() not in PROVIDER_CLAIMS:
            return f"IAM sets no key `{key}`: only aud, sub, amr and azp reach a trust policy"
        return f"the token has no `{claim}` claim"
    if prefix.lower() in ("aws", "sts"):
        return f"IAM sets no key `{key}` in an AssumeRoleWithWebIdentity request"
    return f"IAM sets no key `{key}`: its prefix is not the token's provider `{request.provider}`"


def _explain(
    operator: str,
    key: str,
    values: list[str],
    found: ContextValue | None,
    result: KeyResult,
    request: Request,
) -> str:
    verdict = "true" if result.truth else "false" if result.truth is False else "uncertain"
    name = key.rpartition(":")[2]
    if found is None or found.present is False or (found.known and not found.values):
        return f"{_absent(key, request)}; {operator} on a missing key is {verdict}"
    shown = _short(list(found.values)) if found.values is not None else f"not known ({found.source})"
    text = f"{name} is {shown}; {operator} {_short(values)} is {verdict}"
    return f"{text}: {result.uncertain}" if result.truth is None and result.uncertain else text


def _short(value: Any) -> str:
    items = as_list(value)
    text = ", ".join(str(item) for item in items) if all(isinstance(i, str) for i in items) else str(value)
    return f"[{text}]" if len(items) != 1 else text


def evaluate_statement(
    index: int, statement: dict[str, Any], request: Request, variables: bool = False
) -> d.StatementResult:
    principal_ok, principal_reason = _principal(statement, request)
    actions, action_reason = _actions(statement, request)
    sid = statement.get("Sid")
    return d.StatementResult(
        index=index,
        sid=sid if isinstance(sid, str) else None,
        effect=str(statement.get("Effect")),
        principal_matched=principal_ok,
        principal_reason=principal_reason,
        actions=actions,
        action_reason=action_reason,
        conditions=_conditions(statement, request, variables),
    )


# --- the decision ------------------------------------------------------------------------------------


def evaluate(
    policy: Any,
    claims: Mapping[str, Any],
    *,
    provider_arn: str | None = None,
    known_providers: Mapping[str, Sequence[str]] | None = None,
    now: float | None = None,
    context: Mapping[str, Override] | None = None,
) -> d.Decision:
    """Would STS let a token with `claims` assume a role with this trust `policy`?

    `provider_arn`: the IAM OIDC provider STS matched `iss` to (its account then counts); without it any
    account's provider for `iss` matches. `known_providers`: provider ARN or issuer URL -> client IDs (an
    empty list skips the audience check); when given, an `iss` without a provider is rejected as STS does.
    `now`: check `exp` (with STS's 5 minutes of skew) against this time, which is also aws:CurrentTime
    (default: the current time, expiry unchecked). `context`: values of request-context keys only the
    caller knows (`{"aws:SourceIp": "203.0.113.7", "sts:RoleSessionName": "ws-1"}`; None removes a key).
    """
    claims = claims if isinstance(claims, Mapping) else {}
    request = Request(claims, provider_arn, now, context)
    refused = problems(policy)
    checks = sts_checks(claims, request, known_providers, now)
    variables = isinstance(policy, dict) and policy.get("Version") == VARIABLES_VERSION
    results = tuple(evaluate_statement(index, item, request, variables) for index, item in statements(policy))
    failed = [check for check in checks if not check.ok]
    uncertain: tuple[str, ...] = ()
    if refused:
        outcome, reason = d.INVALID, f"IAM rejects this policy: {refused[0].text}"
    elif failed:
        outcome, reason = d.REJECTED, f"STS rejects the token before the policy: {failed[0].detail}"
    else:
        outcome, reason = _outcome(results, request.actions)
        if outcome == d.UNCERTAIN:
            uncertain = _doubts(results, request.actions)
    allowed = outcome == d.ALLOWED
    texts = tuple(problem.text for problem in refused)
    decision = d.Decision(allowed, outcome, reason, request.actions, checks, results, None, texts, uncertain)
    if allowed:
        return decision
    fix = smallest_fix(decision, policy, request, refused)
    return d.Decision(allowed, outcome, reason, request.actions, checks, results, fix, texts, uncertain)


def _outcome(results: tuple[d.StatementResult, ...], actions: tuple[str, ...]) -> tuple[str, str]:
    for action in actions:
        denying = [r for r in results if r.effect == "Deny" and r.applies3(action) is True]
        if denying:
            return d.EXPLICIT_DENY, f"{denying[0].label} denies {action} explicitly"
    for action in actions:
        if any3(r.applies3(action) for r in results if r.effect == "Allow") is False:
            return d.IMPLICIT_DENY, f"no Allow statement applies to {action}"
    for action in actions:
        allows = any3(r.applies3(action) for r in results if r.effect == "Allow")
        doubtful = [r for r in results if r.effect == "Deny" and r.applies3(action) is None]
        if allows is None or doubtful:
            statement = doubtful[0] if doubtful else next(r for r in results if r.applies3(action) is None)
            condition = next(c for c in statement.conditions if not c.certain)
            return d.UNCERTAIN, (
                f"uncertain: whether {statement.label} ({statement.effect}) applies to {action} turns on "
                f"{condition.operator} {condition.key}, which "
                + ("depends on a value not known here" if condition.unknown else "the IAM docs do not settle")
            )
    allowing = next(r for r in results if r.effect == "Allow" and r.applies_to(actions[0]))
    return d.ALLOWED, f"{allowing.label} allows {', '.join(actions)}"


def _doubts(results: tuple[d.StatementResult, ...], actions: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        f"{statement.label}: {condition.operator} {condition.key}: {condition.reason}"
        for statement in results
        if any(statement.applies3(action) is None for action in actions)
        for condition in statement.conditions
        if not condition.certain
    )
