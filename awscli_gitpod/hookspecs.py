"""The hooks awscli-gitpod calls. Implement them in a module marked with `awscli_gitpod.hookimpl`.

Register the module under the `awscli_gitpod` entry-point group, or name it (or its file) in
`AWS_GITPOD_PLUGINS`. Built-in behaviour is made of the same hooks (`awscli_gitpod.builtin`), and a
plugin's result comes before a built-in's. `hooks/` in the repository has examples to copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from awscli_gitpod.roles import RoleChoice
from awscli_gitpod.tokens import TokenSource

PROJECT = "awscli_gitpod"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def token_sources() -> Iterable[TokenSource]:  # type: ignore[empty-body]
    """Offer ways to obtain the workspace's OIDC token (see `awscli_gitpod.tokens.TokenSource`)."""


@hookspec
def enrich_claims(claims: Mapping[str, Any]) -> Mapping[str, str] | None:
    """Derive facts from the token's claims (`repository`, `branch`, `pr`, `organization`...); merged."""


@hookspec(firstresult=True)
def select_role(claims: Mapping[str, Any], facts: Mapping[str, str]) -> RoleChoice | None:
    """Choose the role (and maybe duration and session policy) for `--role auto`; first wins."""


@hookspec(firstresult=True)
def session_name(claims: Mapping[str, Any], facts: Mapping[str, str], now: int) -> str | None:
    """Name the STS role session (it shows in CloudTrail); first non-None result wins."""


@hookspec(firstresult=True)
def session_policy(role_arn: str, facts: Mapping[str, str]) -> Mapping[str, Any] | None:
    """An inline session policy narrowing the role (unless `--policy` is given); first wins."""
