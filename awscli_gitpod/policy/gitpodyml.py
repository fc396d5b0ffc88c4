"""`aws-gitpod lint-gitpod-yml FILE...`: static AWS credentials and `gp idp login aws` in `.gitpod.yml`.

A workspace can get AWS credentials from its own OIDC token, so a key in `.gitpod.yml` is both a leak
(the file is in the repository) and unnecessary. Checked: AWS key IDs anywhere in the file, and in the
tasks (`tasks[].env` and the `before`, `init`, `command` and `prebuild` scripts) secret keys beside their
name, `aws configure set aws_secret_access_key`, exported session tokens, and `gp idp login aws`, whose
keys die after an hour. The AWS documentation's example keys are allowed. A pre-commit hook (`policy.hook`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from awscli_gitpod.policy.findings import Finding, RuleInfo
from awscli_gitpod.policy.hook import Linter
from awscli_gitpod.policy.located import Lines, ParseError, load_yaml

TOOL = "aws-gitpod lint-gitpod-yml"
RULES = {
    rule.id: rule
    for rule in (
        RuleInfo("GY000", "unused-acceptance", "info", "an accepted finding no longer occurs"),
        RuleInfo("GY001", "aws-access-key-id", "error", "an AWS access key ID (AKIA/ASIA) in .gitpod.yml"),
        RuleInfo("GY002", "aws-secret-access-key", "error", "an AWS secret access key in a task"),
        RuleInfo("GY003", "aws-configure-set-secret", "error", "a task writes a static secret key"),
        RuleInfo("GY004", "static-session-token", "error", "a task sets AWS_SESSION_TOKEN to a literal"),
        RuleInfo("GY005", "gp-idp-login-aws", "warning", "gp idp login aws writes keys that expire"),
        RuleInfo("GY006", "malformed-gitpod-yml", "error", "the file is not YAML"),
    )
}
# The AWS documentation's example credentials: in tutorials and tests, never real.
EXAMPLE_VALUES = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
TASK_SCRIPTS = ("before", "init", "command", "prebuild")

_KEY_ID = re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])")
_SECRET = re.compile(
    r"(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)[\"']?\s*(?:[:=]|\s)\s*[\"']?"
    r"(?-i:([A-Za-z0-9/+]{40}))(?![A-Za-z0-9/+=])"
)
_CONFIGURE_SECRET = re.compile(
    r"\baws\s+configure\s+set\s+(?:--?[\w-]+\s+\S+\s+)*(?:[\w.-]+\.)?aws_secret_access_key\b"
)
# Exported in a script (whatever the value: it outranks every profile and dies within hours), or a
# literal in `env`.
_SESSION_TOKEN = re.compile(
    r"\bexport\s+AWS_SESSION_TOKEN\s*=|^\s*[\"']?AWS_SESSION_TOKEN[\"']?\s*[:=]\s*[\"']?(?![\"'$\s]|$)"
)
_LOGIN = re.compile(r"\b(gp|gitpod|ona)\s+idp\s+login\s+aws\b")


def _task_lines(value: Any, lines: Lines) -> dict[int, str]:
    """Line -> part of a task (`env`, `init`...) for each line of the tasks' env entries and scripts."""
    parts: dict[int, str] = {}
    tasks = value.get("tasks") if isinstance(value, dict) else None
    for index, task in enumerate(tasks if isinstance(tasks, list) else []):
        if not isinstance(task, dict):
            continue
        env = task.get("env")
        for name in env if isinstance(env, dict) else []:
            parts[lines.get(("tasks", index, "env", str(name)), 0)] = "env"
        for part in TASK_SCRIPTS:
            script = task.get(part)
            if isinstance(script, str) and ("tasks", index, part) in lines:
                start = lines[("tasks", index, part)]
                # A block scalar (`|`) starts on the line after its key; a plain one stays on it.
                block = script.endswith("\n") or "\n" in script
                for line in range(start, start + (len(script.splitlines()) if block else 0) + 1):
                    parts.setdefault(line, part)
    return parts


def _hits(line: str, in_task: bool) -> Iterator[tuple[str, str]]:
    for match in _KEY_ID.finditer(line):
        if match.group(1) not in EXAMPLE_VALUES:
            kind = "temporary (ASIA)" if match.group(1).startswith("ASIA") else "long-term (AKIA)"
            yield (
                "GY001",
                f"{kind} AWS access key ID {match.group(1)[:8]}...: revoke it and use the workspace token",
            )
    if not in_task:
        return
    for match in _SECRET.finditer(line):
        if match.group(1) not in EXAMPLE_VALUES:
            yield "GY002", "an AWS secret access key: revoke it; `aws-gitpod creds` needs no stored secret"
    if _CONFIGURE_SECRET.search(line):
        yield "GY003", "`aws configure set aws_secret_access_key` writes a static key to ~/.aws/credentials"
    if _SESSION_TOKEN.search(line):
        yield (
            "GY004",
            "a fixed AWS_SESSION_TOKEN outranks every profile and expires: let credential_process fetch it",
        )
    login = _LOGIN.search(line)
    if login:
        replacement = line[login.end() :].strip()
        suggestion = f"aws-gitpod login{' ' + replacement if replacement else ''}"
        message = (
            f"{login.group(0)} writes static keys that die after an hour; use `{suggestion}` (same flags), "
            "which keeps them fresh through credential_process"
        )
        yield "GY005", message


def lint_text(path: str, text: str) -> list[Finding]:
    try:
        value, lines = load_yaml(text)
    except ParseError as error:
        return [Finding(RULES["GY006"], path, error.line, error.message)]
    tasks = _task_lines(value, lines)
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        for rule, message in _hits(line, number in tasks):
            where = f"tasks {tasks[number]}" if number in tasks else ""
            findings.append(Finding(RULES[rule], path, number, message, where=where))
    return findings


LINTER = Linter(
    tool=TOOL, files_help=".gitpod.yml files", rules=RULES, unused_acceptance="GY000", lint_text=lint_text
)
lint_paths = LINTER.lint_paths
run = LINTER.run
main = LINTER.main
