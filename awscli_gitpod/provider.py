"""Credentials through the cache: the one path from a request to credentials, for every command.

`creds` prints what `cached_document` returns; `export`, `exec`, `login`, `secrets --role` and `doctor`
ask for `role_credentials` or `profile_credentials`, which share the cache entry of the equivalent `creds`
line. Caching wraps the exchange (`awscli_gitpod.exchange`) rather than living inside it.

The miss path: take the key's refresh lock, look again (a process ahead of us may have refreshed), exchange,
store. When STS is unreachable but the cached credentials are still valid for a while, those are returned
with a warning rather than failing every `aws` call during an outage. (The hit path of `creds` never
reaches this module: `awscli_gitpod.__main__` answers it with `awscli_gitpod.cache` alone.)
"""

from __future__ import annotations

import time

from awscli_gitpod import cacheinfo, errors, prebuild, refreshahead, waiting
from awscli_gitpod.cache import BOTOCORE_REFRESH_WINDOW, DEFAULT_REFRESH_MARGIN, CacheUnavailable, Entry, Slot
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.deadline import DeadlineExceeded, ceiling
from awscli_gitpod.exchange import ExchangeOptions, exchange, validate
from awscli_gitpod.profiles import exchange_options_for_profile
from awscli_gitpod.singleflight import LockTimeout, RefreshLock
from awscli_gitpod.tokens import TokenOptions
from awscli_gitpod.waitnotice import WaitNotice

# Failures after which still-valid cached credentials beat no credentials: AWS or the token source could not
# be reached or did not answer usefully. A refusal (AccessDenied...) is never hidden this way.
STALE_OK = (errors.AWS_UNAVAILABLE, errors.NO_TOKEN)


def cached_document(
    options: ExchangeOptions,
    creds_args: list[str],
    refresh_margin: int = DEFAULT_REFRESH_MARGIN,
    use_cache: bool = True,
) -> bytes:
    """The credential_process document for `options`, from the cache when it is fresh.

    `creds_args` are the `creds` arguments as given: they make the cache key, as on the hit path. The whole
    call, waiting for another process included, ends within `options.timeout`.
    """
    if refresh_margin < 0:
        raise errors.UsageError("--refresh-margin must be zero or more seconds")
    validate(options)
    deadline = time.monotonic() + options.timeout
    # A declared prebuild writes nothing to disk: its snapshot would hand the credentials to everyone.
    cached = use_cache and prebuild.may_write("credentials to the cache")
    slot = Slot.for_arguments(creds_args) if cached else None
    handoff = waiting.take(slot.path) if slot is not None else None
    if handoff is not None:
        deadline = min(deadline, handoff.deadline)  # the wait before the imports counts
    entry = slot.read() if slot is not None else None
    if handoff is None and entry is not None and entry.fresh(time.time(), refresh_margin):
        return entry.body
    try:
        with ceiling(deadline):
            if slot is None:
                return exchange(options, deadline).process_output()
            return _refresh(options, slot, refresh_margin, deadline, handoff)
    except DeadlineExceeded:
        failure = _timed_out(options)
    except errors.Failure as raised:
        failure = raised
    latest = slot.read() if slot is not None else None
    return _stale_or_raise(latest or entry, failure)


def _waited_too_long(options: ExchangeOptions) -> str:
    return (
        f"timed out after --timeout {options.timeout:g} s waiting for another aws-gitpod process to refresh "
        "the same credentials; retry, or pass --no-cache"
    )


def _timed_out(options: ExchangeOptions) -> errors.Failure:
    return errors.Failure(
        f"no credentials within --timeout {options.timeout:g} s (the token source or STS did not answer "
        "in time); retry, or raise --timeout",
        errors.AWS_UNAVAILABLE,
    )


def _refresh(
    options: ExchangeOptions,
    slot: Slot,
    refresh_margin: int,
    deadline: float,
    handoff: waiting.Handoff | None = None,
) -> bytes:
    """Under the slot's lock: the entry another process just stored, its failure, or a new exchange."""
    if handoff is not None and handoff.fd is None:
        raise LockTimeout(_waited_too_long(options), errors.AWS_UNAVAILABLE)
    notice = WaitNotice(waiting.notice_text(options.role_arn))
    lock = RefreshLock(slot.path, deadline, on_wait=notice.start)
    try:
        if handoff is not None and handoff.fd is not None:
            lock.adopt(handoff.fd, handoff.waited_since)
        else:
            lock.acquire()
    except CacheUnavailable as error:  # an unusable cache directory must not stop the credentials
        errors.warn(f"not caching: {error}")
        return exchange(options, deadline).process_output()
    finally:
        notice.stop()
    try:
        entry = slot.read()
        if entry is not None and entry.fresh(time.time(), refresh_margin):
            return entry.body  # the process we waited for refreshed it
        earlier_failure = lock.failure_while_waiting()
        if earlier_failure is not None:
            raise earlier_failure  # shared with everyone who waited, rather than repeated by each
        issued = int(time.time())
        try:
            credentials = exchange(options, deadline)
        except errors.Failure as failure:
            lock.record_failure(failure)
            raise
        except DeadlineExceeded:
            lock.record_failure(_timed_out(options))
            raise
        body = credentials.process_output()
        try:
            slot.store(body, issued, credentials.expires)
            cacheinfo.record(slot.path, options, credentials)  # what the entry is for, for `cache list`
        except (OSError, CacheUnavailable) as error:
            errors.warn(f"could not cache credentials: {getattr(error, 'strerror', None) or error}")
        return body
    finally:
        lock.release()


