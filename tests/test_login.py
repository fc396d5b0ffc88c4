"""`aws gitpod login` and `aws-gitpod login` through both AWS CLIs on the test bed, files checked by byte."""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING

from awscli_gitpod import errors
from awscli_gitpod.testing.aws import AwsServer

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

ACTION = "AssumeRoleWithWebIdentity"


def caller_arn(workspace: Workspace, aws: str, profile: str) -> str:
    # The Debian AWS CLI v2 (2.9) predates AWS_ENDPOINT_URL: name the test bed's endpoint explicitly.
    endpoint = ["--endpoint-url", workspace.endpoint_url]
    result = workspace.run(
        aws, "sts", "get-caller-identity", "--profile", profile, "--output", "json", *endpoint
    )
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["Arn"])


def test_login_through_either_cli_then_the_profile_works(
    aws_cli: str, workspace_env: Workspace, role_arn: str
) -> None:
    result = workspace_env.run(
        aws_cli, "gitpod", "login", "--role-arn", role_arn, "--region", "eu-west-1", "-p", "dev"
    )
    assert result.returncode == 0, result.stderr
    role_name = role_arn.rsplit("/", 1)[1]
    assert f"assumed-role/{role_name}/" in result.stdout
    config = workspace_env.aws_config_file.read_text()
    assert "[profile dev]\n" in config
    assert re.search(r"credential_process = /\S+/aws-gitpod creds --role \S+ --region eu-west-1\n", config)
    assert "region = eu-west-1\n" in config
    assert f"assumed-role/{role_name}/" in caller_arn(workspace_env, aws_cli, "dev")


def test_the_profile_flag_of_aws_itself_names_the_profile(
    aws_cli: str, workspace_env: Workspace, role_arn: str
) -> None:
    # `--profile` is a global option of `aws`; gp's own spelling is `-p/--profile`: both must work.
    result = workspace_env.run(aws_cli, "--profile", "work", "gitpod", "login", "--role-arn", role_arn)
    assert result.returncode == 0, result.stderr
    assert "[profile work]" in workspace_env.aws_config_file.read_text()


def test_role_from_the_environment_and_default_profile(workspace_env: Workspace, role_arn: str) -> None:
    workspace_env.env["IDP_AWS_ROLE_ARN"] = role_arn
    first = workspace_env.run("aws-gitpod", "login")
    assert first.returncode == 0, first.stderr
    assert workspace_env.aws_config_file.read_text().startswith("[default]\ncredential_process = ")
    again = workspace_env.run("aws-gitpod", "login")
    assert again.returncode == 0
    assert again.stdout.startswith("kept profile 'default'")


def test_other_bytes_of_the_config_file_are_kept(workspace_env: Workspace, role_arn: str) -> None:
    original = (
        "# my settings\n"
        "[default]\n"
        "output = text   ; not a comment for botocore\n"
        "\n"
        "[profile dev]\n"
        "region = us-west-2\n"
        "s3 =\n"
        "  max_concurrent_requests = 20\n"
        "\n"
        "[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
    )
    workspace_env.aws_config_file.write_text(original)
    os.chmod(workspace_env.aws_config_file, 0o644)
    result = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-p", "dev")
    assert result.returncode == 0, result.stderr
    updated = workspace_env.aws_config_file.read_text()
    added = [line for line in updated.splitlines() if line not in original.splitlines()]
    assert len(added) == 1 and added[0].startswith("credential_process = ")
    assert [line for line in updated.splitlines() if not line.startswith("credential_process")] == (
        original.splitlines()
    )
    assert os.stat(workspace_env.aws_config_file).st_mode & 0o777 == 0o644


def test_static_keys_left_by_gp_are_reported_then_removed_with_force(
    workspace_env: Workspace, role_arn: str, aws_server: AwsServer
) -> None:
    gp = workspace_env.run("gp", "idp", "login", "aws", "--role-arn", role_arn, "-p", "dev")
    assert gp.returncode == 0, gp.stderr
    with_keys = workspace_env.aws_credentials_file.read_text()
    assert "aws_session_token" in with_keys

    refused = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-p", "dev")
    assert refused.returncode == errors.CHECK_FAILED
    assert "rerun with --force" in refused.stderr
    assert workspace_env.aws_credentials_file.read_text() == with_keys

    forced = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-p", "dev", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "aws_session_token" not in workspace_env.aws_credentials_file.read_text()
    (backup,) = workspace_env.aws_credentials_file.parent.glob("credentials.aws-gitpod-backup-*")
    assert backup.read_text() == with_keys
    assert os.stat(backup).st_mode & 0o777 == 0o600


