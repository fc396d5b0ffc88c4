"""`aws-gitpod setup` against moto's IAM on the test bed: from empty, again, over a conflicting role, dry run.

The tests use an issuer of their own, whose provider each test starts without, so "from empty" really is:
moto's IAM outlives tests, and other tests create providers for the shared issuer.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from awscli_gitpod import errors
from awscli_gitpod.policy.document import issuer_path
from awscli_gitpod.testing.aws import AwsServer, admin_client, create_oidc_role
from awscli_gitpod.testing.issuer import DEFAULT_CONTEXT_URL, DEFAULT_ORG_ID, Issuer
from awscli_gitpod.testing.standins import ENV_ISSUER
from awscli_gitpod.testing.sts_checks import ACCOUNT_ID

if TYPE_CHECKING:
    from awscli_gitpod.testing.fixtures import Workspace

REPO = DEFAULT_CONTEXT_URL  # the repository the stand-ins' workspace is opened on
WRITES = (
    "CreateOpenIDConnectProvider",
    "AddClientIDToOpenIDConnectProvider",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "UpdateRole",
    "AttachRolePolicy",
)


@pytest.fixture(scope="module")
def own_issuer() -> Iterator[Issuer]:
    with Issuer.start(path=f"/idp-{uuid.uuid4().hex[:8]}") as running:
        yield running


@pytest.fixture(autouse=True)
def _no_provider(own_issuer: Issuer, iam: Any) -> None:
    """Every test starts without a provider for the module's issuer (deleting a missing one is a no-op)."""
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn(own_issuer))


@pytest.fixture
def admin(workspace_env: Workspace, own_issuer: Issuer) -> Workspace:
    """The workspace, its tokens from `own_issuer`, with admin keys in the environment (moto takes any)."""
    workspace_env.env[ENV_ISSUER] = own_issuer.url
    workspace_env.env["AWS_ACCESS_KEY_ID"] = "testing"
    workspace_env.env["AWS_SECRET_ACCESS_KEY"] = "testing"
    return workspace_env


@pytest.fixture
def iam(aws_server: AwsServer) -> Any:
    return admin_client(aws_server.endpoint_url, "iam")


@pytest.fixture
def role_name() -> str:
    return f"app-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def policy_arn(iam: Any) -> str:
    # moto does not load AWS's managed policies: a customer-managed one stands in.
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
    }
    created = iam.create_policy(
        PolicyName=f"read-{uuid.uuid4().hex[:8]}", PolicyDocument=json.dumps(document)
    )
    return str(created["Policy"]["Arn"])


def setup(workspace: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return workspace.run("aws-gitpod", "setup", *args)


def provider_arn(issuer: Issuer) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{issuer_path(issuer.url)}"


def generated_policy(workspace: Workspace, issuer: Issuer, *scope: str) -> Any:
    # `policy generate` takes only https issuers (all IAM accepts); the policy names the issuer without
    # its scheme, so the test bed's http issuer gets the same document.
    result = workspace.run(
        "aws-gitpod",
        "policy",
        "generate",
        "--account",
        ACCOUNT_ID,
        "--issuer",
        f"https://{issuer_path(issuer.url)}",
        *scope,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def trust_policy(iam: Any, name: str) -> Any:
    return iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]


def vendor_role(aws_server: AwsServer, issuer: Issuer, iam: Any, role_name: str) -> Any:
    """The vendor guide's role, its trust policy as created, and the call counts reset: the exact
    repository URL only, which a branch or PR workspace does not match."""
    create_oidc_role(aws_server.endpoint_url, issuer.url, role_name=role_name, subject=REPO)
    before = trust_policy(iam, role_name)
    aws_server.reset_calls()
    return before


def write_calls(aws_server: AwsServer) -> dict[str, int]:
    return {action: aws_server.calls(action) for action in WRITES if aws_server.calls(action)}


def test_setup_from_empty_creates_a_working_role(
    admin: Workspace, own_issuer: Issuer, iam: Any, role_name: str, policy_arn: str
) -> None:
    result = setup(
        admin, "--role-name", role_name, "--repo", REPO, "--policy-arn", policy_arn, "--write-profile", "app"
    )
    assert result.returncode == 0, result.stderr
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{role_name}"
    assert (
        f"provider {provider_arn(own_issuer)}: create (client ID sts.amazonaws.com, no thumbprint)"
        in result.stdout
    )
    assert f"role {role_name}: create" in result.stdout
    assert f"policy {policy_arn}: attach" in result.stdout
    assert f"created role {role_arn}" in result.stdout

    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn(own_issuer))
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert provider["ThumbprintList"] == []
    assert trust_policy(iam, role_name) == generated_policy(admin, own_issuer, "--repo", REPO)
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [policy["PolicyArn"] for policy in attached] == [policy_arn]

    # The workspace may now assume it: directly, and through the profile setup wrote.
    creds = admin.run("aws-gitpod", "creds", "--role", role_arn, "--no-cache")
    assert creds.returncode == 0, creds.stderr
    assert json.loads(creds.stdout)["AccessKeyId"]
    assert "credential_process = " in admin.aws_config_file.read_text()
    assert f"--role {role_arn}" in admin.aws_config_file.read_text()
    assert f"assumed-role/{role_name}/" in result.stdout


