"""A linter as a pre-commit hook: read the files, apply the acceptances, print the findings, exit 0/1/2.

Both hooks (`policy lint` for trust policies, `policy lint-gitpod-yml` for workspace configuration) are a
`Linter`: a rule table and a function from a file's text to its findings. Everything else they share here.
Exit codes follow pre-commit: 0 nothing to fix (info findings and accepted ones do not count), 1 findings,
2 cannot run (a file cannot be read, the accept file is unusable).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Callable

from awscli_gitpod import errors
from awscli_gitpod.policy import accept
from awscli_gitpod.policy.arguments import add_lint_arguments
from awscli_gitpod.policy.findings import Finding, RuleInfo, exit_code, render


@dataclass(frozen=True)
class Linter:
    tool: str  # the name in SARIF output
    files_help: str
    rules: Mapping[str, RuleInfo]
    unused_acceptance: str  # the rule reported for an acceptance that matches nothing
    lint_text: Callable[[str, str], list[Finding]]  # (path, text) -> findings; bad content is a finding

    def lint_file(self, path: str) -> list[Finding]:
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise errors.Failure(f"cannot read {path}: {reason}", errors.LINT_CANNOT_RUN) from None
        return self.lint_text(path, text)

    def lint_paths(self, paths: Sequence[str], accept_file: str | None = None) -> list[Finding]:
        """Findings for all files, acceptances applied; a Failure (exit 2) when that is impossible."""
        try:
            acceptances, used_file = accept.load(accept_file)
        except accept.AcceptanceError as error:
            raise errors.Failure(str(error), errors.LINT_CANNOT_RUN) from None
        findings = [finding for path in paths for finding in self.lint_file(path)]
        unused = self.rules[self.unused_acceptance]
        return accept.apply(findings, acceptances, list(paths), used_file, self.rules, unused)

    def run(self, files: Sequence[str], output_format: str = "text", accept_file: str | None = None) -> int:
        findings = self.lint_paths(files, accept_file)
        sys.stdout.write(render(findings, output_format, self.rules, self.tool))
        return exit_code(findings)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_lint_arguments(parser, self.files_help)

    def main(self, argv: Sequence[str] | None = None) -> int:
        """The hook as a program of its own: `raise SystemExit(LINTER.main())`."""
        with errors.error_handler() as status:
            parser = argparse.ArgumentParser(prog=self.tool)
            self.add_arguments(parser)
            args = parser.parse_args(argv)
            status[0] = self.run(args.files, args.output_format, args.accept_file)
        return status[0]
