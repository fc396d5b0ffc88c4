"""What `evaluate` found: the decision, each pre-check, each statement and condition, and why; and how it
reads to a person (`explain`), down to what failed in the statement that came closest (for `doctor`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from awscli_gitpod.claims import describe
from awscli_gitpod.policy.truth import Truth, all3

ALLOWED = "Allowed"
EXPLICIT_DENY = "ExplicitDeny"  # a Deny statement applies: nothing else matters
IMPLICIT_DENY = "ImplicitDeny"  # no Allow statement applies
REJECTED = "RejectedBeforePolicy"  # STS refused the token before reading the policy
INVALID = "InvalidPolicy"  # IAM refuses to store this document as a trust policy
UNCERTAIN = "Uncertain"  # the answer turns on something the IAM docs do not settle (or not known here)


@dataclass(frozen=True)
class Check:
    """A check STS makes before the trust policy: issuer has a provider, audience, expiry."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ConditionResult:
    operator: str  # as written
    key: str  # as written
    values: tuple[str, ...]  # the policy's values
    request: tuple[str, ...] | None  # the request's values for the key; None when it has none (or unknown)
    matched: bool  # False also when uncertain: see `certain`
    reason: str
    certain: bool = True  # False: the IAM docs do not settle this condition (the reason says why)
    unknown: bool = False  # uncertain only because a key's value is not known here (see evaluate's context)

    @property
    def truth(self) -> Truth:
        return self.matched if self.certain else None


@dataclass(frozen=True)
class StatementResult:
    index: int
    sid: str | None
    effect: str
    principal_matched: bool
    principal_reason: str
    actions: tuple[str, ...]  # the requested actions this statement covers
    action_reason: str
    conditions: tuple[ConditionResult, ...]

    @property
    def conditions_matched(self) -> bool:
        return all(condition.matched for condition in self.conditions)

    def applies_to(self, action: str) -> bool:
        return self.principal_matched and action in self.actions and self.conditions_matched

    def applies3(self, action: str) -> Truth:
        """Like `applies_to`, None when an uncertain condition decides it."""
        if not (self.principal_matched and action in self.actions):
            return False
        return all3(condition.truth for condition in self.conditions)

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Decision:
    """The answer of `evaluate`: `allowed` only when IAM certainly allows; `outcome` says which answer it is,
    `reason` why in one line, `explanation` all of it as `policy check` prints it."""

    allowed: bool  # True only when IAM certainly allows
    outcome: str  # ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, REJECTED, INVALID or UNCERTAIN
    reason: str  # one line
    actions: tuple[str, ...]  # what STS asks the policy for: AssumeRoleWithWebIdentity, maybe TagSession...
    checks: tuple[Check, ...]
    statements: tuple[StatementResult, ...]
    smallest_fix: str | None  # the least change to the policy (or token) that would allow; None if allowed
    problems: tuple[str, ...] = ()  # why IAM refuses the policy (outcome INVALID)
    uncertain: tuple[str, ...] = ()  # what the IAM docs leave open in this decision

    @property
    def certain(self) -> bool:
        return self.outcome != UNCERTAIN

    @property
    def explanation(self) -> str:
        """The decision as `policy check` prints it: the verdict, the checks, each statement and condition."""
        return "\n".join(explain(self))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for `policy check --json` and for other tools."""
        result = asdict(self)
        result["certain"] = self.certain
        for statement, data in zip(self.statements, result["statements"]):
            data["applies"] = {action: statement.applies3(action) for action in self.actions}
        return result


# --- how a decision reads ---------------------------------------------------------------------------


def _mark(truth: bool | None) -> str:
    return "ok  " if truth else "FAIL" if truth is False else "??  "


def _verdict(decision: Decision) -> str:
    if decision.allowed:
        return "Allowed"
    if decision.outcome == UNCERTAIN:
        return "Uncertain"
    if decision.outcome == INVALID:
        return "Refused"
    return "Denied"


def explain(decision: Decision, claims: Mapping[str, Any] | None = None, title: str = "") -> list[str]:
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
