"""`aws-gitpod export` and `aws-gitpod exec`: credentials in an environment, never on a command line."""

from __future__ import annotations

import json
import signal
import subprocess
from typing import TYPE_CHECKING

import pytest

from awscli_gitpod import errors
from awscli_gitpod.credentialenv import NESTING_MARKER, OUTRANKING
from awscli_gitpod.testing.aws import AwsServer

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

ACTION = "AssumeRoleWithWebIdentity"
VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"]


def creds_document(workspace: Workspace, role_arn: str) -> dict[str, str]:
    result = workspace.run("aws-gitpod", "creds", "--role", role_arn)
    assert result.returncode == 0, result.stderr
    document: dict[str, str] = json.loads(result.stdout)
    return document


def test_export_evaluates_to_the_credentials_creds_prints(workspace_env: Workspace, role_arn: str) -> None:
    expected = creds_document(workspace_env, role_arn)
    script = (
        'eval "$(aws-gitpod export --role "$1")" && printf "%s\\n" "$AWS_ACCESS_KEY_ID" "$AWS_SESSION_TOKEN"'
    )
    result = workspace_env.run("bash", "-c", script, "bash", role_arn)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [expected["AccessKeyId"], expected["SessionToken"]]


@pytest.mark.parametrize(
    ("fmt", "first_line"),
    [
        ("env", "export AWS_ACCESS_KEY_ID='ASIA"),
        ("dotenv", "AWS_ACCESS_KEY_ID='ASIA"),
        ("fish", "set -gx AWS_ACCESS_KEY_ID 'ASIA"),
        ("powershell", "$Env:AWS_ACCESS_KEY_ID = 'ASIA"),
        ("env-no-export", "AWS_ACCESS_KEY_ID='ASIA"),
        ("windows-cmd", 'set "AWS_ACCESS_KEY_ID=ASIA'),
        ("shell", "export AWS_ACCESS_KEY_ID='ASIA"),  # the old name of env, as secrets export had it
    ],
)
def test_export_formats(workspace_env: Workspace, role_arn: str, fmt: str, first_line: str) -> None:
    result = workspace_env.run("aws-gitpod", "export", "--role", role_arn, "--format", fmt)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(first_line)
    assert len(lines) == 4
    assert all(name in result.stdout for name in VARIABLES)


def test_export_process_is_the_document_creds_prints(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run("aws-gitpod", "export", "--role", role_arn, "--format", "process")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == creds_document(workspace_env, role_arn)


def test_env_no_export_sets_shell_variables_only(workspace_env: Workspace, role_arn: str) -> None:
    script = (
        'eval "$(aws-gitpod export --role "$1" --format env-no-export)" && '
        'printf "%s\\n" "${AWS_ACCESS_KEY_ID:0:4}" && env | grep -c ^AWS_ACCESS_KEY_ID= || true'
    )
    result = workspace_env.run("bash", "-c", script, "bash", role_arn)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ASIA", "0"]


def test_export_json_and_region(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run(
        "aws-gitpod", "export", "--role", role_arn, "--region", "eu-west-1", "--format", "json"
    )
    exported = json.loads(result.stdout)
    assert list(exported) == [*VARIABLES, "AWS_REGION", "AWS_DEFAULT_REGION"]
    assert exported["AWS_REGION"] == "eu-west-1"


def test_export_by_profile_shares_the_cache_of_the_profile(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    login = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-p", "dev")
    assert login.returncode == 0, login.stderr
    result = workspace_env.run("aws-gitpod", "export", "--profile", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AWS_REGION"] == "eu-west-1"
    assert aws_server.calls(ACTION) == 1


def test_export_of_a_profile_that_is_not_ours(workspace_env: Workspace) -> None:
    workspace_env.aws_config_file.write_text("[profile other]\ncredential_process = /bin/vault-creds\n")
    result = workspace_env.run("aws-gitpod", "export", "--profile", "other")
    assert result.returncode == errors.USAGE
    assert "does not use `aws-gitpod creds`" in result.stderr


def test_exec_passes_credentials_and_the_exit_code(workspace_env: Workspace, role_arn: str) -> None:
    expected = creds_document(workspace_env, role_arn)
    result = workspace_env.run(
        "aws-gitpod", "exec", "--role", role_arn, "--", "sh", "-c", 'echo "$AWS_ACCESS_KEY_ID"; exit 3'
    )
    assert result.returncode == 3
    assert result.stdout == expected["AccessKeyId"] + "\n"


def test_exec_removes_what_outranks_the_credentials(workspace_env: Workspace, role_arn: str) -> None:
    expected = creds_document(workspace_env, role_arn)
    stale = {name: "from-the-shell" for name in OUTRANKING}
    environment = dict(workspace_env.env, **stale, UNRELATED="kept")
    result = subprocess.run(
        ["aws-gitpod", "exec", "--role", role_arn, "--", "env", "-0"],
        env=environment,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = dict(item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    assert set(OUTRANKING) & set(found) == set()
    assert found[NESTING_MARKER] == role_arn
    assert (found["AWS_ACCESS_KEY_ID"], found["AWS_SESSION_TOKEN"]) == (
        expected["AccessKeyId"],
        expected["SessionToken"],
    )
    assert (found["UNRELATED"], found["AWS_CONFIG_FILE"]) == ("kept", environment["AWS_CONFIG_FILE"])


def test_exec_runs_the_aws_cli_as_the_role(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run(
        "aws-gitpod", "exec", "--role", role_arn, "--", "aws", "sts", "get-caller-identity"
    )
    assert result.returncode == 0, result.stderr
    assert f"assumed-role/{role_arn.rsplit('/', 1)[1]}/" in result.stdout


def test_exec_dies_of_the_signal_that_killed_the_command(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run("aws-gitpod", "exec", "--role", role_arn, "--", "sh", "-c", "kill -TERM $$")
    assert result.returncode == -signal.SIGTERM


def test_exec_refuses_to_nest(workspace_env: Workspace, role_arn: str) -> None:
    inner = f"aws-gitpod exec --role {role_arn} -- true"
    result = workspace_env.run("aws-gitpod", "exec", "--role", role_arn, "--", "sh", "-c", inner)
    assert result.returncode == errors.USAGE
    assert f"already inside `aws-gitpod exec` for {role_arn}" in result.stderr


def test_exec_needs_a_command_and_a_source(workspace_env: Workspace, role_arn: str) -> None:
    assert workspace_env.run("aws-gitpod", "exec", "--role", role_arn).returncode == errors.USAGE
    missing = workspace_env.run("aws-gitpod", "exec", "--", "true")
    assert missing.returncode == errors.USAGE
    assert "pass --role ARN, or --profile P" in missing.stderr
    not_found = workspace_env.run("aws-gitpod", "exec", "--role", role_arn, "--", "no-such-program")
    assert not_found.returncode == 127


def test_exec_keeps_secrets_off_every_command_line(workspace_env: Workspace, role_arn: str) -> None:
    expected = creds_document(workspace_env, role_arn)
    process = subprocess.run(
        ["aws-gitpod", "exec", "--role", role_arn, "--", "sh", "-c", "cat /proc/$$/cmdline"],
        env=workspace_env.env,
        capture_output=True,
        check=False,
    )
    assert process.returncode == 0
    assert expected["SecretAccessKey"].encode() not in process.stdout
    assert expected["SessionToken"].encode() not in process.stdout