def test_a_second_run_changes_nothing(
    admin: Workspace, iam: Any, role_name: str, policy_arn: str, aws_server: AwsServer
) -> None:
    args = ("--role-name", role_name, "--repo", REPO, "--branch", "main", "--policy-arn", policy_arn)
    first = setup(admin, *args)
    assert first.returncode == 0, first.stderr
    before = trust_policy(iam, role_name)
    aws_server.reset_calls()

    again = setup(admin, *args)
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert ": unchanged" in again.stdout and f"policy {policy_arn}: attached" in again.stdout
    assert write_calls(aws_server) == {}
    assert trust_policy(iam, role_name) == before

    longer = setup(admin, *args, "--max-session-duration", "7200")
    assert longer.returncode == 0, longer.stderr
    assert "max session duration: 3600 s -> 7200 s" in longer.stdout
    assert write_calls(aws_server) == {"UpdateRole": 1}
    assert iam.get_role(RoleName=role_name)["Role"]["MaxSessionDuration"] == 7200


def test_dry_run_changes_nothing(
    admin: Workspace, own_issuer: Issuer, iam: Any, role_name: str, aws_server: AwsServer
) -> None:
    result = setup(admin, "--role-name", role_name, "--repo", REPO, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"provider {provider_arn(own_issuer)}: create" in result.stdout
    assert '+        "StringLike": {' in result.stdout  # the new trust policy, as a diff from nothing
    assert result.stdout.rstrip().endswith("dry run: nothing was changed")
    assert write_calls(aws_server) == {}
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=role_name)


def test_widening_an_existing_role_needs_yes(
    admin: Workspace, own_issuer: Issuer, iam: Any, role_name: str, aws_server: AwsServer
) -> None:
    before = vendor_role(aws_server, own_issuer, iam, role_name)

    refused = setup(admin, "--role-name", role_name, "--repo", REPO)
    assert refused.returncode == errors.USAGE
    assert "trust policy replace" in refused.stdout
    assert "WIDER" in refused.stdout and f"{REPO}/tree/" in refused.stdout
    assert "--yes" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert trust_policy(iam, role_name) == before
    assert write_calls(aws_server) == {}

    accepted = setup(admin, "--role-name", role_name, "--repo", REPO, "--yes")
    assert accepted.returncode == 0, accepted.stderr
    assert f"replaced the trust policy of arn:aws:iam::{ACCOUNT_ID}:role/{role_name}" in accepted.stdout
    assert trust_policy(iam, role_name) == generated_policy(admin, own_issuer, "--repo", REPO)


def test_narrowing_needs_no_yes_and_a_missing_client_id_is_planned(
    admin: Workspace, own_issuer: Issuer, iam: Any, role_name: str
) -> None:
    path, arn = issuer_path(own_issuer.url), provider_arn(own_issuer)
    iam.create_open_id_connect_provider(Url=own_issuer.url, ClientIDList=["other-client"])
    owner_wide = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {f"{path}:sub": "https://github.com/gitpod-io/*"}},
            }
        ],
    }
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(owner_wide))

    planned = setup(admin, "--role-name", role_name, "--repo", REPO, "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert f"provider {arn}: add client ID sts.amazonaws.com (has other-client)" in planned.stdout
    assert f'\n    -{" " * 10}"{path}:sub": "https://github.com/gitpod-io/*"\n' in planned.stdout  # the diff
    assert "WIDER" not in planned.stdout and "--yes" not in planned.stdout

    # moto has no AddClientIDToOpenIDConnectProvider: give the provider the client ID by hand.
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    iam.create_open_id_connect_provider(
        Url=own_issuer.url, ClientIDList=["other-client", "sts.amazonaws.com"]
    )
    applied = setup(admin, "--role-name", role_name, "--repo", REPO)
    assert applied.returncode == 0, applied.stderr
    assert f"provider {arn}: unchanged" in applied.stdout
    assert trust_policy(iam, role_name) == generated_policy(admin, own_issuer, "--repo", REPO)


def test_ona_organization_role(ona_env: Workspace, own_issuer: Issuer, role_name: str) -> None:
    ona_env.env.update(
        {ENV_ISSUER: own_issuer.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    )
    organization = DEFAULT_ORG_ID  # the test bed's Ona organization: no variable names it in an environment
    result = setup(ona_env, "--role-name", role_name, "--ona-org", organization)
    assert result.returncode == 0, result.stderr
    creds = ona_env.run("aws-gitpod", "creds", "--role", f"arn:aws:iam::{ACCOUNT_ID}:role/{role_name}")
    assert creds.returncode == 0, creds.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role-name", "bad name", "--repo", REPO), "not an IAM role name"),
        (("--role-name", "r", "--repo", REPO, "--ona-org", "o"), "give one"),
        (("--role-name", "r", "--repo", REPO, "--max-session-duration", "60"), "3600 to 43200"),
        (("--role-name", "r", "--repo", REPO, "--policy-arn", "ReadOnlyAccess"), "not a managed policy ARN"),
        (("--role-name", "r"), "--repo URL, or --ona-org"),
    ],
)
def test_bad_options_fail_before_any_call(
    admin: Workspace, aws_server: AwsServer, args: tuple[str, ...], message: str
) -> None:
    result = setup(admin, *args)
    assert result.returncode == errors.USAGE
    assert message in result.stderr
    assert write_calls(aws_server) == {}


