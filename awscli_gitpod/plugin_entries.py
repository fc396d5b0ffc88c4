"""The `[plugins]` entries of the AWS config file that belong to `aws gitpod`, and editing exactly those.

Ours are `gitpod = awscli_gitpod_plugin` (and `gitpod = awscli_gitpod.awscli_plugin`, which earlier versions
wrote) and, in v2's `cli_legacy_plugin_path`, each directory that holds our plugin or the awscli_gitpod
package, or that no longer exists: a directory that is gone serves no plugin of anyone's, and it is what
an earlier install's virtualenv leaves once removed, which the v1 would still try to import. Every other
entry and path is someone else's and stays as it is.

v1 imports the `[plugins]` values in file order, `cli_legacy_plugin_path` included; our module, loaded first,
makes it harmless (see `awscli_plugin`), so `gitpod` must come before it.
"""

from __future__ import annotations

import os

from awscli_gitpod import awsconfig, errors, plugin_shim
from awscli_gitpod.awscli_plugin import COMMAND_NAME

SECTION = "plugins"
PATH_KEY = "cli_legacy_plugin_path"
LEGACY_MODULE = "awscli_gitpod.awscli_plugin"
OUR_MODULES = (plugin_shim.MODULE, LEGACY_MODULE)


def paths(value: object) -> list[str]:
    return [path for path in str(value or "").split(os.pathsep) if path]


def is_our_path(path: str) -> bool:
    return (
        not os.path.isdir(path)
        or plugin_shim.holds_shim(path)
        or os.path.isfile(os.path.join(path, "awscli_gitpod", "awscli_plugin.py"))
    )


def foreign_entry(config: awsconfig.ConfigFile) -> str | None:
    """The value of a `gitpod =` entry that is not ours, else None."""
    value = config.get(SECTION, COMMAND_NAME)
    return None if value is None or value in OUR_MODULES else str(value)


def _set_paths(config: awsconfig.ConfigFile, kept: list[str]) -> None:
    if kept:
        config.set(SECTION, PATH_KEY, os.pathsep.join(kept))
    else:
        config.delete(SECTION, PATH_KEY)


def _path_after_entry(config: awsconfig.ConfigFile) -> None:
    keys = config.keys(SECTION)
    if PATH_KEY in keys and COMMAND_NAME in keys and keys.index(PATH_KEY) < keys.index(COMMAND_NAME):
        value = str(config.get(SECTION, PATH_KEY))
        config.delete(SECTION, PATH_KEY)
        config.set(SECTION, PATH_KEY, value)  # a new key goes after the section's last one


def add(config: awsconfig.ConfigFile, plugin_dir: str | None) -> None:
    """List our module; with `plugin_dir` (for v2), that directory in `cli_legacy_plugin_path`, instead of any
    earlier path of ours."""
    foreign = foreign_entry(config)
    if foreign is not None:
        raise errors.UsageError(
            f"[{SECTION}] in {config.source} already has {COMMAND_NAME} = {foreign}, which is not "
            "aws-gitpod's; remove or rename it first"
        )
    config.set(SECTION, COMMAND_NAME, plugin_shim.MODULE)
    current = paths(config.get(SECTION, PATH_KEY))
    others = [path for path in current if not is_our_path(path)]
    wanted = [*others, plugin_dir] if plugin_dir else others
    if wanted != current:
        _set_paths(config, wanted)
    _path_after_entry(config)


def remove(config: awsconfig.ConfigFile) -> None:
    """Remove our entry and our paths; the section too, if nothing is left in it."""
    if config.get(SECTION, COMMAND_NAME) in OUR_MODULES:
        config.delete(SECTION, COMMAND_NAME)
    current = paths(config.get(SECTION, PATH_KEY))
    kept = [path for path in current if not is_our_path(path)]
    if kept != current:
        _set_paths(config, kept)
    if config.has_section(SECTION) and not config.keys(SECTION):
        config.delete_section(SECTION)
