"""The trust-policy lint rules: a stable table of IDs and names, and what a check reports.

A rule's ID and name never change meaning; a new check gets a new ID. The checks live in `checks.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.policy.conditions import Operator, parse_operator, policy_values
from awscli_gitpod.policy.document import split_key
from awscli_gitpod.policy.findings import RuleInfo as Rule
from awscli_gitpod.policy.located import Path

ERROR, WARNING, INFO = "error", "warning", "info"

RULES = {
    rule.id: rule
    for rule in (
        Rule("GP000", "unused-acceptance", INFO, "an accepted finding no longer occurs: drop the acceptance"),
        Rule("GP001", "missing-sub", ERROR, "no condition on sub: any workspace of the issuer may assume"),
        Rule("GP002", "missing-aud", WARNING, "no condition on aud"),
        Rule("GP003", "wrong-aud", WARNING, "the aud condition does not pin sts.amazonaws.com"),
        Rule("GP004", "tenant-wildcard", ERROR, "a sub wildcard reaches past the owner or organization"),
        Rule("GP005", "name-prefix-wildcard", WARNING, "a sub wildcard continues a repository/project name"),
        Rule("GP006", "single-char-wildcard", WARNING, "`?` in a sub pattern matches any one character"),
        Rule("GP007", "absent-key-passes", ERROR, "ForAllValues/IfExists on sub or aud is true without it"),
        Rule("GP008", "negated-operator-in-allow", ERROR, "a negated operator in an Allow admits by default"),
        Rule("GP009", "key-provider-mismatch", ERROR, "a condition key's prefix is not the trusted provider"),
        Rule("GP010", "wildcard-in-string-equals", WARNING, "StringEquals compares `*` and `?` literally"),
        Rule("GP011", "broad-action", WARNING, "Action allows more than sts:AssumeRoleWithWebIdentity"),
        Rule(
            "GP012",
            "broad-principal",
            ERROR,
            "anyone (Principal *, AWS *) or any identity provider may assume",
        ),
        Rule(
            "GP013", "multi-tenant-repo-sub", WARNING, "a repository URL sub on an installation anyone uses"
        ),
        Rule("GP014", "legacy-issuer", WARNING, "Gitpod's issuer before September 2023 (api.<domain>/idp)"),
        Rule(
            "GP015",
            "session-tags-hint",
            INFO,
            "sts:TagSession granted through a wildcard, tags unconstrained",
        ),
        Rule("GP016", "malformed-policy", ERROR, "IAM would refuse to store this policy"),
        Rule("GP017", "unknown-condition-key", WARNING, "a claim IAM never passes to a trust policy"),
        Rule(
            "GP018", "cross-account-unscoped", ERROR, "another account may assume without ExternalId or org"
        ),
        Rule(
            "GP019", "public-idp-unscoped", ERROR, "a public identity provider without its aud/app_id pinned"
        ),
    )
}


@dataclass(frozen=True)
class Hit:
    """One finding inside a statement; `path` is relative to the statement."""

    rule: str
    path: Path
    message: str
    attacker: str | None = None


@dataclass(frozen=True)
class Condition:
    """One key under one operator, as written."""

    written: str
    operator: Operator | None  # None: not an IAM operator
    key: str
    prefix: str  # the provider part of the key
    claim: str  # lower case: `sub`, `aud`...
    values: list[str] | None  # None: not strings
    path: Path

    def value_path(self, index: int) -> Path:
        """The path of one value: the list item when there are several, so the line is the value's."""
        values = self.values or []
        return self.path if len(values) == 1 else (*self.path, index)

    @property
    def loose(self) -> bool:
        """True when the key is missing: a negated operator, IfExists or ForAllValues."""
        op = self.operator
        return op is not None and (op.negated or op.if_exists or op.set_operator == "ForAllValues")


def conditions(statement: dict[str, Any]) -> Iterator[Condition]:
    block = statement.get("Condition")
    if not isinstance(block, dict):
        return
    for written, keys in block.items():
        operator = parse_operator(str(written))
        for key, raw in keys.items() if isinstance(keys, dict) else [("?", None)]:
            prefix, claim = split_key(str(key))
            path: Path = ("Condition", str(written), str(key))
            yield Condition(str(written), operator, str(key), prefix, claim, policy_values(raw), path)
