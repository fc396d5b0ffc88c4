"""The `aws-gitpod` command line: the parser and the dispatch, nothing else.

Every command function takes plain parameters and returns an exit code; `errors.error_handler` turns a
`Failure` into one line on stderr, and anything unexpected into exit 70 with a redacted message. This is
the only module that imports `awscli_gitpod.commands`: each command module is a leaf.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from awscli_gitpod import __version__, coredumps, errors
from awscli_gitpod.options import Parser
from awscli_gitpod.output import flush_stdout

PROG = errors.PROG

# name -> (module in awscli_gitpod.commands, one-line help). Each module has `add_arguments(parser)` and
# `run(args, raw_args) -> int`, which hands plain parameters to the command function.
COMMANDS = {
    "creds": ("creds", "print credentials for credential_process (cached)"),
    "token": ("token", "print, decode or verify the workspace OIDC token"),
    "login": ("login", "point a profile at the workspace role for good (drop-in for gp idp login aws)"),
    "export": ("export", "print the credentials as environment variables (env, dotenv, json, fish, ...)"),
    "exec": ("exec_command", "run a command with the credentials in its environment"),
    "serve": ("serve", "serve refreshing credentials on 127.0.0.1 (the container-credentials protocol)"),
    "plugin": ("plugin", "install or uninstall the `aws gitpod` AWS CLI plugin"),
    "plugins": ("plugins", "list the loaded plugins and the hooks each implements"),
    "policy": ("policy", "generate, check and lint IAM trust policies for workspace tokens"),
    "secrets": ("secrets", "fetch AWS Secrets Manager secrets for tasks: get, export, exec"),
    "setup": ("setup", "create the IAM OIDC provider and a least-privilege role (idempotent, plan first)"),
    "doctor": ("doctor", "check every step from token to credentials and say what to fix"),
    "cache": ("cache", "list or clear the cached credentials"),
    "completion": ("completion", "print a shell completion script: bash, zsh or fish"),
}


def build_parser() -> Parser:
    # No abbreviated options: the cached path of `creds` recognises options by their full names only.
    parser = Parser(
        prog=PROG, description="AWS credentials from a Gitpod or Ona workspace token.", allow_abbrev=False
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(root_parser=parser)  # what `completion` generates its scripts from
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, (module_name, summary) in COMMANDS.items():
        module = importlib.import_module(f"awscli_gitpod.commands.{module_name}")
        description = (module.__doc__ or summary).split("\n\n")[0].strip()
        command = commands.add_parser(name, help=summary, description=description, allow_abbrev=False)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    coredumps.disable()  # every command but the cache hit may hold a token, credentials or secrets
    with errors.error_handler() as status:
        args = build_parser().parse_args(raw)
        status[0] = args.run(args, raw[1:])
        flush_stdout()
    return status[0]
