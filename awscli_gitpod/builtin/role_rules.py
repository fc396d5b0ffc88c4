"""Role mapping without code: `creds --role auto` picks the role from rules in a small INI file.

    # $AWS_GITPOD_ROLE_RULES, else ~/.config/awscli-gitpod/roles.ini
    [rule deploy-from-main]
    repository = gitpod-io/my-application
    branch = main
    role = arn:aws:iam::123456789012:role/deploy
    duration_seconds = 3600

    [rule pull-requests]
    repository = gitpod-io/*
    pr = *
    role = arn:aws:iam::123456789012:role/read-only
    policy_file = pr-session-policy.json

Rules are tried in file order and the first whose conditions all match wins. A condition names a fact (see
`claim_facts`: repository, owner, branch, pr, organization, project...) or a claim, and lists glob
patterns separated by spaces, any of which may match; a missing fact matches nothing. `role` is required;
`duration_seconds`, `policy` (JSON) and `policy_file` (relative to the rules file) are optional.
"""

from __future__ import annotations

import configparser
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from awscli_gitpod import errors
from awscli_gitpod.cache import role_rules_path
from awscli_gitpod.hookspecs import hookimpl
from awscli_gitpod.roles import RoleChoice

OUTCOME_KEYS = ("role", "duration_seconds", "policy", "policy_file")


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: dict[str, list[str]]
    choice: RoleChoice

    def mismatch(self, values: Mapping[str, str]) -> str | None:
        """Why the rule does not apply, or None when every condition matches."""
        for key, patterns in self.conditions.items():
            value = values.get(key)
            if value is None:
                return f"{key} is unknown for this token"
            if not any(fnmatchcase(value, pattern) for pattern in patterns):
                return f"{key}={value} matches none of {' '.join(patterns)}"
        return None


def _choice(path: str, name: str, section: configparser.SectionProxy) -> RoleChoice:
    where = f"{path} [{section.name}]"
    if "role" not in section:
        raise errors.UsageError(f"{where} has no `role`")
    duration = section.get("duration_seconds")
    if duration is not None and not duration.isdigit():
        raise errors.UsageError(f"{where}: duration_seconds must be a number of seconds")
    policy = section.get("policy")
    if "policy_file" in section:
        policy_path = os.path.join(os.path.dirname(path), section["policy_file"])
        try:
            with open(policy_path, encoding="utf-8") as file:
                policy = file.read()
        except OSError as error:
            raise errors.UsageError(f"{where}: cannot read {policy_path}: {error.strerror}") from None
    if policy is not None:
        try:
            json.loads(policy)
        except ValueError:
            raise errors.UsageError(f"{where}: the session policy is not valid JSON") from None
    return RoleChoice(
        role_arn=section["role"],
        duration_seconds=int(duration) if duration else None,
        policy=policy,
        reason=f"rule {name} in {path}",
    )


def load_rules(path: str) -> list[Rule]:
    parser = configparser.ConfigParser(interpolation=None, default_section="\0none")
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep fact names as written
    try:
        with open(path, encoding="utf-8") as file:
            parser.read_file(file, source=path)
    except FileNotFoundError:
        return []
    except (OSError, configparser.Error) as error:
        raise errors.UsageError(f"cannot read role rules {path}: {error}") from None
    rules = []
    for section_name in parser.sections():
        kind, _, name = section_name.partition(" ")
        if kind != "rule" or not name:
            raise errors.UsageError(f"{path}: [{section_name}] is not a `[rule NAME]` section")
        section = parser[section_name]
        conditions = {key: value.split() for key, value in section.items() if key not in OUTCOME_KEYS}
        rules.append(Rule(name, conditions, _choice(path, name, section)))
    return rules


def match_values(claims: Mapping[str, Any], facts: Mapping[str, str]) -> dict[str, str]:
    """What conditions are matched against: string claims, overridden by the derived facts."""
    values = {key: value for key, value in claims.items() if isinstance(value, str)}
    values.update(facts)
    return values


def explain(claims: Mapping[str, Any], facts: Mapping[str, str]) -> list[str]:
    """One line per rule, in order, saying whether it matches and why not: for `doctor`."""
    values = match_values(claims, facts)
    lines = []
    for rule in load_rules(role_rules_path()):
        reason = rule.mismatch(values)
        lines.append(f"rule {rule.name}: " + (f"no: {reason}" if reason else f"yes: {rule.choice.role_arn}"))
    return lines


@hookimpl(trylast=True)
def select_role(claims: Mapping[str, Any], facts: Mapping[str, str]) -> RoleChoice | None:
    values = match_values(claims, facts)
    return next(
        (rule.choice for rule in load_rules(role_rules_path()) if rule.mismatch(values) is None), None
    )
