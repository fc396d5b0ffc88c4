"""The default role session name: `<workspace id>-<unix seconds>`, as `gp idp login aws` names it.

The id is the token's (the Classic workspace, the Ona environment); a user's or a runner's token names
none, and then the workspace this runs in does (`GITPOD_WORKSPACE_ID`, `GITPOD_ENVIRONMENT_ID`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from awscli_gitpod.claims import workspace_id
from awscli_gitpod.hookspecs import hookimpl


@hookimpl(trylast=True)
def session_name(claims: Mapping[str, Any], facts: Mapping[str, str], now: int) -> str | None:
    workspace = (
        workspace_id(dict(claims))
        or os.environ.get("GITPOD_WORKSPACE_ID")
        or os.environ.get("GITPOD_ENVIRONMENT_ID")
        or "aws-gitpod"
    )
    return f"{workspace}-{now}"
