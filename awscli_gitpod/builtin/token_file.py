"""Token sources outside the workspace CLIs: a file (`--token-file`, `AWS_WEB_IDENTITY_TOKEN_FILE`) and
a command (`--token-command`, `AWS_GITPOD_TOKEN_COMMAND`), the latter like aws-vault's
`web_identity_token_process`.

The command runs through `/bin/sh -c` so pipes work (it comes from the user's own configuration, as
credential_process does); the requested audiences reach it as `AWS_GITPOD_AUDIENCE` (comma-separated).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from awscli_gitpod.hookspecs import hookimpl
from awscli_gitpod.process import ProcessFailed, run_bounded
from awscli_gitpod.tokens import TokenRequest, TokenSource, TokenSourceError

MAX_TOKEN_BYTES = 20_000  # STS's own limit on WebIdentityToken


class TokenFile:
    name = "token-file"
    priority = 60

    def path(self, request: TokenRequest) -> str | None:
        return request.token_file or os.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE") or None

    def unavailable_reason(self, request: TokenRequest) -> str | None:
        if self.path(request) is None:
            return "neither --token-file nor AWS_WEB_IDENTITY_TOKEN_FILE is set"
        return None

    def fetch(self, request: TokenRequest) -> str:
        path = self.path(request) or ""
        try:
            with open(path, "rb") as file:
                data = file.read(MAX_TOKEN_BYTES + 1)
        except OSError as error:
            raise TokenSourceError(f"cannot read {path}: {error.strerror}") from None
        if len(data) > MAX_TOKEN_BYTES:
            raise TokenSourceError(f"{path} is larger than a token can be ({MAX_TOKEN_BYTES} bytes)")
        return data.decode("ascii", errors="replace")


class TokenCommand:
    name = "token-command"
    priority = 70

    def command(self, request: TokenRequest) -> str | None:
        return request.token_command or os.environ.get("AWS_GITPOD_TOKEN_COMMAND") or None

    def unavailable_reason(self, request: TokenRequest) -> str | None:
        if self.command(request) is None:
            return "neither --token-command nor AWS_GITPOD_TOKEN_COMMAND is set"
        return None

    def fetch(self, request: TokenRequest) -> str:
        environ = dict(os.environ, AWS_GITPOD_AUDIENCE=",".join(request.audiences))
        try:
            return run_bounded(["/bin/sh", "-c", self.command(request) or ""], request.timeout, environ)
        except ProcessFailed as error:
            raise TokenSourceError(str(error).replace("/bin/sh", "token command", 1)) from None


@hookimpl
def token_sources() -> Iterable[TokenSource]:
    return [TokenFile(), TokenCommand()]
