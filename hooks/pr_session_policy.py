"""Narrow the role to read-only in workspaces opened on a pull request, whoever's branch it comes from.

A session policy can only take permissions away from the role, so this is safe to add to any role. Copy
this file and point `AWS_GITPOD_PLUGINS` at it; an explicit `--policy` still wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awscli_gitpod import hookimpl

READ_ONLY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PullRequestWorkspacesReadOnly",
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*", "dynamodb:Get*", "dynamodb:Query", "logs:Get*", "sts:Get*"],
            "Resource": "*",
        }
    ],
}


@hookimpl
def session_policy(role_arn: str, facts: Mapping[str, str]) -> Mapping[str, Any] | None:
    return READ_ONLY if "pr" in facts else None
