"""`aws-gitpod policy lint FILE...`: trust-policy findings, as a pre-commit hook.

Exit codes follow pre-commit: 0 nothing to fix (info findings and accepted ones do not count), 1 findings,
2 cannot run (a file cannot be read, the accept file is unusable).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from awscli_gitpod.policy import accept
from awscli_gitpod.policy.arguments import add_lint_arguments
from awscli_gitpod.policy.checks import check_statement
from awscli_gitpod.policy.document import statements
from awscli_gitpod.policy.findings import Finding, exit_code, render
from awscli_gitpod.policy.located import ParseError
from awscli_gitpod.policy.principal_checks import Facts, own_account
from awscli_gitpod.policy.rules import RULES
from awscli_gitpod.policy.sources import PolicySource, policies
from awscli_gitpod.policy.validate import problems

TOOL = "aws-gitpod policy lint"


class CannotRun(Exception):
    pass


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


def lint_file(path: str) -> list[Finding]:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CannotRun(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    return lint_text(path, text)


def lint_paths(paths: Sequence[str], accept_file: str | None = None) -> list[Finding]:
    """Findings for all files, acceptances applied; CannotRun or accept.AcceptanceError if impossible."""
    acceptances, used_file = accept.load(accept_file)
    findings = [finding for path in paths for finding in lint_file(path)]
    return accept.apply(findings, acceptances, list(paths), used_file, RULES, RULES["GP000"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_lint_arguments(parser, "IAM policy JSON, CloudFormation template or Terraform JSON")


def run(files: Sequence[str], output_format: str = "text", accept_file: str | None = None) -> int:
    try:
        findings = lint_paths(files, accept_file)
    except (CannotRun, accept.AcceptanceError) as error:
        print(f"{TOOL}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render(findings, output_format, RULES, TOOL))
    return exit_code(findings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=TOOL, description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.files, args.output_format, args.accept_file)
