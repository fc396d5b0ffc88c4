"""Whose token it is (a Gitpod Classic workspace, an Ona environment, an Ona user or runner), and whether it
is the token of the workspace this process runs in.

Inside an Ona environment (`GITPOD_ENVIRONMENT_ID` is set) the Ona CLI mints as the environment, unless it
was switched to a user with `ona login --token`: it then mints user tokens (`sub` `org:O/user:U`) until
`ona config context use environment`. A token file or command can hand in anyone's token, in either
product. A role that trusts the workspace then refuses such a token, and AWS's answer does not say why:
`mismatch` does, for `doctor` and for the error of a refused exchange.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

from awscli_gitpod.claims import describe

ONA_V2_KINDS = {"env": "environment", "user": "user", "rnr": "runner"}
RETURN_TO_ENVIRONMENT = "`ona config context use environment` makes the ona CLI mint as the environment again"


class Principal(NamedTuple):
    kind: str  # "workspace" (Classic), "environment", "user" or "runner" (Ona); "" when unknown
    id: str


def principal_of(claims: Mapping[str, Any]) -> Principal | None:
    """Who an Ona or Classic token names; None when the claims are neither's."""
    subject = claims.get("sub")
    subject = subject if isinstance(subject, str) else ""
    if subject.startswith("org:"):  # Ona V2: org:O/prj:P/env:E, org:O/user:U, org:O/rnr:R
        parts = dict(part.partition(":")[::2] for part in subject.split("/"))
        for key, kind in ONA_V2_KINDS.items():
            if parts.get(key):
                return Principal(kind, parts[key])
        return Principal("", "")
    if subject.startswith("organization_id:") or "organization_id" in claims:  # Ona V3
        environment = claims.get("environment_id")
        if isinstance(environment, str) and environment:
            return Principal("environment", environment)
        runner = claims.get("runner_id")
        return Principal("runner", runner) if isinstance(runner, str) and runner else Principal("", "")
    workspace = claims.get("workspace_id")
    if isinstance(workspace, str) and workspace:
        return Principal("workspace", workspace)
    return None


class Mismatch(NamedTuple):
    what: str  # whose token it is instead
    fix: str  # how to get this workspace's own

    def __str__(self) -> str:
        return f"{self.what}; {self.fix}"


def mismatch(claims: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Mismatch | None:
    """Why the token is not this workspace's own, and how to get that back; None when it is, or when this
    process is not in a workspace."""
    environ = os.environ if environ is None else environ
    who = principal_of(claims)
    subject = claims.get("sub", "?")
    environment = environ.get("GITPOD_ENVIRONMENT_ID")
    workspace = environ.get("GITPOD_WORKSPACE_ID")
    if environment and who is not None and who.kind != "workspace":
        if who.kind == "environment":
            if who.id == environment:
                return None
            return Mismatch(
                f"the token is environment {who.id}'s, not this environment's ({environment})",
                "a token file or command from elsewhere? without them the ona CLI mints this environment's",
            )
        if who.kind == "user":
            return Mismatch(
                f"the token is an Ona user token (sub {subject}), not this environment's: the ona CLI here "
                "was switched to a user (`ona login --token`), or a token file or command hands one in",
                RETURN_TO_ENVIRONMENT,
            )
        kind = "runner" if who.kind == "runner" else "non-environment"
        return Mismatch(
            f"the token is an Ona {kind} token (sub {subject}), not this environment's: it comes from a "
            "token file or command, or from a CLI logged in as something else",
            RETURN_TO_ENVIRONMENT,
        )
    if workspace and who is not None and who.kind == "workspace" and who.id != workspace:
        return Mismatch(
            f"the token is workspace {who.id}'s, not this workspace's ({workspace})",
            "a stale token file or command? without them gp mints this workspace's own",
        )
    return None


def describe_principal(claims: Mapping[str, Any]) -> str:
    """`claims.describe`, and why the token is not this workspace's own when it is not: for the error of a
    refused exchange, where AWS's own message never says."""
    found = mismatch(claims)
    return describe(dict(claims)) + (f"; {found}" if found else "")
