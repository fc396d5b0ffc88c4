"""Accepted findings: one reviewable file, `.aws-gitpod-lint.json`, listing rule, path and reason.

A file beside the code is seen in review, diffed, and owned (CODEOWNERS); a marker inside an IAM policy
cannot be written at all, since IAM documents have no comments. Format:

    {"accept": [{"rule": "GP013", "path": "iam/trust-policy.json", "reason": "private repository"}]}

`rule` is an ID or a name, `path` is relative to the accept file and may use shell wildcards, `where`
(optional) narrows it to one place in the file (e.g. `Resources.AppRole`). An acceptance that matches
nothing any more is reported (GP000) so stale ones get removed.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from awscli_gitpod.policy.arguments import ACCEPT_FILE
from awscli_gitpod.policy.findings import Finding, RuleInfo


class AcceptanceError(ValueError):
    """The accept file cannot be used: the hook cannot run (exit 2)."""


@dataclass(frozen=True)
class Acceptance:
    rule: str
    path: str  # absolute, normalised
    reason: str
    where: str | None
    written_path: str

    def covers(self, finding: Finding) -> bool:
        return (
            self.rule in (finding.rule.id, finding.rule.name)
            and fnmatch.fnmatchcase(_absolute(finding.path), self.path)
            and (self.where is None or finding.where.startswith(self.where))
        )


def _absolute(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def load(path: str | None) -> tuple[list[Acceptance], str | None]:
    """The acceptances in `path` (default: `.aws-gitpod-lint.json` here, if it exists), and its name."""
    chosen = path or ACCEPT_FILE
    if path is None and not os.path.exists(chosen):
        return [], None
    try:
        with open(chosen, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as error:
        raise AcceptanceError(f"cannot read {chosen}: {error.strerror}") from None
    except ValueError as error:
        raise AcceptanceError(f"{chosen} is not valid JSON: {error}") from None
    entries = data.get("accept") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AcceptanceError(f'{chosen}: expected {{"accept": [{{"rule", "path", "reason"}}, ...]}}')
    base = os.path.dirname(os.path.abspath(chosen))
    acceptances = []
    for number, entry in enumerate(entries, 1):
        fields = {
            name: entry.get(name) if isinstance(entry, dict) else None for name in ("rule", "path", "reason")
        }
        if not all(isinstance(value, str) and value.strip() for value in fields.values()):
            raise AcceptanceError(
                f"{chosen}: entry {number} needs a rule, a path and a reason (all non-empty)"
            )
        where = entry.get("where")
        acceptances.append(
            Acceptance(
                rule=str(fields["rule"]),
                path=os.path.normpath(os.path.join(base, str(fields["path"]))),
                reason=str(fields["reason"]),
                where=where if isinstance(where, str) else None,
                written_path=str(fields["path"]),
            )
        )
    return acceptances, chosen


def apply(
    findings: Sequence[Finding],
    acceptances: Sequence[Acceptance],
    linted: Sequence[str],
    accept_file: str | None,
    rules: Mapping[str, RuleInfo],
    unused_rule: RuleInfo,
) -> list[Finding]:
    """Mark accepted findings; report acceptances for linted files that no finding used."""
    used: set[int] = set()
    result = []
    for finding in findings:
        match = next((i for i, acceptance in enumerate(acceptances) if acceptance.covers(finding)), None)
        if match is None:
            result.append(finding)
        else:
            used.add(match)
            result.append(finding.accept(acceptances[match].reason))
    linted_paths = [_absolute(path) for path in linted]
    for index, acceptance in enumerate(acceptances):
        # Both hooks share the file: each reports only its own rules' stale acceptances.
        own = any(acceptance.rule in (rule.id, rule.name) for rule in rules.values())
        if index in used or not own:
            continue
        if any(fnmatch.fnmatchcase(path, acceptance.path) for path in linted_paths):
            message = f"{acceptance.rule} for {acceptance.written_path} matches no finding: remove it"
            result.append(Finding(unused_rule, accept_file or ACCEPT_FILE, 1, message))
    return result
