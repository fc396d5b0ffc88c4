"""Token sources for the workspace CLIs: `gp` (Gitpod Classic and Enterprise) and `ona`/`gitpod` (Ona).

Each runs `<cli> idp token --audience A ...`; the CLI asks the workspace's supervisor, which asks the
Gitpod server to sign a fresh token. Classic is tried first: its `gp` exists only inside a workspace,
while the Ona CLI can also be installed on a laptop, where it cannot mint a token.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable

from awscli_gitpod.hookspecs import hookimpl
from awscli_gitpod.process import ProcessFailed, run_bounded
from awscli_gitpod.tokens import TokenRequest, TokenSource, TokenSourceError


class WorkspaceCli:
    def __init__(self, name: str, program: str, priority: int, supports_scope: bool) -> None:
        self.name = name
        self.program = program
        self.priority = priority
        self.supports_scope = supports_scope

    def unavailable_reason(self, request: TokenRequest) -> str | None:
        if shutil.which(self.program) is None:
            return f"{self.program} is not on PATH"
        if request.scope and not self.supports_scope:
            return f"{self.program} cannot request a --scope"
        return None

    def command(self, request: TokenRequest) -> list[str]:
        argv = [self.program, "idp", "token"]
        for audience in request.audiences:
            argv += ["--audience", audience]
        if request.scope:
            argv += ["--scope", request.scope]
        return argv

    def fetch(self, request: TokenRequest) -> str:
        program = shutil.which(self.program) or self.program
        try:
            return run_bounded([program, *self.command(request)[1:]], request.timeout)
        except ProcessFailed as error:
            raise TokenSourceError(str(error).replace(program, self.program, 1)) from None


@hookimpl
def token_sources() -> Iterable[TokenSource]:
    return [
        WorkspaceCli("gp", "gp", priority=20, supports_scope=True),
        WorkspaceCli("ona", "ona", priority=30, supports_scope=False),
        WorkspaceCli("gitpod", "gitpod", priority=40, supports_scope=False),
    ]
