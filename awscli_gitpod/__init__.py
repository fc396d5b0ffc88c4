"""awscli-gitpod: AWS credentials for Gitpod and Ona workspaces, from the workspace's OIDC token.

Plugin authors need only `hookimpl` from here; `awscli_gitpod.hookspecs` documents every hook.
This module is imported on every `aws-gitpod creds` call, so it imports nothing: `hookimpl` (and with it
pluggy) is loaded on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False
if TYPE_CHECKING:
    import pluggy

    hookimpl: pluggy.HookimplMarker


def __getattr__(name: str) -> object:
    if name == "hookimpl":
        from awscli_gitpod.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
