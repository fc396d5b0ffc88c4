"""Getting a workspace OIDC token from whichever source works, and saying why none did.

A token source is a small object offered by a plugin through the `token_sources` hook (the built-in ones
are plugins too, in `awscli_gitpod.builtin`). Sources are tried in ascending `priority`; `--token-source`
forces one. A source that is not available here says why without running anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from awscli_gitpod import errors
from awscli_gitpod.claims import MalformedToken, decode_unverified


@dataclass(frozen=True)
class TokenOptions:
    """How the user asked for the token: the token options every command shares."""

    audience: str = "sts.amazonaws.com"
    extra_audiences: tuple[str, ...] = ()  # `--audience` repeated, as gp takes it
    scope: str | None = None
    source: str | None = None  # force this source (`--token-source`)
    file: str | None = None
    command: str | None = None


@dataclass(frozen=True)
class TokenRequest:
    audiences: tuple[str, ...] = ("sts.amazonaws.com",)
    scope: str | None = None
    timeout: float = 10.0  # seconds any one source may take
    token_file: str | None = None
    token_command: str | None = None


class TokenSourceError(Exception):
    """A source was tried and failed; the message must never contain the token."""


class TokenSource(Protocol):
    name: str
    priority: int  # lower is tried first; the built-ins use 10-90

    def unavailable_reason(self, request: TokenRequest) -> str | None:
        """Why this source cannot work here (no CLI on PATH, no file configured), or None. No I/O."""

    def fetch(self, request: TokenRequest) -> str:
        """The raw JWT; raise TokenSourceError when it cannot be had."""


def check_looks_like_jwt(text: str, source: str) -> str:
    token = text.strip()
    try:
        decode_unverified(token)
    except MalformedToken as error:
        raise TokenSourceError(f"{source} printed something that is not a JWT ({error})") from None
    return token


def choose_sources(
    sources: Iterable[TokenSource], request: TokenRequest, forced: str | None
) -> list[TokenSource]:
    ordered = sorted(sources, key=lambda source: (source.priority, source.name))
    if forced is None:
        # Naming a token file or command on the command line is a choice, not a hint.
        if request.token_file:
            forced = "token-file"
        elif request.token_command:
            forced = "token-command"
    if forced is None:
        return ordered
    chosen = [source for source in ordered if source.name == forced]
    if not chosen:
        names = ", ".join(source.name for source in ordered)
        raise errors.UsageError(f"unknown token source {forced!r}; known sources: {names}")
    return chosen


def obtain_token(
    sources: Iterable[TokenSource], request: TokenRequest, forced: str | None = None
) -> tuple[str, str]:
    """(source name, token) from the first source that works, else a Failure listing every attempt."""
    attempts: list[str] = []
    for source in choose_sources(sources, request, forced):
        reason = source.unavailable_reason(request)
        if reason is None:
            try:
                return source.name, check_looks_like_jwt(source.fetch(request), source.name)
            except TokenSourceError as error:
                reason = str(error)
        attempts.append(f"{source.name}: {reason}")
    tried = "; ".join(attempts) or "no token sources are registered"
    raise errors.Failure(
        f"no workspace token: {tried}. Run inside a Gitpod or Ona workspace, or pass "
        "--token-file/--token-command",
        errors.NO_TOKEN,
    )
