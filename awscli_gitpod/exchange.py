"""From options to credentials: validate, mint a workspace token, name the session, call STS.

This is the uncached exchange every command shares (`creds`, and later `login`, `export`, `exec`);
`awscli_gitpod.commands.creds` wraps it in the cache.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

from awscli_gitpod import errors, sts
from awscli_gitpod.claims import MalformedToken, decode_unverified
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.tokens import TokenOptions, TokenRequest, obtain_token

DEFAULT_REGION = "us-east-1"
DEFAULT_TIMEOUT = 45.0  # the Go SDK abandons a credential process after 60 s
MIN_DURATION, MAX_DURATION = 900, 43200

ROLE_ARN = re.compile(r"arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
SESSION_NAME_BAD_CHARACTERS = re.compile(r"[^\w+=,.@-]", re.ASCII)


@dataclass(frozen=True)
class ExchangeOptions:
    role_arn: str
    region: str | None = None
    token: TokenOptions = field(default_factory=TokenOptions)
    duration_seconds: int | None = None
    session_name: str | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT


def resolve_region(region: str | None) -> str:
    return region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def sanitize_session_name(name: str) -> str:
    """Fit STS's RoleSessionName rule: 2-64 characters of `[\\w+=,.@-]`."""
    cleaned = SESSION_NAME_BAD_CHARACTERS.sub("-", name)[:64]
    return cleaned if len(cleaned) >= 2 else (cleaned + "--")[:2]


def validate(options: ExchangeOptions) -> None:
    if not ROLE_ARN.fullmatch(options.role_arn):
        raise errors.UsageError(
            f"--role {options.role_arn!r} is not an IAM role ARN "
            "(expected arn:aws:iam::<12-digit account>:role/<name>)"
        )
    duration = options.duration_seconds
    if duration is not None and not MIN_DURATION <= duration <= MAX_DURATION:
        raise errors.UsageError(
            f"--duration-seconds {duration} is out of range: STS accepts {MIN_DURATION} to "
            f"{MAX_DURATION}, and at most the role's MaxSessionDuration"
        )
    if options.policy is not None and len(options.policy) > 2048:
        raise errors.UsageError("--policy is longer than the 2048 characters STS accepts")
    if len(options.policy_arns) > 10:
        raise errors.UsageError("STS accepts at most 10 --policy-arn session policies")
    if options.timeout <= 0:
        raise errors.UsageError("--timeout must be positive")


def fetch_token(options: TokenOptions, deadline: float) -> tuple[str, str]:
    """(source name, JWT) from the token sources the plugins offer, before the monotonic `deadline`."""
    from awscli_gitpod.plugins import plugin_manager

    request = TokenRequest(
        audiences=(options.audience,),
        scope=options.scope,
        timeout=max(1.0, min(15.0, deadline - time.monotonic())),
        token_file=options.file,
        token_command=options.command,
    )
    sources = [source for offered in plugin_manager().hook.token_sources() for source in offered]
    return obtain_token(sources, request, options.source)


def exchange(options: ExchangeOptions, deadline: float) -> Credentials:
    """Credentials for `options.role_arn`, fetched now; Failure with an exit code otherwise."""
    from awscli_gitpod.plugins import plugin_manager

    validate(options)
    hooks = plugin_manager().hook

    def mint() -> str:
        return fetch_token(options.token, deadline)[1]

    token = mint()
    minted = [token]  # the first STS attempt uses the token already in hand

    def next_token() -> str:
        return minted.pop() if minted else mint()

    session_name = options.session_name
    if session_name is None:
        try:
            claims = decode_unverified(token)[1]
        except MalformedToken:
            claims = {}
        session_name = hooks.session_name(claims=claims, now=int(time.time()))
    request = sts.AssumeRoleRequest(
        role_arn=options.role_arn,
        region=resolve_region(options.region),
        session_name=sanitize_session_name(session_name or "aws-gitpod"),
        duration_seconds=options.duration_seconds,
        policy=options.policy,
        policy_arns=options.policy_arns,
    )
    return sts.assume_role(request, next_token, deadline)
