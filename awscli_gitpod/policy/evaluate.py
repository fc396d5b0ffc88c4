"""Decide, as IAM does, whether a trust policy lets a web identity token assume the role.

`evaluate(policy, claims)` reproduces AssumeRoleWithWebIdentity: the checks STS makes before reading the
policy (a provider for `iss`, the audience, expiry: each only when the caller supplies what it needs), then
every statement: `Principal.Federated` against the token's provider, `Action` against the requested actions,
every condition against the keys IAM derives from the token (`<provider>:aud`, `:sub`, `:amr`, `:azp`).
An explicit Deny beats an Allow, which beats the implicit deny.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from awscli_gitpod.policy import decision as d
from awscli_gitpod.policy.conditions import evaluate_key, parse_operator, policy_values
from awscli_gitpod.policy.document import PROVIDER_CLAIMS, action_matches, as_list, statements
from awscli_gitpod.policy.fixes import smallest_fix
from awscli_gitpod.policy.prechecks import sts_checks
from awscli_gitpod.policy.request import Request

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
    if "Action" in statement:
        patterns = [str(item) for item in as_list(statement["Action"])]
        covered = tuple(a for a in request.actions if any(action_matches(p, a) for p in patterns))
        return covered, f"Action {_short(patterns)} covers {', '.join(covered) or 'none of the requested'}"
    if "NotAction" in statement:
        patterns = [str(item) for item in as_list(statement["NotAction"])]
        covered = tuple(a for a in request.actions if not any(action_matches(p, a) for p in patterns))
        return covered, f"NotAction {_short(patterns)} leaves {', '.join(covered) or 'none of the requested'}"
    return (), "the statement has no Action"


def _conditions(statement: dict[str, Any], request: Request) -> tuple[d.ConditionResult, ...]:
    block = statement.get("Condition", {})
    if not isinstance(block, dict):
        return (d.ConditionResult("?", "?", (), None, False, "Condition is not an object (malformed)"),)
    results = []
    for written, keys in block.items():
        operator = parse_operator(str(written))
        if operator is None or not isinstance(keys, dict):
            why = "unknown condition operator" if operator is None else "its keys are not an object"
            results.append(d.ConditionResult(str(written), "?", (), None, False, f"{why}: IAM rejects this"))
            continue
        for key, raw in keys.items():
            values = policy_values(raw)
            present = request.values(str(key))
            if values is None:
                results.append(
                    d.ConditionResult(written, key, (), present, False, "the values are not strings")
                )
                continue
            matched = evaluate_key(operator, values, present)
            reason = _explain(operator.written, str(key), values, present, matched, request)
            results.append(d.ConditionResult(written, key, tuple(values), present, matched, reason))
    return tuple(results)


def _explain(
    operator: str,
    key: str,
    values: list[str],
    present: tuple[str, ...] | None,
    matched: bool,
    request: Request,
) -> str:
    verdict = "true" if matched else "false"
    if present is None:
        prefix, _, claim = key.rpartition(":")
        if prefix.lower() != request.provider.lower():
            why = f"IAM sets no key `{key}`: its prefix is not the token's provider `{request.provider}`"
        elif claim.lower() not in PROVIDER_CLAIMS:
            why = f"IAM sets no key `{key}`: only aud, sub, amr and azp reach a trust policy"
        else:
            why = f"the token has no `{claim}` claim"
        return f"{why}; {operator} on a missing key is {verdict}"
    claim = key.rpartition(":")[2]
    return f"{claim} is {_short(list(present))}; {operator} {_short(values)} is {verdict}"


def _short(value: Any) -> str:
    items = as_list(value)
    text = ", ".join(str(item) for item in items) if all(isinstance(i, str) for i in items) else str(value)
    return f"[{text}]" if len(items) != 1 else text


def evaluate_statement(index: int, statement: dict[str, Any], request: Request) -> d.StatementResult:
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
        conditions=_conditions(statement, request),
    )


# --- the decision ------------------------------------------------------------------------------------


def evaluate(
    policy: Any,
    claims: Mapping[str, Any],
    *,
    provider_arn: str | None = None,
    known_providers: Mapping[str, Sequence[str]] | None = None,
    now: float | None = None,
) -> d.Decision:
    """Would STS let a token with `claims` assume a role with this trust `policy`?

    `provider_arn`: the IAM OIDC provider STS matched `iss` to (its account then counts); without it any
    account's provider for `iss` matches. `known_providers`: provider ARN or issuer URL -> client IDs (an
    empty list skips the audience check); when given, an `iss` without a provider is rejected as STS does.
    `now`: check `exp` (with STS's 5 minutes of skew) against this time.
    """
    claims = claims if isinstance(claims, Mapping) else {}
    request = Request(claims, provider_arn)
    checks = sts_checks(claims, request, known_providers, now)
    results = tuple(evaluate_statement(index, item, request) for index, item in statements(policy))
    failed = [check for check in checks if not check.ok]
    if failed:
        outcome, reason = d.REJECTED, f"STS rejects the token before the policy: {failed[0].detail}"
    else:
        outcome, reason = _outcome(results, request.actions)
    allowed = outcome == d.ALLOWED
    decision = d.Decision(allowed, outcome, reason, request.actions, checks, results, None)
    if allowed:
        return decision
    return d.Decision(
        allowed, outcome, reason, request.actions, checks, results, smallest_fix(decision, policy, request)
    )


def _outcome(results: tuple[d.StatementResult, ...], actions: tuple[str, ...]) -> tuple[str, str]:
    for action in actions:
        denying = [r for r in results if r.effect == "Deny" and r.applies_to(action)]
        if denying:
            return d.EXPLICIT_DENY, f"{denying[0].label} denies {action} explicitly"
    for action in actions:
        if not any(r.effect == "Allow" and r.applies_to(action) for r in results):
            return d.IMPLICIT_DENY, f"no Allow statement applies to {action}"
    allowing = next(r for r in results if r.effect == "Allow" and r.applies_to(actions[0]))
    return d.ALLOWED, f"{allowing.label} allows {', '.join(actions)}"
