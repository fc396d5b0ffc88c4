"""What `select_role` returns: the role to assume for `--role auto`, and how."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleChoice:
    role_arn: str
    duration_seconds: int | None = None
    policy: str | None = None  # an inline session policy, as JSON text
    reason: str = ""  # why this role, for `doctor` (e.g. "rule main-deploys in roles.ini")
