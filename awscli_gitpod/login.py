"""Point an AWS profile at the workspace's role for good, then prove it works (what `login` and
`setup --write-profile` do).

The profile gets `credential_process = <aws-gitpod> creds --role ...`, so every AWS CLI and SDK call gets
fresh credentials for as long as the workspace lives. `static=True` writes keys to the credentials file
instead, as `gp idp login aws` does, for tools that cannot run a process; they expire with the session.

The exchange happens first, in this process, so that a denied role writes nothing; then the profile is
written, and a GetCallerIdentity through botocore's own credential chain for that profile proves that the
AWS CLI and SDKs will get the same credentials.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from awscli_gitpod import awsconfig, errors, prebuild
from awscli_gitpod.credentials import Credentials
from awscli_gitpod.exchange import ExchangeOptions, validate
from awscli_gitpod.profiles import STATIC_KEYS, static_keys_of
from awscli_gitpod.provider import canonical_arguments, role_credentials, short_session_note

EXPIRATION_KEY = "aws_gitpod_expiration"  # ignored by the SDKs; tells a person when the keys die


def executable() -> str:
    """The absolute `aws-gitpod` to run, so the profile works whatever PATH the AWS CLI runs with."""
    beside_python = Path(sys.executable).parent / "aws-gitpod"
    if os.access(beside_python, os.X_OK):
        return str(beside_python)
    argv0 = Path(sys.argv[0])
    if argv0.name == "aws-gitpod" and os.access(argv0, os.X_OK):
        return str(argv0.resolve())
    raise errors.Failure(
        "cannot find the aws-gitpod executable to write into the profile; reinstall awscli-gitpod",
        errors.INTERNAL,
    )


def credential_process(options: ExchangeOptions) -> str:
    """The profile's command: our launcher (`launcher.py`), else the console script."""
    from awscli_gitpod import launcher

    try:
        program = launcher.install()
    except errors.Failure as failure:
        errors.warn(f"{failure.message}; the profile runs the console script instead")
        program = executable()
    return shlex.join([program, "creds", *canonical_arguments(options)])


def login(
    options: ExchangeOptions,
    profile: str,
    write_region: str | None,
    static: bool,
    force: bool,
    quiet: bool = False,
) -> int:
    """`quiet`: nothing on stdout (task logs); errors and warnings still go to stderr."""
    validate(options)
    credentials = role_credentials(options)  # a denied role fails here, before any file changes
    say: Callable[[str], None] = _silent if quiet else print
    if static:
        return _login_static(credentials, profile, write_region, say)

    command = credential_process(options)
    note = short_session_note(options.duration_seconds)
    if note is not None:
        errors.note(f"note: {note}")

    def write_profile(config: awsconfig.ConfigFile) -> None:
        section = config.section_name_for(profile)
        config.set(section, "credential_process", command)
        if write_region:
            config.set(section, "region", write_region)

    changed = awsconfig.edit(awsconfig.config_path(), write_profile, kind="config")
    say(f"{'wrote' if changed else 'kept'} profile {profile!r} in {awsconfig.config_path()}:")
    say(f"  credential_process = {command}")
    shadowing = static_keys_of(profile)
    if shadowing and not force:
        raise errors.Failure(
            f"{awsconfig.credentials_path()} has static keys for profile {profile!r} "
            f"({', '.join(shadowing)}, as `gp idp login aws` leaves them), which the AWS CLI uses instead of "
            "credential_process; rerun with --force to remove them (the file is backed up first)",
            errors.CHECK_FAILED,
        )
    if shadowing:
        saved = awsconfig.backup(awsconfig.credentials_path())
        awsconfig.edit(awsconfig.credentials_path(), _remove_static_keys(profile), kind="credentials")
        say(f"removed static keys of {profile!r} from {awsconfig.credentials_path()} (backup: {saved})")
        if static_keys_of(profile):  # inherited from [DEFAULT], which applies to every profile
            raise errors.Failure(
                f"static keys under [DEFAULT] in {awsconfig.credentials_path()} still shadow profile "
                f"{profile!r}; remove them by hand",
                errors.CHECK_FAILED,
            )
    caller = _caller_arn(profile, options)  # proven whether or not anyone reads the answer
    say(f"profile {profile!r} is {caller}; credentials refresh automatically")
    return errors.OK


def _silent(*_: object) -> None:
    pass


def _remove_static_keys(profile: str) -> Callable[[awsconfig.ConfigFile], None]:
    def remove(credentials: awsconfig.ConfigFile) -> None:
        section = credentials.section_name_for(profile)
        for key in (*STATIC_KEYS, EXPIRATION_KEY):
            credentials.delete(section, key, drop_empty_section=True)

    return remove


def _login_static(
    credentials: Credentials, profile: str, write_region: str | None, say: Callable[[str], None]
) -> int:
    prebuild.refuse_write(f"static keys to {awsconfig.credentials_path()}")
    values = {
        "aws_access_key_id": credentials.access_key_id,
        "aws_secret_access_key": credentials.secret_access_key,
        "aws_session_token": credentials.session_token,
        EXPIRATION_KEY: credentials.expiration,
    }

    def write_keys(file: awsconfig.ConfigFile) -> None:
        section = file.section_name_for(profile)
        for key, value in values.items():
            file.set(section, key, value)

    def write_region_setting(config: awsconfig.ConfigFile) -> None:
        if write_region:
            config.set(config.section_name_for(profile), "region", write_region)

    awsconfig.edit(awsconfig.credentials_path(), write_keys, kind="credentials", private=True)
    awsconfig.edit(awsconfig.config_path(), write_region_setting, kind="config")
    say(
        f"wrote static keys for profile {profile!r} to {awsconfig.credentials_path()}; they expire at "
        f"{credentials.expiration}: run this again then, or log in without --static to refresh automatically"
    )
    return errors.OK


def _caller_arn(profile: str, options: ExchangeOptions) -> str:
    """GetCallerIdentity through botocore's own chain for the profile: what the AWS CLI will do."""
    import botocore.session
    from botocore.exceptions import BotoCoreError, ClientError

    session = botocore.session.Session(profile=profile)
    try:
        client: Any = session.create_client("sts", region_name=options.region)
        arn = client.get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError) as error:
        raise errors.Failure(
            f"profile {profile!r} was written, but the AWS SDK could not use it: {error}",
            errors.AWS_UNAVAILABLE,
        ) from None
    return str(arn)