def test_static_writes_keys_with_their_expiry(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-p", "ci", "--static")
    assert result.returncode == 0, result.stderr
    keys = workspace_env.aws_credentials_file.read_text()
    assert re.search(r"^\[ci\]\naws_access_key_id = ASIA", keys)
    assert re.search(r"aws_gitpod_expiration = \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", keys)
    assert os.stat(workspace_env.aws_credentials_file).st_mode & 0o777 == 0o600
    assert "expire at" in result.stdout
    assert "assumed-role/" in caller_arn(workspace_env, "aws", "ci")


def test_a_denied_role_writes_nothing(workspace_env: Workspace, role_arn: str, aws_server: AwsServer) -> None:
    aws_server.inject(ACTION, code="AccessDenied", status=403, message="Not authorized", times=None)
    result = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-p", "dev")
    assert result.returncode == errors.AWS_DENIED
    assert not workspace_env.aws_config_file.exists()


def test_a_missing_role_is_a_usage_error(workspace_env: Workspace) -> None:
    result = workspace_env.run("aws-gitpod", "login")
    assert result.returncode == errors.USAGE
    assert result.stderr.strip() == "aws-gitpod: error: --role-arn is required (or set IDP_AWS_ROLE_ARN)"


def test_a_short_session_is_noted_where_it_matters(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-d", "900", "-p", "short")
    assert result.returncode == 0, result.stderr
    assert "sessions of 900 s are shorter than twice botocore's 15-minute refresh window" in result.stderr
    doctor = workspace_env.run("aws-gitpod", "doctor", "--profile", "short", "--json")
    (cache_check,) = [check for check in json.loads(doctor.stdout) if check["check"] == "cache"]
    assert "--duration-seconds 1800 or more avoids it" in cache_check["detail"]
    long = workspace_env.run("aws-gitpod", "login", "--role-arn", role_arn, "-d", "3600", "-p", "long")
    assert "refresh window" not in long.stderr


def test_login_takes_onas_session_name_and_gps_repeated_audience(
    workspace_env: Workspace, role_arn: str
) -> None:
    result = workspace_env.run(
        "aws-gitpod",
        "login",
        "--role-arn",
        role_arn,
        "-p",
        "ci",
        "--role-session-name",
        "deploy-bot",
        "--audience",
        "sts.amazonaws.com",
        "--audience",
        "https://example.com/other",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(
        f"assumed-role/{role_arn.rsplit('/', 1)[1]}/deploy-bot; credentials refresh automatically"
    )
    line = next(
        x for x in workspace_env.aws_config_file.read_text().splitlines() if "credential_process" in x
    )
    assert "--session-name deploy-bot" in line
    assert "--audience sts.amazonaws.com --audience https://example.com/other" in line


def test_repeated_audiences_all_reach_the_token(workspace_env: Workspace) -> None:
    result = workspace_env.run(
        "aws-gitpod",
        "token",
        "--decode",
        "--audience",
        "sts.amazonaws.com",
        "--audience",
        "https://b.example",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Payload"]["aud"] == ["sts.amazonaws.com", "https://b.example"]


def test_gp_idp_login_scope_aws_reads_the_same(workspace_env: Workspace, role_arn: str) -> None:
    # `gp idp login --scope S aws --role-arn ...`: the provider word and a flag before it both work.
    result = workspace_env.run("aws-gitpod", "login", "--scope", "repo:read", "aws", "--role-arn", role_arn)
    assert result.returncode == 0, result.stderr
    assert "--scope repo:read" in workspace_env.aws_config_file.read_text()
    wrong = workspace_env.run("aws-gitpod", "login", "gcp", "--role-arn", role_arn)
    assert wrong.returncode == errors.USAGE
    assert "invalid choice: 'gcp'" in wrong.stderr


def test_quiet_login_prints_nothing_but_errors(workspace_env: Workspace, role_arn: str) -> None:
    result = workspace_env.run("aws-gitpod", "login", "-q", "--role-arn", role_arn, "-p", "dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert "credential_process" in workspace_env.aws_config_file.read_text()
    refused = workspace_env.run("aws-gitpod", "login", "--quiet", "--role-arn", "my-role", "-p", "other")
    assert refused.returncode == errors.USAGE
    assert refused.stderr.startswith("aws-gitpod: error: --role 'my-role' is not an IAM role ARN")
