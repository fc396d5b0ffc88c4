"""The command-line options of the policy commands and hooks, importable without their machinery: the
`aws-gitpod` parser is built on every run (YAML and the evaluator cost tens of milliseconds to import)."""

from __future__ import annotations

import argparse

ACCEPT_FILE = ".aws-gitpod-lint.json"
OUTPUT_FORMATS = ("text", "json", "sarif")
POLICY_FORMATS = ("json", "cloudformation", "terraform", "terraform-json")


def add_lint_arguments(parser: argparse.ArgumentParser, files_help: str) -> None:
    """`FILE... [--format F] [--accept-file PATH]`, shared by both hooks."""
    parser.add_argument("files", nargs="+", metavar="FILE", help=files_help)
    parser.add_argument("--format", dest="output_format", choices=OUTPUT_FORMATS, default="text")
    parser.add_argument(
        "--accept-file", metavar="PATH", help=f"accepted findings (default: ./{ACCEPT_FILE} if present)"
    )
