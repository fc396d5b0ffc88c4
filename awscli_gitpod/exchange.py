"""From options to credentials: validate, mint a workspace token, name the session, call STS.

This is the uncached exchange; `awscli_gitpod.provider` wraps it in the cache for every command, and
`doctor` calls it directly to see what STS says now.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awscli_gitpod import errors, sts
from awscli_gitpod.cache import DEFAULT_TIMEOUT
from awscli_gitpod.claims import MalformedToken, decode_unverified
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.regions import resolve_region
from awscli_gitpod.roles import RoleChoice
from awscli_gitpod.tokens import TokenOptions, TokenRequest, obtain_token

AUTO_ROLE = "auto"  # `--role auto`: the `select_role` hook (role rules, plugins) chooses
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


def sanitize_session_name(name: str) -> str:
    """Fit STS's RoleSessionName rule: 2-64 characters of `[\\w+=,.@-]`."""
    cleaned = SESSION_NAME_BAD_CHARACTERS.sub("-", name)[:64]
    return cleaned if len(cleaned) >= 2 else (cleaned + "--")[:2]


def check_role_arn(role_arn: str, what: str = "--role") -> None:
    if not ROLE_ARN.fullmatch(role_arn):
        raise errors.UsageError(
            f"{what} {role_arn!r} is not an IAM role ARN "
            "(expected arn:aws:iam::<12-digit account>:role/<name>, or `auto`)"
        )


def validate(options: ExchangeOptions) -> None:
    if options.role_arn != AUTO_ROLE:
        check_role_arn(options.role_arn)
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
    from awscli_gitpod.plugins import call_hook

    request = TokenRequest(
        audiences=(options.audience, *options.extra_audiences),
        scope=options.scope,
        # A little less than what is left, so that a hanging source is reported as such, not as the
        # whole command's timeout.
        timeout=max(0.5, min(15.0, deadline - time.monotonic() - 0.25)),
        token_file=options.file,
        token_command=options.command,
    )
    sources = [source for offered in call_hook("token_sources") for source in offered]
    return obtain_token(sources, request, options.source)


def facts_of(claims: Mapping[str, Any]) -> dict[str, str]:
    """Every plugin's `enrich_claims`, merged so that third-party facts override built-in ones."""
    from awscli_gitpod.plugins import call_hook

    facts: dict[str, str] = {}
    for result in reversed(call_hook("enrich_claims", claims=claims)):  # pluggy calls built-ins last
        facts.update({str(key): str(value) for key, value in (result or {}).items()})
    return facts


def choose_role(options: ExchangeOptions, claims: Mapping[str, Any], facts: Mapping[str, str]) -> RoleChoice:
    """The role to assume and how: `--role`, or for `--role auto` what `select_role` says."""
    from awscli_gitpod.plugins import call_hook

    if options.role_arn != AUTO_ROLE:
        return RoleChoice(options.role_arn, options.duration_seconds, options.policy, "--role")
    choice: RoleChoice | None = call_hook("select_role", claims=claims, facts=facts)
    if choice is None:
        known = " ".join(
            f"{key}={facts[key]}" for key in ("repository", "branch", "pr", "organization") if key in facts
        )
        raise errors.UsageError(
            f"--role auto: no role rule or plugin matched this workspace ({known or 'no facts'}); "
            "add a rule (see `aws-gitpod plugins`) or pass --role ARN"
        )
    check_role_arn(choice.role_arn, f"the role chosen by {choice.reason or 'a plugin'}")
    return RoleChoice(
        choice.role_arn,
        options.duration_seconds or choice.duration_seconds,
        options.policy or choice.policy,
        choice.reason,
    )


def _import_botocore() -> None:
    import botocore.client
    import botocore.parsers
    import botocore.session  # noqa: F401


def exchange(options: ExchangeOptions, deadline: float) -> Credentials:
    """Credentials for `options.role_arn`, fetched now; Failure with an exit code otherwise."""
    from awscli_gitpod.plugins import call_hook

    validate(options)

    def mint() -> str:
        return fetch_token(options.token, deadline)[1]

    # botocore takes longer to import than a token CLI takes to answer: load it while the token is minted.
    loading = threading.Thread(target=_import_botocore, name="import-botocore", daemon=True)
    loading.start()
    try:
        token = mint()
    finally:
        loading.join()
    minted = [token]  # the first STS attempt uses the token already in hand

    def next_token() -> str:
        return minted.pop() if minted else mint()

    try:
        claims = decode_unverified(token)[1]
    except MalformedToken:
        claims = {}
    facts = facts_of(claims)
    choice = choose_role(options, claims, facts)
    policy = choice.policy
    if policy is None:
        narrowed = call_hook("session_policy", role_arn=choice.role_arn, facts=facts)
        policy = json.dumps(narrowed) if narrowed else None
    session_name = options.session_name or call_hook(
        "session_name", claims=claims, facts=facts, now=int(time.time())
    )
    request = sts.AssumeRoleRequest(
        role_arn=choice.role_arn,
        region=resolve_region(options.region),
        session_name=sanitize_session_name(session_name or "aws-gitpod"),
        duration_seconds=choice.duration_seconds,
        policy=policy,
        policy_arns=options.policy_arns,
    )
    return sts.assume_role(request, next_token, deadline)
