"""A `Decision` as lines a person reads: the verdict, the pre-checks, each statement and condition; and
what failed in the statement that came closest to allowing (for `doctor`)."""

from __future__ import annotations

from typing import Any

from awscli_gitpod.claims import describe
from awscli_gitpod.policy.decision import IMPLICIT_DENY, Decision, StatementResult


def _mark(ok: bool) -> str:
    return "ok  " if ok else "FAIL"


def explain(decision: Decision, claims: dict[str, Any], title: str = "") -> list[str]:
    verdict = "Allowed" if decision.allowed else "Denied"
    lines = [f"{title}{verdict} ({decision.outcome}): {decision.reason}", f"token: {describe(claims)}"]
    if decision.checks:
        lines.append("before the policy (STS):")
        lines += [f"  {_mark(check.ok)} {check.name}: {check.detail}" for check in decision.checks]
    for statement in decision.statements:
        applies = [action for action in decision.actions if statement.applies_to(action)]
        state = f"applies to {', '.join(applies)}" if applies else "does not apply"
        lines.append(f"{statement.label}, {statement.effect}: {state}")
        lines.append(f"  {_mark(statement.principal_matched)} {statement.principal_reason}")
        lines.append(f"  {_mark(bool(statement.actions))} {statement.action_reason}")
        for condition in statement.conditions:
            lines.append(
                f"  {_mark(condition.matched)} {condition.operator} {condition.key}: {condition.reason}"
            )
    if decision.smallest_fix:
        lines.append(f"smallest fix: {decision.smallest_fix}")
    return lines


def closest_failures(decision: Decision) -> list[str]:
    """What failed in the Allow statement that came closest: its principal, and each failing condition."""
    allows = [statement for statement in decision.statements if statement.effect == "Allow"]
    if not allows or decision.outcome != IMPLICIT_DENY:
        return []

    def distance(statement: StatementResult) -> int:
        failing = [condition for condition in statement.conditions if not condition.matched]
        return (0 if statement.principal_matched else 1) + len(failing)

    closest = min(allows, key=distance)
    parts = [] if closest.principal_matched else [closest.principal_reason]
    parts += [f"{c.operator} {c.key}: {c.reason}" for c in closest.conditions if not c.matched]
    return parts
