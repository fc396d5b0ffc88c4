"""A finding at a file and line, and how findings are printed: text, JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from awscli_gitpod import __version__, errors

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    severity: str
    summary: str


@dataclass(frozen=True)
class Finding:
    rule: RuleInfo
    path: str
    line: int
    message: str
    attacker: str | None = None  # a value an attacker could present, where there is one
    where: str = ""  # the place in the file: a resource, a statement
    accepted: str | None = None  # the reason, when the finding is accepted

    @property
    def fails(self) -> bool:
        return self.accepted is None and self.rule.severity in ("error", "warning")

    def accept(self, reason: str) -> Finding:
        return replace(self, accepted=reason)

    def text(self) -> str:
        place = f" ({self.where})" if self.where else ""
        attacker = f" [attacker could present: {self.attacker}]" if self.attacker else ""
        return (
            f"{self.path}:{self.line}: {self.rule.id} {self.rule.name}: {self.rule.severity}: "
            f"{self.message}{place}{attacker}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "name": self.rule.name,
            "severity": self.rule.severity,
            "path": self.path,
            "line": self.line,
            "where": self.where,
            "message": self.message,
            "attacker": self.attacker,
            "accepted": self.accepted,
        }


def exit_code(findings: Iterable[Finding]) -> int:
    """pre-commit's convention: 1 when anything not accepted is a warning or an error, else 0."""
    return errors.LINT_FINDINGS if any(finding.fails for finding in findings) else errors.LINT_CLEAN


def render_text(findings: Sequence[Finding]) -> str:
    shown = [finding.text() for finding in findings if finding.accepted is None]
    accepted = len([finding for finding in findings if finding.accepted is not None])
    if accepted:
        shown.append(f"({accepted} accepted finding{'s' if accepted != 1 else ''} not shown)")
    return "\n".join(shown) + ("\n" if shown else "")


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps({"findings": [finding.to_dict() for finding in findings]}, indent=2) + "\n"


def render_sarif(findings: Sequence[Finding], rules: Mapping[str, RuleInfo], tool: str) -> str:
    ordered = sorted(rules.values(), key=lambda rule: rule.id)
    index = {rule.id: position for position, rule in enumerate(ordered)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule.id,
            "ruleIndex": index[finding.rule.id],
            "level": _SARIF_LEVELS[finding.rule.severity],
            "message": {
                "text": finding.message + (f" (e.g. {finding.attacker})" if finding.attacker else "")
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.path.replace("\\", "/")},
                        "region": {"startLine": finding.line},
                    }
                }
            ],
        }
        if finding.attacker:
            result["properties"] = {"attackerValue": finding.attacker}
        if finding.accepted is not None:
            result["suppressions"] = [{"kind": "external", "justification": finding.accepted}]
        results.append(result)
    driver = {
        "name": tool,
        "version": __version__,
        "rules": [
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
            }
            for rule in ordered
        ],
    }
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(log, indent=2) + "\n"


def render(findings: Sequence[Finding], output_format: str, rules: Mapping[str, RuleInfo], tool: str) -> str:
    if output_format == "json":
        return render_json(findings)
    if output_format == "sarif":
        return render_sarif(findings, rules, tool)
    return render_text(findings)
