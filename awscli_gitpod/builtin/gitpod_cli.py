"""Token sources for the workspace CLIs: `gp` (Gitpod Classic and Enterprise) and `ona`/`gitpod` (Ona).

Each runs `<cli> idp token --audience A ...`. `gp` asks the workspace's supervisor, which asks the Gitpod
server to sign a token for the workspace; it exists only inside a Classic workspace, so it is tried first.
The Ona CLI mints wherever it is logged in: inside an environment as the environment, but also as a user
or a service account (on a laptop, or in an environment after `ona login --token`), so a token from it is
not necessarily the environment's own (`awscli_gitpod.principal` tells).

`gp idp token` throws away why minting failed and reports the parse of an empty token instead (`token is
malformed: token contains an invalid number of segments`), so that message is replaced by what it means,
and `gp info`, which asks the same supervisor and keeps its error, says which of the causes it is.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable

from awscli_gitpod.hookspecs import hookimpl
from awscli_gitpod.process import ProcessFailed, run_bounded
from awscli_gitpod.tokens import TokenRequest, TokenSource, TokenSourceError

GP_MINT_FAILED = "token is malformed"  # what every failure of `gp idp token` to mint reads
PROBE_SECONDS = 2.0  # `gp info` answers from the local supervisor at once, or fails at once


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
            reason = str(error).replace(program, self.program, 1)
            if self.program == "gp" and GP_MINT_FAILED in reason:
                reason = gp_could_not_mint(program, min(PROBE_SECONDS, request.timeout))
            raise TokenSourceError(reason) from None


def gp_could_not_mint(program: str, timeout: float) -> str:
    """What `gp idp token`'s `token is malformed` means, narrowed down by asking `gp info`."""
    said = "gp could not mint a token (`gp idp token` hides why and says `token is malformed`)"
    try:
        run_bounded([program, "info", "--json"], timeout)
    except ProcessFailed as error:
        answer = str(error).replace(program, "gp", 1).replace("gp failed (exit 1): ", "", 1)
        return (
            f"{said}: the workspace's supervisor does not answer, so this is not a running Gitpod workspace "
            f"or its supervisor is down (`gp info`: {answer})"
        )
    return (
        f"{said}: the workspace's supervisor answers (`gp info` works), so the Gitpod server refused to sign "
        "a token for this workspace: it may be stopping, or the installation may not issue OIDC tokens; "
        "retry, and if it persists ask the installation's administrators (the refusal is in its "
        "public-api-server log)"
    )


@hookimpl
def token_sources() -> Iterable[TokenSource]:
    return [
        WorkspaceCli("gp", "gp", priority=20, supports_scope=True),
        WorkspaceCli("ona", "ona", priority=30, supports_scope=False),
        WorkspaceCli("gitpod", "gitpod", priority=40, supports_scope=False),
    ]
