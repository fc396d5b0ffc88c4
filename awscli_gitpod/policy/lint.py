"""`aws-gitpod policy lint FILE...`: trust-policy findings, as a pre-commit hook (`policy.hook`)."""

from __future__ import annotations

from awscli_gitpod.policy.checks import check_statement
from awscli_gitpod.policy.document import statements
from awscli_gitpod.policy.findings import Finding
from awscli_gitpod.policy.hook import Linter
from awscli_gitpod.policy.located import ParseError
from awscli_gitpod.policy.rules import RULES
from awscli_gitpod.policy.sources import PolicySource, policies

TOOL = "aws-gitpod policy lint"


def lint_source(source: PolicySource) -> list[Finding]:
    findings = []
    document = source.document
    single = isinstance(document, dict) and isinstance(document.get("Statement"), dict)
    if not statements(document):
        line = source.line_of(("Statement",))
        findings.append(
            Finding(RULES["GP016"], source.path, line, "no Statement objects", where=source.where)
        )
    for index, statement in statements(document):
        base = ("Statement",) if single else ("Statement", index)
        sid = statement.get("Sid")
        label = f"statement {index}" + (f" {sid}" if isinstance(sid, str) and sid else "")
        where = f"{source.where} {label}".strip()
        for hit in check_statement(statement):
            line = source.line_of((*base, *hit.path))
            findings.append(Finding(RULES[hit.rule], source.path, line, hit.message, hit.attacker, where))
    return findings


def lint_text(path: str, text: str) -> list[Finding]:
    """The findings for one file's text (never raises for bad content: that is a finding)."""
    try:
        sources = policies(path, text)
    except ParseError as error:
        return [Finding(RULES["GP016"], path, error.line, error.message)]
    except RecursionError:
        return [Finding(RULES["GP016"], path, 1, "the document nests too deeply to read")]
    return [finding for source in sources for finding in lint_source(source)]


LINTER = Linter(
    tool=TOOL,
    files_help="IAM policy JSON, CloudFormation template or Terraform JSON",
    rules=RULES,
    unused_acceptance="GP000",
    lint_text=lint_text,
)
lint_paths = LINTER.lint_paths
run = LINTER.run
main = LINTER.main
