"""`aws-gitpod doctor` on the test bed: a healthy setup, then each thing that breaks it, named by its check.

The tests use an issuer of their own (and so an IAM OIDC provider of their own), so that breaking the
provider or the issuer touches no other module's tests; each role fixture recreates a deleted provider.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from awscli_gitpod import errors
from awscli_gitpod.policy.document import issuer_path
from awscli_gitpod.testing.aws import AwsServer, admin_client, create_oidc_role
from awscli_gitpod.testing.issuer import DEFAULT_CONTEXT_URL, Issuer
from awscli_gitpod.testing.standins import ENV_CLAIMS, ENV_ISSUER
from awscli_gitpod.testing.sts_checks import ACCOUNT_ID

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

CHECKS = [
    "token-source",
    "token",
    "claims",
    "identity",
    "issuer",
    "signature",
    "audience",
    "expiry",
    "clock",
    "role",
    "provider",
    "trust-policy",
    "sts",
    "cache",
    "shadowing",
]
JWT_SHAPED = r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"


@pytest.fixture(scope="module")
def _module_issuer() -> Iterator[Issuer]:
    with Issuer.start(path=f"/idp-{uuid.uuid4().hex[:8]}") as running:
        yield running


@pytest.fixture
def own_issuer(_module_issuer: Issuer) -> Issuer:
    _module_issuer.set_unavailable(False)
    return _module_issuer


@pytest.fixture
def workspace(workspace_env: Workspace, own_issuer: Issuer) -> Workspace:
    """A workspace minting from `own_issuer`, an `admin` profile that can read IAM, no role yet."""
    workspace_env.env[ENV_ISSUER] = own_issuer.url
    workspace_env.aws_credentials_file.write_text(
        "[admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    return workspace_env


def make_role(workspace: Workspace, issuer: Issuer, aws_server: AwsServer, subject: str | None = None) -> str:
    """A role pinning `subject` (default: the workspace's), and profile `gitpod` assuming it."""
    role = create_oidc_role(
        aws_server.endpoint_url,
        issuer.url,
        role_name=f"doctor-{uuid.uuid4().hex[:10]}",
        subject=subject or workspace.subject,
    )
    workspace.aws_config_file.write_text(
        f"[profile gitpod]\ncredential_process = aws-gitpod creds --role {role} --region eu-west-1\n"
    )
    return role


@pytest.fixture
def role(workspace: Workspace, own_issuer: Issuer, aws_server: AwsServer) -> str:
    return make_role(workspace, own_issuer, aws_server)


def doctor(workspace: Workspace, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """Exit code, and the results by check name (in order)."""
    result = workspace.run(
        "aws-gitpod", "doctor", "--iam-profile", "admin", "--timeout", "10", "--json", *args
    )
    assert not re.search(JWT_SHAPED, result.stdout + result.stderr), "a token leaked"
    results = json.loads(result.stdout)
    assert [entry["check"] for entry in results] == CHECKS, result.stderr
    return result.returncode, {entry["check"]: entry for entry in results}


def failing(results: dict[str, dict[str, Any]]) -> list[str]:
    return [name for name, entry in results.items() if entry["status"] == "fail"]


def test_a_healthy_setup_passes_every_check(workspace: Workspace, role: str, own_issuer: Issuer) -> None:
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.OK
    assert {name: entry["status"] for name, entry in results.items()} == dict.fromkeys(CHECKS, "ok")
    assert f"sub={DEFAULT_CONTEXT_URL}" in results["claims"]["detail"]
    assert f"iss={own_issuer.url}" in results["claims"]["detail"]
    assert f"assumed-role/{role.rsplit('/', 1)[1]}/" in results["sts"]["detail"]

    # In text: one line per check, in order; without IAM credentials, what needs them is skipped.
    text = workspace.run("aws-gitpod", "doctor", "--role", role)
    assert text.returncode == errors.OK, text.stdout
    lines = text.stdout.splitlines()[1:]
    assert [line.split(":", 1)[0].split()[-1] for line in lines] == CHECKS
    skipped = [line.split()[1].rstrip(":") for line in lines if line.startswith("skip")]
    assert skipped == ["provider", "trust-policy"]
    assert "cannot read IAM" in lines[CHECKS.index("provider")]


def test_cached_credentials_are_reported(workspace: Workspace, role: str) -> None:
    assert workspace.run("aws-gitpod", "creds", "--role", role, "--region", "eu-west-1").returncode == 0
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.OK
    assert results["cache"]["detail"].startswith("fresh until ")


@pytest.mark.parametrize(
    ("context_url", "pinned", "fix"),
    [
        # The role pins another repository: the fix names the token's own sub.
        (DEFAULT_CONTEXT_URL, "https://github.com/gitpod-io/other-app", f"sub is {DEFAULT_CONTEXT_URL}"),
        # A workspace opened on a branch of the pinned repository: the fix names the branch pattern.
        (
            f"{DEFAULT_CONTEXT_URL}/tree/feature",
            DEFAULT_CONTEXT_URL,
            f"add {DEFAULT_CONTEXT_URL}/tree/* with StringLike",
        ),
    ],
)
def test_a_wrong_sub_names_the_condition_and_the_pattern(
    workspace: Workspace, own_issuer: Issuer, aws_server: AwsServer, context_url: str, pinned: str, fix: str
) -> None:
    workspace.env["GITPOD_WORKSPACE_CONTEXT_URL"] = context_url
    make_role(workspace, own_issuer, aws_server, subject=pinned)
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["trust-policy", "sts"]
    assert f":sub: sub is {context_url}; StringEquals {pinned} is false" in results["trust-policy"]["detail"]
    assert fix in results["trust-policy"]["fix"]
    assert "AccessDenied" in results["sts"]["detail"]
    assert "trust-policy" in results["sts"]["fix"]


def test_a_wrong_audience(workspace: Workspace, role: str) -> None:
    workspace.env[ENV_CLAIMS] = json.dumps({"aud": ["https://example.com"]})
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.CHECK_FAILED
    assert failing(results)[0] == "audience"
    assert "lacks sts.amazonaws.com" in results["audience"]["detail"]
    assert "--audience sts.amazonaws.com" in results["audience"]["fix"]
    assert results["provider"]["status"] == "fail"  # STS matches aud against the provider's client IDs
    assert results["sts"]["status"] == "fail"


def test_a_missing_provider(
    workspace: Workspace, role: str, own_issuer: Issuer, aws_server: AwsServer
) -> None:
    provider = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{issuer_path(own_issuer.url)}"
    admin_client(aws_server.endpoint_url, "iam").delete_open_id_connect_provider(
        OpenIDConnectProviderArn=provider
    )
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["provider", "sts"]
    assert f"no IAM OIDC provider {provider}" in results["provider"]["detail"]
    assert "aws-gitpod setup --role-name doctor-" in results["provider"]["fix"]
    assert "No OpenIDConnect provider found" in results["sts"]["detail"]


def test_an_expired_token(workspace: Workspace, role: str, own_issuer: Issuer, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(own_issuer.mint(lifetime=-3600, workspace_id=workspace.env["GITPOD_WORKSPACE_ID"]))
    code, results = doctor(workspace, "--role", role, "--token-file", str(token_file))
    assert code == errors.CHECK_FAILED
    assert results["token-source"]["detail"] == "token-file"
    assert failing(results) == ["expiry", "sts"]
    assert "expired at" in results["expiry"]["detail"]
    assert "mint a fresh token" in results["expiry"]["fix"]
    assert "ExpiredTokenException" in results["sts"]["detail"]


def test_an_unreachable_issuer(workspace: Workspace, role: str, own_issuer: Issuer) -> None:
    own_issuer.set_unavailable(True)
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["issuer", "sts"]
    assert "openid-configuration" in results["issuer"]["detail"] and "503" in results["issuer"]["detail"]
    assert results["signature"]["status"] == "skip"
    assert "IDPCommunicationError" in results["sts"]["detail"]


def test_a_bad_signature(workspace: Workspace, role: str, own_issuer: Issuer, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(
        own_issuer.mint(sign_with_foreign_key=True, workspace_id=workspace.env["GITPOD_WORKSPACE_ID"])
    )
    code, results = doctor(workspace, "--role", role, "--token-file", str(token_file))
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["signature", "sts"]
    assert "does not verify" in results["signature"]["detail"]
    assert "InvalidIdentityToken" in results["sts"]["detail"]


def test_no_token_source(workspace: Workspace, role: str) -> None:
    workspace.env["PATH"] = workspace.env["PATH"].replace(str(workspace.bin_dir), "/nonexistent")
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["token-source", "token"]
    assert "--token-file" in results["token-source"]["fix"]
    assert [results[name]["status"] for name in ("claims", "issuer", "sts")] == ["skip", "skip", "skip"]


@pytest.mark.parametrize(
    ("credentials", "environment", "detail", "fix"),
    [
        (
            "[gitpod]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
            {},
            "has static keys for profile gitpod",
            "aws-gitpod login -p gitpod --role-arn arn:aws:iam::",
        ),
        (
            "",
            {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"},
            "AWS_ACCESS_KEY_ID in the environment",
            "unset AWS_ACCESS_KEY_ID",
        ),
        (
            "[other]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
            {"AWS_PROFILE": "other"},
            "AWS_PROFILE is other",
            "export AWS_PROFILE=gitpod",
        ),
        (
            "",
            {"AWS_WEB_IDENTITY_TOKEN_FILE": "token.jwt"},
            "AWS_WEB_IDENTITY_TOKEN_FILE is set",
            "unset AWS_WEB",
        ),
    ],
)
def test_what_shadows_the_profile(
    workspace: Workspace, role: str, credentials: str, environment: dict[str, str], detail: str, fix: str
) -> None:
    with workspace.aws_credentials_file.open("a") as file:
        file.write(credentials)
    workspace.env.update(environment)
    code, results = doctor(workspace, "--profile", "gitpod")
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["shadowing"]
    assert detail in results["shadowing"]["detail"]
    assert fix in results["shadowing"]["fix"]


def test_an_exchange_denial_points_at_doctor(workspace: Workspace, role: str, aws_server: AwsServer) -> None:
    aws_server.inject("AssumeRoleWithWebIdentity", code="AccessDenied", status=403, times=None)
    result: subprocess.CompletedProcess[str] = workspace.run("aws-gitpod", "creds", "--role", role)
    assert result.returncode == errors.AWS_DENIED
    assert f"run `aws-gitpod doctor --role {role}`" in result.stderr


def test_role_auto_is_resolved_from_the_role_rules(workspace: Workspace, role: str, tmp_path: Path) -> None:
    rules = tmp_path / "roles.ini"
    rules.write_text(
        "[rule other-org]\nowner = acme\nrole = arn:aws:iam::123456789012:role/acme\n\n"
        f"[rule app]\nrepository = gitpod-io/my-application\nrole = {role}\n"
    )
    workspace.env["AWS_GITPOD_ROLE_RULES"] = str(rules)
    code, results = doctor(workspace, "--role", "auto")
    assert code == errors.OK, results
    assert results["role"]["detail"] == (
        f"{role} chosen by rule app in {rules} "
        f"(rule other-org: no: owner=gitpod-io matches none of acme; rule app: yes: {role})"
    )
    assert results["trust-policy"]["status"] == "ok"
    assert f"assumed-role/{role.rsplit('/', 1)[1]}/" in results["sts"]["detail"]


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({ENV_ISSUER: None}, "the workspace's supervisor does not answer"),  # not in a running workspace
        ({"AWS_GITPOD_TESTBED_MODE": "fail"}, "the workspace's supervisor answers (`gp info` works)"),
    ],
)
def test_gp_that_cannot_mint_is_explained(
    workspace: Workspace, role: str, changes: dict[str, str | None], cause: str
) -> None:
    for name, value in changes.items():
        if value is None:
            workspace.env.pop(name)
        else:
            workspace.env[name] = value
    code, results = doctor(workspace, "--role", role)
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["token"]
    detail = results["token"]["detail"]
    assert "gp could not mint a token (`gp idp token` hides why and says `token is malformed`)" in detail
    assert cause in detail
    if ENV_ISSUER in changes:  # gp info's own answer is passed on
        assert "failed getting workspace info from supervisor: rpc error: code = Unavailable" in detail
    creds = workspace.run("aws-gitpod", "creds", "--role", role)
    assert creds.returncode == errors.NO_TOKEN
    assert cause in creds.stderr


def test_an_ona_user_token_in_an_environment_is_named_with_the_way_back(
    ona_env: Workspace, ona_issuer: Issuer, aws_server: AwsServer
) -> None:
    role = create_oidc_role(
        aws_server.endpoint_url,
        ona_issuer.url,
        role_name=f"doctor-{uuid.uuid4().hex[:10]}",
        subject=ona_env.subject,
    )
    ona_env.aws_credentials_file.write_text(
        "[admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    assert ona_env.run("ona", "login", "--token", "not-a-real-pat").returncode == 0
    code, results = doctor(ona_env, "--role", role)
    assert code == errors.CHECK_FAILED
    assert failing(results) == ["identity", "trust-policy", "sts"]
    assert results["identity"]["detail"].startswith("the token is an Ona user token (sub org:")
    assert "`ona login --token`" in results["identity"]["detail"]
    assert results["identity"]["fix"] == (
        "`ona config context use environment` makes the ona CLI mint as the environment again"
    )
    creds = ona_env.run("aws-gitpod", "creds", "--role", role, "--no-cache")
    assert creds.returncode == errors.AWS_DENIED
    assert "an Ona user token" in creds.stderr and "ona config context use environment" in creds.stderr

    assert ona_env.run("ona", "config", "context", "use", "environment").returncode == 0
    code, results = doctor(ona_env, "--role", role)
    assert code == errors.OK, failing(results)
    assert (
        results["identity"]["detail"] == f"an Ona environment token ({ona_env.env['GITPOD_ENVIRONMENT_ID']})"
    )
