"""The default role session name: `<workspace id>-<unix seconds>`, as `gp idp login aws` names it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from awscli_gitpod.claims import workspace_id
from awscli_gitpod.hookspecs import hookimpl


@hookimpl(trylast=True)
def session_name(claims: Mapping[str, Any], facts: Mapping[str, str], now: int) -> str | None:
    workspace = workspace_id(dict(claims)) or os.environ.get("GITPOD_WORKSPACE_ID") or "aws-gitpod"
    return f"{workspace}-{now}"
