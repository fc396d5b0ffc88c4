"""`aws-gitpod lint-gitpod-yml FILE...`: static AWS credentials and static-key logins in a workspace's
configuration: `.gitpod.yml` (Gitpod Classic), Ona automation files and `devcontainer.json`.

A workspace can get AWS credentials from its own OIDC token, so a key in these files is both a leak (they
are in the repository) and unnecessary. Checked: AWS key IDs anywhere in the file, and where commands and
environment variables live (`policy.configfiles`) secret keys beside their name, `aws configure set
aws_secret_access_key`, exported session tokens, and `gp`/`ona idp login aws`, whose keys die after an hour.
In an Ona prebuild (a `prebuild`-triggered task, `onCreateCommand`...), whatever aws-gitpod writes lands in
the snapshot every new environment starts from: such a task must say `AWS_GITPOD_PREBUILD=true`, and
aws-gitpod then writes nothing (`awscli_gitpod.prebuild`). The AWS documentation's example keys are allowed.
A pre-commit hook (`policy.hook`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from awscli_gitpod.policy.configfiles import Region, regions
from awscli_gitpod.policy.findings import Finding, RuleInfo
from awscli_gitpod.policy.hook import Linter
from awscli_gitpod.policy.located import ParseError

TOOL = "aws-gitpod lint-gitpod-yml"
RULES = {
    rule.id: rule
    for rule in (
        RuleInfo("GY000", "unused-acceptance", "info", "an accepted finding no longer occurs"),
        RuleInfo("GY001", "aws-access-key-id", "error", "an AWS access key ID (AKIA/ASIA) in the file"),
        RuleInfo("GY002", "aws-secret-access-key", "error", "an AWS secret access key in a task or its env"),
        RuleInfo("GY003", "aws-configure-set-secret", "error", "a task writes a static secret key"),
        RuleInfo("GY004", "static-session-token", "error", "a task sets AWS_SESSION_TOKEN to a literal"),
        RuleInfo("GY005", "gp-idp-login-aws", "warning", "gp/ona idp login aws writes keys that expire"),
        RuleInfo("GY006", "malformed-gitpod-yml", "error", "the file is not YAML (or devcontainer JSON)"),
        RuleInfo("GY007", "prebuild-writes", "warning", "aws-gitpod in an Ona prebuild that does not say so"),
    )
}
# The AWS documentation's example credentials: in tutorials and tests, never real.
EXAMPLE_VALUES = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})

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
_AWS_GITPOD = re.compile(r"\baws(?:-|\s+)gitpod\s+(login|creds|export|exec|secrets)\b")


def _hits(line: str, region: Region | None) -> Iterator[tuple[str, str]]:
    for match in _KEY_ID.finditer(line):
        if match.group(1) not in EXAMPLE_VALUES:
            kind = "temporary (ASIA)" if match.group(1).startswith("ASIA") else "long-term (AKIA)"
            yield (
                "GY001",
                f"{kind} AWS access key ID {match.group(1)[:8]}...: revoke it and use the workspace token",
            )
    if region is None:
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
        if region.where.startswith("devcontainer"):  # the command ends with its JSON string
            replacement = replacement.split('"', 1)[0].strip()
        suggestion = f"aws-gitpod login{' ' + replacement if replacement else ''}"
        message = (
            f"{login.group(0)} writes static keys that die after an hour; use `{suggestion}` (same flags), "
            "which keeps them fresh through credential_process"
        )
        yield "GY005", message
    command = _AWS_GITPOD.search(line)
    if command and region.prebuild and not region.declared:
        yield (
            "GY007",
            f"`aws-gitpod {command.group(1)}` runs in an Ona prebuild, whose snapshot every new environment "
            "starts from: set AWS_GITPOD_PREBUILD=true in this task so that aws-gitpod writes no cached "
            "credentials, keys or secret files there, or run it when an environment starts",
        )


def lint_text(path: str, text: str) -> list[Finding]:
    try:
        found = regions(path, text)
    except ParseError as error:
        return [Finding(RULES["GY006"], path, error.line, error.message)]
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        region = found.get(number)
        for rule, message in _hits(line, region):
            findings.append(Finding(RULES[rule], path, number, message, where=region.where if region else ""))
    return findings


LINTER = Linter(
    tool=TOOL,
    files_help=".gitpod.yml, Ona automations.yaml and devcontainer.json files",
    rules=RULES,
    unused_acceptance="GY000",
    lint_text=lint_text,
)
lint_paths = LINTER.lint_paths
run = LINTER.run
main = LINTER.main
