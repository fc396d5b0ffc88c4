"""The AWS CLI plugin: `aws gitpod ...` runs `aws-gitpod ...`, for the AWS CLI v1 and v2 alike.

This file is self-contained: it imports only the standard library and nothing of awscli_gitpod, because
`aws-gitpod plugin install` copies it outside the package (beside the AWS config file for v2, into the v1's
own site-packages for v1), with the path of the `aws-gitpod` that installed it filled in. The AWS CLI
imports it on every call, and a plugin that fails to import stops every `aws` command; a copy outside the
package survives the package's removal, upgrade or move and a new Python. If `aws-gitpod` is gone, `aws
gitpod` says in one line how to reinstall, and every other command runs as before.

It hands the command off to the `aws-gitpod` console script instead of calling our functions in-process:
AWS CLI v2 runs plugins on its own bundled Python and botocore, where neither our dependencies nor their
versions can be relied on; a separate process runs with our own. It costs one process start on commands
a person types, never on the `credential_process` path, which does not go through the AWS CLI at all.

The AWS CLI v1 imports every `[plugins]` value as a module, `cli_legacy_plugin_path` (v2's directory list)
included, and stops there. Loaded under v1 (install lists it before that key), this module makes names
that are file-system paths, which no module can have, import as an empty plugin: one config file then
serves both versions.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import os
import shutil
import sys
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

COMMAND_NAME = "gitpod"
EXECUTABLE = "aws-gitpod"
AWS_CLI_ERROR = 255  # errors.AWS_CLI_ERROR: the AWS CLI's own code for a failed command
# Filled in by `aws-gitpod plugin install` in the copies it writes: the aws-gitpod that installed them.
INSTALLED_BY: str | None = None
DESCRIPTION = (
    "Workspace OIDC credentials for Gitpod and Ona: login, creds, token, export, exec and more. "
    "Runs aws-gitpod; see `aws gitpod --help`."
)
# The host CLI consumes these global options before our command sees its arguments; hand them back.
FORWARDED_GLOBALS = ("profile", "region")


def awscli_initialize(cli: Any) -> None:
    # Once per emitter, though v1 may initialize this module twice (see `_PathNamesFinder`).
    cli.register("building-command-table.main", add_command, unique_id="awscli-gitpod")


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


def _runnable(path: str | None) -> bool:
    return bool(path) and os.access(str(path), os.X_OK) and not os.path.isdir(str(path))


def find_executable() -> str | None:
    """`AWS_GITPOD_EXECUTABLE`, else the `aws-gitpod` that installed this copy, else (for the module inside
    the package) the one installed beside the package, else PATH."""
    configured = os.environ.get("AWS_GITPOD_EXECUTABLE")
    if configured:
        return configured
    if INSTALLED_BY is not None and _runnable(INSTALLED_BY):
        return INSTALLED_BY
    if __name__ == "awscli_gitpod.awscli_plugin":
        directory = os.path.dirname(os.path.abspath(__file__))
        for _ in range(5):  # <prefix>/lib/pythonX.Y/site-packages/awscli_gitpod -> <prefix>/bin
            directory = os.path.dirname(directory)
            candidate = os.path.join(directory, "bin", EXECUTABLE)
            if _runnable(candidate):
                return candidate
    return shutil.which(EXECUTABLE)


def _gone_message() -> str:
    was = f" (it was {INSTALLED_BY})" if INSTALLED_BY else ""
    return (
        f"aws gitpod: {EXECUTABLE} is not installed or not on PATH{was}; reinstall awscli-gitpod and run "
        f"`{EXECUTABLE} plugin install`, or delete the `{COMMAND_NAME} =` line of [plugins] in the AWS "
        "config file; every other aws command works as before\n"
    )


def hand_off(args: list[str], parsed_globals: Any) -> int:
    executable = find_executable()
    if executable is None:
        sys.stderr.write(_gone_message())
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


# --- v1 and `cli_legacy_plugin_path` ---------------------------------------------------------------------


class _EmptyPlugin(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module

    def exec_module(self, module: ModuleType) -> None:
        module.awscli_initialize = lambda cli: None  # type: ignore[attr-defined]


class _PathNamesFinder(importlib.abc.MetaPathFinder):
    """Imports a name that is a file-system path (`/home/me/.aws/aws-gitpod-plugin`, as v1 tries for
    `cli_legacy_plugin_path`) as an empty plugin package. Last in `sys.meta_path`: every real module is
    found before it is asked."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if "/" not in fullname and os.sep not in fullname:
            return None
        return importlib.machinery.ModuleSpec(fullname, _EmptyPlugin(), is_package=True)


def _let_v1_start_with_v2_settings() -> None:
    awscli = sys.modules.get("awscli")
    if not str(getattr(awscli, "__version__", "")).startswith("1."):
        return
    if not any(isinstance(finder, _PathNamesFinder) for finder in sys.meta_path):
        sys.meta_path.append(_PathNamesFinder())


try:
    _let_v1_start_with_v2_settings()
except Exception:  # never the reason `aws` fails to start
    log.debug("awscli-gitpod: cannot make v1 accept cli_legacy_plugin_path", exc_info=True)
