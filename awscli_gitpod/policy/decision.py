"""What `evaluate` found: the decision, each pre-check, each statement and condition, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ALLOWED = "Allowed"
EXPLICIT_DENY = "ExplicitDeny"  # a Deny statement applies: nothing else matters
IMPLICIT_DENY = "ImplicitDeny"  # no Allow statement applies
REJECTED = "RejectedBeforePolicy"  # STS refused the token before reading the policy


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
    request: tuple[str, ...] | None  # the request's values for the key; None when it has none
    matched: bool
    reason: str


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

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    outcome: str  # ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY or REJECTED
    reason: str  # one line
    actions: tuple[str, ...]  # what STS asks the policy for: AssumeRoleWithWebIdentity, maybe TagSession...
    checks: tuple[Check, ...]
    statements: tuple[StatementResult, ...]
    smallest_fix: str | None  # the least change to the policy (or token) that would allow; None if allowed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for `policy check --json` and for other tools."""
        result = asdict(self)
        for statement, data in zip(self.statements, result["statements"]):
            data["applies"] = {action: statement.applies_to(action) for action in self.actions}
        return result
