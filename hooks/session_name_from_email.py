"""Name every role session after the workspace's owner, so CloudTrail says who did what.

Copy this file anywhere and point `AWS_GITPOD_PLUGINS` at it (or ship it in a package under the
`awscli_gitpod` entry-point group). Sessions are then named `jane.doe-1732700000` instead of
`<workspace id>-1732700000`; without an email in the token, the user id is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awscli_gitpod import hookimpl


@hookimpl
def session_name(claims: Mapping[str, Any], facts: Mapping[str, str], now: int) -> str | None:
    email = claims.get("email")
    who = email.split("@", 1)[0] if isinstance(email, str) and email else claims.get("user_id")
    return f"{who}-{now}" if isinstance(who, str) and who else None
