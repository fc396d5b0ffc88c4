"""Install or remove the `aws gitpod` plugin in the `[plugins]` section of the AWS CLI's config file.

The AWS CLI v1 imports `gitpod = awscli_gitpod.awscli_plugin` from its own Python. The v2 also needs
`cli_legacy_plugin_path`, the directory to import it from; v1 would try to import that key as a module and
fail on every command, so a config file shared by both cannot serve both, and we say so.
"""

from __future__ import annotations

import argparse
import os

import awscli_gitpod
from awscli_gitpod import awsconfig, errors
from awscli_gitpod.aws_clis import AwsCli, can_import, find_clis
from awscli_gitpod.awscli_plugin import COMMAND_NAME
from awscli_gitpod.process import ProcessFailed, run_bounded

SECTION = "plugins"
PATH_KEY = "cli_legacy_plugin_path"
MODULE = "awscli_gitpod.awscli_plugin"
# Where v2 must look for `awscli_gitpod`: the directory holding the package (site-packages, or a checkout).
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(awscli_gitpod.__file__)))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="make `aws gitpod ...` work", allow_abbrev=False)
    install.add_argument(
        "--cli",
        choices=("auto", "v1", "v2"),
        default="auto",
        help="the AWS CLI to install for (default: the `aws` first on PATH)",
    )
    actions.add_parser("uninstall", help="remove the plugin's entries", allow_abbrev=False)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    if args.action == "install":
        return install(args.cli)
    return uninstall()


def _choose(requested: str, clis: list[AwsCli]) -> tuple[int, AwsCli | None]:
    if requested == "auto":
        if not clis:
            raise errors.UsageError("no `aws` on PATH to install the plugin for; pass --cli v1 or --cli v2")
        return clis[0].major, clis[0]
    major = int(requested[1])
    return major, next((cli for cli in clis if cli.major == major), None)


def _paths(value: object) -> list[str]:
    return [path for path in str(value or "").split(os.pathsep) if path]


def install(requested: str) -> int:
    clis = find_clis()
    major, target = _choose(requested, clis)
    config_path = awsconfig.config_path()
    current_paths = _paths(awsconfig.sections(config_path).get(SECTION, {}).get(PATH_KEY))
    if major == 1:
        if current_paths:
            raise errors.UsageError(
                f"[{SECTION}] in {config_path} sets {PATH_KEY} (for the AWS CLI v2), which makes the AWS CLI "
                f"v1 fail on every command; remove it (`aws-gitpod plugin uninstall`) or use a separate "
                "AWS_CONFIG_FILE for v1"
            )
        if target is not None and not can_import(target, MODULE):
            raise errors.Failure(
                f"the AWS CLI v1 at {target.path} runs on {target.python or 'a Python'} that cannot import "
                f"awscli_gitpod; install awscli-gitpod there ({target.python or 'python'} -m pip install "
                "awscli-gitpod), or use the AWS CLI v2",
                errors.USAGE,
            )
    for other in clis:
        if major == 2 and other.major == 1:
            errors.warn(
                f"the AWS CLI v1 at {other.path} reads {config_path} too and cannot "
                f"start with {PATH_KEY} in [{SECTION}]; give it its own AWS_CONFIG_FILE"
            )

    def add_entries(config: awsconfig.ConfigFile) -> None:
        if major == 2 and PACKAGE_PARENT not in current_paths:
            config.set(SECTION, PATH_KEY, os.pathsep.join([*current_paths, PACKAGE_PARENT]))
        config.set(SECTION, COMMAND_NAME, MODULE)

    changed = awsconfig.edit(config_path, add_entries, kind="config")
    where = f" ({target.version} at {target.path})" if target else ""
    verb = "installed" if changed else "already installed:"
    print(f"{verb} `aws {COMMAND_NAME}` for the AWS CLI v{major}{where} in {config_path}")
    if target is not None:
        _prove(target)
    return errors.OK


def _prove(cli: AwsCli) -> None:
    try:
        output = run_bounded([cli.path, COMMAND_NAME, "help"], timeout=60)
    except ProcessFailed as error:
        output = str(error)
    if "usage: aws-gitpod" not in output:
        raise errors.Failure(
            f"the plugin is configured, but `{cli.path} {COMMAND_NAME} help` does not reach aws-gitpod",
            errors.CHECK_FAILED,
        )
    print(f"checked: `{cli.path} {COMMAND_NAME} help` runs aws-gitpod")


def uninstall() -> int:
    config_path = awsconfig.config_path()

    def remove_entries(config: awsconfig.ConfigFile) -> None:
        if config.get(SECTION, COMMAND_NAME) == MODULE:
            config.delete(SECTION, COMMAND_NAME)
        remaining = [path for path in _paths(config.get(SECTION, PATH_KEY)) if path != PACKAGE_PARENT]
        if remaining:
            config.set(SECTION, PATH_KEY, os.pathsep.join(remaining))
        else:
            config.delete(SECTION, PATH_KEY)
        if not config.keys(SECTION):
            config.delete_section(SECTION)

    if not os.path.exists(config_path):
        print(f"nothing to remove: {config_path} does not exist")
        return errors.OK
    changed = awsconfig.edit(config_path, remove_entries, kind="config")
    print(f"{'removed' if changed else 'nothing to remove:'} `aws {COMMAND_NAME}` from {config_path}")
    return errors.OK
