"""The AWS CLI plugin: `aws gitpod ...` runs `aws-gitpod ...`, for the AWS CLI v1 and v2 alike.

The AWS CLI imports this module on every `aws` call once `aws-gitpod plugin install` has listed it, and an
exception here would break every AWS command. So it imports nothing outside the standard library at import
time, loads the AWS CLI's own `BasicCommand` only when the command table is built, and swallows (and logs
at debug level) any failure to register.

It hands the command off to the `aws-gitpod` console script instead of calling our functions in-process:
AWS CLI v2 runs plugins on its own bundled Python and botocore, where neither our dependencies nor their
versions can be relied on; a separate process runs with our own. It costs one process start on commands
a person types, never on the `credential_process` path, which does not go through the AWS CLI at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from typing import Any

from awscli_gitpod.errors import AWS_CLI_ERROR

log = logging.getLogger(__name__)

COMMAND_NAME = "gitpod"
EXECUTABLE = "aws-gitpod"
DESCRIPTION = (
    "Workspace OIDC credentials for Gitpod and Ona: login, creds, token, export, exec and more. "
    "Runs aws-gitpod; see `aws gitpod --help`."
)
# The host CLI consumes these global options before our command sees its arguments; hand them back.
FORWARDED_GLOBALS = ("profile", "region")


def awscli_initialize(cli: Any) -> None:
    cli.register("building-command-table.main", add_command)


def add_command(command_table: dict[str, Any], session: Any, **kwargs: Any) -> None:
    try:
        command_table[COMMAND_NAME] = _command_class()(session)
    except Exception:  # a broken plugin must not take `aws s3 ls` down with it
        log.debug("awscli-gitpod: not adding `aws %s`", COMMAND_NAME, exc_info=True)


def _command_class() -> type:
    from awscli.customizations.commands import BasicCommand

    class GitpodCommand(BasicCommand):  # type: ignore[misc]
        NAME = COMMAND_NAME
        DESCRIPTION = globals()["DESCRIPTION"]
        SYNOPSIS = "aws gitpod <command> [options]   (the commands of aws-gitpod)"

        def __call__(self, args: list[str], parsed_globals: Any) -> int:
            # The whole command line belongs to aws-gitpod, including `help` and `--help`.
            return hand_off(args, parsed_globals)

    return GitpodCommand


def find_executable() -> str | None:
    """`AWS_GITPOD_EXECUTABLE`, else the `aws-gitpod` installed beside this package, else PATH."""
    configured = os.environ.get("AWS_GITPOD_EXECUTABLE")
    if configured:
        return configured
    directory = os.path.dirname(os.path.abspath(__file__))
    for _ in range(5):  # <prefix>/lib/pythonX.Y/site-packages/awscli_gitpod -> <prefix>/bin
        directory = os.path.dirname(directory)
        candidate = os.path.join(directory, "bin", EXECUTABLE)
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(EXECUTABLE)


def hand_off(args: list[str], parsed_globals: Any) -> int:
    executable = find_executable()
    if executable is None:
        sys.stderr.write(
            f"aws gitpod: {EXECUTABLE} is not installed or not on PATH; install awscli-gitpod, "
            "or run `aws-gitpod plugin uninstall`\n"
        )
        return AWS_CLI_ERROR
    if args in ([], ["help"]):
        args = ["--help"]
    forwarded = [
        option
        for name in FORWARDED_GLOBALS
        if getattr(parsed_globals, name, None)
        for option in (f"--{name}", str(getattr(parsed_globals, name)))
    ]
    # Before a `--`, after which the arguments belong to the program `exec` runs.
    split = args.index("--") if "--" in args else len(args)
    argv = [executable, *args[:split], *forwarded, *args[split:]]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(executable, argv)  # noqa: S606 - exit code and signals are then the command's own
    except OSError as error:
        sys.stderr.write(f"aws gitpod: cannot run {executable}: {error.strerror}\n")
    return AWS_CLI_ERROR
