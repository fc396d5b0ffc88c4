"""The command-line options of the policy commands and hooks, importable without their machinery: the
`aws-gitpod` parser is built on every run (YAML and the evaluator cost tens of milliseconds to import)."""

from __future__ import annotations

import argparse

ACCEPT_FILE = ".aws-gitpod-lint.json"
OUTPUT_FORMATS = ("text", "json", "sarif")
POLICY_FORMATS = ("json", "cloudformation", "terraform", "terraform-json")


def add_scope_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Which workspaces a trust policy admits, and whose tokens: shared by `policy generate` and `setup`."""
    parser.add_argument("--repo", metavar="URL", help="Gitpod Classic: the repository workspaces open")
    parser.add_argument("--branch", action="append", default=[], metavar="B", help="only these branches")
    parser.add_argument("--scm", choices=("github", "gitlab", "bitbucket"), help="default: from the host")
    parser.add_argument("--ona-org", metavar="ORG", help="Ona: the organization ID")
    parser.add_argument("--project", metavar="P", help="Ona: only this project")
    parser.add_argument(
        "--issuer", metavar="URL", help="token issuer (default: iss of this workspace's token)"
    )


def add_lint_arguments(parser: argparse.ArgumentParser, files_help: str) -> None:
    """`FILE... [--format F] [--accept-file PATH]`, shared by both hooks."""
    parser.add_argument("files", nargs="+", metavar="FILE", help=files_help)
    parser.add_argument("--format", dest="output_format", choices=OUTPUT_FORMATS, default="text")
    parser.add_argument(
        "--accept-file", metavar="PATH", help=f"accepted findings (default: ./{ACCEPT_FILE} if present)"
    )
