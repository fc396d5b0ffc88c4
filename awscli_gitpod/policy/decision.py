"""What `evaluate` found: the decision, each pre-check, each statement and condition, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

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
        from awscli_gitpod.policy.explain import explain

        return "\n".join(explain(self))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for `policy check --json` and for other tools."""
        result = asdict(self)
        result["certain"] = self.certain
        for statement, data in zip(self.statements, result["statements"]):
            data["applies"] = {action: statement.applies3(action) for action in self.actions}
        return result
