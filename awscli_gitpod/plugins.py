"""The plugin manager: built-in plugins, then the `awscli_gitpod` entry points, loaded once and lazily.

`AWS_GITPOD_DISABLE_PLUGINS` (comma-separated names, or `*` for every third-party plugin) blocks plugins
from loading. Only the slow path imports this module: a cached `creds` never loads a plugin.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache

import pluggy

from awscli_gitpod import errors, hookspecs
from awscli_gitpod.builtin import BUILTIN_PLUGINS

ENTRY_POINT_GROUP = "awscli_gitpod"


def _blocked() -> set[str]:
    return {name.strip() for name in os.environ.get("AWS_GITPOD_DISABLE_PLUGINS", "").split(",")}


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    blocked = _blocked()
    if "*" not in blocked:
        for name in blocked - {""}:
            manager.set_blocked(name)
        try:
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as error:
            raise errors.Failure(
                f"a plugin in the {ENTRY_POINT_GROUP!r} entry-point group failed to load: {error!r}; "
                "block it with AWS_GITPOD_DISABLE_PLUGINS=<name>",
                errors.INTERNAL,
            ) from error
    manager.check_pending()
    return manager