def test_without_admin_credentials_it_says_how_to_give_them(workspace_env: Workspace, role_name: str) -> None:
    result = setup(workspace_env, "--role-name", role_name, "--repo", REPO)
    assert result.returncode == errors.USAGE
    assert "no usable AWS credentials" in result.stderr and "--profile" in result.stderr


def test_a_missing_policy_arn_is_refused_before_any_change(
    admin: Workspace, own_issuer: Issuer, iam: Any, role_name: str, aws_server: AwsServer
) -> None:
    before = vendor_role(aws_server, own_issuer, iam, role_name)
    missing = f"arn:aws:iam::{ACCOUNT_ID}:policy/does-not-exist"
    result = setup(
        admin,
        "--role-name",
        role_name,
        "--repo",
        REPO,
        "--yes",
        "--max-session-duration",
        "7200",
        "--policy-arn",
        missing,
    )
    assert result.returncode == errors.USAGE
    assert result.stderr.splitlines() == [
        f"aws-gitpod: error: --policy-arn {missing} does not exist in IAM (NoSuchEntity); nothing was changed"
    ]
    assert write_calls(aws_server) == {}
    assert trust_policy(iam, role_name) == before
    assert iam.get_role(RoleName=role_name)["Role"]["MaxSessionDuration"] == 3600


def test_a_failure_midway_names_what_was_changed_and_what_is_left(
    admin: Workspace, own_issuer: Issuer, role_name: str, policy_arn: str, aws_server: AwsServer
) -> None:
    aws_server.inject("AttachRolePolicy", code="LimitExceeded", status=409, message="Quota", service="iam")
    result = setup(admin, "--role-name", role_name, "--repo", REPO, "--policy-arn", policy_arn)
    assert result.returncode == errors.AWS_REJECTED_REQUEST
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{role_name}"
    assert f"\ncreated provider {provider_arn(own_issuer)}\ncreated role {role_arn}\n" in result.stdout
    (line,) = result.stderr.splitlines()
    assert (
        f"LimitExceeded: Quota. Already changed: created provider {provider_arn(own_issuer)}; created role "
        in line
    )
    assert line.endswith(
        f"Not done: attach {policy_arn} to {role_name}. Run setup again once fixed: it makes only what is "
        "missing"
    )
    again = setup(admin, "--role-name", role_name, "--repo", REPO, "--policy-arn", policy_arn)
    assert again.returncode == 0, again.stderr
    assert again.stdout.rstrip().endswith(f"attached {policy_arn}")


def test_write_profile_for_a_policy_that_cannot_admit_this_workspace_warns_and_never_retries(
    admin: Workspace, role_name: str, aws_server: AwsServer
) -> None:
    other = "https://github.com/someone-else/another-repo"
    result = setup(admin, "--role-name", role_name, "--repo", other, "--write-profile", "app")
    assert result.returncode == errors.AWS_DENIED
    warning, error = result.stderr.splitlines()
    assert warning.startswith("aws-gitpod: warning: the trust policy does not admit this workspace's token (")
    assert warning.endswith("--write-profile app will not be attempted")
    assert error.startswith("aws-gitpod: error: profile 'app' was not written: ")
    assert f"created role arn:aws:iam::{ACCOUNT_ID}:role/{role_name}" in result.stdout
    assert aws_server.calls("AssumeRoleWithWebIdentity") == 0
    assert not admin.aws_config_file.exists()
