"""Every command on every real token shape: Classic (plain, SSO, keyed `sub`), Ona V2 (`aud` a string, no
`azp`, no flat ids) and Ona V3 (initializers, creator claims, extra `sub` fields), each through its own
CLI only: `gp` in a Classic workspace, `ona` alone in an Ona environment that sets nothing but
`GITPOD_ENVIRONMENT_ID`."""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import TYPE_CHECKING

import pytest

from awscli_gitpod import errors
from awscli_gitpod.testing.aws import AwsServer, admin_client, create_oidc_role
from awscli_gitpod.testing.standins import install_standins
from awscli_gitpod.testing.workspace import claims_of

if TYPE_CHECKING:
    from pathlib import Path

    from awscli_gitpod.testing.fixtures import Workspace

SHAPES = [
    ("classic", None),
    ("classic-sso", None),
    ("classic-keyed", None),
    ("ona-v2", None),
    ("ona-v3", "creator_email,environment_initializers.context_url"),  # a `sub` with URLs in it
]


@pytest.fixture(params=SHAPES, ids=[shape for shape, _ in SHAPES])
def shaped(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Workspace, str]:
    """A workspace of the shape's product minting that shape, with only that product's CLI on PATH."""
    shape, sub_keys = request.param
    workspace: Workspace = request.getfixturevalue(
        "workspace_env" if shape.startswith("classic") else "ona_env"
    )
    cli = "gp" if shape.startswith("classic") else "ona"
    bin_dir = tmp_path / "only-one-cli"
    install_standins(bin_dir, names=(cli,))
    workspace.env["PATH"] = workspace.env["PATH"].replace(str(workspace.bin_dir), str(bin_dir), 1)
    workspace.env["AWS_GITPOD_TESTBED_SHAPE"] = shape
    if sub_keys:
        workspace.env["AWS_GITPOD_TESTBED_SUB_KEYS"] = sub_keys
    return workspace, cli


def test_every_command_takes_every_token_shape(shaped: tuple[Workspace, str], aws_server: AwsServer) -> None:
    workspace, cli = shaped
    expected = claims_of(workspace.env, workspace.issuer_url)
    role = create_oidc_role(
        aws_server.endpoint_url,
        workspace.issuer_url,
        role_name=f"shape-{uuid.uuid4().hex[:10]}",
        subject=str(expected["sub"]),
    )

    creds = workspace.run("aws-gitpod", "creds", "--role", role)
    assert creds.returncode == 0, creds.stderr
    assert json.loads(creds.stdout)["Version"] == 1

    decoded = workspace.run("aws-gitpod", "token", "--decode")
    assert decoded.returncode == 0, decoded.stderr
    payload = json.loads(decoded.stdout)["Payload"]
    assert {name: payload[name] for name in expected if name not in ("iat", "exp", "auth_time")} == {
        name: value for name, value in expected.items() if name not in ("iat", "exp", "auth_time")
    }

    # The CLI's own --decode output, whichever shape it prints, is what `policy check --claims` reads.
    policy_file = workspace.home / "trust-policy.json"
    role_name = role.rsplit("/", 1)[1]
    document = admin_client(aws_server.endpoint_url, "iam").get_role(RoleName=role_name)["Role"]
    policy_file.write_text(json.dumps(document["AssumeRolePolicyDocument"]))
    cli_decoded = workspace.run(cli, "idp", "token", "--audience", "sts.amazonaws.com", "--decode")
    assert cli_decoded.returncode == 0, cli_decoded.stderr
    checked = workspace.run(
        "aws-gitpod", "policy", "check", str(policy_file), "--claims", "-", input=cli_decoded.stdout
    )
    assert checked.returncode == errors.OK, checked.stdout + checked.stderr
    assert f"sub={expected['sub']}" in checked.stdout

    doctor = workspace.run("aws-gitpod", "doctor", "--role", role, "--json")
    results = {entry["check"]: entry for entry in json.loads(doctor.stdout)}
    assert doctor.returncode == errors.OK, [entry for entry in results.values() if entry["status"] == "fail"]
    assert results["token-source"]["detail"].startswith(cli)

    login = workspace.run("aws-gitpod", "login", "--role-arn", role, "--region", "eu-west-1", "-p", "shaped")
    assert login.returncode == 0, login.stderr
    assert f"assumed-role/{role_name}/" in login.stdout
    caller = subprocess.run(
        ["aws", "sts", "get-caller-identity", "--profile", "shaped", "--output", "json"],
        env=workspace.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert caller.returncode == 0, caller.stderr
    session = json.loads(caller.stdout)["Arn"].rsplit("/", 1)[1]
    workspace_id = workspace.env.get("GITPOD_WORKSPACE_ID") or workspace.env["GITPOD_ENVIRONMENT_ID"]
    assert session.startswith(f"{workspace_id}-"[:64])  # named after the workspace, as gp names it
