"""The hooks awscli-gitpod calls. Implement them in a module marked with `awscli_gitpod.hookimpl`.

Register the module under the `awscli_gitpod` entry-point group, or name it in `AWS_GITPOD_PLUGINS`.
The built-in behaviour is implemented by the plugins in `awscli_gitpod.builtin`, which serve as examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pluggy

from awscli_gitpod.tokens import TokenSource

PROJECT = "awscli_gitpod"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def token_sources() -> Iterable[TokenSource]:  # type: ignore[empty-body]
    """Offer ways to obtain the workspace's OIDC token (see `awscli_gitpod.tokens.TokenSource`)."""


@hookspec(firstresult=True)
def session_name(claims: dict[str, Any], now: int) -> str | None:
    """Name the STS role session (it shows in CloudTrail); first non-None result wins."""
