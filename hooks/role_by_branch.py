"""Choose the role by branch for `aws-gitpod creds --role auto`: workspaces opened on `main` may deploy,
all others get the developer role.

Copy this file, edit the two ARNs (or set the variables), and point `AWS_GITPOD_PLUGINS` at it. The same
can be done without code by a role rule (`aws-gitpod plugins` shows where the rules file goes); a plugin is
for logic a rule cannot express. The roles' trust policies still decide: a rule only picks which to ask for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from awscli_gitpod import hookimpl
from awscli_gitpod.roles import RoleChoice

DEPLOY_ROLE = os.environ.get("GITPOD_DEPLOY_ROLE_ARN", "arn:aws:iam::123456789012:role/deploy")
DEVELOPER_ROLE = os.environ.get("GITPOD_DEVELOPER_ROLE_ARN", "arn:aws:iam::123456789012:role/developer")
DEPLOY_BRANCHES = ("main",)


@hookimpl
def select_role(claims: Mapping[str, Any], facts: Mapping[str, str]) -> RoleChoice | None:
    branch = facts.get("branch")
    if branch in DEPLOY_BRANCHES and "pr" not in facts:
        return RoleChoice(DEPLOY_ROLE, reason=f"role_by_branch: branch {branch}")
    return RoleChoice(DEVELOPER_ROLE, duration_seconds=3600, reason=f"role_by_branch: branch {branch or '-'}")
