"""Prebuilds: Gitpod Classic's (`GITPOD_HEADLESS=true`: no secrets fetched) and a task that declares one
(`AWS_GITPOD_PREBUILD=true`, since Ona marks none: nothing written to disk), each with its opt-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from awscli_gitpod import errors, prebuild
from awscli_gitpod.testing.aws import AwsServer

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

ACTION = "AssumeRoleWithWebIdentity"
CLASSIC = {"GITPOD_HEADLESS": "true"}
DECLARED = {"AWS_GITPOD_PREBUILD": "true"}
OPTED_IN = {"AWS_GITPOD_ALLOW_PREBUILD": "true"}


def test_classic_prebuilds_fetch_no_secrets_unless_opted_in() -> None:
    with pytest.raises(errors.Failure) as caught:
        prebuild.refuse_secrets(environ=CLASSIC)
    assert caught.value.exit_code == errors.USAGE
    assert "--allow-prebuild" in caught.value.message
    prebuild.refuse_secrets(allowed=True, environ=CLASSIC)
    prebuild.refuse_secrets(environ={**CLASSIC, **OPTED_IN})
    prebuild.refuse_secrets(environ={"GITPOD_HEADLESS": "false"})
    prebuild.refuse_secrets(environ=DECLARED)  # a declared (Ona) prebuild may use its secrets


def test_a_declared_prebuild_writes_nothing_unless_opted_in(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(errors.Failure) as caught:
        prebuild.refuse_write("static keys", environ=DECLARED)
    assert caught.value.exit_code == errors.USAGE
    assert caught.value.message.startswith("not writing static keys in a prebuild (AWS_GITPOD_PREBUILD=true)")
    assert "AWS_GITPOD_ALLOW_PREBUILD=true" in caught.value.message
    prebuild.refuse_write("static keys", allowed=True, environ=DECLARED)
    prebuild.refuse_write("static keys", environ={**DECLARED, **OPTED_IN})
    prebuild.refuse_write("static keys", environ=CLASSIC)  # Classic prebuilds are as they always were
    assert prebuild.may_write("the cache", environ={"AWS_GITPOD_PREBUILD": "1"}) is False
    assert "not writing the cache in a prebuild" in capsys.readouterr().err
    assert prebuild.may_write("the cache", environ={"AWS_GITPOD_PREBUILD": "false"}) is True


def cache_entries(workspace: Workspace) -> list[str]:
    directory = workspace.cache_dir / "awscli-gitpod"
    return sorted(path.name for path in directory.glob("*.json")) if directory.exists() else []


def test_a_declared_ona_prebuild_task_gets_credentials_but_leaves_none_on_disk(
    ona_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    ona_env.env.update(DECLARED)
    creds = ona_env.run("aws-gitpod", "creds", "--role", role_arn)
    assert creds.returncode == 0, creds.stderr
    assert "not writing credentials to the cache in a prebuild" in creds.stderr
    login = ona_env.run("aws-gitpod", "login", "--role-arn", role_arn, "--region", "eu-west-1", "-p", "p")
    assert login.returncode == 0, login.stderr  # a credential_process line holds no secret
    assert cache_entries(ona_env) == []

    static = ona_env.run("aws-gitpod", "login", "--role-arn", role_arn, "--static", "-p", "s")
    assert static.returncode == errors.USAGE
    assert "not writing static keys to" in static.stderr
    assert not ona_env.aws_credentials_file.exists()

    calls = aws_server.calls(ACTION)
    secret_file = ona_env.home / "secret.txt"
    secret = ona_env.run(
        "aws-gitpod", "secrets", "get", "db", "--output-file", str(secret_file), "--role", role_arn
    )
    assert secret.returncode == errors.USAGE
    assert f"not writing the secret to {secret_file}" in secret.stderr
    assert not secret_file.exists()
    assert aws_server.calls(ACTION) == calls  # refused before any token was exchanged


def test_the_opt_in_writes_the_cache_again(ona_env: Workspace, role_arn: str) -> None:
    ona_env.env.update({**DECLARED, **OPTED_IN})
    creds = ona_env.run("aws-gitpod", "creds", "--role", role_arn)
    assert creds.returncode == 0, creds.stderr
    assert creds.stderr == ""
    assert len(cache_entries(ona_env)) == 1
