"""A `Decision` as lines a person reads: the verdict, the pre-checks, each statement and condition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awscli_gitpod.claims import describe
from awscli_gitpod.policy import decision as d


def _mark(truth: bool | None) -> str:
    return "ok  " if truth else "FAIL" if truth is False else "??  "


def _verdict(decision: d.Decision) -> str:
    if decision.allowed:
        return "Allowed"
    if decision.outcome == d.UNCERTAIN:
        return "Uncertain"
    if decision.outcome == d.INVALID:
        return "Refused"
    return "Denied"


def explain(decision: d.Decision, claims: Mapping[str, Any] | None = None, title: str = "") -> list[str]:
    lines = [f"{title}{_verdict(decision)} ({decision.outcome}): {decision.reason}"]
    if claims is not None:
        lines.append(f"token: {describe(dict(claims))}")
    if len(decision.problems) > 1:
        lines.append("IAM refuses the policy:")
        lines += [f"  FAIL {problem}" for problem in decision.problems]
    if decision.checks:
        lines.append("before the policy (STS):")
        lines += [f"  {_mark(check.ok)} {check.name}: {check.detail}" for check in decision.checks]
    for statement in decision.statements:
        applies = [action for action in decision.actions if statement.applies_to(action)]
        maybe = [action for action in decision.actions if statement.applies3(action) is None]
        state = f"applies to {', '.join(applies)}" if applies else "does not apply"
        if maybe:
            state = f"may apply to {', '.join(maybe)} (uncertain)"
        lines.append(f"{statement.label}, {statement.effect}: {state}")
        lines.append(f"  {_mark(statement.principal_matched)} {statement.principal_reason}")
        lines.append(f"  {_mark(bool(statement.actions))} {statement.action_reason}")
        for condition in statement.conditions:
            lines.append(
                f"  {_mark(condition.truth)} {condition.operator} {condition.key}: {condition.reason}"
            )
    if decision.uncertain:
        lines.append("uncertain (the IAM docs do not settle it, or a value is not known here):")
        lines += [f"  ??   {why}" for why in decision.uncertain]
    if decision.smallest_fix:
        lines.append(f"smallest fix: {decision.smallest_fix}")
    return lines
