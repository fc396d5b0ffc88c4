"""`aws-gitpod policy lint FILE...`: trust-policy findings, as a pre-commit hook (`policy.hook`)."""

from __future__ import annotations

from awscli_gitpod.policy.checks import check_statement
from awscli_gitpod.policy.document import statements
from awscli_gitpod.policy.findings import Finding
from awscli_gitpod.policy.hook import Linter
from awscli_gitpod.policy.located import ParseError
from awscli_gitpod.policy.principal_checks import Facts, own_account
from awscli_gitpod.policy.rules import RULES
from awscli_gitpod.policy.sources import PolicySource, policies
from awscli_gitpod.policy.validate import problems

TOOL = "aws-gitpod policy lint"


def lint_source(source: PolicySource) -> list[Finding]:
    """The findings for one policy: first what IAM would refuse (GP016), then each statement's checks."""
    document = source.document
    single = isinstance(document, dict) and isinstance(document.get("Statement"), dict)
    labels: dict[tuple[str | int, ...], str] = {}
    for index, statement in statements(document):
        sid = statement.get("Sid")
        label = f"statement {index}" + (f" {sid}" if isinstance(sid, str) and sid else "")
        labels[("Statement",) if single else ("Statement", index)] = f"{source.where} {label}".strip()
    findings = []
    for problem in problems(document):
        # A refusal inside a statement names it; one of the whole document names only the source.
        where = next((w for base, w in labels.items() if problem.path[: len(base)] == base), source.where)
        line = source.line_of(problem.path)
        findings.append(Finding(RULES["GP016"], source.path, line, problem.text, where=where))
    facts = Facts(own_account([statement for _, statement in statements(document)]))
    for index, statement in statements(document):
        base = ("Statement",) if single else ("Statement", index)
        for hit in check_statement(statement, facts):
            line = source.line_of((*base, *hit.path))
            findings.append(
                Finding(RULES[hit.rule], source.path, line, hit.message, hit.attacker, labels[base])
            )
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
