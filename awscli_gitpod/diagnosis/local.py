"""`doctor`'s local checks: the cache entry of the role's `creds` line, and whatever in the AWS credential
chain would be used instead of the profile's credential_process.

botocore's order for a profile: environment keys (unless `--profile` is given on the command line), then
assume-role (`role_arn`), web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` or `web_identity_token_file`), SSO,
keys in the shared credentials file, and only then `credential_process`.
"""

from __future__ import annotations

import os
import time

from awscli_gitpod import awsconfig, errors
from awscli_gitpod.clock import rfc3339 as _when
from awscli_gitpod.diagnosis.result import FAIL, OK, SKIP, Context, Result
from awscli_gitpod.profiles import profiles_for_role, static_keys_of

ENV_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# Profile settings in the config file that botocore resolves before credential_process.
OUTRANKING_SETTINGS = (
    "role_arn",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
)


def _directory_problem(directory: str) -> str | None:
    """Why `creds` cannot cache in `directory`, or None (a missing one is created)."""
    from awscli_gitpod import cache

    if not os.path.lexists(directory):
        return None
    try:
        cache.ensure_private_dir(directory)
    except cache.CacheUnavailable as error:
        return str(error)
    return None


def check_cache(context: Context) -> Result:
    from awscli_gitpod import cache

    if context.exchange is None or context.creds_args is None:
        return Result("cache", SKIP, "no role: pass --role ARN or --profile P")
    directory = cache.cache_dir()
    problem = _directory_problem(directory)
    if problem is not None:
        fix = "remove it, or set AWS_GITPOD_CACHE_DIR to a directory of your own"
        return Result("cache", FAIL, f"{problem}: every creds call goes to STS", fix)
    split = cache.split_arguments(context.creds_args)
    margin = split.refresh_margin if split.refresh_margin is not None else cache.DEFAULT_REFRESH_MARGIN
    slot = cache.Slot.for_arguments(context.creds_args)
    if slot is None:
        return Result("cache", SKIP, "a file the creds line names cannot be read (see the sts check)")
    entry, now = slot.read(), time.time()
    if entry is None and os.path.lexists(slot.path):
        detail = (
            f"{slot.path} is unusable (corrupt, another key's, not yours, or not a regular file): the next "
            "creds call replaces it"
        )
    elif entry is None:
        detail = "no cached credentials for this creds line: the next call fetches them"
    elif entry.fresh(now, margin):
        detail = f"fresh until {_when(entry.refresh_after(margin))} (expires {_when(entry.expires)})"
    elif entry.expires > now:
        detail = f"due for refresh (expires {_when(entry.expires)}): the next creds call refreshes it"
    else:
        detail = f"expired at {_when(entry.expires)}: the next creds call fetches new ones"
    from awscli_gitpod.provider import short_session_note

    note = short_session_note(context.exchange.duration_seconds)
    if note is not None:
        detail += f"; note: {note}"
    return Result("cache", OK, detail)


def _profiles(context: Context) -> list[str]:
    """The profiles under diagnosis: the one named, else those whose creds line assumes the role."""
    if context.profile is not None:
        return [context.profile]
    if context.exchange is None:
        return []
    return profiles_for_role(context.exchange.role_arn)


def _profile_issues(profile: str, role: str | None) -> list[tuple[str, str]]:
    issues = []
    credentials = awsconfig.credentials_path()
    static = static_keys_of(profile)
    if static:
        login = f"aws-gitpod login -p {profile} --role-arn {role or 'ARN'} --force"
        issues.append(
            (
                f"{credentials} has static keys for profile {profile} ({', '.join(static)}), which outrank "
                "its credential_process",
                f"`{login}` removes them (after a backup)",
            )
        )
    settings = awsconfig.profiles(awsconfig.config_path(), kind="config").get(profile, {})
    for key in OUTRANKING_SETTINGS:
        if key in settings:
            issues.append(
                (
                    f"profile {profile} sets {key}, which botocore uses before credential_process",
                    f"remove {key} from profile {profile} in {awsconfig.config_path()}",
                )
            )
    return issues


def check_shadowing(context: Context) -> Result:
    issues: list[tuple[str, str]] = []
    present = [name for name in ENV_KEYS if os.environ.get(name)]
    if present:
        issues.append(
            (
                f"{', '.join(present)} in the environment outrank any profile not named with --profile",
                f"unset {' '.join(present)}",
            )
        )
    if os.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        issues.append(
            (
                "AWS_WEB_IDENTITY_TOKEN_FILE is set: botocore assumes AWS_ROLE_ARN with it before any "
                "credential_process (and fails without AWS_ROLE_ARN)",
                "unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN (give aws-gitpod --token-file instead)",
            )
        )
    selected = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
    if context.profile is not None and selected and selected != context.profile:
        issues.append(
            (
                f"AWS_PROFILE is {selected}: tools run without --profile use it, not {context.profile}",
                f"export AWS_PROFILE={context.profile}",
            )
        )
    try:
        profiles = _profiles(context)
        role = context.exchange.role_arn if context.exchange else None
        for profile in profiles:
            issues += _profile_issues(profile, role)
    except errors.Failure as failure:  # an AWS config file botocore cannot parse breaks every profile
        return Result("shadowing", FAIL, failure.message, "fix the file; the AWS CLI cannot read it either")
    if issues:
        return Result("shadowing", FAIL, "; ".join(i[0] for i in issues), "; ".join(i[1] for i in issues))
    if profiles:
        return Result("shadowing", OK, f"nothing outranks the credential_process of {', '.join(profiles)}")
    return Result("shadowing", OK, "no AWS keys or web identity file in the environment")


LOCAL_CHECKS = (check_cache, check_shadowing)