def refresh_ahead(options: ExchangeOptions, creds_args: list[str], refresh_margin: int) -> None:
    """The background refresh a cache hit started (`refreshahead`): refresh now, unless another process
    holds the lock or the entry is no longer due; record the outcome for the callers that follow."""
    validate(options)
    slot = Slot.for_arguments(creds_args)
    if slot is None:
        return
    deadline = time.monotonic() + options.timeout
    lock = RefreshLock(slot.path, deadline=time.monotonic())  # no waiting: someone else is at it
    try:
        lock.acquire()
    except (LockTimeout, CacheUnavailable):
        return
    succeeded = False
    try:
        entry = slot.read()
        if entry is not None and time.time() < entry.prefetch_after(refresh_margin):
            succeeded = True  # refreshed since the hit that started us
            return
        issued = int(time.time())
        with ceiling(deadline):
            credentials = exchange(options, deadline)
        slot.store(credentials.process_output(), issued, credentials.expires)
        cacheinfo.record(slot.path, options, credentials)
        succeeded = True
    except errors.Failure as failure:
        lock.record_failure(failure)
    except DeadlineExceeded:
        lock.record_failure(_timed_out(options))
    except (OSError, CacheUnavailable):
        pass  # the cache cannot be written: callers refresh at the margin, as without refresh ahead
    finally:
        refreshahead.finished(slot.path, succeeded)
        lock.release()


def _stale_or_raise(entry: Entry | None, failure: errors.Failure) -> bytes:
    """Cached credentials that have not expired yet, with one warning, when the failure is of the kind
    that passes; else the failure."""
    now = time.time()
    if failure.exit_code in STALE_OK and entry is not None and entry.usable(now):
        minutes = int(entry.expires - now) // 60
        errors.warn(f"{failure.message}; using cached credentials valid for {minutes} more minutes")
        return entry.body
    raise failure


def short_session_note(duration_seconds: int | None) -> str | None:
    """What a session shorter than twice botocore's refresh window costs, or None. Such a session is served
    for half its life; for the rest of that half, fewer than 15 minutes remain, so botocore runs the
    credential process again before every API call."""
    if duration_seconds is None or duration_seconds >= 2 * BOTOCORE_REFRESH_WINDOW:
        return None
    return (
        f"sessions of {duration_seconds} s are shorter than twice botocore's 15-minute refresh window: for "
        "part of each, the AWS CLI and SDKs run the credential process (a cache hit) before every API call; "
        f"--duration-seconds {2 * BOTOCORE_REFRESH_WINDOW} or more avoids it"
    )


def canonical_arguments(options: ExchangeOptions) -> list[str]:
    """`creds` arguments that ask for exactly these credentials, in the order the README shows them, so a
    command given `--role X --region Y` shares the cache entry of `creds --role X --region Y`."""
    arguments = ["--role", options.role_arn]
    optional = [
        ("--region", options.region),
        ("--duration-seconds", None if options.duration_seconds is None else str(options.duration_seconds)),
        ("--session-name", options.session_name),
        ("--policy", options.policy),
        *[("--audience", audience) for audience in _audience_arguments(options.token)],
        ("--scope", options.token.scope),
        ("--token-source", options.token.source),
        ("--token-file", options.token.file),
        ("--token-command", options.token.command),
    ]
    for flag, value in optional:
        if value is not None:
            arguments += [flag, value]
    for arn in options.policy_arns:
        arguments += ["--policy-arn", arn]
    return arguments


def _audience_arguments(token: TokenOptions) -> tuple[str, ...]:
    audiences = (token.audience, *token.extra_audiences)
    return () if audiences == (TokenOptions.audience,) else audiences


def role_credentials(
    options: ExchangeOptions, refresh_margin: int = DEFAULT_REFRESH_MARGIN, use_cache: bool = True
) -> Credentials:
    """Credentials for `--role` and its options, through the cache entry `creds` would use."""
    document = cached_document(options, canonical_arguments(options), refresh_margin, use_cache)
    return Credentials.from_process_output(document)


def profile_credentials(
    profile: str, refresh_margin: int = DEFAULT_REFRESH_MARGIN, use_cache: bool = True
) -> tuple[Credentials, ExchangeOptions]:
    """Credentials for a profile whose credential_process is `aws-gitpod creds ...`, through its cache
    entry, and the options its creds line gives."""
    options, creds_args = exchange_options_for_profile(profile)
    document = cached_document(options, creds_args, refresh_margin, use_cache)
    return Credentials.from_process_output(document), options


def credentials_for(
    role: ExchangeOptions | None,
    profile: str | None,
    refresh_margin: int = DEFAULT_REFRESH_MARGIN,
    use_cache: bool = True,
) -> tuple[Credentials, ExchangeOptions]:
    """`role_credentials` for a role's options, else `profile_credentials` for a profile."""
    if role is not None:
        return role_credentials(role, refresh_margin, use_cache), role
    if profile is None:
        raise errors.UsageError("pass --role ARN, or --profile P for a profile `aws-gitpod login` wrote")
    return profile_credentials(profile, refresh_margin, use_cache)
