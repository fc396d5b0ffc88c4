"""The plugin manager: built-in plugins, the `awscli_gitpod` entry points, and `AWS_GITPOD_PLUGINS`.

- `AWS_GITPOD_PLUGINS`: comma-separated module names or paths of `.py` files to load as plugins too.
- `AWS_GITPOD_DISABLE_PLUGINS`: comma-separated plugin names to block (built-ins included), or `*` for every
  plugin that is not built in.

Loaded once, lazily: only the slow path imports this module, so a cached `creds` never loads a plugin. A
plugin that fails to load, or raises in a hook, becomes one line naming it (`call_hook`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import traceback
from functools import lru_cache
from types import ModuleType, TracebackType
from typing import Any

import pluggy

from awscli_gitpod import errors, hookspecs
from awscli_gitpod.builtin import BUILTIN_PLUGINS
from awscli_gitpod.redaction import redact

ENTRY_POINT_GROUP = "awscli_gitpod"


def _names(variable: str) -> list[str]:
    return [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]


def _load_extra(spec: str) -> tuple[str, ModuleType]:
    """A module name, or a `.py` file registered under the file's own name."""
    try:
        if not spec.endswith(".py"):
            return spec, importlib.import_module(spec)
        path = os.path.abspath(os.path.expanduser(spec))
        name = "awscli_gitpod_plugin_" + os.path.splitext(os.path.basename(path))[0]
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"not a Python file: {path}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return os.path.basename(spec), module
    except Exception as error:
        raise errors.Failure(
            f"plugin {spec!r} from AWS_GITPOD_PLUGINS failed to load: {type(error).__name__}: "
            f"{redact(str(error))}",
            errors.INTERNAL,
        ) from None


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    blocked = set(_names("AWS_GITPOD_DISABLE_PLUGINS"))
    for name in blocked - {"*"}:
        manager.set_blocked(name)
    for module_name in BUILTIN_PLUGINS:
        if not manager.is_blocked(module_name):
            manager.register(importlib.import_module(module_name), name=module_name)
    if "*" not in blocked:
        try:
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as error:
            raise errors.Failure(
                f"a plugin in the {ENTRY_POINT_GROUP!r} entry-point group failed to load: "
                f"{type(error).__name__}: {redact(str(error))}; block it with AWS_GITPOD_DISABLE_PLUGINS",
                errors.INTERNAL,
            ) from None
        for spec in _names("AWS_GITPOD_PLUGINS"):
            name, module = _load_extra(spec)
            if not manager.is_blocked(name):
                manager.register(module, name=name)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise errors.Failure(f"plugin {error.plugin!r}: {error}", errors.INTERNAL) from None
    return manager


def _culprit(trace: TracebackType | None, impls: list[pluggy.HookImpl]) -> str:
    """The plugin whose hook function is on the failing call stack."""
    codes = {impl.function.__code__: impl.plugin_name for impl in impls if hasattr(impl.function, "__code__")}
    for frame, _ in traceback.walk_tb(trace):
        if frame.f_code in codes:
            return codes[frame.f_code]
    return "unknown"


def call_hook(name: str, **kwargs: Any) -> Any:
    """Call hook `name`; a plugin's exception becomes one line naming the plugin, not a traceback."""
    caller = getattr(plugin_manager().hook, name)
    try:
        return caller(**kwargs)
    except errors.Failure:
        raise
    except Exception as error:
        culprit = _culprit(error.__traceback__, caller.get_hookimpls())
        raise errors.Failure(
            f"plugin {culprit} failed in hook {name}: {type(error).__name__}: {redact(str(error))}; "
            f"disable it with AWS_GITPOD_DISABLE_PLUGINS={culprit}",
            errors.INTERNAL,
        ) from None


def describe() -> list[tuple[str, str, list[str]]]:
    """(name, where it comes from, hooks it implements) for every registered plugin, in call order."""
    manager = plugin_manager()
    distributions = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    rows = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:
            continue
        if name in BUILTIN_PLUGINS:
            origin = "built in"
        elif id(plugin) in distributions:
            dist = distributions[id(plugin)]
            origin = f"entry point of {dist.project_name} {dist.version}"
        else:
            origin = "AWS_GITPOD_PLUGINS"
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        rows.append((name, origin, hooks))
    return rows


def blocked() -> list[str]:
    return sorted(name for name in _names("AWS_GITPOD_DISABLE_PLUGINS"))
