"""Install or remove the `aws gitpod` AWS CLI plugin, for every AWS CLI on PATH, without ever breaking `aws`.

Install writes the plugin module outside the package (`plugin_shim`) and lists it in `[plugins]`
(`plugin_entries`), for every AWS CLI found on PATH (or the version `--cli` names): they all read the same
config file, so each one that reads it must be able to start with it. It then checks each CLI: one that
an earlier install had broken and that starts again is reported as repaired; one that no longer starts is
an error. Uninstall removes exactly what install added, earlier installs' entries included.
"""

from __future__ import annotations

import argparse
import os

from awscli_gitpod import awsconfig, errors, plugin_entries, plugin_shim
from awscli_gitpod.aws_clis import AwsCli, find_clis, plugin_directories, starts
from awscli_gitpod.awscli_plugin import COMMAND_NAME
from awscli_gitpod.process import ProcessFailed, run_bounded


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="make `aws gitpod ...` work", allow_abbrev=False)
    install.add_argument(
        "--cli",
        choices=("auto", "v1", "v2"),
        default="auto",
        help="the AWS CLI version to install for (default: every `aws` on PATH); a v1 that reads the same "
        "config file always gets the plugin too, or it could not start",
    )
    actions.add_parser("uninstall", help="remove the plugin's entries and files", allow_abbrev=False)


def run(args: argparse.Namespace, raw_args: list[str]) -> int:
    if args.action == "install":
        return install(args.cli)
    return uninstall()


def _v1_directory(cli: AwsCli) -> str:
    """Where this v1 imports our copy from: the first of its plugin directories that we can write to."""
    for directory in plugin_directories(cli):
        if os.path.isdir(directory) and os.access(directory, os.W_OK):
            return directory
        if not os.path.exists(directory) and os.access(os.path.dirname(directory) or "/", os.W_OK):
            return directory  # a user site directory, read from the next start once it exists
    raise errors.UsageError(
        f"{cli.label} imports plugins only from its own Python's site-packages, which this user cannot "
        f"write to ({', '.join(plugin_directories(cli)) or 'its Python is unknown'}); run this as a user who "
        "can, or give that CLI its own AWS_CONFIG_FILE"
    )


def install(requested: str) -> int:
    from awscli_gitpod.login import executable

    clis = find_clis()
    config_path = awsconfig.config_path()
    if requested == "auto" and not clis:
        raise errors.UsageError("no `aws` on PATH to install the plugin for; pass --cli v1 or --cli v2")
    majors = {cli.major for cli in clis} if requested == "auto" else {int(requested[1])}
    v1s = [cli for cli in clis if cli.major == 1]
    if majors == {1} and not v1s:
        raise errors.UsageError("no AWS CLI v1 on PATH to install the plugin for")
    plugin_dir = plugin_shim.shim_dir(config_path) if 2 in majors else None
    # Every v1 that reads this file imports every [plugins] value, ours included: each gets our module,
    # which also lets it start with v2's cli_legacy_plugin_path. All are checked before anything changes.
    v1_dirs = {cli.path: _v1_directory(cli) for cli in v1s}
    program = executable()
    changed = False
    for directory in v1_dirs.values():
        changed |= plugin_shim.write(directory, program, create=True)
    if plugin_dir is not None:
        changed |= plugin_shim.write(plugin_dir, program, create=True)
    changed |= awsconfig.edit(
        config_path, lambda config: plugin_entries.add(config, plugin_dir), kind="config"
    )

    verb = "installed" if changed else "already installed:"
    versions = " and ".join(f"v{major}" for major in sorted(majors | ({1} if v1s else set())))
    print(f"{verb} `aws {COMMAND_NAME}` for the AWS CLI {versions} in {config_path}")
    _report(clis, v1_dirs, plugin_dir)
    return errors.OK


def _report(clis: list[AwsCli], v1_dirs: dict[str, str], plugin_dir: str | None) -> None:
    """Every CLI that reads the file: repaired, broken (an error), and whether `aws gitpod` reaches us."""
    broken = []
    for cli in clis:
        failure = starts(cli.path)
        if failure is not None:
            broken.append(f"{cli.label} does not start: {failure}")
            continue
        if cli.failure is not None:
            print(f"repaired: {cli.label} starts again (it failed with: {cli.failure})")
        if cli.major == 2 and plugin_dir is None:
            errors.note(
                f"{cli.label} reads this config file too; `aws {COMMAND_NAME}` is not installed for it "
                "(`aws-gitpod plugin install` installs for every aws on PATH)"
            )
            continue
        where = v1_dirs.get(cli.path) or plugin_dir
        _prove(cli, str(where))
    if broken:
        raise errors.Failure(
            "; ".join(broken) + "; run `aws-gitpod plugin uninstall` to remove the plugin's entries",
            errors.CHECK_FAILED,
        )


def _prove(cli: AwsCli, where: str) -> None:
    try:
        output = run_bounded([cli.path, COMMAND_NAME, "help"], timeout=60)
    except ProcessFailed as error:
        output = str(error)
    if "usage: aws-gitpod" not in output:
        raise errors.Failure(
            f"the plugin is configured, but `{cli.path} {COMMAND_NAME} help` does not reach aws-gitpod",
            errors.CHECK_FAILED,
        )
    print(f"checked: `{cli.path} {COMMAND_NAME} help` runs aws-gitpod (plugin in {where})")


def uninstall() -> int:
    config_path = awsconfig.config_path()
    clis = find_clis()
    removed = False
    if config_path.exists():
        removed |= awsconfig.edit(config_path, plugin_entries.remove, kind="config")
    removed |= plugin_shim.remove(plugin_shim.shim_dir(config_path), drop_directory=True)
    for cli in clis:
        if cli.major == 1:
            for directory in plugin_directories(cli):
                removed |= plugin_shim.remove(directory)
    print(f"{'removed' if removed else 'nothing to remove:'} `aws {COMMAND_NAME}` from {config_path}")
    broken = [f"{cli.label} does not start: {failure}" for cli in clis if (failure := starts(cli.path))]
    if broken:
        raise errors.Failure("; ".join(broken), errors.CHECK_FAILED)
    for cli in clis:
        if cli.failure is not None:
            print(f"repaired: {cli.label} starts again (it failed with: {cli.failure})")
    return errors.OK
